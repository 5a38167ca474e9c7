"""Pick-up points: locker banks, community pick-up stations (驿站) and the station's counter.

Every point has slots (a locker bank: S, M and L slots, a parcel taking the smallest free one it
fits; a 驿站 or the counter: one pool of shelves) that parcels hold from the moment they are
left until their recipient collects them or the point gives up on them. Other networks' parcels
arrive at banks and 驿站 through the day (drawn up front, for every variant alike) and take slots
too, so what our courier finds free depends on the compound's whole demand.

No SimPy process is needed: a parcel's release time is known when it is left, so each point
catches up, in time order, with the arrivals and releases due whenever it is asked, and once more
at the end of the run. Questions must come in non-decreasing time per point, which the event loop
guarantees. A day's ``peak`` never exceeds the capacity: a parcel that finds no room is refused,
never squeezed in.

Other networks' parcels are most of a point's traffic (hundreds a day at a 驿站, a few of ours):
they are kept as arrays sorted by arrival and by release, walked with two cursors, and only our
own parcels go through a heap.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_right
from collections.abc import Callable
from enum import IntEnum

import numpy as np

from ...core.units import SECONDS_PER_DAY

__all__ = ["LOCKER_FITS", "SHELF_FITS", "PickupKind", "PickupPoint"]

# A parcel of size s fits slots of size s or larger (S=0, M=1, L=2); the smallest free one is used.
LOCKER_FITS = ((0, 1, 2), (1, 2), (2,))
SHELF_FITS = ((0,), (0,), (0,))  # one pool of shelves takes every size


class PickupKind(IntEnum):
    """Where a recipient collects a parcel that was not handed over at the door."""

    LOCKER = 0
    PICKUP_STATION = 1  # a community pick-up station (驿站) in or beside a compound
    COUNTER = 2  # the franchise station's own counter


# One of our parcels due at a point later than now (moved in from an expired locker): ``resolve``
# is told then whether it found room (and the slot pool) and returns when it leaves again: a
# positive time if collected then, minus the time if taken away uncollected, None if it never came.
Resolver = Callable[[bool, int], float | None]
# Stretches of at least this many of other networks' arrivals or releases are swept in numpy at once
# (``_sweep``); shorter ones, and every arrival that finds its first-choice pool full, go through the
# loop. The two give the same result (tests/test_pickup_sweep.py); only their speed differs.
SWEEP_MIN = 128
_AFTER_A_FULL_POOL = 32  # arrivals taken one by one after one found its pool full: the next may too


class PickupPoint:
    """One locker bank, 驿站 or counter: slots by pool, other networks' arrivals, peaks per day."""

    # No other networks' parcels until ``add_background`` says otherwise (never written to: shared).
    _bg_t_np = _bg_out_t_np = np.zeros(0)
    _bg_first_np = _bg_out_i_np = _bg_pool = np.zeros(0, dtype=np.int64)
    _bg_out_collected_np = np.zeros(0, dtype=bool)
    # The same buffers for the loop, one number at a time (``memoryview`` gives plain floats, ints and bools).
    _bg_t = _bg_size = _bg_out_t = _bg_out_i = _bg_out_collected = _bg_pool_at = memoryview(b"")
    _bg_next = _bg_released = _loop_until = 0

    def __init__(
        self, kind: PickupKind, index: int, place: int, capacity: np.ndarray, days: int, fits: tuple[tuple[int, ...], ...]
    ) -> None:
        self.kind = kind
        self.kind_index = int(kind)  # for the per-parcel paths, where an IntEnum is slow
        self.index = index
        self.place = place
        self.capacity = np.asarray(capacity, dtype=np.int64)
        self._room = self.capacity.tolist()  # free slots per pool
        self._fits = fits
        self._ours_out: list[tuple[float, int, bool]] = []  # heap of our parcels' (release, pool, collected then)
        self._pending: list[tuple[float, int, int, Resolver]] = []  # heap of (when, order, size, resolve): ours moving in
        self._order = 0
        self._now = -math.inf
        self._ours = 0  # our parcels in it now
        self._level = 0  # every parcel in it now
        self._day_seen = 0  # the last day whose peak has been brought up to date ...
        self._next_day_s = SECONDS_PER_DAY  # ... and when the day after it begins
        self.days = days
        # Counts per day (the last entry: after the end), as plain lists: the loops update them.
        self.peak = [0] * (days + 1)  # most parcels held at once
        self.peak_ours = [0] * (days + 1)
        self.drops = [[0] * len(self.capacity) for _ in range(days + 1)]  # our parcels left, by slot pool
        self.refused = [0] * (days + 1)  # our parcels that found no room
        self.background_in = [0] * (days + 1)  # other networks' parcels that found room
        self.background_refused = [0] * (days + 1)
        self.collections = [0] * (days + 1)  # collected (ours and others'): the staff's time to hand out

    # --- questions, in time order -------------------------------------------------------------
    def take(self, time_s: float, size: int, release_s: float, collected: bool = True) -> int | None:
        """Put one of our parcels in the smallest free fitting slot until ``release_s`` (when it is
        collected, or, ``collected`` False, taken away uncollected); returns the slot pool it took,
        None if no slot is free."""
        pool = self.claim(time_s, size)
        if pool is not None:
            self.hold(time_s, pool, release_s, collected)
        return pool

    def claim(self, time_s: float, size: int) -> int | None:
        """The slot pool one of our parcels of ``size`` would take at ``time_s`` (None: no slot is
        free, and the parcel counts as refused); ``hold`` then puts it there."""
        # A session's parcels are all claimed at its start: after the first, nothing is left to catch up.
        ours, pending = self._ours_out, self._pending
        if time_s != self._now or (ours and ours[0][0] <= time_s) or (pending and pending[0][0] <= time_s):
            self._advance(time_s)
        pool = self._free_pool(size)
        if pool is None:
            self.refused[self._day_seen] += 1  # the day of ``time_s``: caught up with above, or when it was ``_now``
        return pool

    def hold(self, time_s: float, pool: int, release_s: float, collected: bool) -> None:
        """Hold one of our parcels in ``pool`` (just claimed at ``time_s``) until ``release_s``."""
        self._hold(time_s, pool, release_s, collected)
        self.drops[self._day_seen][pool] += 1  # the day of ``time_s``: ``_hold`` brought it up to date

    def add_arrival(self, time_s: float, size: int, resolve: Resolver) -> None:
        """One of our parcels arrives at ``time_s`` (later than now, e.g. moved from an expired
        locker); ``resolve`` is told then whether it found room (see ``Resolver``)."""
        heapq.heappush(self._pending, (time_s, self._order, size, resolve))
        self._order += 1

    def add_background(self, times_s: np.ndarray, sizes: np.ndarray, releases_s: np.ndarray, collected: np.ndarray) -> None:
        """Other networks' parcels, in time order: when each arrives, its size, when it leaves (always
        after it arrives), and whether its recipient collected it then (else its network took it away)."""
        order = np.argsort(releases_s, kind="stable")
        # Numpy arrays for ``_sweep``; the loop reads the same buffers through memoryviews, which give
        # plain Python numbers one at a time as quickly as a list does, without a list's objects.
        self._bg_t_np = np.ascontiguousarray(times_s, dtype=np.float64)
        sizes = np.ascontiguousarray(sizes, dtype=np.int64)
        self._bg_first_np = np.array([f[0] for f in self._fits], dtype=np.int64)[sizes]  # first-choice pools
        self._bg_out_t_np = np.ascontiguousarray(np.asarray(releases_s, dtype=np.float64)[order])  # releases in time order ...
        self._bg_out_i_np = order  # ... of which parcel ...
        self._bg_out_collected_np = np.ascontiguousarray(np.asarray(collected, dtype=bool)[order])  # ... and collected then?
        self._bg_pool = np.full(len(self._bg_t_np), -1, dtype=np.int64)  # the pool each took (-1: refused, or not yet come)
        self._bg_t = self._bg_t_np.data
        self._bg_size = sizes.data
        self._bg_out_t = self._bg_out_t_np.data
        self._bg_out_i = np.ascontiguousarray(order).data
        self._bg_out_collected = self._bg_out_collected_np.data
        self._bg_pool_at = self._bg_pool.data
        self._bg_next = 0  # arrivals taken so far
        self._bg_released = 0  # releases processed so far
        self._loop_until = 0  # arrivals before this index go through the loop (one found its pool full)

    def finish(self, time_s: float) -> None:
        """Catch up to the end of the run: every arrival and collection due by ``time_s``."""
        self._advance(time_s)

    def ours_held(self) -> int:
        """Our parcels in it now (after ``finish``: at the end of the run)."""
        return self._ours

    # --- catching up: the hot loops of a run, written for speed ----------------------------------
    def _advance(self, time_s: float) -> None:
        """Take every arrival due by ``time_s`` in time order, with the releases between them."""
        if time_s < self._now:
            raise RuntimeError("pick-up points must be asked in time order")
        bg_t, bg_size, bg_pool, fits, room, pending = (
            self._bg_t,
            self._bg_size,
            self._bg_pool_at,
            self._fits,
            self._room,
            self._pending,
        )
        i, n = self._bg_next, len(bg_t)
        out_t, ours = self._bg_out_t, self._ours_out
        n_out = len(out_t)
        while True:
            next_bg = bg_t[i] if i < n else math.inf
            if pending and pending[0][0] < next_bg:
                if pending[0][0] > time_s:
                    break
                self._bg_next = i
                self._take_pending()
                continue
            if next_bg > time_s:
                break
            # A sweep when at least SWEEP_MIN arrivals are due before the next of ours moves in (the
            # list is sorted: one look at the SWEEP_MIN-th tells).
            if i >= self._loop_until and i + SWEEP_MIN <= n:
                bound = min(time_s, pending[0][0]) if pending else time_s
                if bg_t[i + SWEEP_MIN - 1] <= bound:
                    last = bisect_right(bg_t, bound, i)
                    self._bg_next = i
                    i = self._sweep(last, bg_t[last - 1])
                    if i < last:  # arrival i found its first-choice pool full: the loop takes it and a few more
                        self._loop_until = i + _AFTER_A_FULL_POOL
                    continue
            j = self._bg_released  # only call out for releases (or a new day) due before this arrival
            if (j < n_out and out_t[j] <= next_bg) or (ours and ours[0][0] <= next_bg) or next_bg >= self._next_day_s:
                self._bg_next = i  # a sweep of the releases needs to know which arrivals have come
                self._release_until(next_bg)
            for pool in fits[bg_size[i]]:
                if room[pool] > 0:
                    room[pool] -= 1
                    bg_pool[i] = pool
                    self._level += 1
                    day = self._day_seen
                    if self._level > self.peak[day]:
                        self.peak[day] = self._level
                    self.background_in[day] += 1
                    break
            else:
                self.background_refused[self._day(next_bg)] += 1
            i += 1
        self._bg_next = i
        self._release_until(time_s)
        self._now = time_s

    def _release_until(self, time_s: float) -> None:
        """Let every parcel (ours and others') due out by ``time_s`` go, in time order, noting each
        day's level as it begins."""
        ours, out_t, room = self._ours_out, self._bg_out_t, self._room
        j, n = self._bg_released, len(out_t)
        if n - j >= SWEEP_MIN and out_t[j + SWEEP_MIN - 1] <= time_s:  # at least SWEEP_MIN due (sorted)
            self._sweep(self._bg_next, time_s)  # releases only: they never find a pool full
            j = self._bg_released
        while True:
            next_bg = out_t[j] if j < n else math.inf
            next_ours = ours[0][0] if ours else math.inf
            t = next_bg if next_bg <= next_ours else next_ours
            if t > time_s:
                break
            if t >= self._next_day_s:
                self._carry_peaks_to(t)
            if next_bg <= next_ours:
                pool = self._bg_pool_at[self._bg_out_i[j]]
                collected = self._bg_out_collected[j]
                j += 1
                if pool < 0:
                    continue  # refused: it never came in
            else:
                _, pool, collected = heapq.heappop(ours)
                self._ours -= 1
            room[pool] += 1
            self._level -= 1
            if collected:
                self.collections[self._day_seen] += 1  # the day of ``t``: brought up to date above
        self._bg_released = j
        if time_s >= self._next_day_s:
            self._carry_peaks_to(time_s)

    def _take_pending(self) -> None:
        """The next of our parcels due to arrive (moved in from an expired locker)."""
        t, _, size, resolve = heapq.heappop(self._pending)
        self._release_until(t)
        pool = self._free_pool(size)
        release = resolve(pool is not None, -1 if pool is None else pool)
        if pool is not None and release is not None:
            self._hold(t, pool, abs(release), release > 0)

    def _sweep(self, last: int, until_s: float) -> int:
        """Take other networks' arrivals ``_bg_next`` to ``last`` (all due by ``until_s``) and every
        release due by ``until_s``, in numpy, as the loop would; returns the index of the first
        arrival not taken. That is ``last``, unless an arrival finds its first-choice pool full:
        then everything before it is taken and it is left to the loop (which may put it in a larger
        slot or refuse it), so the result never differs from taking one parcel at a time."""
        i, j = self._bg_next, self._bg_released
        j_end = bisect_right(self._bg_out_t, until_s, j)
        out_idx = self._bg_out_i_np[j:j_end]
        # The pool each release gives back: taken earlier (-1: refused, nothing to give back), or
        # taken in this sweep, then its first choice.
        out_pool = self._bg_pool[out_idx]
        new = out_idx >= i
        out_pool[new] = self._bg_first_np[out_idx[new]]
        ours: list[tuple[float, int, bool]] = []
        while self._ours_out and self._ours_out[0][0] <= until_s:
            ours.append(heapq.heappop(self._ours_out))
        n_out, n_ours, n_in = j_end - j, len(ours), last - i
        ours_t, ours_pool, ours_collected = zip(*ours, strict=True) if ours else ((), (), ())
        # Every event in time order, releases before arrivals at the same moment (as the loop does):
        # a stable sort keeps the releases, which come first here, ahead of arrivals at a tie.
        time = np.concatenate([self._bg_out_t_np[j:j_end], ours_t, self._bg_t_np[i:last]])
        order = np.argsort(time, kind="stable")
        time = time[order]
        pool = np.concatenate([out_pool, np.asarray(ours_pool, dtype=np.int64), self._bg_first_np[i:last]])[order]
        is_arrival = order >= n_out + n_ours
        is_ours = (order >= n_out) & ~is_arrival
        collects = np.concatenate(
            [self._bg_out_collected_np[j:j_end], np.asarray(ours_collected, dtype=bool), np.zeros(n_in, dtype=bool)]
        )[order]
        delta = np.where(is_arrival, 1, -1) * (pool >= 0)  # a release of a parcel that was refused changes nothing
        # Each pool's level after each event; the first arrival that finds its pool full cuts the sweep.
        if len(self._room) == 1:  # a 驿站 or the counter: one pool of shelves, one cumulative sum
            level = (np.cumsum(delta) + (self.capacity[0] - self._room[0]))[:, None]
            over = np.flatnonzero(is_arrival & (level[:, 0] > self.capacity[0]))
        else:
            event, slot = np.arange(len(time)), np.maximum(pool, 0)
            by_pool = np.zeros((len(time), len(self._room)), dtype=np.int64)
            by_pool[event, slot] = delta
            level = np.cumsum(by_pool, axis=0) + (self.capacity - np.asarray(self._room))
            over = np.flatnonzero(is_arrival & (level[event, slot] > self.capacity[slot]))
        complete = len(over) == 0
        if not complete:
            cut = int(over[0])
            for o in ours:
                if o[0] >= time[cut]:  # releases at the cut's moment come before it and are taken
                    heapq.heappush(self._ours_out, o)
            kept = (time, pool, is_arrival, is_ours, collects, level)
            time, pool, is_arrival, is_ours, collects, level = (x[:cut] for x in kept)
        if len(time):
            level_after = level[:, 0] if len(self._room) == 1 else level.sum(axis=1)  # every pool: the point's level
            self._take_swept(time, is_arrival, collects & (pool >= 0), is_ours, level_after)  # arrivals never collect
            self._room[:] = (self.capacity - level[-1]).tolist()
        taken = int(is_arrival.sum())
        self._bg_pool[i : i + taken] = pool[is_arrival]
        self._bg_next = i + taken
        self._bg_released = j + len(time) - taken - int(is_ours.sum())
        if complete and until_s >= self._next_day_s:
            self._carry_peaks_to(until_s)
        return self._bg_next

    def _take_swept(
        self, time: np.ndarray, is_arrival: np.ndarray, collects: np.ndarray, is_ours: np.ndarray, level_after: np.ndarray
    ) -> None:
        """Apply a sweep's events (in time order, none finding its pool full; ``level_after``: the
        parcels held after each) to the counts: the level, each day's peak (at least the level it
        began with), other networks' parcels taken in and the collections, by day."""
        ours_after = self._ours - np.cumsum(is_ours)
        arrivals_by, collects_by = np.cumsum(is_arrival), np.cumsum(collects)
        first_day = self._day_seen
        last_day = min(max(int(time[-1] // SECONDS_PER_DAY), 0), self.days)
        # Where each day from the first to the last begins among the events.
        starts = [0, *np.searchsorted(time, np.arange(first_day + 1, last_day + 1) * SECONDS_PER_DAY).tolist(), len(time)]
        for k, day in enumerate(range(first_day, last_day + 1)):
            a, b = starts[k], starts[k + 1]
            if day > first_day:  # a new day holds at least the level there was when it began
                self.peak[day] = max(self.peak[day], int(level_after[a - 1]) if a else self._level)
                self.peak_ours[day] = max(self.peak_ours[day], int(ours_after[a - 1]) if a else self._ours)
            if b > a:
                came = int(arrivals_by[b - 1] - (arrivals_by[a - 1] if a else 0))
                if came:
                    self.peak[day] = max(self.peak[day], int(level_after[a:b][is_arrival[a:b]].max()))
                    self.background_in[day] += came
                self.collections[day] += int(collects_by[b - 1] - (collects_by[a - 1] if a else 0))
        self._day_seen = last_day
        self._next_day_s = (last_day + 1) * SECONDS_PER_DAY if last_day < self.days else math.inf
        self._level = int(level_after[-1])
        self._ours = int(ours_after[-1])

    # --- our own parcels -------------------------------------------------------------------
    def _free_pool(self, size: int) -> int | None:
        room = self._room
        for pool in self._fits[size]:
            if room[pool] > 0:
                return pool
        return None

    def _hold(self, time_s: float, pool: int, release_s: float, collected: bool) -> None:
        if time_s >= self._next_day_s:
            self._carry_peaks_to(time_s)
        heapq.heappush(self._ours_out, (release_s, pool, collected))
        self._room[pool] -= 1
        self._level += 1
        self._ours += 1
        day = self._day_seen
        if self._level > self.peak[day]:
            self.peak[day] = self._level
        if self._ours > self.peak_ours[day]:
            self.peak_ours[day] = self._ours

    def _carry_peaks_to(self, time_s: float) -> None:
        """Every day from the last one brought up to date to the day of ``time_s`` held at least the
        level that was there when it began (days on which nothing happened included)."""
        day = self._day(time_s)
        if day > self._day_seen:
            for d in range(self._day_seen + 1, day + 1):
                self.peak[d] = max(self.peak[d], self._level)
                self.peak_ours[d] = max(self.peak_ours[d], self._ours)
            self._day_seen = day
            self._next_day_s = (day + 1) * SECONDS_PER_DAY if day < self.days else math.inf

    def _day(self, time_s: float) -> int:
        day = int(time_s // SECONDS_PER_DAY)
        return day if 0 <= day <= self.days else (0 if day < 0 else self.days)

    def __repr__(self) -> str:
        return f"PickupPoint({self.kind.name.lower()} {self.index} at place {self.place}, capacity {self.capacity.tolist()})"
