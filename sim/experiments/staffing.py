"""The smallest team that meets a KPI target, found by simulation: warehouse staff or couriers.

One search for both: bisection over the team size with common random numbers, so every candidate
sees the same orders and parcels and the KPI moves only because the team does. The KPI is assumed
to improve (weakly) with the team; the search checks the answer and the size just below it.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..core.errors import ScenarioError
from ..model.metrics import kpis_of
from ..model.run import simulate
from ..scenario.schema import Scenario
from ..scenario.week import unstaffed_day

__all__ = ["StaffPlan", "Target", "parse_target", "plan_couriers", "plan_staff", "smallest_meeting"]

# KPIs that do not depend on the stations: the search can skip the delivery part of the model.
_UPSTREAM_ONLY = ("dispatch", "backlog", "picker_utilization", "late_dispatch", "warehouse_cost")


@dataclass(frozen=True)
class Target:
    kpi: str
    op: str  # ">=" or "<="
    value: float

    def met(self, x: float) -> bool:
        if x != x:  # NaN: not reached within the run
            return False
        return x >= self.value if self.op == ">=" else x <= self.value

    def __str__(self) -> str:
        return f"{self.kpi} {self.op} {self.value:g}"


def parse_target(text: str) -> Target:
    """``kpi>=x``, ``kpi<=x`` or ``kpi=x`` (shares and utilisations at least x, other KPIs at most x)."""
    m = re.fullmatch(r"\s*([a-z0-9_]+)\s*(>=|<=|=)\s*([-+0-9.eE]+)\s*", text)
    if not m:
        raise ScenarioError(f"{text!r}: expected kpi=value, kpi>=value or kpi<=value", param="target")
    kpi, op, value = m.group(1), m.group(2), float(m.group(3))
    if op == "=":
        op = ">=" if kpi.endswith(("_share", "_utilization")) else "<="
    return Target(kpi, op, value)


@dataclass(frozen=True)
class StaffPlan:
    """The smallest value of a team-size field that meets a target, and what the search saw."""

    field: str
    team: int
    kpi_value: float
    below_value: float | None  # the KPI with one fewer
    evaluations: dict[int, float]
    target: Target
    kpis: dict[str, float] = dataclasses.field(default_factory=dict)  # every KPI of the size found (mean over replications)

    def as_dict(self) -> dict[str, object]:
        """For JSON: the size found, the KPI it achieves and with one fewer, every size tried."""
        return {
            "field": self.field,
            "value": self.team,
            "target": str(self.target),
            "achieved": self.kpi_value,
            "with_one_fewer": self.below_value,
            "evaluations": {str(k): v for k, v in self.evaluations.items()},
        }


def smallest_meeting(target: Target, kpi_at: Callable[[int], float], field: str, max_value: int) -> StaffPlan:
    """The smallest n in 1..``max_value`` with ``target.met(kpi_at(n))``, assuming the KPI improves
    (weakly) with n: doubling to bracket it, then bisection; the size below is checked too."""
    evaluations: dict[int, float] = {}

    def at(n: int) -> float:
        if n not in evaluations:
            evaluations[n] = kpi_at(n)
        return evaluations[n]

    low, high = 1, 1
    while not target.met(at(high)):
        if high >= max_value:
            raise ScenarioError(f"no value up to {max_value} of {field} meets {target}", param="target")
        low, high = high + 1, min(high * 2, max_value)
    # Invariant: high meets the target; every size below `low` does not.
    while low < high:
        mid = (low + high) // 2
        if target.met(at(mid)):
            high = mid
        else:
            low = mid + 1
    below = at(high - 1) if high > 1 else None
    return StaffPlan(field, high, evaluations[high], below, dict(sorted(evaluations.items())), target)


def plan_staff(
    scenario: Scenario, variant: str, target: Target, field: str = "upstream.warehouse.pickers", max_team: int = 4096
) -> StaffPlan:
    """Find the smallest value of ``field`` (pickers by default; packers scale with pickers) that meets the target."""
    resolved = scenario.resolved(variant)
    if resolved.upstream is None:
        raise ScenarioError(f"{scenario.name}: plan-staff needs a scenario with an upstream section", param="scenario")
    base_pickers = resolved.upstream.warehouse.pickers
    base_packers = resolved.upstream.warehouse.packers
    skip_delivery = target.kpi.startswith(_UPSTREAM_ONLY)

    def kpi_at(team: int) -> float:
        overrides: dict[str, object] = {field: team}
        if field == "upstream.warehouse.pickers" and base_packers > 0:
            overrides["upstream.warehouse.packers"] = max(1, math.ceil(team * base_packers / base_pickers))
        if skip_delivery:
            overrides["upstream.simulate_delivery"] = False
        return _kpi(kpis_of(simulate(resolved.with_overrides(overrides, where="plan-staff"), variant)), target)

    return smallest_meeting(target, kpi_at, field, max_team)


def plan_couriers(scenario: Scenario, variant: str, target: Target, replications: int = 1) -> StaffPlan:
    """The smallest ``couriers.count`` that meets the target (e.g. ``same_day_delivery_share >= 0.95``),
    the KPI averaged over ``replications`` days with common random numbers: every candidate fleet
    sees the same parcels and recipients, so the KPI moves only because the fleet does."""
    from ..world.districts import build_city

    resolved = scenario.resolved(variant)
    if replications < 1:
        raise ScenarioError(f"must be at least 1 (got {replications})", param="replications")
    # An area needs at least one compound: the fleet can be at most as large as the smallest district's compounds.
    most = min(build_city(resolved.city, resolved.station, resolved.seed, i).n_compounds for i in range(resolved.stations.count))

    seen: dict[int, dict[str, float]] = {}

    h = resolved.horizon

    def kpi_at(couriers: int) -> float:
        unstaffed = unstaffed_day(
            resolved.couriers.roster, resolved.week, couriers=couriers, days=h.days, start_weekday=h.start_weekday
        )
        if unstaffed is not None:
            return math.nan  # a fleet this small leaves a day with parcels with nobody at work: it meets no target
        candidate = resolved.with_overrides({"couriers.count": couriers}, where="plan-couriers")
        runs = [kpis_of(simulate(candidate, variant, rep)) for rep in range(replications)]
        seen[couriers] = {
            k: float(np.nanmean([r[k] for r in runs])) if all(r[k] == r[k] for r in runs) else math.nan for k in runs[0]
        }
        return float(np.mean([_kpi(r, target) for r in runs]))

    plan = smallest_meeting(target, kpi_at, "couriers.count", most)
    return dataclasses.replace(plan, kpis=seen[plan.team])


def _kpi(kpis: dict[str, float], target: Target) -> float:
    if target.kpi not in kpis:
        raise ScenarioError(f"unknown KPI {target.kpi!r}; KPIs: {', '.join(sorted(kpis))}", param="target")
    return kpis[target.kpi]
