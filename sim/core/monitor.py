"""Time-weighted monitors: a quantity that changes at events and is averaged over time.

Used for warehouse backlog, busy staff and staff on shift; any facility can keep one. Values are
recorded as (time, new value) steps; ``mean`` integrates the step function exactly.
"""

from __future__ import annotations

import numpy as np

__all__ = ["TimeWeighted"]


class TimeWeighted:
    """A step function of time, recorded as it changes."""

    def __init__(self, name: str, start_s: float = 0.0, value: float = 0.0) -> None:
        self.name = name
        self._times = [float(start_s)]
        self._values = [float(value)]

    @classmethod
    def from_series(cls, name: str, times: np.ndarray, values: np.ndarray) -> TimeWeighted:
        """A monitor rebuilt from what ``series()`` returned (e.g. read back from a results folder)."""
        monitor = cls(name)
        monitor._times = [float(t) for t in times]
        monitor._values = [float(v) for v in values]
        return monitor

    def __repr__(self) -> str:
        return f"TimeWeighted({self.name!r}, {len(self._times)} steps, now {self.value:g})"

    @property
    def value(self) -> float:
        return self._values[-1]

    def set(self, time_s: float, value: float) -> None:
        """The quantity becomes ``value`` at ``time_s`` (times must not go backwards)."""
        if time_s < self._times[-1]:
            raise ValueError(f"{self.name}: time went backwards ({time_s} < {self._times[-1]})")
        if time_s == self._times[-1]:
            self._values[-1] = float(value)
        else:
            self._times.append(float(time_s))
            self._values.append(float(value))

    def add(self, time_s: float, delta: float) -> None:
        self.set(time_s, self._values[-1] + delta)

    def series(self) -> tuple[np.ndarray, np.ndarray]:
        """(times, values): the value holds from each time until the next."""
        return np.asarray(self._times), np.asarray(self._values)

    def integral(self, t0: float, t1: float) -> float:
        """∫ value dt over [t0, t1]."""
        return step_integral(*self.series(), t0, t1)

    def mean(self, t0: float, t1: float) -> float:
        """Time-weighted mean over [t0, t1]."""
        return self.integral(t0, t1) / (t1 - t0) if t1 > t0 else float("nan")

    def max(self) -> float:
        return float(max(self._values))


def step_integral(times: np.ndarray, values: np.ndarray, t0: float, t1: float) -> float:
    """Integral over [t0, t1] of the step function that is ``values[i]`` from ``times[i]`` on."""
    if t1 <= t0 or len(times) == 0:
        return 0.0
    edges = np.clip(np.append(times, np.inf), t0, t1)
    return float((np.diff(edges) * values).sum())
