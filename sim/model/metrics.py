"""KPIs: pure functions of the tracking log, the courier activity tables and a few scenario numbers.

Courier KPIs count the *measured days* only (after warm-up, before the drain days); lead times
count the parcels that arrived on measured days. ``docs/reference/kpis.md`` defines every key.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..core.monitor import TimeWeighted
from ..core.units import SECONDS_PER_DAY, SECONDS_PER_HOUR
from ..scenario.schema import EconomicsConfig, LockerConfig, PickupStationConfig, UpstreamConfig
from ..scenario.week import DAYS_PER_WEEK
from .activity import Activity
from .curves import dispatch_hours
from .economics import Drops, Income, courier_income, pickup_charges, station_income
from .facilities.pickup import PickupKind
from .partials import (
    DAY_KEYS,
    CourierPartial,
    RunPartial,
    UpstreamPartial,
    Window,
    first_times,
    run_partial_of_log,
)
from .tracking import EventTable

if TYPE_CHECKING:
    from .run import RunSummary

__all__ = [
    "DAY_COLUMNS",
    "DAY_PART_KPIS",
    "HEADLINE_KPIS",
    "UPSTREAM_KPIS",
    "Activity",
    "KpiInputs",
    "compute_kpis",
    "courier_days_measured",
    "courier_kpis",
    "first_times",
    "income_of",
    "kpi_inputs",
    "kpis_by_day",
    "kpis_from",
    "kpis_of",
    "upstream_kpis",
]


# The KPIs of the main job, in the order they are shown.
HEADLINE_KPIS = (
    "parcels_per_courier_day",
    "hours_per_courier_day",
    "income_per_courier_day_yuan",
    "income_per_courier_hour_yuan",
    "active_hours_per_courier_day",
    "waiting_hours_per_courier_day",
    "income_per_active_hour_yuan",
    "parcels_per_door_visit",
    "fee_yuan_per_parcel",
    "same_day_delivery_share",
    "carried_over_parcels",
    "overtime_hours_per_courier_day",
    "km_per_courier_day",
    "first_attempt_success_share",
    "failed_attempts",
    "lead_time_p50_h",
    "lead_time_p90_h",
    "locker_delivered_share",
    "pickup_station_delivered_share",
    "station_counter_delivered_share",
    "locker_full_events",
    "locker_fallback_share",
    "locker_bank_peak_share_max",
    "pickup_station_peak_share",
    "pickup_fees_yuan_per_courier_day",
    "uncollected_returned",
    "station_net_yuan_per_day",
    "station_net_yuan_per_parcel",
    "door_service_compliance_share",
    "complaints",
    "cost_per_parcel_yuan",
    "parcels_total",
    "parcels_undelivered_end",
)


# Where a courier's hours on duty go, part by part (the gallery's time breakdown); they add up to
# ``hours_per_courier_day``: station tasks, loading and shelving, riding, the parts of the stops
# (``StopPart``), and waiting at the station.
DAY_PART_KPIS = (
    "task_hours_per_courier_day",
    "load_hours_per_courier_day",
    "ride_hours_per_courier_day",
    "park_hours_per_courier_day",
    "walk_hours_per_courier_day",
    "vertical_hours_per_courier_day",
    "stop_wait_hours_per_courier_day",
    "handover_hours_per_courier_day",
    "pickup_handover_hours_per_courier_day",
    "waiting_hours_per_courier_day",
)


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
    stations: int  # station areas that ran
    measured_days: tuple[int, int]
    n_parcels: int
    economics: EconomicsConfig
    locker: LockerConfig
    pickup_station: PickupStationConfig
    first_wave_h: float  # parcels at the station before it can go out the same day
    work_end_h: float  # the working day's end (same-day delivery, carried-over parcels)
    horizon_s: float  # the run's end, drain days included
    upstream: UpstreamConfig | None = None
    co2_kg_per_kwh: float = 0.5366  # the grid factor of the charge (couriers.vehicle)

    @property
    def window(self) -> Window:
        days = math.ceil(self.horizon_s / SECONDS_PER_DAY)
        return Window(days, self.measured_days, self.first_wave_h, self.work_end_h, self.locker)


def kpis_of(result: RunSummary, economics: EconomicsConfig | None = None) -> dict[str, float]:
    """KPIs of a run (a ``RunResult`` or its summary); ``economics`` re-prices the same run with other fees and costs
    (money never changes what couriers do in the model, so the run's partial stays valid)."""
    return kpis_from(result.partial, kpi_inputs(result, economics), result.monitors)


def kpi_inputs(result: RunSummary, economics: EconomicsConfig | None = None) -> KpiInputs:
    """What the KPIs need of a run besides its partial."""
    sc = result.scenario
    return KpiInputs(
        couriers=result.couriers,
        stations=result.stations,
        measured_days=result.measured_days,
        n_parcels=result.n_parcels,
        economics=economics or sc.economics,
        locker=sc.locker,
        pickup_station=sc.pickup_station,
        first_wave_h=sc.couriers.waves_h[0],
        work_end_h=sc.couriers.work_end_h,
        horizon_s=result.horizon_s,
        upstream=sc.upstream,
        co2_kg_per_kwh=sc.couriers.vehicle.co2_kg_per_kwh,
    )


def compute_kpis(
    events: EventTable, activity: Activity, inputs: KpiInputs, monitors: dict[str, TimeWeighted] | None = None
) -> dict[str, float]:
    """Every KPI of one run from its whole log, as a flat mapping of name to number (NaN where undefined)."""
    partial = run_partial_of_log(events, activity, inputs.window, inputs.n_parcels, upstream=inputs.upstream is not None)
    return kpis_from(partial, inputs, monitors)


def kpis_from(partial: RunPartial, inputs: KpiInputs, monitors: dict[str, TimeWeighted] | None = None) -> dict[str, float]:
    """Every KPI of one run from its partial (``sim.model.partials``)."""
    kpis = courier_kpis(partial, inputs)
    if partial.upstream is not None and inputs.upstream is not None:
        kpis.update(upstream_kpis(partial.upstream, monitors or {}, inputs))
    return kpis


def upstream_kpis(up_part: UpstreamPartial, monitors: dict[str, TimeWeighted], inputs: KpiInputs) -> dict[str, float]:
    """Dispatch, click-to-door, backlog and warehouse KPIs, from the orders' times and the warehouse monitors.

    Orders count if placed on measured days; an order not yet shipped (or delivered) at the end of
    the run counts as infinitely late, so a quantile that falls among them is NaN ("not reached").
    """
    up = inputs.upstream
    assert up is not None
    n = inputs.n_parcels
    t0, t1 = (d * SECONDS_PER_DAY for d in inputs.measured_days)
    placed, shipped, packed, done = up_part.placed_s, up_part.shipped_s, up_part.packed_s, up_part.done_s
    measured = (placed >= t0) & (placed < t1)
    dispatch_h = dispatch_hours(placed, shipped, (t0, t1))
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
        "orders_upstream_end": up_part.orders_upstream_end,
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


def courier_days_measured(drops_per_day: np.ndarray, measured_days: tuple[int, int], upstream: bool) -> np.ndarray:
    """The days whose courier work the KPIs count. Without upstream: the measured days. With it,
    parcels reach the stations only after the order days, so: every day from the first measured
    one on which couriers left parcels -- the days the measured orders were delivered on."""
    first, last = measured_days
    if not upstream:
        return np.arange(first, last)
    days = np.flatnonzero(drops_per_day > 0)
    return days[days >= first]


@dataclass(frozen=True)
class _CourierWork:
    """What the couriers did on the days the KPIs count: parcels left, time, distance."""

    courier_days: int
    station_days: int
    on: dict[str, float]  # every per-day sum of the partial (sim.model.partials.DAY_KEYS) over those days
    drops: Drops

    @staticmethod
    def of(partial: CourierPartial, inputs: KpiInputs, days: np.ndarray | None = None) -> _CourierWork:
        """The work on ``days`` (default: the days the KPIs count)."""
        if days is None:
            days = courier_days_measured(partial.drops_per_day, inputs.measured_days, inputs.upstream is not None)
        days = days[days < partial.per_day.shape[1]]
        on = dict(zip(DAY_KEYS, partial.per_day[:, days].sum(axis=1).tolist(), strict=True))
        drops = Drops(
            door_service=int(on["drops_door_service"]),
            ordinary_door=int(on["drops_ordinary_door"]),
            locker=int(on["drops_locker"]),
            pickup_station=int(on["drops_pickup_station"]),
            counter=int(on["drops_counter"]),
            locker_slots=(int(on["locker_slot_s"]), int(on["locker_slot_m"]), int(on["locker_slot_l"])),
        )
        return _CourierWork(courier_days=int(on["courier_days"]), station_days=inputs.stations * len(days), on=on, drops=drops)

    def hours(self, key: str) -> float:
        return self.on[key] / SECONDS_PER_HOUR

    @property
    def on_duty_h(self) -> float:
        """Spans less breaks."""
        return self.hours("span_s") - self.hours("break_s")

    def income(self, cfg: EconomicsConfig) -> Income:
        fines = int(self.on["complaints"]) * cfg.complaint_fine_yuan
        return courier_income(self.drops, self.on["ride_m"] / 1000.0, self.hours("overtime_s"), cfg, fines_yuan=fines)

    def station(self, cfg: EconomicsConfig) -> Income:
        """The stations' money over the station-days counted."""
        return station_income(
            self.drops,
            self.income(cfg),
            complaints=int(self.on["complaints"]),
            courier_days=self.courier_days,
            days=self.station_days,
            cfg=cfg,
        )


def income_of(partial: CourierPartial, inputs: KpiInputs) -> tuple[Income, int]:
    """Couriers' income over the days the KPIs count, and the courier-days it was earned in."""
    work = _CourierWork.of(partial, inputs)
    return work.income(inputs.economics), work.courier_days


def station_income_of(partial: CourierPartial, inputs: KpiInputs) -> tuple[Income, int]:
    """The stations' money over the days the KPIs count, and the station-days it was made in."""
    work = _CourierWork.of(partial, inputs)
    return work.station(inputs.economics), work.station_days


DAY_COLUMNS = (
    "day",
    "weekday",  # 0 Monday ... 6 Sunday
    "measured",  # counted by the run's KPIs
    "parcels_arrived",
    "parcels_left",  # handed over at doors or left at lockers, 驿站 and the counter by couriers
    "couriers_at_work",
    "parcels_per_courier_at_work",
    "on_duty_hours_per_courier_at_work",
    "income_per_courier_at_work_yuan",
    "waiting_at_midnight",  # arrived, not yet left anywhere, as the day ends
)


def kpis_by_day(result: RunSummary) -> list[dict[str, float]]:
    """The run day by day over all its station areas (``DAY_COLUMNS``), drain days included: what
    came, what couriers left, who was at work, and what was still waiting as each day ended."""
    sc, partial, inputs = result.scenario, result.partial.courier, kpi_inputs(result)
    first, last = result.measured_days
    rows = []
    for day in range(partial.per_day.shape[1] - 1):  # the last column is the horizon's instant
        work = _CourierWork.of(partial, inputs, np.array([day]))
        at_work = work.courier_days
        rows.append(
            {
                "day": day,
                "weekday": (sc.horizon.start_weekday + day) % DAYS_PER_WEEK,
                "measured": int(first <= day < last),
                "parcels_arrived": int(partial.day("arrived")[day]),
                "parcels_left": work.drops.total,
                "couriers_at_work": at_work,
                "parcels_per_courier_at_work": _ratio(work.drops.total, at_work),
                "on_duty_hours_per_courier_at_work": _ratio(work.on_duty_h, at_work),
                "income_per_courier_at_work_yuan": _ratio(work.income(inputs.economics).net, at_work),
                "waiting_at_midnight": int(partial.day("waiting_at_midnight")[day]),
            }
        )
    return rows


def courier_kpis(run: RunPartial, inputs: KpiInputs) -> dict[str, float]:
    """Throughput, hours, money, attempts, lead times, lockers, and people, from a run's partial."""
    p = run.courier
    work = _CourierWork.of(p, inputs)
    courier_days, drops, delivered, on = work.courier_days, work.drops, work.drops.total, work.on
    income = work.income(inputs.economics)
    econ = inputs.economics
    labour = work.on_duty_h * econ.courier_cost_per_hour_yuan
    complaints = int(on["complaints"])
    # With a warehouse, every order carries its service class upstream, also those no station received.
    service = (
        (run.upstream.door_service_parcels, run.upstream.service_known)
        if run.upstream
        else (p.count("door_service_parcels"), p.count("service_known"))
    )
    return {
        "parcels_per_courier_day": _ratio(delivered, courier_days),
        "hours_per_courier_day": _ratio(work.on_duty_h, courier_days),
        "income_per_courier_day_yuan": _ratio(income.net, courier_days),
        "income_per_courier_hour_yuan": _ratio(income.net, work.on_duty_h),
        "active_hours_per_courier_day": _ratio(work.hours("busy_s"), courier_days),
        "waiting_hours_per_courier_day": _ratio(work.on_duty_h - work.hours("busy_s"), courier_days),
        "income_per_active_hour_yuan": _ratio(income.net, work.hours("busy_s")),
        "fee_yuan_per_parcel": _ratio(income.fees, delivered),
        "same_day_delivery_share": _ratio(p.count("same_day"), p.count("same_day_eligible")),
        "carried_over_parcels": p.count("carried_over"),
        "overtime_hours_per_courier_day": _ratio(work.hours("overtime_s"), courier_days),
        "km_per_courier_day": _ratio(on["ride_m"] / 1000.0, courier_days),
        "energy_kwh_per_courier_day": _ratio(on["energy_wh"] / 1000.0, courier_days),
        "energy_wh_per_parcel": _ratio(on["energy_wh"], delivered),
        # kg CO₂ per kWh is g per Wh.
        "co2_g_per_parcel": _ratio(on["energy_wh"] * inputs.co2_kg_per_kwh, delivered),
        "battery_swaps_per_courier_day": _ratio(on["swaps"], courier_days),
        "first_attempt_success_share": _ratio(p.count("first_ok"), p.count("attempted")),
        "failed_attempts": int(on["failed"]),
        "lead_time_p50_h": _quantile(p.lead_h, 0.5),
        "lead_time_p90_h": _quantile(p.lead_h, 0.9),
        "locker_bank_peak_share_max": _peak_share(p.points, PickupKind.LOCKER),
        "cost_per_parcel_yuan": _ratio(labour - income.lines["vehicle_cost"] + income.charges, delivered),
        "parcels_total": inputs.n_parcels,
        "parcels_undelivered_end": p.count("in_flight"),
        # More detail behind the headline numbers.
        "parcels_per_courier_hour": _ratio(delivered, work.on_duty_h),
        "busy_hours_per_courier_day": _ratio(work.hours("busy_s"), courier_days),
        "tour_hours_per_courier_day": _ratio(work.hours("tour_s"), courier_days),
        "tour_hours_per_100_parcels": _ratio(100 * work.hours("tour_s"), delivered),
        "work_minutes_per_parcel": _ratio(60 * work.hours("busy_s"), delivered),
        "stop_minutes_per_parcel": _ratio(60 * work.hours("stop_s"), on["stop_attempts"]),
        "stop_hours_per_courier_day": _ratio(work.hours("stop_s"), courier_days),
        "parcels_per_door_visit": _ratio(on["door_visit_parcels"], on["door_visits"]),
        "in_building_minutes_per_stop": _ratio(60 * work.hours("stop_inside_s"), on["stops_attempted"]),
        "pickup_handover_hours_per_courier_day": _ratio(work.hours("stop_pickup_s"), courier_days),
        "ride_and_load_hours_per_courier_day": _ratio(work.hours("tour_s") - work.hours("stop_s"), courier_days),
        **_day_by_part(work, courier_days),
        "door_delivered_share": _ratio(drops.at_door, delivered),
        "door_service_delivered_share": _ratio(drops.door_service, delivered),
        "locker_delivered_share": _ratio(drops.locker, delivered),
        "pickup_station_delivered_share": _ratio(drops.pickup_station, delivered),
        "station_counter_delivered_share": _ratio(drops.counter, delivered),
        "span_hours_per_courier_day": _ratio(work.hours("span_s"), courier_days),
        "tours_per_courier_day": _ratio(on["tours"], courier_days),
        "gross_income_per_courier_day_yuan": _ratio(income.gross, courier_days),
        "locker_full_events": int(on["locker_full"]),
        "locker_banks_full_share": _full_share(p.points, PickupKind.LOCKER),
        **_pick_up_network(p, work, inputs),
        "lead_time_completed_share": _ratio(len(p.lead_h), p.count("arrived_measured")),
        "parcels_returned": p.count("returned"),
        "parcels_waiting_pickup_end": p.count("in_locker") + p.count("at_station_pickup"),
        "overdue_fees_yuan": p.overdue_fees_yuan,
        "courier_days": courier_days,
        # Recipients and couriers as people: compliance, complaints, consent, pick-up hours, door
        # attempts and their retries, return pick-ups (these over the whole run: they lag deliveries).
        "door_service_parcel_share": _ratio(*service),
        "door_service_compliance_share": _ratio(on["service_drops"] - on["unasked"], on["service_drops"]),
        "complaints": complaints,
        "fines_yuan": complaints * econ.complaint_fine_yuan,
        "platform_compensation_yuan": complaints * econ.complaint_compensation_yuan,
        "violations_without_consent": int(on["violations"]),
        "consented_diversions": int(on["consented"]),
        "door_first_attempt_success_share": _ratio(p.count("door_first_ok"), p.count("door_first")),
        "door_same_day_retry_success_share": _ratio(p.count("door_retry_ok"), p.count("door_retry")),
        "locker_pickups_off_hours_share": _ratio(p.count("locker_pickups_off_hours"), p.count("locker_pickups")),
        "return_requests": p.count("return_requests"),
        "return_pickups": p.count("return_pickups"),
        "return_pickup_lead_time_p50_h": _quantile(p.return_wait_h, 0.5),
    }


def _day_by_part(work: _CourierWork, courier_days: int) -> dict[str, float]:
    """Hours per courier-day in the parts of ``DAY_PART_KPIS`` not defined with the headline ones."""
    ride = work.hours("tour_s") - work.hours("stop_s") - work.hours("tour_station_s")
    parts = ("park", "walk", "vertical", "handover")
    stop_parts = {f"{part}_hours_per_courier_day": work.hours(f"stop_{part}_s") for part in parts}
    return {
        "task_hours_per_courier_day": _ratio(work.hours("task_s"), courier_days),
        "load_hours_per_courier_day": _ratio(work.hours("tour_station_s"), courier_days),
        "ride_hours_per_courier_day": _ratio(ride, courier_days),
        **{key: _ratio(hours, courier_days) for key, hours in stop_parts.items()},
        "stop_wait_hours_per_courier_day": _ratio(work.hours("stop_wait_s"), courier_days),
    }


def _pick_up_network(p: CourierPartial, work: _CourierWork, inputs: KpiInputs) -> dict[str, float]:
    """Where parcels went when a bank was full, the 驿站's load, the pick-up charges, the stations' money."""
    econ, on = inputs.economics, work.on
    full = p.count("locker_full_parcels")
    lockers, stations = pickup_charges(work.drops, econ)
    station = work.station(econ)
    n_stations = int((p.points[:, 0] == PickupKind.PICKUP_STATION).sum()) if len(p.points) else 0
    handout_h = on["pickup_station_collections"] * inputs.pickup_station.handout_s_per_parcel / SECONDS_PER_HOUR
    days = work.station_days / max(inputs.stations, 1)
    return {
        "locker_fallback_share": _ratio(full, full + int(on["drops_locker"]) - p.count("fallback_next_bank")),
        "locker_fallback_next_bank_share": _ratio(p.count("fallback_next_bank"), full),
        "locker_fallback_pickup_station_share": _ratio(p.count("fallback_pickup_station"), full),
        "locker_fallback_counter_share": _ratio(p.count("fallback_counter"), full),
        "locker_fallback_carried_back_share": _ratio(p.count("fallback_carried_back"), full),
        "no_room_carried_back": int(on["no_room"]),
        "pickup_station_peak_share": _peak_share(p.points, PickupKind.PICKUP_STATION),
        "pickup_stations_full_share": _full_share(p.points, PickupKind.PICKUP_STATION),
        "pickup_station_parcels_per_day": _ratio(on["drops_pickup_station"], days * n_stations),
        "pickup_station_handout_hours_per_day": _ratio(handout_h, days * n_stations),
        "pickup_fees_yuan_per_courier_day": _ratio(lockers + stations, work.courier_days),
        "uncollected_returned": p.count("uncollected_returned"),
        "station_net_yuan_per_day": _ratio(station.net, work.station_days),
        "station_net_yuan_per_parcel": _ratio(station.net, work.drops.total),
        "station_revenue_yuan_per_day": _ratio(station.gross, work.station_days),
    }


def _peak_share(points: np.ndarray, kind: int) -> float:
    """The largest share of its capacity any point of ``kind`` held at once on a measured day."""
    mine = points[(points[:, 0] == kind) & (points[:, 1] > 0)] if len(points) else points
    return float((mine[:, 2] / mine[:, 1]).max()) if len(mine) else math.nan


def _full_share(points: np.ndarray, kind: int) -> float:
    """The share of points of ``kind`` that were full at some moment of a measured day."""
    mine = points[(points[:, 0] == kind) & (points[:, 1] > 0)] if len(points) else points
    return float((mine[:, 4] > 0).mean()) if len(mine) else math.nan


def _ratio(num: float, den: float) -> float:
    return float(num) / float(den) if den else math.nan


def _quantile(values: np.ndarray, q: float) -> float:
    return float(np.quantile(values, q)) if len(values) else math.nan
