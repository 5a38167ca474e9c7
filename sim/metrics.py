"""KPIs: pure functions of the tracking log, the courier activity tables and a few scenario numbers.

Courier KPIs count the *measured days* only (after warm-up, before the drain days); lead times
count the parcels that arrived on measured days. ``docs/reference/kpis.md`` defines every key.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .accounting import accounting_from_log
from .economics import Income, courier_income, overdue_fees
from .monitor import TimeWeighted
from .scenario import EconomicsConfig, LockerConfig, UpstreamConfig
from .tracking import Detail, EventTable, Status
from .units import SECONDS_PER_DAY, SECONDS_PER_HOUR

__all__ = [
    "HEADLINE_KPIS",
    "UPSTREAM_KPIS",
    "KpiInputs",
    "compute_kpis",
    "dispatch_times_h",
    "first_times",
    "kpis_of",
    "lead_times_h",
    "locker_occupancy_series",
    "station_backlog_series",
    "upstream_kpis",
]


# The KPIs of the main job, in the order they are shown.
HEADLINE_KPIS = (
    "parcels_per_courier_day",
    "courier_hours_per_day",
    "income_per_courier_day_yuan",
    "income_per_courier_hour_yuan",
    "km_per_courier_day",
    "first_attempt_success_share",
    "failed_attempts",
    "lead_time_p50_h",
    "lead_time_p90_h",
    "locker_occupancy_peak_share",
    "cost_per_parcel_yuan",
    "parcels_total",
    "parcels_undelivered_end",
)

_COURIER_DROPS = (Status.DELIVERED, Status.IN_LOCKER, Status.AT_STATION_PICKUP)


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
)


@dataclass(frozen=True)
class KpiInputs:
    """The numbers besides the logs that KPIs need."""

    couriers: int
    measured_days: tuple[int, int]
    n_parcels: int
    locker_slots_total: int
    economics: EconomicsConfig
    locker: LockerConfig
    upstream: UpstreamConfig | None = None
    horizon_s: float = 0.0


def kpis_of(result, economics: EconomicsConfig | None = None) -> dict[str, float]:
    """KPIs of a ``RunResult``; ``economics`` re-prices the same run with other fees and costs
    (money never changes what couriers do in the model, so the log stays valid)."""
    inputs = KpiInputs(
        couriers=result.couriers,
        measured_days=result.measured_days,
        n_parcels=result.n_parcels,
        locker_slots_total=result.locker_slots_total,
        economics=economics or result.scenario.economics,
        locker=result.scenario.locker,
        upstream=result.scenario.upstream,
        horizon_s=result.horizon_s,
    )
    kpis = compute_kpis(result.events, result.tours, inputs)
    if result.upstream is not None:
        kpis.update(upstream_kpis(result.events, result.upstream.monitors, inputs))
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
    regular_h, surge_h = _staff_hours(monitors, t0, t1)
    wh = up.warehouse
    n_shipped = int((~np.isnan(shipped)).sum())
    shipping = n_shipped * up.linehaul.shipping_cost_yuan
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
        "late_dispatch_compensation_yuan": float(late.sum()) * up.promise.compensation_yuan,
        "warehouse_cost_yuan": regular_h * wh.staff_cost_per_hour_yuan
        + surge_h * wh.surge.cost_per_hour_yuan
        + wh.fee_per_order_yuan * int(measured.sum()),
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


def compute_kpis(events: EventTable, tours: dict[str, np.ndarray], inputs: KpiInputs) -> dict[str, float]:
    """Every KPI of one run, as a flat mapping of name to number (NaN where undefined)."""
    t0, t1 = (d * SECONDS_PER_DAY for d in inputs.measured_days)
    courier_days = inputs.couriers * (inputs.measured_days[1] - inputs.measured_days[0])

    in_window = (events.time_s >= t0) & (events.time_s < t1)
    by_courier = events.courier >= 0
    drops = in_window & by_courier

    def count(status: Status) -> int:
        return int((drops & (events.status == status)).sum())

    door, locker, station = count(Status.DELIVERED), count(Status.IN_LOCKER), count(Status.AT_STATION_PICKUP)
    delivered = door + locker + station

    tour_in = (tours["start_s"] >= t0) & (tours["start_s"] < t1) if len(tours["start_s"]) else np.zeros(0, bool)
    hours = float((tours["end_s"][tour_in] - tours["start_s"][tour_in]).sum() / SECONDS_PER_HOUR)
    km = float(tours["ride_m"][tour_in].sum() / 1000.0)
    income: Income = courier_income(door, locker, station, km, inputs.economics)
    labour = hours * inputs.economics.courier_cost_per_hour_yuan

    arrival = first_times(events, (Status.AT_STATION,), inputs.n_parcels)
    arrived_measured = (arrival >= t0) & (arrival < t1)
    lead_h = _lead_h(arrival, first_times(events, (Status.DELIVERED, Status.PICKED_UP), inputs.n_parcels), (t0, t1))
    first_ok, attempted = _first_attempts(events, inputs.n_parcels, arrived_measured)

    accounting = accounting_from_log(events, inputs.n_parcels)
    fees = overdue_fees(events, inputs.locker)
    failed = in_window & (events.status == Status.DELIVERY_FAILED)
    return {
        "parcels_per_courier_day": _ratio(delivered, courier_days),
        "courier_hours_per_day": _ratio(hours, courier_days),
        "income_per_courier_day_yuan": _ratio(income.net, courier_days),
        "income_per_courier_hour_yuan": _ratio(income.net, hours),
        "km_per_courier_day": _ratio(km, courier_days),
        "first_attempt_success_share": _ratio(first_ok, attempted),
        "failed_attempts": int(failed.sum()),
        "lead_time_p50_h": _quantile(lead_h, 0.5),
        "lead_time_p90_h": _quantile(lead_h, 0.9),
        "locker_occupancy_peak_share": _locker_peak_share(events, inputs.locker_slots_total),
        "cost_per_parcel_yuan": _ratio(labour + income.vehicle + income.charges, delivered),
        "parcels_total": inputs.n_parcels,
        "parcels_undelivered_end": accounting.in_flight,
        # More detail behind the headline numbers.
        "parcels_per_courier_hour": _ratio(delivered, hours),
        "hours_per_100_parcels": _ratio(100 * hours, delivered),
        "door_delivered_share": _ratio(door, delivered),
        "locker_delivered_share": _ratio(locker, delivered),
        "station_delivered_share": _ratio(station, delivered),
        "courier_span_hours_per_day": _span_hours(tours, tour_in, courier_days),
        "tours_per_courier_day": _ratio(int(tour_in.sum()), courier_days),
        "gross_income_per_courier_day_yuan": _ratio(income.gross, courier_days),
        "locker_full_events": int(
            (in_window & (events.status == Status.DELIVERY_FAILED) & (events.detail == Detail.LOCKER_FULL)).sum()
        ),
        "lead_time_completed_share": _ratio(len(lead_h), int(arrived_measured.sum())),
        "parcels_returned": accounting.returned,
        "parcels_waiting_pickup_end": accounting.in_locker + accounting.at_station_pickup,
        "overdue_fees_yuan": fees,
    }


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
    """Parcels whose first delivery attempt succeeded, and parcels attempted at all."""
    is_attempt = np.isin(events.status, (*_COURIER_DROPS, Status.DELIVERY_FAILED)) & (events.courier >= 0)
    sel = np.flatnonzero(is_attempt)
    first = np.full(n, -1, dtype=np.int64)
    parcels, idx = np.unique(events.parcel[sel], return_index=True)
    first[parcels] = events.status[sel[idx]]
    attempted = eligible & (first >= 0)
    ok = attempted & (first != Status.DELIVERY_FAILED)
    return int(ok.sum()), int(attempted.sum())


def _locker_peak_share(events: EventTable, slots: int) -> float:
    """Highest share of all locker slots occupied at once over the run."""
    if slots == 0:
        return 0.0
    return float(locker_occupancy_series(events)[1].max(initial=0)) / slots


def _span_hours(tours: dict[str, np.ndarray], tour_in: np.ndarray, courier_days: int) -> float:
    """Mean time from a courier's first load to the end of the last tour of a day (idle gaps included)."""
    if not tour_in.any():
        return math.nan
    couriers, days = tours["courier"][tour_in], tours["day"][tour_in]
    key = couriers.astype(np.int64) * 100_000 + days.astype(np.int64)
    keys, inverse = np.unique(key, return_inverse=True)
    first = np.full(len(keys), np.inf)
    last = np.full(len(keys), -np.inf)
    np.minimum.at(first, inverse, tours["start_s"][tour_in])
    np.maximum.at(last, inverse, tours["end_s"][tour_in])
    return float((last - first).sum() / SECONDS_PER_HOUR / courier_days)
