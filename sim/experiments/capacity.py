"""Daily throughput as a result: what a courier delivers in one working day when there is always
more work than time (saturated demand), per variant, with 95% confidence intervals.

The scenario is turned into a saturated one: one day, more parcels in every courier's area than
a day allows, all at the station and sorted before the shift starts (so the station's sorting
is not what limits the courier). The run checks that every courier was still busy at the day's
end; otherwise it doubles the parcels and tries again.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..core.errors import ScenarioError
from ..core.stats import json_number, mean_ci
from ..core.units import SECONDS_PER_HOUR
from ..results.runset import RunSet
from ..scenario.schema import Scenario
from ..scenario.week import RosterConfig, WeekConfig
from .runner import check_variants, prepare_scenario, run

__all__ = ["CAPACITY_KPIS", "CapacityResult", "capacity", "saturated", "saturated_runs"]

CAPACITY_KPIS = (
    "parcels_per_courier_day",
    "hours_per_courier_day",
    "income_per_courier_day_yuan",
    "income_per_courier_hour_yuan",
    "work_minutes_per_parcel",
    "door_delivered_share",
    "locker_delivered_share",
    "pickup_station_delivered_share",
    "station_counter_delivered_share",
)
# What a saturated day's time goes on, and what fills up: the evidence ``binds`` names.
_BINDING_KPIS = (
    "stop_hours_per_courier_day",
    "pickup_handover_hours_per_courier_day",
    "ride_and_load_hours_per_courier_day",
    "busy_hours_per_courier_day",
    "locker_fallback_share",
    "locker_fallback_carried_back_share",
    "pickup_stations_full_share",
    "no_room_carried_back",
    "parcels_total",
)
_START_PER_COURIER = 600  # parcels per courier in the first try: above any courier's day in the sources (≤ 300)
_MAX_DOUBLINGS = 3


def saturated(scenario: Scenario, parcels_per_courier: int = _START_PER_COURIER) -> Scenario:
    """One station, one day, ``parcels_per_courier`` parcels per courier, at the station and sorted
    before the shift starts, loaded in arrival order; no upstream part, and no week: no peaks, no
    weekday factors, every courier at work (what one courier can do in a day is the question)."""
    raw = scenario.model_dump(mode="python")
    raw["upstream"] = None
    raw["week"] = WeekConfig().model_dump(mode="python")
    raw["couriers"]["roster"] = RosterConfig().model_dump(mode="python")
    saturating = {
        "stations.count": 1,
        "parcels.per_day": parcels_per_courier * scenario.couriers.count,
        "parcels.day_to_day_cv": 0.0,
        "parcels.linehaul": [{"at_h": 0.0, "share": 1.0}],
        "station.sort_rate_parcels_per_h": 100_000.0,
        "station.loading_order": "arrival",
        "horizon.days": 1,
        "horizon.warmup_days": 0,
        "horizon.drain_days": 0,
    }
    return scenario.model_validate(raw).with_overrides(saturating, where="capacity")


@dataclass(frozen=True)
class CapacityResult:
    """Capacity per variant: one row per (variant, replication) of the saturated runs."""

    scenario: str
    runs: pd.DataFrame
    parcels_per_courier: int  # the saturating volume that was needed

    def summary(self) -> dict[str, dict[str, Any]]:
        """``{variant: {kpi: {"mean": m, "ci95": h, "n": n}, ..., "binds": [...]}}`` for the capacity
        KPIs; ``binds`` names, in words, what limits the saturated day (``binding``)."""
        out: dict[str, dict[str, Any]] = {}
        for variant, group in self.runs.groupby("variant", sort=False):
            cells: dict[str, Any] = {}
            for kpi in CAPACITY_KPIS:
                m, h, n = mean_ci(group[kpi].to_numpy(float))
                cells[kpi] = {"mean": json_number(m), "ci95": json_number(h), "n": n}
            cells["binds"] = binding({k: float(group[k].mean()) for k in _BINDING_KPIS})
            out[str(variant)] = cells
        return out

    def __repr__(self) -> str:
        parts = [f"{v}: {c['parcels_per_courier_day']['mean']:.1f}" for v, c in self.summary().items()]
        return f"CapacityResult({self.scenario!r}, parcels per courier-day: {', '.join(parts)})"


def capacity(
    scenario: Scenario | str | Path,
    *,
    variants: list[str] | None = None,
    replications: int = 5,
    seed: int | None = None,
    jobs: int = 1,
    scheduler: str | None = None,
) -> CapacityResult:
    """The parcels a courier delivers in one saturated working day, per variant (CRN between them)."""
    base = prepare_scenario(scenario, seed, None)
    runs, per_courier = saturated_runs(base, check_variants(base, variants), replications, jobs=jobs, scheduler=scheduler)
    return CapacityResult(base.name, runs.runs()[["variant", "replication", *CAPACITY_KPIS, *_BINDING_KPIS]], per_courier)


def binding(kpis: dict[str, float]) -> list[str]:
    """What limits a saturated working day, most binding first, from its mean KPIs: the courier's
    time always (every courier was busy to the day's end), and where it goes; the locker slots when
    parcels met full banks; the 驿站's shelves when they filled or parcels went back for want of room."""
    busy = kpis["busy_hours_per_courier_day"]
    share = {  # of the courier's working time
        "hand-over time at lockers and 驿站": kpis["pickup_handover_hours_per_courier_day"] / busy,
        "time at doors and in buildings": (kpis["stop_hours_per_courier_day"] - kpis["pickup_handover_hours_per_courier_day"])
        / busy,
        "riding, loading and unloading": kpis["ride_and_load_hours_per_courier_day"] / busy,
        "station tasks": (busy - kpis["stop_hours_per_courier_day"] - kpis["ride_and_load_hours_per_courier_day"]) / busy,
    }
    parts = ", ".join(f"{name} {value:.0%}" for name, value in sorted(share.items(), key=lambda kv: -kv[1]) if value >= 0.005)
    out = [f"courier time (busy to the day's end: {parts})"]
    fallback = kpis["locker_fallback_share"]
    if fallback == fallback and fallback >= 0.05:
        back = kpis["locker_fallback_carried_back_share"]
        went = f"; {back:.0%} of those went back to the station" if back == back and back > 0 else ""
        out.append(f"locker slots ({fallback:.0%} of locker parcels met a full bank{went})")
    full = kpis["pickup_stations_full_share"]
    if (full == full and full > 0) or kpis["no_room_carried_back"] > 0:
        out.append(
            f"驿站 shelves ({full:.0%} of 驿站 full at some moment; {kpis['no_room_carried_back']:.0f} parcels back with no room)"
        )
    return out


def saturated_runs(base: Scenario, variants: list[str], replications: int, **executor: Any) -> tuple[RunSet, int]:
    """The variants' runs under saturated demand, and the parcels per courier that saturated them."""
    per_courier = _START_PER_COURIER
    for _ in range(_MAX_DOUBLINGS + 1):
        runs = run(saturated(base, per_courier), variants=variants, replications=replications, **executor)
        if _every_courier_busy_to_the_end(runs):
            return runs, per_courier
        per_courier *= 2
    raise ScenarioError(
        f"couriers finished {per_courier // 2} parcels each before the day's end; the day is too long for a capacity run",
        param="scenario",
    )


def _every_courier_busy_to_the_end(runs: RunSet) -> bool:
    """Did every courier-day last to the end of the working day (a day cut short by parcels running out is not saturated)?"""
    for result in runs.results.values():
        end = result.scenario.couriers.work_end_h * SECONDS_PER_HOUR
        if len(result.activity.days) == 0 or np.any(result.activity.days.end_s < end):
            return False
    return True
