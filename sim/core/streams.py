"""Named random streams for one replication, so that variants share their random numbers.

Two kinds of randomness, both derived only from ``(seed, replication, stream name)``:

* ``generator(name)`` -- a numpy ``Generator`` for drawing blocks up front (the parcels of a day,
  the city). The same name always yields the same sequence, whatever else was drawn before.
* ``uniform(name, *keys)`` -- a *counter-based* uniform in [0, 1) for an entity, e.g. "is
  household 812 at home in hour 31?". It needs no state and no storage, so the same person is at
  home at the same hours in every variant, whatever order the simulation asks in (common random
  numbers, tied to entities rather than to the order of events).
"""

from __future__ import annotations

import zlib

import numpy as np

__all__ = ["Streams", "uniform_from"]

_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)


def _name_key(name: str) -> int:
    # crc32 is stable across processes and Python versions, unlike hash().
    return zlib.crc32(name.encode("utf-8"))


def _splitmix64(x: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser (Steele, Lea & Flood 2014): a bijective, well-mixing 64-bit hash."""
    x = (x + np.uint64(0x9E3779B97F4A7C15)) & _MASK64
    x = ((x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)) & _MASK64
    x = ((x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)) & _MASK64
    return x ^ (x >> np.uint64(31))


class Streams:
    """Random streams of one replication of one scenario."""

    def __init__(self, seed: int, replication: int = 0, prefix: str = "") -> None:
        if seed < 0 or replication < 0:
            raise ValueError("seed and replication must be non-negative integers")
        self.seed = int(seed)
        self.replication = int(replication)
        self.prefix = prefix
        self._keys: dict[str, int] = {}

    def for_station(self, station: int) -> Streams:
        """The streams of one station area: its own names, so stations draw independently.
        Station 0 keeps the plain names."""
        return self if station == 0 else Streams(self.seed, self.replication, f"{self.prefix}station{station}/")

    def lasting(self) -> Streams:
        """Streams for what does not change from one replication to the next (who lives in the
        district, what kind of household each is): the same in every replication."""
        return Streams(self.seed, 0, self.prefix + "lasting/")

    def _sequence(self, name: str) -> np.random.SeedSequence:
        return np.random.SeedSequence(self.seed, spawn_key=(self.replication, _name_key(self.prefix + name)))

    def generator(self, name: str) -> np.random.Generator:
        """A fresh generator for the named stream (same name, same numbers)."""
        return np.random.Generator(np.random.PCG64(self._sequence(name)))

    def _key(self, name: str) -> int:
        key = self._keys.get(name)
        if key is None:
            key = self._keys[name] = int(self._sequence(name).generate_state(1, np.uint64)[0])
        return key

    def uniform(self, name: str, *keys: np.ndarray | int) -> np.ndarray:
        """Uniforms in [0, 1) that depend only on the stream name and the integer keys.

        Keys broadcast against each other like numpy arrays; they must be non-negative.
        """
        state = self._key(name)
        with np.errstate(over="ignore"):
            h = np.full(np.broadcast(*[np.atleast_1d(k) for k in keys]).shape, state, dtype=np.uint64)
            for k in keys:
                h = _splitmix64(h ^ np.atleast_1d(np.asarray(k, dtype=np.int64)).astype(np.uint64))
        # The top 53 bits give an exactly representable double in [0, 1).
        return (h >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))

    def uniform1(self, name: str, *keys: int) -> float:
        """``uniform(name, *keys)`` for scalar keys, in plain Python: the event loop's fast path.

        Gives exactly the same number as the array version (a test checks this).
        """
        h = self._keys.get(name)
        if h is None:
            h = self._key(name)
        return (_mix(h, keys) >> 11) * _INV_2_53  # the top 53 bits: an exactly representable double

    def state1(self, name: str, *keys: int) -> int:
        """The hash of ``name`` and the first keys of a draw, to be finished by ``uniform_from``:
        ``uniform_from(state1(name, a, b), c) == uniform1(name, a, b, c)``. Worth keeping where
        many draws share their first keys (a building and an hour, then the floor)."""
        return _mix(self._key(name), keys)


def uniform_from(state: int, *keys: int) -> float:
    """Finish a draw begun by ``Streams.state1`` with the remaining keys."""
    return (_mix(state, keys) >> 11) * _INV_2_53


def _mix(h: int, keys: tuple[int, ...]) -> int:
    """splitmix64 of ``h ^ k`` for each key in turn, in plain Python (as ``_splitmix64`` does in arrays)."""
    for k in keys:
        x = ((h ^ k) + 0x9E3779B97F4A7C15) & _M64
        x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
        x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
        h = x ^ (x >> 31)
    return h


_M64 = 0xFFFFFFFFFFFFFFFF
_INV_2_53 = 1.0 / (1 << 53)
