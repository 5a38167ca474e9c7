"""The smallest warehouse team that meets a KPI target, found by simulation.

Bisection over the team size with common random numbers: every candidate sees the same orders
and the same work per order, so the KPI moves only because the team does. The KPI is assumed to
improve (weakly) with the team; the search checks the answer and the size just below it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .errors import ScenarioError
from .metrics import kpis_of
from .model import simulate
from .scenario import Scenario

__all__ = ["StaffPlan", "Target", "parse_target", "plan_staff"]

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
    field: str
    team: int
    kpi_value: float
    below_value: float | None  # the KPI with one person fewer
    evaluations: dict[int, float]
    target: Target


def plan_staff(scenario: Scenario, variant: str, target: Target, field: str = "upstream.warehouse.pickers",
               max_team: int = 4096) -> StaffPlan:  # fmt: skip
    """Find the smallest value of ``field`` (pickers by default; packers scale with pickers) that meets the target."""
    resolved = scenario.resolved(variant)
    if resolved.upstream is None:
        raise ScenarioError(f"{scenario.name}: plan-staff needs a scenario with an upstream section")
    base_pickers = resolved.upstream.warehouse.pickers
    base_packers = resolved.upstream.warehouse.packers
    skip_delivery = target.kpi.startswith(_UPSTREAM_ONLY)
    evaluations: dict[int, float] = {}

    def kpi_at(team: int) -> float:
        if team not in evaluations:
            overrides = {field: team}
            if field == "upstream.warehouse.pickers" and base_packers > 0:
                overrides["upstream.warehouse.packers"] = max(1, math.ceil(team * base_packers / base_pickers))
            if skip_delivery:
                overrides["upstream.simulate_delivery"] = False
            candidate = resolved.with_overrides(overrides, where="plan-staff")
            kpis = kpis_of(simulate(candidate, variant))
            if target.kpi not in kpis:
                raise ScenarioError(f"unknown KPI {target.kpi!r}; KPIs: {', '.join(sorted(kpis))}", param="target")
            evaluations[team] = kpis[target.kpi]
        return evaluations[team]

    low, high = 1, 1
    while not target.met(kpi_at(high)):
        low, high = high + 1, high * 2
        if high > max_team:
            raise ScenarioError(f"no team up to {max_team} meets {target}")
    # Invariant: high meets the target; every size below `low` does not.
    while low < high:
        mid = (low + high) // 2
        if target.met(kpi_at(mid)):
            high = mid
        else:
            low = mid + 1
    below = kpi_at(high - 1) if high > 1 else None
    return StaffPlan(field, high, evaluations[high], below, dict(sorted(evaluations.items())), target)
