"""KPIs: pure functions of the tracking log, the courier activity tables and a few scenario numbers.

Courier KPIs count the *measured days* only (after warm-up, before the drain days); lead times
count the parcels that arrived on measured days. ``docs/reference/kpis.md`` defines every key.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .accounting import accounting_from_log, final_status
from .economics import Drops, Income, courier_income, overdue_fees
from .monitor import TimeWeighted
from .scenario import EconomicsConfig, LockerConfig, UpstreamConfig
from .tracking import Detail, EventTable, Service, Status
from .units import SECONDS_PER_DAY, SECONDS_PER_HOUR

if TYPE_CHECKING:
    from .model import RunResult

__all__ = [
    "HEADLINE_KPIS",
    "UPSTREAM_KPIS",
    "Activity",
    "KpiInputs",
    "compute_kpis",
    "courier_days_measured",
    "courier_kpis",
    "dispatch_times_h",
    "first_times",
    "income_of",
    "kpi_inputs",
    "kpis_of",
    "lead_times_h",
    "locker_occupancy_series",
    "station_backlog_series",
    "upstream_kpis",
]


# The KPIs of the main job, in the order they are shown.
HEADLINE_KPIS = (
    "parcels_per_courier_day",
    "hours_per_courier_day",
    "income_per_courier_day_yuan",
    "income_per_courier_hour_yuan",
    "fee_yuan_per_parcel",
    "same_day_delivery_share",
    "carried_over_parcels",
    "overtime_hours_per_courier_day",
    "km_per_courier_day",
    "first_attempt_success_share",
    "failed_attempts",
    "lead_time_p50_h",
    "lead_time_p90_h",
    "locker_bank_peak_share_max",
    "door_service_compliance_share",
    "complaints",
    "cost_per_parcel_yuan",
    "parcels_total",
    "parcels_undelivered_end",
)

_COURIER_DROPS = (Status.DELIVERED, Status.IN_LOCKER, Status.AT_STATION_PICKUP)
# A delivery attempt: the courier stood at the door or the locker. Shelving at the station is not one.
_ATTEMPTS = (Status.DELIVERED, Status.IN_LOCKER, Status.DELIVERY_FAILED)


UPSTREAM_KPIS = (
    "dispatch_time_p50_h",
    "dispatch_time_p90_h",
    "dispatch_time_p99_h",
    "dispatched_within_24h_share",
    "dispatched_within_48h_share",
    "click_to_door_p50_h",
    "click_to_door_p90_h",
    "next_day_delivery_share",
    "backlog_peak_orders",
    "backlog_cleared_after_burst_h",
    "picker_utilization",
    "late_dispatch_compensation_yuan",
    "warehouse_cost_yuan",
    "fulfilment_cost_yuan",
    "orders_upstream_end",
)


@dataclass(frozen=True)
class KpiInputs:
    """The numbers besides the logs that KPIs need."""

    couriers: int
    measured_days: tuple[int, int]
    n_parcels: int
    economics: EconomicsConfig
    locker: LockerConfig
    bank_slots: dict[tuple[int, int], int]  # slots of each locker bank, by (station, place)
    first_wave_h: float  # parcels at the station before it can go out the same day
    work_end_h: float  # the working day's end (same-day delivery, carried-over parcels)
    upstream: UpstreamConfig | None = None
    horizon_s: float = 0.0


def kpis_of(result: RunResult, economics: EconomicsConfig | None = None) -> dict[str, float]:
    """KPIs of a ``RunResult``; ``economics`` re-prices the same run with other fees and costs
    (money never changes what couriers do in the model, so the log stays valid)."""
    activity = Activity(result.tours, result.days, result.stops, result.returns)
    return compute_kpis(result.events, activity, kpi_inputs(result, economics), result.monitors)


def kpi_inputs(result: RunResult, economics: EconomicsConfig | None = None) -> KpiInputs:
    """What ``compute_kpis`` needs of a run besides its tables."""
    sc = result.scenario
    return KpiInputs(
        couriers=result.couriers,
        measured_days=result.measured_days,
        n_parcels=result.n_parcels,
        economics=economics or sc.economics,
        locker=sc.locker,
        bank_slots={
            (station, int(place)): int(slots)
            for station, city in enumerate(result.cities)
            for place, slots in zip(city.bank_place, city.locker_slots.sum(axis=1), strict=True)
        },
        first_wave_h=sc.couriers.waves_h[0],
        work_end_h=sc.couriers.work_end_h,
        upstream=sc.upstream,
        horizon_s=result.horizon_s,
    )


def compute_kpis(
    events: EventTable, activity: Activity, inputs: KpiInputs, monitors: dict[str, TimeWeighted] | None = None
) -> dict[str, float]:
    """Every KPI of one run, as a flat mapping of name to number (NaN where undefined)."""
    kpis = courier_kpis(events, activity, inputs)
    if inputs.upstream is not None:
        kpis.update(upstream_kpis(events, monitors or {}, inputs))
    return kpis


def upstream_kpis(events: EventTable, monitors: dict[str, TimeWeighted], inputs: KpiInputs) -> dict[str, float]:
    """Dispatch, click-to-door, backlog and warehouse KPIs, from the log and the warehouse monitors.

    Orders count if placed on measured days; an order not yet shipped (or delivered) at the end of
    the run counts as infinitely late, so a quantile that falls among them is NaN ("not reached").
    """
    up = inputs.upstream
    assert up is not None
    n = inputs.n_parcels
    t0, t1 = (d * SECONDS_PER_DAY for d in inputs.measured_days)
    placed = first_times(events, (Status.ORDER_PLACED,), n)
    measured = (placed >= t0) & (placed < t1)
    shipped = first_times(events, (Status.SHIPPED,), n)
    packed = first_times(events, (Status.PACKED,), n)
    done = first_times(events, (Status.DELIVERED, Status.PICKED_UP), n)
    dispatch_h = _dispatch_h(placed, shipped, (t0, t1))
    door_h = np.nan_to_num((done - placed)[measured] / SECONDS_PER_HOUR, nan=np.inf)
    end_of_next_day = (np.floor(placed / SECONDS_PER_DAY) + 2) * SECONDS_PER_DAY
    late = dispatch_h > up.promise.dispatch_h
    # An unshipped order is late only once its promise has passed within the run.
    late &= np.isfinite(dispatch_h) | (placed[measured] + up.promise.dispatch_h * SECONDS_PER_HOUR <= inputs.horizon_s)
    busy, staffed = monitors["pickers_busy"], monitors["pickers_staffed"]
    wh = up.warehouse
    # The merchant's own team is paid for every day it works on the measured orders, backlog
    # included; a cloud warehouse's staff are the provider's, shared, so only its fee is paid.
    last_packed = packed[measured]
    cleared = inputs.horizon_s if np.isnan(last_packed).any() or len(last_packed) == 0 else float(last_packed.max())
    team_until = min(inputs.horizon_s, max(t1, (math.floor(cleared / SECONDS_PER_DAY) + 1) * SECONDS_PER_DAY))
    regular_h, surge_h = _staff_hours(monitors, t0, team_until)
    staff_cost = regular_h * wh.staff_cost_per_hour_yuan + surge_h * wh.surge.cost_per_hour_yuan
    warehouse_cost = (0.0 if wh.kind == "cloud" else staff_cost) + wh.fee_per_order_yuan * int(measured.sum())
    n_shipped = int((~np.isnan(shipped)).sum())
    shipping = n_shipped * up.linehaul.shipping_cost_yuan
    compensation = float(late.sum()) * up.promise.compensation_yuan
    return {
        "dispatch_time_p50_h": _censored_quantile(dispatch_h, 0.5),
        "dispatch_time_p90_h": _censored_quantile(dispatch_h, 0.9),
        "dispatch_time_p99_h": _censored_quantile(dispatch_h, 0.99),
        "dispatched_within_24h_share": _ratio(int((dispatch_h <= 24).sum()), len(dispatch_h)),
        "dispatched_within_48h_share": _ratio(int((dispatch_h <= 48).sum()), len(dispatch_h)),
        "click_to_door_p50_h": _censored_quantile(door_h, 0.5),
        "click_to_door_p90_h": _censored_quantile(door_h, 0.9),
        "next_day_delivery_share": _ratio(int((done[measured] < end_of_next_day[measured]).sum()), int(measured.sum())),
        "backlog_peak_orders": monitors["backlog"].max(),
        "backlog_cleared_after_burst_h": _burst_cleared_h(placed, packed, up),
        "picker_utilization": _ratio(busy.integral(t0, t1), staffed.integral(t0, t1)),
        "late_dispatch_compensation_yuan": compensation,
        "warehouse_cost_yuan": warehouse_cost,
        "fulfilment_cost_yuan": warehouse_cost + compensation + shipping,
        "orders_upstream_end": _orders_upstream(events, n),
        "warehouse_staff_hours": regular_h + surge_h,
        "orders_total": n,
        "orders_measured": int(measured.sum()),
        "late_dispatch_orders": int(late.sum()),
        "surge_staff_hours": surge_h,
        "shipping_cost_yuan": shipping,
        "platform_shipping_cost_yuan": shipping if up.linehaul.shipping_paid_by == "platform" else 0.0,
    }


def _staff_hours(monitors: dict[str, TimeWeighted], t0: float, t1: float) -> tuple[float, float]:
    """(regular, surge) staff hours on shift in [t0, t1), over pickers and packers."""
    total = sum(m.integral(t0, t1) for k, m in monitors.items() if k.endswith("_staffed") and "surge" not in k)
    surge = sum(m.integral(t0, t1) for k, m in monitors.items() if k.endswith("_surge_staffed"))
    return (total - surge) / SECONDS_PER_HOUR, surge / SECONDS_PER_HOUR


def _burst_cleared_h(placed: np.ndarray, packed: np.ndarray, up: UpstreamConfig) -> float:
    """Hours from the first burst's start until every order placed by its end has been packed."""
    if not up.orders.bursts:
        return math.nan
    burst = up.orders.bursts[0]
    start = burst.start_h * SECONDS_PER_HOUR
    before_end = placed <= start + burst.duration_min * 60.0
    if np.isnan(packed[before_end]).any():
        return math.nan  # not cleared within the run
    return float((np.max(packed[before_end]) - start) / SECONDS_PER_HOUR)


def _censored_quantile(values: np.ndarray, q: float) -> float:
    """Quantile where +inf marks 'not yet happened'; NaN if the quantile falls among those."""
    if len(values) == 0:
        return math.nan
    x = float(np.quantile(values, q, method="inverted_cdf"))
    return x if math.isfinite(x) else math.nan


@dataclass(frozen=True)
class Activity:
    """A run's courier activity tables (columns as ``sim.ledger`` rows)."""

    tours: dict[str, np.ndarray]
    days: dict[str, np.ndarray]
    stops: dict[str, np.ndarray]
    returns: dict[str, np.ndarray] = dataclasses.field(default_factory=dict)


def courier_days_measured(events: EventTable, measured_days: tuple[int, int], upstream: bool) -> np.ndarray:
    """The days whose courier work the KPIs count. Without upstream: the measured days. With it,
    parcels reach the stations only after the order days, so: every day from the first measured
    one on which couriers left parcels -- the days the measured orders were delivered on."""
    first, last = measured_days
    if not upstream:
        return np.arange(first, last)
    drops = np.isin(events.status, _COURIER_DROPS) & (events.courier >= 0)
    days = np.unique((events.time_s[drops] // SECONDS_PER_DAY).astype(np.int64))
    return days[days >= first]


def drops_by_kind(events: EventTable, selected: np.ndarray) -> Drops:
    """Courier drops among the ``selected`` events, by where and service class."""
    by_courier = selected & (events.courier >= 0)
    door = by_courier & (events.status == Status.DELIVERED)
    return Drops(
        door_service=int((door & (events.service == Service.DOOR_SERVICE)).sum()),
        ordinary_door=int((door & (events.service != Service.DOOR_SERVICE)).sum()),
        locker=int((by_courier & (events.status == Status.IN_LOCKER)).sum()),
        station=int((by_courier & (events.status == Status.AT_STATION_PICKUP)).sum()),
    )


@dataclass(frozen=True)
class _CourierWork:
    """What the couriers did on the days the KPIs count: parcels left, time, distance."""

    courier_days: int
    on_day: np.ndarray  # events on those days
    drops: Drops
    tour_in: np.ndarray  # tours on those days
    span_s: np.ndarray  # each counted courier-day's span, breaks included
    on_duty_h: float  # spans less breaks
    busy_h: float  # station tasks and tours
    tour_h: float
    overtime_h: float
    km: float
    stop_h: float  # at stops: parking, walking, stairs and lifts, waiting, handing over, locker sessions
    stop_attempts: int
    complaints: int

    @staticmethod
    def of(events: EventTable, activity: Activity, inputs: KpiInputs) -> _CourierWork:
        tours, table = activity.tours, activity.days
        days = courier_days_measured(events, inputs.measured_days, inputs.upstream is not None)
        on_day = np.isin((events.time_s // SECONDS_PER_DAY).astype(np.int64), days)
        tour_in = np.isin(tours["day"], days) if len(tours["day"]) else np.zeros(0, bool)
        day_in = np.isin(table["day"], days) if len(table["day"]) else np.zeros(0, bool)
        stops = activity.stops
        stop_in = np.isin(stops["arrive_s"] // SECONDS_PER_DAY, days) if len(stops["arrive_s"]) else np.zeros(0, bool)
        span_s = (table["end_s"] - table["start_s"])[day_in]

        def hours(column: np.ndarray) -> float:
            return float(column[day_in].sum() / SECONDS_PER_HOUR)

        return _CourierWork(
            courier_days=inputs.couriers * len(days),
            on_day=on_day,
            drops=drops_by_kind(events, on_day),
            tour_in=tour_in,
            span_s=span_s,
            on_duty_h=float(span_s.sum() / SECONDS_PER_HOUR) - hours(table["break_s"]),
            busy_h=hours(table["task_s"] + table["tour_s"]),
            tour_h=hours(table["tour_s"]),
            overtime_h=hours(table["overtime_s"]),
            km=float(tours["ride_m"][tour_in].sum() / 1000.0),
            stop_h=float((stops["depart_s"] - stops["arrive_s"])[stop_in].sum() / SECONDS_PER_HOUR) if len(stop_in) else 0.0,
            stop_attempts=int(stops["attempts"][stop_in].sum()) if len(stop_in) else 0,
            complaints=int((on_day & (events.status == Status.COMPLAINT)).sum()),
        )

    def income(self, cfg: EconomicsConfig) -> Income:
        return courier_income(self.drops, self.km, self.overtime_h, cfg, fines_yuan=self.complaints * cfg.complaint_fine_yuan)


def income_of(events: EventTable, activity: Activity, inputs: KpiInputs) -> tuple[Income, int]:
    """Couriers' income over the days the KPIs count, and the courier-days it was earned in."""
    work = _CourierWork.of(events, activity, inputs)
    return work.income(inputs.economics), work.courier_days


def courier_kpis(events: EventTable, activity: Activity, inputs: KpiInputs) -> dict[str, float]:
    """Throughput, hours, money, attempts, lead times and lockers, from the log and the activity."""
    work = _CourierWork.of(events, activity, inputs)
    courier_days, drops, delivered = work.courier_days, work.drops, work.drops.total
    income = work.income(inputs.economics)
    labour = work.on_duty_h * inputs.economics.courier_cost_per_hour_yuan

    t0, t1 = (d * SECONDS_PER_DAY for d in inputs.measured_days)
    arrival = first_times(events, (Status.AT_STATION,), inputs.n_parcels)
    arrived_measured = (arrival >= t0) & (arrival < t1)
    lead_h = _lead_h(arrival, first_times(events, (Status.DELIVERED, Status.PICKED_UP), inputs.n_parcels), (t0, t1))
    first_ok, attempted = _first_attempts(events, inputs.n_parcels, arrived_measured)
    same_day, eligible, carried = _same_day(events, arrival, arrived_measured, inputs)

    accounting = accounting_from_log(events, inputs.n_parcels)
    upstream_left = _orders_upstream(events, inputs.n_parcels) if inputs.upstream is not None else 0
    peaks = _bank_peaks(events)
    slots = inputs.bank_slots
    shares = [peaks.get(bank, 0) / n for bank, n in slots.items() if n > 0]
    failed = work.on_day & (events.status == Status.DELIVERY_FAILED)
    return {
        "parcels_per_courier_day": _ratio(delivered, courier_days),
        "hours_per_courier_day": _ratio(work.on_duty_h, courier_days),
        "income_per_courier_day_yuan": _ratio(income.net, courier_days),
        "income_per_courier_hour_yuan": _ratio(income.net, work.on_duty_h),
        "fee_yuan_per_parcel": _ratio(income.fees, delivered),
        "same_day_delivery_share": _ratio(same_day, eligible),
        "carried_over_parcels": carried,
        "overtime_hours_per_courier_day": _ratio(work.overtime_h, courier_days),
        "km_per_courier_day": _ratio(work.km, courier_days),
        "first_attempt_success_share": _ratio(first_ok, attempted),
        "failed_attempts": int(failed.sum()),
        "lead_time_p50_h": _quantile(lead_h, 0.5),
        "lead_time_p90_h": _quantile(lead_h, 0.9),
        "locker_bank_peak_share_max": max(shares, default=math.nan),
        "cost_per_parcel_yuan": _ratio(labour - income.lines["vehicle_cost"] + income.charges, delivered),
        "parcels_total": inputs.n_parcels,
        "parcels_undelivered_end": accounting.in_flight - upstream_left,
        # More detail behind the headline numbers.
        "parcels_per_courier_hour": _ratio(delivered, work.on_duty_h),
        "busy_hours_per_courier_day": _ratio(work.busy_h, courier_days),
        "tour_hours_per_courier_day": _ratio(work.tour_h, courier_days),
        "tour_hours_per_100_parcels": _ratio(100 * work.tour_h, delivered),
        "work_minutes_per_parcel": _ratio(60 * work.busy_h, delivered),
        "stop_minutes_per_parcel": _ratio(60 * work.stop_h, work.stop_attempts),
        "door_delivered_share": _ratio(drops.at_door, delivered),
        "door_service_delivered_share": _ratio(drops.door_service, delivered),
        "locker_delivered_share": _ratio(drops.locker, delivered),
        "station_delivered_share": _ratio(drops.station, delivered),
        "span_hours_per_courier_day": _ratio(float(work.span_s.sum() / SECONDS_PER_HOUR), courier_days),
        "tours_per_courier_day": _ratio(int(work.tour_in.sum()), courier_days),
        "gross_income_per_courier_day_yuan": _ratio(income.gross, courier_days),
        "locker_full_events": int((failed & (events.detail == Detail.LOCKER_FULL)).sum()),
        "locker_banks_full_share": _ratio(sum(1 for b, n in slots.items() if n > 0 and peaks.get(b, 0) >= n), len(shares)),
        "lead_time_completed_share": _ratio(len(lead_h), int(arrived_measured.sum())),
        "parcels_returned": accounting.returned,
        "parcels_waiting_pickup_end": accounting.in_locker + accounting.at_station_pickup,
        "overdue_fees_yuan": overdue_fees(events, inputs.locker),
        "courier_days": courier_days,
        **_people_kpis(events, activity, work, inputs),
    }


# Where a door-service parcel may be left other than at the door, with the recipient's consent.
_CONSENTED = (Detail.CONSENTED, Detail.STANDING_CONSENT)
_UNASKED = (Detail.CORNER_CUT, Detail.NO_CONSENT)
_AT_DOOR_FAILED = (Detail.NOT_HOME, Detail.RESCHEDULED)


def _people_kpis(events: EventTable, activity: Activity, work: _CourierWork, inputs: KpiInputs) -> dict[str, float]:
    """Recipients and couriers as people: compliance, complaints, consent, pick-up hours, door
    attempts and their retries, return pick-ups."""
    econ = inputs.economics
    by_courier = work.on_day & (events.courier >= 0)
    drops_by_courier = by_courier & np.isin(events.status, _COURIER_DROPS)
    service_drop = drops_by_courier & (events.service == Service.DOOR_SERVICE)
    unasked = service_drop & np.isin(events.detail, _UNASKED) & (events.status != Status.DELIVERED)
    violations = unasked & (events.detail == Detail.NO_CONSENT)
    locker_pickups = (events.status == Status.PICKED_UP) & (events.place > 0)
    hour = (events.time_s % SECONDS_PER_DAY) // SECONDS_PER_HOUR
    off_hours = locker_pickups & ((hour < 9) | (hour >= 17))
    first_ok, first_n, retry_ok, retry_n = _door_attempts(events, inputs.n_parcels)
    returns = activity.returns
    requested = returns["requested_s"] if len(returns.get("requested_s", ())) else np.zeros(0)
    picked = returns["picked_s"] if len(requested) else np.zeros(0)
    # Returns lag deliveries by a day or more: they are counted over the whole run.
    waited_h = (picked - requested)[~np.isnan(picked)] / SECONDS_PER_HOUR
    n_parcels = inputs.n_parcels
    service_of = np.full(n_parcels, -1, dtype=np.int64)
    service_of[events.parcel] = events.service
    return {
        "door_service_parcel_share": _ratio(int((service_of == Service.DOOR_SERVICE).sum()), int((service_of >= 0).sum())),
        "door_service_compliance_share": _ratio(int(service_drop.sum() - unasked.sum()), int(service_drop.sum())),
        "complaints": work.complaints,
        "fines_yuan": work.complaints * econ.complaint_fine_yuan,
        "platform_compensation_yuan": work.complaints * econ.complaint_compensation_yuan,
        "violations_without_consent": int(violations.sum()),
        "consented_diversions": int(
            (by_courier & np.isin(events.detail, _CONSENTED) & np.isin(events.status, _COURIER_DROPS)).sum()
        ),
        "door_first_attempt_success_share": _ratio(first_ok, first_n),
        "door_same_day_retry_success_share": _ratio(retry_ok, retry_n),
        "locker_pickups_off_hours_share": _ratio(int(off_hours.sum()), int(locker_pickups.sum())),
        "return_requests": len(requested),
        "return_pickups": int((~np.isnan(picked)).sum()),
        "return_pickup_lead_time_p50_h": _quantile(waited_h, 0.5),
    }


def _door_attempts(events: EventTable, n: int) -> tuple[int, int, int, int]:
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
    order = door[np.lexsort((door, events.parcel[door]))]  # by parcel, then in time order
    parcel, ok = events.parcel[order], events.status[order] == Status.DELIVERED
    day = events.time_s[order] // SECONDS_PER_DAY
    first = np.r_[True, parcel[1:] != parcel[:-1]]
    second = np.r_[False, ~first[1:]] & np.r_[False, first[:-1]]  # the attempt right after a first one
    retry = second & np.r_[False, ~ok[:-1]] & np.r_[False, day[1:] == day[:-1]]
    return int((first & ok).sum()), int(first.sum()), int((retry & ok).sum()), int(retry.sum())


def _same_day(events: EventTable, arrival: np.ndarray, measured: np.ndarray, inputs: KpiInputs) -> tuple[int, int, int]:
    """(delivered the same day, eligible, carried over): parcels that reached the station before the
    first wave are eligible, and delivered the same day if left at a door, in a locker or at the
    counter before the day's end. Carried over: arrived on a measured day and neither left nor
    returned by that day's end."""
    day = np.floor(np.nan_to_num(arrival, nan=-SECONDS_PER_DAY) / SECONDS_PER_DAY)
    day_end = day * SECONDS_PER_DAY + inputs.work_end_h * SECONDS_PER_HOUR
    dropped = first_times(events, _COURIER_DROPS, len(arrival))
    settled = np.fmin(dropped, first_times(events, (Status.RETURNED,), len(arrival)))
    eligible = measured & (arrival < day * SECONDS_PER_DAY + inputs.first_wave_h * SECONDS_PER_HOUR)
    same_day = eligible & (dropped < day_end)  # NaN (never dropped) compares False
    carried = measured & ~(settled < day_end)
    return int(same_day.sum()), int(eligible.sum()), int(carried.sum())


def _orders_upstream(events: EventTable, n: int) -> int:
    """Orders whose last status is still upstream: in the warehouse or on a truck."""
    last = final_status(events, n)
    return int(np.isin(last, (Status.ORDER_PLACED, Status.PICKED, Status.PACKED, Status.SHIPPED)).sum())


def _bank_peaks(events: EventTable) -> dict[tuple[int, int], int]:
    """The most parcels each locker bank, keyed (station, place), held at once over the run."""
    at_locker = events.place > 0
    change = np.where(at_locker & (events.status == Status.IN_LOCKER), 1, 0) - np.where(
        at_locker & (events.status == Status.PICKED_UP), 1, 0
    )
    sel = np.flatnonzero(change != 0)
    if len(sel) == 0:
        return {}
    key = events.station[sel].astype(np.int64) * (1 << 32) + events.place[sel]
    order = np.lexsort((sel, key))  # by bank, then in time order (events are sorted by time)
    key, step = key[order], change[sel][order]
    starts = np.r_[0, np.flatnonzero(np.diff(key)) + 1]
    level = np.cumsum(step)
    level -= np.repeat(np.r_[0, level[starts[1:] - 1]], np.diff(np.r_[starts, len(key)]))
    peaks = np.maximum.reduceat(level, starts)
    return {(int(k >> 32), int(k & 0xFFFFFFFF)): int(p) for k, p in zip(key[starts], peaks, strict=True)}


def lead_times_h(events: EventTable, n_parcels: int, window_s: tuple[float, float]) -> np.ndarray:
    """Hours from station arrival to the recipient's hands, for parcels that arrived in the window
    and were in the recipient's hands by the end of the run."""
    arrival = first_times(events, (Status.AT_STATION,), n_parcels)
    return _lead_h(arrival, first_times(events, (Status.DELIVERED, Status.PICKED_UP), n_parcels), window_s)


def _lead_h(arrival: np.ndarray, done: np.ndarray, window_s: tuple[float, float]) -> np.ndarray:
    keep = (arrival >= window_s[0]) & (arrival < window_s[1]) & ~np.isnan(done)
    return (done - arrival)[keep] / SECONDS_PER_HOUR


def dispatch_times_h(events: EventTable, n_parcels: int, window_s: tuple[float, float]) -> np.ndarray:
    """Hours from order to dispatch for orders placed in the window (+inf: not dispatched by the end)."""
    placed = first_times(events, (Status.ORDER_PLACED,), n_parcels)
    return _dispatch_h(placed, first_times(events, (Status.SHIPPED,), n_parcels), window_s)


def _dispatch_h(placed: np.ndarray, shipped: np.ndarray, window_s: tuple[float, float]) -> np.ndarray:
    keep = (placed >= window_s[0]) & (placed < window_s[1])
    return np.nan_to_num((shipped - placed)[keep] / SECONDS_PER_HOUR, nan=np.inf)


def station_backlog_series(events: EventTable) -> tuple[np.ndarray, np.ndarray]:
    """Parcels at the stations (shelved or on a tricycle) not yet delivered, over time: +1 when a
    parcel arrives, −1 at its first drop (door, locker, counter) or its return."""
    n = int(events.parcel.max()) + 1 if len(events) else 0
    arrive = first_times(events, (Status.AT_STATION,), n)
    leave = first_times(events, (*_COURIER_DROPS, Status.RETURNED), n)
    times = np.concatenate([arrive[~np.isnan(arrive)], leave[~np.isnan(leave)]])
    change = np.concatenate([np.ones((~np.isnan(arrive)).sum()), -np.ones((~np.isnan(leave)).sum())])
    order = np.argsort(times, kind="stable")
    return times[order], np.cumsum(change[order])


def locker_occupancy_series(events: EventTable) -> tuple[np.ndarray, np.ndarray]:
    """Times of every locker drop and pick-up, and the parcels in all lockers just after each."""
    at_locker = events.place > 0
    change = np.where(at_locker & (events.status == Status.IN_LOCKER), 1, 0) - np.where(
        at_locker & (events.status == Status.PICKED_UP), 1, 0
    )
    sel = change != 0
    return events.time_s[sel], np.cumsum(change[sel])


def _ratio(num: float, den: float) -> float:
    return float(num) / float(den) if den else math.nan


def _quantile(values: np.ndarray, q: float) -> float:
    return float(np.quantile(values, q)) if len(values) else math.nan


def first_times(events: EventTable, statuses: tuple[Status, ...], n: int) -> np.ndarray:
    """For each parcel, the time of its first event with one of ``statuses`` (NaN if none)."""
    out = np.full(n, np.nan)
    sel = np.flatnonzero(np.isin(events.status, statuses))
    parcels, first = np.unique(events.parcel[sel], return_index=True)  # events are in time order
    out[parcels] = events.time_s[sel[first]]
    return out


def _first_attempts(events: EventTable, n: int, eligible: np.ndarray) -> tuple[int, int]:
    """Parcels whose first delivery attempt (at a door or a locker) succeeded, and parcels attempted at all."""
    is_attempt = np.isin(events.status, _ATTEMPTS) & (events.courier >= 0)
    sel = np.flatnonzero(is_attempt)
    first = np.full(n, -1, dtype=np.int64)
    parcels, idx = np.unique(events.parcel[sel], return_index=True)
    first[parcels] = events.status[sel[idx]]
    attempted = eligible & (first >= 0)
    ok = attempted & (first != Status.DELIVERY_FAILED)
    return int(ok.sum()), int(attempted.sum())
