"""The break-even fee: the door-service fee at which a KPI is the same with door delivery as with lockers.

Both variants run once per replication with common random numbers. Fees do not change what
anyone does in the model, so for an ``economics.*`` field each candidate value re-prices the same
runs (exact and cheap); any other field re-simulates every replication at each candidate. The
fee solves mean_r[KPI_a(f, r) − KPI_b(f, r)] = 0 (Brent's method); its 95% interval is the set of
fees whose paired-difference interval contains 0 (test inversion).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..core.errors import ScenarioError
from ..core.stats import t_half_width
from ..model.metrics import kpis_of
from ..results.runset import RunSet
from ..scenario.schema import Scenario, apply_overrides
from .capacity import saturated_runs
from .runner import prepare_scenario, run

__all__ = ["BreakevenResult", "breakeven", "breakeven_of_runs"]


@dataclass(frozen=True)
class BreakevenResult:
    field: str
    kpi: str
    a: str
    b: str
    value: float
    ci_low: float
    ci_high: float
    replications: int
    current: float  # the field's value in the scenario
    difference_at_current: float  # mean KPI_a − KPI_b at the current value
    at_capacity: bool = False
    better_everywhere: str | None = None  # the variant whose KPI is higher at every value searched, if no value equalises

    def __str__(self) -> str:
        if self.better_everywhere is not None:
            return (
                f"no value of {self.field} makes {self.kpi} equal for {self.a} and {self.b}: {self.better_everywhere} "
                f"is higher at every value searched ({self.replications} paired replications); at the scenario's "
                f"{self.current:g}, {self.a} − {self.b} = {self.difference_at_current:+.3f}"
            )
        return (
            f"{self.field} = {self.value:.3f} makes {self.kpi} equal for {self.a} and {self.b} "
            f"(95% CI {self.ci_low:.3f} to {self.ci_high:.3f}, {self.replications} paired replications); "
            f"at the scenario's {self.current:g}, {self.a} − {self.b} = {self.difference_at_current:+.3f}"
        )


def breakeven(
    scenario: Scenario | str | Path,
    *,
    kpi: str = "income_per_courier_hour_yuan",
    field: str = "economics.door_service_fee_yuan",
    a: str = "door",
    b: str = "locker",
    replications: int = 10,
    seed: int | None = None,
    jobs: int = 1,
    scheduler: str | None = None,
    max_value: float = 1000.0,
    at_capacity: bool = False,
) -> BreakevenResult:
    """Find the value of ``field`` at which ``kpi`` of variant ``a`` equals that of ``b``.

    ``at_capacity=True`` compares the variants under saturated demand (``sim.capacity``): couriers
    who always have more parcels than time, rather than the scenario's own volume."""
    if a == b:
        raise ScenarioError(f"a and b name the same variant ({a!r}): compare two different variants", param="pair")
    base = prepare_scenario(scenario, seed, None)
    if replications < 2:
        raise ScenarioError(f"breakeven needs at least 2 for a confidence interval (got {replications})", param="replications")
    question = _Question(kpi, field, a, b, replications, at_capacity)
    executor = {"jobs": jobs, "scheduler": scheduler}
    if field.startswith("economics."):
        diffs = _repricing(question.runs(base, executor), question)
    else:
        diffs = _resimulating(base, question, executor)
    return _solved(diffs, question, _field_value(base, field), max_value)


def breakeven_of_runs(
    runs: RunSet,
    *,
    kpi: str = "income_per_courier_day_yuan",
    field: str = "economics.door_service_fee_yuan",
    a: str = "door",
    b: str = "locker",
    max_value: float = 1000.0,
) -> BreakevenResult:
    """The break-even value of a fee (an ``economics.*`` field) from runs already made (``sim.run``'s
    result, or ``sim.load_results`` of a results folder): the same runs priced again, no simulation.
    With one replication the value has no interval (NaN bounds)."""
    if not field.startswith("economics."):
        raise ScenarioError(f"{field}: only an economics.* field can be solved for without simulating again", param="field")
    reps = sorted({r for v, r in runs.summaries if v == a} & {r for v, r in runs.summaries if v == b})
    if not reps:
        raise ScenarioError(f"breakeven: no paired runs of variants {a!r} and {b!r} kept", param="variants")
    question = _Question(kpi, field, a, b, len(reps), at_capacity=False)
    current = _field_value(runs.summaries[(a, reps[0])].scenario, field)
    return _solved(_repricing(runs, question, reps), question, current, max_value)


def _solved(diffs: Callable[[float], np.ndarray], q: _Question, current: float, max_value: float) -> BreakevenResult:
    """The value at which the mean paired difference is 0, and the interval where its CI holds 0."""
    kpi, field, a, b, replications, at_capacity = q.kpi, q.field, q.a, q.b, q.replications, q.at_capacity

    def mean(x: float) -> float:
        return float(np.mean(diffs(x)))

    def upper(x: float) -> float:
        d = diffs(x)
        return float(np.mean(d) + t_half_width(d))

    def lower(x: float) -> float:
        d = diffs(x)
        return float(np.mean(d) - t_half_width(d))

    at_current = mean(current)
    try:
        root = _solve(mean, current, max_value)
    except _NoSignChange:
        better = a if at_current > 0 else b
        nan = math.nan
        return BreakevenResult(field, kpi, a, b, nan, nan, nan, replications, current, at_current, at_capacity, better)
    if replications < 2:
        return BreakevenResult(field, kpi, a, b, root, math.nan, math.nan, replications, current, at_current, at_capacity)
    ends = []
    for bound in (upper, lower):
        try:
            ends.append(_solve(bound, root, max_value))
        except _NoSignChange:  # the interval reaches past the searched range
            ends.append(0.0 if bound(0.0) * bound(root) <= 0 or bound(max_value) * bound(root) > 0 else max_value)
    ends.sort()
    return BreakevenResult(field, kpi, a, b, root, ends[0], ends[1], replications, current, at_current, at_capacity)


@dataclass(frozen=True)
class _Question:
    """What is solved for: the value of ``field`` at which ``kpi`` is equal for variants a and b."""

    kpi: str
    field: str
    a: str
    b: str
    replications: int
    at_capacity: bool

    def runs(self, scenario: Scenario, executor: dict[str, Any], keep: bool = True) -> RunSet:
        """Both variants' replications, at the scenario's volume or saturated."""
        if self.at_capacity:
            return saturated_runs(scenario, [self.a, self.b], self.replications, **executor)[0]
        return run(scenario, variants=[self.a, self.b], replications=self.replications, keep_results=keep, **executor)


def _repricing(runs: RunSet, q: _Question, reps: list[int] | None = None) -> Callable[[float], np.ndarray]:
    """Paired differences at a value of an economics field: the same runs, priced again."""
    reps = list(range(q.replications)) if reps is None else reps
    name = q.field.split(".", 1)[1]
    cache: dict[float, np.ndarray] = {}

    def diffs(x: float) -> np.ndarray:
        if x not in cache:
            values = {}
            for v in (q.a, q.b):
                econ = runs.summaries[(v, reps[0])].scenario.economics.model_copy(update={name: x})
                values[v] = np.array([_kpi(kpis_of(runs.summaries[(v, r)], econ), q.kpi) for r in reps])
            cache[x] = values[q.a] - values[q.b]
        return cache[x]

    return diffs


def _resimulating(base: Scenario, q: _Question, executor: dict[str, Any]) -> Callable[[float], np.ndarray]:
    """Paired differences at a value of any other field: every replication simulated again."""
    cache: dict[float, np.ndarray] = {}

    def diffs(x: float) -> np.ndarray:
        if x not in cache:
            scenario = base.with_overrides({q.field: x}, where="breakeven")
            runs = q.runs(scenario, executor, keep=False)
            df = runs.runs()
            if q.kpi not in df:
                raise ScenarioError(f"unknown KPI {q.kpi!r}; KPIs: {', '.join(sorted(df.columns))}", param="kpi")
            va = df[df["variant"] == q.a].sort_values("replication")[q.kpi].to_numpy(float)
            vb = df[df["variant"] == q.b].sort_values("replication")[q.kpi].to_numpy(float)
            cache[x] = va - vb
        return cache[x]

    return diffs


def _kpi(kpis: dict[str, float], name: str) -> float:
    if name not in kpis:
        raise ScenarioError(f"unknown KPI {name!r}; KPIs: {', '.join(sorted(kpis))}", param="kpi")
    return kpis[name]


def _field_value(scenario: Scenario, path: str) -> float:
    node = scenario.model_dump(mode="python")
    raw: dict = {}
    apply_overrides(raw, {path: 0.0}, where="breakeven")  # validates the path, with suggestions
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            raise ScenarioError(f"{path} is not a numeric field of the scenario", param="field")
        node = node[part]
    if not isinstance(node, (int, float)):
        raise ScenarioError(f"{path} is not a numeric field (it is {node!r})", param="field")
    return float(node)


class _NoSignChange(Exception):
    """The difference keeps its sign over the whole range searched."""


def _solve(f: Callable[[float], float], start: float, max_value: float) -> float:
    """A root of ``f`` on [0, max_value], bracketed outward from ``start``."""
    lo = hi = max(start, 0.0)
    f_lo = f_hi = f(lo)
    if f_lo == 0:
        return lo
    step = max(abs(start), 0.5)
    while f_lo * f_hi > 0:
        lo, hi = max(0.0, lo - step), min(max_value, hi + step)
        f_lo, f_hi = f(lo), f(hi)
        if f_lo * f_hi > 0 and lo == 0.0 and hi == max_value:
            raise _NoSignChange
        step *= 2
        if math.isnan(f_lo) or math.isnan(f_hi):
            raise ScenarioError("breakeven: the KPI is undefined at some values of the field")
    from scipy.optimize import brentq

    return float(brentq(f, lo, hi, xtol=1e-6))
