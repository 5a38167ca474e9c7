"""The curves a run's charts and report draw: courier drops per day, every parcel's lead and
dispatch times (for exact ECDFs), and the lockers' and stations' levels at ``CURVE_POINTS``
instants. Worked out part by part of the log (a station area at a time), where the part is: a
streamed run adds each area's curves where the area ran; a results folder read back adds its
parts one after the other (``sim.results.folder.Bundle.curves``)."""

from __future__ import annotations

import numpy as np

from ..core.units import SECONDS_PER_DAY, SECONDS_PER_HOUR
from ..scenario.schema import Scenario
from .accounting import IN_HANDS
from .partials import COURIER_DROPS, first_times, lead_hours
from .tracking import Detail, EventTable, Status, by_parcel

__all__ = [
    "CURVE_POINTS",
    "RunCurves",
    "dispatch_hours",
    "dispatch_times_h",
    "lead_times_h",
    "locker_changes",
    "locker_changes_by_bank",
    "locker_occupancy_series",
    "station_backlog_changes",
    "station_backlog_series",
]

CURVE_POINTS = 2000  # instants at which the occupancy and backlog curves are sampled (as many as a chart draws)


class RunCurves:
    """The per-event charts' data of one run, added up part by part: courier drops per day, lead
    and dispatch times (every parcel's, for exact ECDFs), and the locker and station backlog
    levels sampled at ``CURVE_POINTS`` instants (net changes summed per interval)."""

    def __init__(self, days: int, window_s: tuple[float, float]) -> None:
        self.window_s = window_s
        self.drops_per_day = np.zeros(days + 1)
        self.edges = np.linspace(0.0, days * SECONDS_PER_DAY, CURVE_POINTS + 1)
        self._locker = np.zeros(CURVE_POINTS)
        self._backlog = np.zeros(CURVE_POINTS)
        self._lead: list[np.ndarray] = []
        self._dispatch: list[np.ndarray] = []
        self._lead_sorted: np.ndarray | None = None

    @staticmethod
    def empty(sc: Scenario) -> RunCurves:
        h = sc.horizon
        return RunCurves(h.days + h.drain_days, (h.warmup_days * SECONDS_PER_DAY, h.days * SECONDS_PER_DAY))

    def add(self, events: EventTable, lead_h: np.ndarray | None = None) -> None:
        """Add one part of the run's log (its parcels in no other part). ``lead_h``: the part's
        lead times when already worked out (a station area's partial has them, the same numbers)."""
        if not len(events):
            return
        events = events.with_parcels(events.parcel - events.parcel.min())  # arrays per parcel span this part only
        n = int(events.parcel.max()) + 1
        days = len(self.drops_per_day) - 1
        drops = np.isin(events.status, COURIER_DROPS) & (events.courier >= 0)
        day = np.minimum(events.time_s[drops] // SECONDS_PER_DAY, days).astype(np.int64)
        self.drops_per_day += np.bincount(day, minlength=days + 1)
        self._lead.append(lead_times_h(events, n, self.window_s) if lead_h is None else lead_h)
        self._lead_sorted = None
        self._dispatch.append(dispatch_times_h(events, n, self.window_s))
        self._locker += self._binned(*locker_changes(events))
        self._backlog += self._binned(*station_backlog_changes(events))

    def merge(self, other: RunCurves) -> None:
        """Add another part's curves (worked out where that part ran), as ``add`` of its log would."""
        self.drops_per_day += other.drops_per_day
        self._lead += other._lead
        self._lead_sorted = None
        self._dispatch += other._dispatch
        self._locker += other._locker
        self._backlog += other._backlog

    def _binned(self, times: np.ndarray, changes: np.ndarray) -> np.ndarray:
        """Net changes per interval (times at the horizon fall in the last one)."""
        bins = len(self.edges) - 1
        index = np.minimum((times / self.edges[-1] * bins).astype(np.int64), bins - 1)
        return np.bincount(index, weights=changes, minlength=bins)

    @property
    def lead_h(self) -> np.ndarray:
        """The lead times (h) of the parcels that reached the station on a measured day and their
        recipient by the end of the run, part after part (``lead_times_h``)."""
        self._lead = _joined(self._lead)  # once: a city's parts are hundreds of arrays
        return self._lead[0]

    def lead_h_sorted(self) -> np.ndarray:
        """``lead_h`` in increasing order, sorted once: the charts' and the report's ECDFs of millions
        of parcels both draw on it."""
        if self._lead_sorted is None:
            self._lead_sorted = np.sort(self.lead_h)
        return self._lead_sorted

    @property
    def dispatch_h(self) -> np.ndarray:
        self._dispatch = _joined(self._dispatch)
        return self._dispatch[0]

    def locker_level(self) -> tuple[np.ndarray, np.ndarray]:
        """Parcels in all lockers at the end of each interval."""
        return self.edges[1:], np.cumsum(self._locker)

    def backlog_level(self) -> tuple[np.ndarray, np.ndarray]:
        """Parcels at the stations, not yet delivered, at the end of each interval."""
        return self.edges[1:], np.cumsum(self._backlog)


def _joined(parts: list[np.ndarray]) -> list[np.ndarray]:
    """The parts as one array (in a list of one, to which later parts are added)."""
    return parts if len(parts) == 1 else [np.concatenate(parts) if parts else np.zeros(0)]


# --- the log's reductions the curves are made of (the KPIs use some of them too) ------------
def lead_times_h(events: EventTable, n_parcels: int, window_s: tuple[float, float]) -> np.ndarray:
    """Hours from station arrival to the recipient's hands, for parcels that arrived in the window
    and were in the recipient's hands by the end of the run."""
    arrival = first_times(events, (Status.AT_STATION,), n_parcels)
    return lead_hours(arrival, first_times(events, IN_HANDS, n_parcels), window_s)


def dispatch_times_h(events: EventTable, n_parcels: int, window_s: tuple[float, float]) -> np.ndarray:
    """Hours from order to dispatch for orders placed in the window (+inf: not dispatched by the end)."""
    placed = first_times(events, (Status.ORDER_PLACED,), n_parcels)
    return dispatch_hours(placed, first_times(events, (Status.SHIPPED,), n_parcels), window_s)


def dispatch_hours(placed: np.ndarray, shipped: np.ndarray, window_s: tuple[float, float]) -> np.ndarray:
    """Hours from order to dispatch for the orders placed in the window (+inf: not dispatched)."""
    keep = (placed >= window_s[0]) & (placed < window_s[1])
    return np.nan_to_num((shipped - placed)[keep] / SECONDS_PER_HOUR, nan=np.inf)


def station_backlog_changes(events: EventTable) -> tuple[np.ndarray, np.ndarray]:
    """When parcels join and leave the stations' backlog (shelved or on a tricycle, not yet
    delivered): +1 when a parcel arrives, −1 at its first drop (door, locker, counter) or its return."""
    n = int(events.parcel.max()) + 1 if len(events) else 0
    arrive = first_times(events, (Status.AT_STATION,), n)
    leave = first_times(events, (*COURIER_DROPS, Status.RETURNED), n)
    times = np.concatenate([arrive[~np.isnan(arrive)], leave[~np.isnan(leave)]])
    change = np.concatenate([np.ones((~np.isnan(arrive)).sum()), -np.ones((~np.isnan(leave)).sum())])
    return times, change


def station_backlog_series(events: EventTable) -> tuple[np.ndarray, np.ndarray]:
    """Parcels at the stations not yet delivered, over time (``station_backlog_changes``, added up)."""
    return _level(*station_backlog_changes(events))


def locker_changes(events: EventTable) -> tuple[np.ndarray, np.ndarray]:
    """Every drop of our parcels into a locker (+1) and every parcel leaving one (−1: collected,
    moved to a 驿站 at the storage limit, or returned from it), with its time."""
    times, change, _ = locker_changes_by_bank(events)
    return times, change


def locker_changes_by_bank(events: EventTable) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``locker_changes`` with the place of the bank each change is at."""
    into = events.status == Status.IN_LOCKER
    sel = np.flatnonzero(
        into
        | (events.status == Status.PICKED_UP)
        | (events.status == Status.RETURNED)
        | ((events.status == Status.AT_STATION_PICKUP) & (events.detail == Detail.EXPIRED))
    )
    order = by_parcel(events, sel)  # by parcel, then in time order
    same = events.parcel[order][1:] == events.parcel[order][:-1]
    after_locker = np.r_[False, into[order][:-1] & same]
    leaves = after_locker & ~into[order]
    change = np.where(into[order], 1, 0) - leaves.astype(np.int64)
    place = np.where(leaves, np.r_[-1, events.place[order][:-1]], events.place[order])  # a leaving parcel's bank
    keep = change != 0
    by_time = np.argsort(events.time_s[order][keep], kind="stable")
    return events.time_s[order][keep][by_time], change[keep][by_time], place[keep][by_time]


def locker_occupancy_series(events: EventTable) -> tuple[np.ndarray, np.ndarray]:
    """Times of every locker drop and pick-up, and the parcels in all lockers just after each."""
    return _level(*locker_changes(events))


def _level(times: np.ndarray, changes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(times, kind="stable")
    return times[order], np.cumsum(changes[order])
