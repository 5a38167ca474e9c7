"""Partial results: what a station area's run is reduced to where it ran, and what KPIs combine.

A station area's tracking log and activity tables are reduced to counts and sums per day, a few
whole-run counts, and the per-parcel durations that quantiles need (lead times, return waits).
Combining partials -- adding, in station order, and concatenating -- gives exactly the numbers of
the whole log, so a city's KPIs never need its whole log in one place (issue #14), and the log
itself can stream to disk as each station finishes. Nothing here depends on fees or costs, so a
run can be re-priced from its partial (``sim.model.metrics.kpis_of(result, economics)``).

``partial_of_log`` reduces a whole log (one or many stations, as ``sim.load_results`` reads it
back) station by station, the same way, so it gives the same numbers bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.units import SECONDS_PER_DAY, SECONDS_PER_HOUR
from ..scenario.schema import LockerConfig, Scenario
from ..world.places import Place
from .accounting import IN_HANDS, final_status, where_they_are
from .activity import Activity
from .economics import overdue_fee
from .facilities.pickup import PickupKind
from .facilities.stop import TOTALS
from .tracking import Detail, EventTable, Service, Status, by_parcel, first_of_each

__all__ = [
    "COURIER_DROPS",
    "DAY_KEYS",
    "UPSTREAM_STATUSES",
    "CourierPartial",
    "Window",
    "combine",
    "first_times",
    "lead_hours",
    "partial_of_log",
    "station_events",
    "station_partial",
]

COURIER_DROPS = (Status.DELIVERED, Status.IN_LOCKER, Status.AT_STATION_PICKUP)
POINT_COLUMNS = ("kind", "capacity", "peak", "peak_ours", "full_days")  # ``CourierPartial.points``
FALLBACK_KEYS = (
    "locker_full_parcels",
    "fallback_next_bank",
    "fallback_pickup_station",
    "fallback_counter",
    "fallback_carried_back",
)
UPSTREAM_STATUSES = (Status.ORDER_PLACED, Status.PICKED, Status.PACKED, Status.SHIPPED)
# A delivery attempt: the courier stood at the door or the locker. Shelving at the station is not one.
_ATTEMPTS = (Status.DELIVERED, Status.IN_LOCKER, Status.DELIVERY_FAILED)
_CONSENTED = (Detail.CONSENTED, Detail.STANDING_CONSENT)
_UNASKED = (Detail.CORNER_CUT, Detail.NO_CONSENT)
_AT_DOOR_FAILED = (Detail.NOT_HOME, Detail.RESCHEDULED)

# Sums per day (the day an event, stop, tour or courier-day falls on), so that KPIs can count the
# days they choose after the partials are combined.
DAY_KEYS = (
    "drops_door_service",  # door-service parcels handed over at the door
    "drops_ordinary_door",
    "drops_locker",
    "drops_pickup_station",  # left at a community pick-up station (驿站)
    "drops_counter",  # left at the franchise station's own counter
    "locker_slot_s",  # our parcels dropped in a locker, by the size of the slot they took (the operator's charge)
    "locker_slot_m",
    "locker_slot_l",
    "no_room",  # parcels brought back to the station because no locker or 驿站 had room
    "pickup_station_collections",  # parcels (every network's) collected from 驿站: the staff's hand-out time
    "failed",  # failed attempts
    "locker_full",
    "complaints",
    "service_drops",  # door-service parcels left anywhere by a courier
    "unasked",  # ... left elsewhere than the door without being asked (cut corners, no consent)
    "violations",  # ... of which the recipient had said no
    "consented",  # parcels left elsewhere with the recipient's consent
    "span_s",  # courier-days: shift start to the end of the last task
    "break_s",
    "busy_s",  # station tasks and tours
    "task_s",  # station tasks (the morning sort, outbound pick-ups)
    "tour_s",
    "tour_station_s",  # ... of it at the station: loading before, unloading and shelving after
    "overtime_s",
    "energy_wh",  # the e-tricycles' rides
    "swaps",  # battery swaps
    "ride_m",  # tours
    "tours",
    "stop_s",  # stops, by the day they began
    "stop_pickup_s",  # ... of it at locker banks and 驿站 (drop sessions, hand-ins)
    "stop_inside_s",  # ... of it inside buildings and at pick-up points: getting in, stairs and lifts, doors, sessions
    "stop_park_s",  # ... of it by part (``StopPart``): parking
    "stop_walk_s",
    "stop_vertical_s",  # stairs and lifts
    "stop_wait_s",  # for lifts, at entrances and doors, on the phone
    "stop_handover_s",
    "stops_attempted",  # stops where a parcel was left or tried
    "stop_attempts",
    "door_visits",  # households visited at their door with parcels
    "door_visit_parcels",
    "courier_days",  # couriers at work (a day off or an absence is no courier-day)
    "arrived",  # parcels that reached the station
    "waiting_at_midnight",  # parcels at the station or on a tricycle as the day ends: arrived, not yet left anywhere
)
_ROW = {key: i for i, key in enumerate(DAY_KEYS)}
_DROP_KEYS = ("drops_door_service", "drops_ordinary_door", "drops_locker", "drops_pickup_station", "drops_counter")

# Whole-run counts.
COUNT_KEYS = (
    "arrived_measured",  # parcels that reached the station on a measured day
    "first_ok",  # ... whose first delivery attempt (door or locker) succeeded
    "attempted",  # ... attempted at all
    "same_day",
    "same_day_eligible",
    "carried_over",
    "present",  # parcels in the log
    "in_hands",
    "in_locker",
    "at_station_pickup",
    "in_flight",
    "returned",
    "door_first_ok",
    "door_first",
    "door_retry_ok",
    "door_retry",
    "locker_pickups",
    "locker_pickups_off_hours",
    *FALLBACK_KEYS,  # parcels that met a full bank, and where each was left next
    "uncollected_returned",  # returned to the sender from a locker or 驿站, never collected
    "door_service_parcels",
    "service_known",
    "return_requests",
    "return_pickups",
)


@dataclass(frozen=True)
class Window:
    """What a partial needs to know of the run: its days, the measured ones, the working day."""

    days: int  # simulated days, drain days included
    measured_days: tuple[int, int]  # [first, last)
    first_wave_h: float  # parcels at the station by then can go out the same day
    work_end_h: float  # the working day's end
    locker: LockerConfig  # overdue fees

    @staticmethod
    def of(scenario: Scenario) -> Window:
        """The window of a scenario resolved for its variant."""
        h, c = scenario.horizon, scenario.couriers
        return Window(h.days + h.drain_days, (h.warmup_days, h.days), c.waves_h[0], c.work_end_h, scenario.locker)

    @property
    def measured_s(self) -> tuple[float, float]:
        return self.measured_days[0] * SECONDS_PER_DAY, self.measured_days[1] * SECONDS_PER_DAY


@dataclass(frozen=True)
class CourierPartial:
    """One or more station areas' runs, reduced (see the module docstring)."""

    per_day: np.ndarray  # (len(DAY_KEYS), days + 1): sums per day; the last column is the horizon's instant
    counts: np.ndarray  # (len(COUNT_KEYS),) int64
    overdue_fees_yuan: float
    lead_h: np.ndarray  # station arrival to the recipient's hands, parcels that arrived on measured days
    return_wait_h: np.ndarray  # return requests picked up: hours from request to pick-up
    points: np.ndarray  # (pick-up points, len(POINT_COLUMNS)): each point's kind, capacity and peaks on measured days

    def day(self, key: str) -> np.ndarray:
        return self.per_day[_ROW[key]]

    def count(self, key: str) -> int:
        return int(self.counts[COUNT_KEYS.index(key)])

    @property
    def drops_per_day(self) -> np.ndarray:
        return self.per_day[[_ROW[k] for k in _DROP_KEYS]].sum(axis=0)


def combine(partials: list[CourierPartial], days: int) -> CourierPartial:
    """The partial of several station areas (disjoint parcels), in the order given."""
    if not partials:
        return _empty(days)
    per_day, counts, fees = partials[0].per_day.copy(), partials[0].counts.copy(), partials[0].overdue_fees_yuan
    for p in partials[1:]:
        per_day += p.per_day
        counts += p.counts
        fees += p.overdue_fees_yuan
    return CourierPartial(
        per_day=per_day,
        counts=counts,
        overdue_fees_yuan=fees,
        lead_h=np.concatenate([p.lead_h for p in partials]),
        return_wait_h=np.concatenate([p.return_wait_h for p in partials]),
        points=np.concatenate([p.points for p in partials]),
    )


def _empty(days: int) -> CourierPartial:
    return CourierPartial(
        per_day=np.zeros((len(DAY_KEYS), days + 1)),
        counts=np.zeros(len(COUNT_KEYS), dtype=np.int64),
        overdue_fees_yuan=0.0,
        lead_h=np.zeros(0),
        return_wait_h=np.zeros(0),
        points=np.zeros((0, len(POINT_COLUMNS)), dtype=np.int64),
    )


def station_events(events: EventTable) -> EventTable:
    """The events of a log that the stations wrote (everything but the warehouse and the trucks)."""
    keep = ~np.isin(events.status, UPSTREAM_STATUSES)
    return events if keep.all() else events.take(np.flatnonzero(keep))


def partial_of_log(events: EventTable, activity: Activity, window: Window) -> CourierPartial:
    """The partial of a whole run's log and activity (with a ``station`` column), reduced station by
    station exactly as the run reduced them, then combined."""
    events = station_events(events)
    stations = np.unique(events.station)
    parts = []
    for s in stations.tolist():
        mine = events.take(np.flatnonzero(events.station == s))
        mine = mine.with_parcels(np.unique(mine.parcel, return_inverse=True)[1])  # compact ids: arrays per parcel stay small
        parts.append(station_partial(mine, activity.where_station(s), window))
    return combine(parts, window.days)


def station_partial(events: EventTable, activity: Activity, window: Window) -> CourierPartial:
    """Reduce one station area's log (parcel ids 0..n-1, no upstream events) and activity."""
    n = int(events.parcel.max()) + 1 if len(events) else 0
    bins = window.days + 1
    per_day = np.zeros((len(DAY_KEYS), bins))
    day = np.minimum(events.time_s // SECONDS_PER_DAY, window.days).astype(np.int64)

    def on_days(key: str, mask: np.ndarray) -> None:
        per_day[_ROW[key]] = np.bincount(day[mask], minlength=bins)

    by_courier = events.courier >= 0
    status, detail = events.status, events.detail
    door = by_courier & (status == Status.DELIVERED)
    service = events.service == Service.DOOR_SERVICE
    dropped = by_courier & np.isin(status, COURIER_DROPS)
    failed_here = status == Status.DELIVERY_FAILED
    full_bank = failed_here & (detail == Detail.LOCKER_FULL)
    failed = failed_here & ~full_bank  # a full bank is the courier's decision to make, not a failed attempt
    service_drop = dropped & service
    unasked = service_drop & np.isin(detail, _UNASKED) & (status != Status.DELIVERED)
    on_days("drops_door_service", door & service)
    on_days("drops_ordinary_door", door & ~service)
    on_days("drops_locker", by_courier & (status == Status.IN_LOCKER))
    at_pickup = by_courier & (status == Status.AT_STATION_PICKUP)
    on_days("drops_pickup_station", at_pickup & (events.place != Place.STATION))
    on_days("drops_counter", at_pickup & (events.place == Place.STATION))
    on_days("no_room", (status == Status.AT_STATION) & (detail == Detail.NO_ROOM))
    on_days("failed", failed)
    on_days("locker_full", full_bank)
    on_days("complaints", status == Status.COMPLAINT)
    on_days("service_drops", service_drop)
    on_days("unasked", unasked)
    on_days("violations", unasked & (detail == Detail.NO_CONSENT))
    on_days("consented", dropped & np.isin(detail, _CONSENTED))
    _activity_per_day(per_day, activity, window.days)
    arrival = first_times(events, (Status.AT_STATION,), n)
    arrived = np.sort(arrival[~np.isnan(arrival)])
    per_day[_ROW["arrived"]] = np.bincount(np.minimum(arrived // SECONDS_PER_DAY, window.days).astype(np.int64), minlength=bins)
    settled = np.fmin(first_times(events, COURIER_DROPS, n), first_times(events, (Status.RETURNED,), n))
    midnights = np.arange(1, bins + 1) * SECONDS_PER_DAY
    per_day[_ROW["waiting_at_midnight"]] = np.searchsorted(arrived, midnights) - (
        np.searchsorted(np.sort(settled[~np.isnan(settled)]), midnights)
    )

    counts = dict.fromkeys(COUNT_KEYS, 0)
    t0, t1 = window.measured_s
    done = first_times(events, IN_HANDS, n)
    measured = (arrival >= t0) & (arrival < t1)
    counts["arrived_measured"] = int(measured.sum())
    counts["first_ok"], counts["attempted"] = _first_attempts(events, n, measured)
    counts["same_day"], counts["same_day_eligible"], counts["carried_over"] = _same_day(events, arrival, measured, window)
    where = where_they_are(final_status(events, n))
    counts.update(where.as_dict())
    counts["present"] = counts.pop("placed")
    counts["door_first_ok"], counts["door_first"], counts["door_retry_ok"], counts["door_retry"] = _door_attempts(events)
    locker_pickups = (status == Status.PICKED_UP) & (detail == Detail.FROM_LOCKER)
    hour = (events.time_s[locker_pickups] % SECONDS_PER_DAY) // SECONDS_PER_HOUR
    counts["locker_pickups"] = int(locker_pickups.sum())
    counts["locker_pickups_off_hours"] = int(((hour < 9) | (hour >= 17)).sum())
    counts.update(_fallbacks(events))
    counts["uncollected_returned"] = int(((status == Status.RETURNED) & (detail == Detail.UNCOLLECTED)).sum())
    service_of = np.full(n, -1, dtype=np.int64)
    service_of[events.parcel] = events.service
    counts["door_service_parcels"] = int((service_of == Service.DOOR_SERVICE).sum())
    counts["service_known"] = int((service_of >= 0).sum())
    requested, picked = activity.returns.requested_s, activity.returns.picked_s
    counts["return_requests"] = len(requested)
    counts["return_pickups"] = int((~np.isnan(picked)).sum())
    return CourierPartial(
        per_day=per_day,
        counts=np.array([counts[k] for k in COUNT_KEYS], dtype=np.int64),
        overdue_fees_yuan=_overdue_fees(events, n, window.locker),
        lead_h=lead_hours(arrival, done, (t0, t1)),
        return_wait_h=(picked - requested)[~np.isnan(picked)] / SECONDS_PER_HOUR,
        points=_points(activity, window),
    )


def lead_hours(arrival: np.ndarray, done: np.ndarray, window_s: tuple[float, float]) -> np.ndarray:
    """Hours from station arrival to the recipient's hands (per parcel), for parcels that arrived in
    the window and were in the recipient's hands by the end of the run."""
    keep = (arrival >= window_s[0]) & (arrival < window_s[1]) & ~np.isnan(done)
    return (done - arrival)[keep] / SECONDS_PER_HOUR


def _activity_per_day(per_day: np.ndarray, activity: Activity, days: int) -> None:
    """Courier-days, tours and stops, summed by the day they fall on."""
    bins = days + 1

    def add(key: str, day: np.ndarray, weights: np.ndarray | None = None) -> None:
        if len(day):
            per_day[_ROW[key]] = np.bincount(np.minimum(day, days).astype(np.int64), weights, minlength=bins)

    u = activity.pickup_days
    if len(u):
        locker = u.kind == PickupKind.LOCKER
        add_rows = {"locker_slot_s": u.drops_slot_s, "locker_slot_m": u.drops_slot_m, "locker_slot_l": u.drops_slot_l}
        for key, column in add_rows.items():
            add(key, u.day[locker], column[locker].astype(np.float64))
        station = u.kind == PickupKind.PICKUP_STATION
        add("pickup_station_collections", u.day[station], u.collections[station].astype(np.float64))
    d, t, s = activity.days, activity.tours, activity.stops
    if len(d):
        add("courier_days", d.day)
        add("span_s", d.day, d.end_s - d.start_s)
        add("break_s", d.day, d.break_s)
        add("busy_s", d.day, d.task_s + d.tour_s)
        add("task_s", d.day, d.task_s)
        add("tour_s", d.day, d.tour_s)
        add("overtime_s", d.day, d.overtime_s)
        add("energy_wh", d.day, d.energy_wh)
        add("swaps", d.day, d.swaps.astype(np.float64))
    if len(t):
        add("ride_m", t.day, t.ride_m)
        add("tours", t.day)
        add("tour_station_s", t.day, (t.depart_s - t.start_s) + (t.end_s - t.return_s))
    if len(s):
        stop_day = s.arrive_s // SECONDS_PER_DAY
        add("stop_s", stop_day, s.depart_s - s.arrive_s)
        add("stop_inside_s", stop_day, s.vertical_s + s.wait_s + s.handover_s + s.pickup_s)
        for total in TOTALS:  # the stop clock's totals: stop_park_s, ... stop_pickup_s
            add(f"stop_{total}", stop_day, getattr(s, total))
        add("stops_attempted", stop_day, (s.attempts > 0).astype(np.float64))
        add("stop_attempts", stop_day, s.attempts)
        add("door_visits", stop_day, s.door_visits)
        add("door_visit_parcels", stop_day, s.door_visit_parcels)


def first_times(events: EventTable, statuses: tuple[Status, ...], n: int) -> np.ndarray:
    """For each parcel, the time of its first event with one of ``statuses`` (NaN if none)."""
    out = np.full(n, np.nan)
    sel = np.flatnonzero(np.isin(events.status, statuses))
    parcels, first = first_of_each(events.parcel[sel])  # events are in time order
    out[parcels] = events.time_s[sel[first]]
    return out


def _first_attempts(events: EventTable, n: int, eligible: np.ndarray) -> tuple[int, int]:
    """Parcels whose first delivery attempt (at a door or a pick-up point) succeeded, and parcels
    attempted at all. A bank found full is not an attempt: the parcel goes on to the next place."""
    full_bank = (events.status == Status.DELIVERY_FAILED) & (events.detail == Detail.LOCKER_FULL)
    sel = np.flatnonzero(np.isin(events.status, _ATTEMPTS) & (events.courier >= 0) & ~full_bank)
    first = np.full(n, -1, dtype=np.int64)
    parcels, idx = first_of_each(events.parcel[sel])
    first[parcels] = events.status[sel[idx]]
    attempted = eligible & (first >= 0)
    return int((attempted & (first != Status.DELIVERY_FAILED)).sum()), int(attempted.sum())


def _same_day(events: EventTable, arrival: np.ndarray, measured: np.ndarray, window: Window) -> tuple[int, int, int]:
    """(delivered the same day, eligible, carried over): parcels that reached the station before the
    first wave are eligible, and delivered the same day if left at a door, in a locker or at the
    counter before the day's end. Carried over: arrived on a measured day and neither left nor
    returned by that day's end."""
    day = np.floor(np.nan_to_num(arrival, nan=-SECONDS_PER_DAY) / SECONDS_PER_DAY)
    day_end = day * SECONDS_PER_DAY + window.work_end_h * SECONDS_PER_HOUR
    dropped = first_times(events, COURIER_DROPS, len(arrival))
    settled = np.fmin(dropped, first_times(events, (Status.RETURNED,), len(arrival)))
    eligible = measured & (arrival < day * SECONDS_PER_DAY + window.first_wave_h * SECONDS_PER_HOUR)
    same_day = eligible & (dropped < day_end)  # NaN (never dropped) compares False
    carried = measured & ~(settled < day_end)
    return int(same_day.sum()), int(eligible.sum()), int(carried.sum())


def _door_attempts(events: EventTable) -> tuple[int, int, int, int]:
    """At the door: (first attempts that succeeded, first attempts, same-day retries that succeeded,
    same-day retries). A door attempt is a handover or a failure because the recipient was out or
    asked for later; a retry is the next door attempt after a failed first one, on the same day."""
    door = np.flatnonzero(
        (events.courier >= 0)
        & (
            (events.status == Status.DELIVERED)
            | ((events.status == Status.DELIVERY_FAILED) & np.isin(events.detail, _AT_DOOR_FAILED))
        )
    )
    if len(door) == 0:
        return 0, 0, 0, 0
    order = by_parcel(events, door)  # by parcel, then in time order
    parcel, ok = events.parcel[order], events.status[order] == Status.DELIVERED
    day = events.time_s[order] // SECONDS_PER_DAY
    first = np.r_[True, parcel[1:] != parcel[:-1]]
    second = np.r_[False, ~first[1:]] & np.r_[False, first[:-1]]  # the attempt right after a first one
    retry = second & np.r_[False, ~ok[:-1]] & np.r_[False, day[1:] == day[:-1]]
    return int((first & ok).sum()), int(first.sum()), int((retry & ok).sum()), int(retry.sum())


def _overdue_fees(events: EventTable, n: int, cfg: LockerConfig) -> float:
    """Overdue fees of the parcels collected from lockers during the run (from each parcel's last drop)."""
    dropped = np.flatnonzero(events.status == Status.IN_LOCKER)
    collected = np.flatnonzero((events.status == Status.PICKED_UP) & (events.detail == Detail.FROM_LOCKER))
    if len(collected) == 0:
        return 0.0
    drop_time = np.full(n, np.nan)
    drop_time[events.parcel[dropped]] = events.time_s[dropped]
    stored_h = (events.time_s[collected] - drop_time[events.parcel[collected]]) / SECONDS_PER_HOUR
    return float(overdue_fee(stored_h, cfg).sum())


def _points(activity: Activity, window: Window) -> np.ndarray:
    """Each pick-up point of the area (``POINT_COLUMNS``): its kind, capacity, the most parcels it
    held at once on a measured day (every network's, and ours), and on how many measured days it
    was full."""
    u = activity.pickup_days
    first, last = window.measured_days
    measured = (u.day >= first) & (u.day < last)
    if not measured.any():
        return np.zeros((0, len(POINT_COLUMNS)), dtype=np.int64)
    key = u.kind[measured] * (1 << 32) + u.point[measured]
    points, where = np.unique(key, return_inverse=True)
    out = np.zeros((len(points), len(POINT_COLUMNS)), dtype=np.int64)
    out[:, 0] = points >> 32
    np.maximum.at(out[:, 1], where, u.capacity[measured])
    np.maximum.at(out[:, 2], where, u.peak[measured])
    np.maximum.at(out[:, 3], where, u.peak_ours[measured])
    np.add.at(out[:, 4], where, (u.peak[measured] >= u.capacity[measured]).astype(np.int64))
    return out


def _fallbacks(events: EventTable) -> dict[str, int]:
    """Parcels that met a full locker bank, and where each was left next (another bank, a 驿站, the
    counter) or whether it went back to the station with no room anywhere."""
    out = dict.fromkeys(FALLBACK_KEYS, 0)
    full = (events.status == Status.DELIVERY_FAILED) & (events.detail == Detail.LOCKER_FULL)
    if not full.any():
        return out
    outcome = (events.courier >= 0) & np.isin(events.status, (Status.IN_LOCKER, Status.AT_STATION_PICKUP))
    outcome |= (events.status == Status.AT_STATION) & (events.detail == Detail.NO_ROOM)
    sel = np.flatnonzero(full | outcome)
    order = by_parcel(events, sel)  # by parcel, then in time order
    parcel, is_full = events.parcel[order], full[order]
    # A parcel's first meeting with a full bank: its first full event (earlier outcomes are of other tours).
    starts = np.flatnonzero(is_full & ~np.r_[False, (parcel[1:] == parcel[:-1]) & _seen_full(parcel, is_full)[:-1]])
    settled = np.flatnonzero(~is_full)
    after = np.searchsorted(settled, starts)  # the first outcome after each
    ok = after < len(settled)
    nxt = settled[np.minimum(after, len(settled) - 1)] if len(settled) else np.zeros(len(starts), dtype=np.int64)
    ok &= parcel[nxt] == parcel[starts] if len(settled) else np.zeros(len(starts), dtype=bool)
    e = order[nxt[ok]]
    status, place = events.status[e], events.place[e]
    out["locker_full_parcels"] = len(starts)
    out["fallback_next_bank"] = int((status == Status.IN_LOCKER).sum())
    at_pickup = status == Status.AT_STATION_PICKUP
    out["fallback_counter"] = int((at_pickup & (place == Place.STATION)).sum())
    out["fallback_pickup_station"] = int((at_pickup & (place != Place.STATION)).sum())
    out["fallback_carried_back"] = int((status == Status.AT_STATION).sum())
    return out


def _seen_full(parcel: np.ndarray, is_full: np.ndarray) -> np.ndarray:
    """For each position (events grouped by parcel), whether the parcel met a full bank at it or before."""
    group_start = np.r_[True, parcel[1:] != parcel[:-1]]
    count = np.cumsum(is_full)
    base = np.maximum.accumulate(np.where(group_start, count - is_full, 0))
    return (count - base) > 0


@dataclass(frozen=True)
class UpstreamPartial:
    """Per-order times of a run with a warehouse, for the dispatch and click-to-door KPIs."""

    placed_s: np.ndarray
    packed_s: np.ndarray
    shipped_s: np.ndarray
    done_s: np.ndarray  # in the recipient's hands (NaN: not by the end)
    orders_upstream_end: int  # orders still in the warehouse or on a truck at the end
    door_service_parcels: int  # every order has its service class in the upstream log
    service_known: int


def upstream_partial(upstream: EventTable, n: int, done_s: np.ndarray, seen: np.ndarray) -> UpstreamPartial:
    """The upstream part of a run: ``upstream`` the warehouse's and trucks' events, ``done_s`` each
    order's first time in the recipient's hands, ``seen`` the orders a station logged (their last
    status is the station's)."""
    last = final_status(upstream, n)
    service_of = np.full(n, -1, dtype=np.int64)
    service_of[upstream.parcel] = upstream.service
    return UpstreamPartial(
        placed_s=first_times(upstream, (Status.ORDER_PLACED,), n),
        packed_s=first_times(upstream, (Status.PACKED,), n),
        shipped_s=first_times(upstream, (Status.SHIPPED,), n),
        done_s=done_s,
        orders_upstream_end=int((np.isin(last, UPSTREAM_STATUSES) & ~seen).sum()),
        door_service_parcels=int((service_of == Service.DOOR_SERVICE).sum()),
        service_known=int((service_of >= 0).sum()),
    )


@dataclass(frozen=True)
class RunPartial:
    """A whole run, reduced: its stations' combined partial and, with a warehouse, the upstream one."""

    courier: CourierPartial
    upstream: UpstreamPartial | None


def run_partial_of_log(events: EventTable, activity: Activity, window: Window, n: int, *, upstream: bool) -> RunPartial:
    """A whole run's log and activity reduced the way the run reduces them where it runs."""
    courier = partial_of_log(events, activity, window)
    if not upstream:
        return RunPartial(courier, None)
    up = events.take(np.flatnonzero(np.isin(events.status, UPSTREAM_STATUSES)))
    seen = np.zeros(n, dtype=bool)
    seen[events.parcel[~np.isin(events.status, UPSTREAM_STATUSES)]] = True
    return RunPartial(courier, upstream_partial(up, n, first_times(events, IN_HANDS, n), seen))
