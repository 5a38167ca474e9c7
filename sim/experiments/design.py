"""Designing the pick-up network by simulation: search a design space, then rank the best few.

Every design is simulated with the same replications, so with the same random numbers (common
random numbers): designs differ in their results only because they differ. The search is Optuna's
(TPE with constraints: sample-efficient where a design costs seconds of simulation, it takes
whole-number and listed values as they are, and it handles infeasible designs without a penalty
to tune; a space no larger than the budget is searched exhaustively by its grid sampler instead).
Designs are evaluated one after another in the optimiser's order, each design's replications on
the executor, so results are the same with one process, a pool or Dask.

Then ranking and selection: the best feasible designs of the search and the scenario's own layout
are run again with more replications, ranked, and the winner compared with the runner-up and the
own layout by paired differences with 95% confidence intervals.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from ..core.errors import ScenarioError
from ..core.executors import Executor, make_executor, run_all
from ..core.stats import mean_ci, paired_difference
from ..scenario.design import COST_KPI, DesignSpec, parse_constraint
from ..scenario.schema import Scenario
from .runner import Job, run_job
from .staffing import Target

__all__ = ["Design", "DesignResult", "design_network", "own_layout"]


@dataclass(eq=False)  # compared by identity: one object per run of a design (the evaluator caches them)
class Design:
    """One design and what its replications gave."""

    number: int
    values: dict[str, Any]
    source: str  # "search", "own layout", or "final" (a finalist's or the own layout's longer run)
    kpis: dict[str, float]  # means over replications, the monthly cost included
    objective: np.ndarray  # the objective per replication (paired across designs)
    violations: list[str] = field(default_factory=list)
    ci95: dict[str, float] = field(default_factory=dict)

    @property
    def feasible(self) -> bool:
        return not self.violations


@dataclass(frozen=True)
class Comparison:
    """A paired difference of the objective between two designs (a − b) over the same replications."""

    a: int
    b: int
    mean: float
    ci95: float
    better: bool  # is a better than b, the 95% interval excluding 0?

    def as_dict(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, "mean": self.mean, "ci95": self.ci95, "a_better": self.better}


@dataclass
class DesignResult:
    """The search and its final ranking."""

    spec: DesignSpec
    searched: list[Design]
    own: Design  # the scenario's own layout, in the search's replications
    final: list[Design]  # finalists and the own layout, run again with more replications, best first
    chosen: Design
    versus_runner_up: Comparison | None
    versus_own: Comparison | None
    scenario: Scenario  # the chosen design as a scenario
    wall_time_s: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        def one(d: Design) -> dict[str, Any]:
            return {
                "number": d.number,
                "source": d.source,
                "values": d.values,
                "feasible": d.feasible,
                "violations": d.violations,
                "kpis": d.kpis,
                "ci95": d.ci95,
            }

        return {
            "objective": self.spec.objective,
            "constraints": list(self.spec.constraints),
            "chosen": one(self.chosen),
            "own_layout": one(self.own),
            "final": [one(d) for d in self.final],
            "versus_runner_up": self.versus_runner_up.as_dict() if self.versus_runner_up else None,
            "versus_own_layout": self.versus_own.as_dict() if self.versus_own else None,
            "searched": len(self.searched),
            "wall_time_s": self.wall_time_s,
        }


Progress = Callable[[Design, "Design | None"], None]


def design_network(
    scenario: Scenario,
    spec: DesignSpec,
    *,
    jobs: int | None = 1,
    scheduler: str | None = None,
    progress: Progress | None = None,
) -> DesignResult:
    """Search ``spec``'s design space for ``scenario`` and rank the best designs (see the module)."""
    started = time.perf_counter()
    _check(scenario, spec)
    with make_executor(jobs, scheduler) as executor:
        evaluate = _Evaluator(scenario, spec, executor)
        own = evaluate(own_layout(scenario, spec), spec.replications, "own layout")
        _check_kpis(own, spec)
        searched = _search(spec, evaluate, progress)
        feasible = [d for d in searched if d.feasible]
        if not feasible:
            raise ScenarioError(
                f"no design of the {len(searched)} evaluated meets {', '.join(spec.constraints)}; "
                "widen the space or relax the constraints",
                param="constraints",
            )
        best = sorted(feasible, key=lambda d: _rank_key(spec, d))[: spec.finalists]
        final = [evaluate(d.values, spec.final_replications, "final") for d in best]
        own_final = evaluate(own.values, spec.final_replications, "final")
    ranked = sorted([d for d in final if d.feasible], key=lambda d: _rank_key(spec, d)) or sorted(
        final, key=lambda d: _rank_key(spec, d)
    )
    chosen = ranked[0]
    runner_up = ranked[1] if len(ranked) > 1 else None
    # The own layout may be a finalist itself: one row for it.
    final_all = sorted([*final, *([] if own_final in final else [own_final])], key=lambda d: (not d.feasible, _rank_key(spec, d)))
    return DesignResult(
        spec=spec,
        searched=searched,
        own=own,
        final=final_all,
        chosen=chosen,
        versus_runner_up=_compare(spec, chosen, runner_up) if runner_up else None,
        versus_own=_compare(spec, chosen, own_final) if own_final.values != chosen.values else None,
        scenario=scenario.with_overrides(chosen.values, where="design"),
        wall_time_s=time.perf_counter() - started,
    )


# --- evaluating a design ------------------------------------------------------------------------


class _Evaluator:
    """Simulates designs (cached: the optimiser may propose one twice) and prices them."""

    def __init__(self, scenario: Scenario, spec: DesignSpec, executor: Executor) -> None:
        self.scenario, self.spec, self.executor = scenario, spec, executor
        self._numbers: dict[tuple[Any, ...], int] = {}  # a design keeps its number in every run of it
        self._seen: dict[tuple[Any, ...], Design] = {}

    def __call__(self, values: dict[str, Any], replications: int, source: str) -> Design:
        which = tuple(values.items())
        key = (source == "final", replications, *which)
        if key in self._seen:
            return self._seen[key]
        number = self._numbers.setdefault(which, len(self._numbers))
        try:
            candidate = self.scenario.with_overrides(values, where="design")
        except ScenarioError as exc:  # a combination the scenario refuses (no slot at all): no design
            refused = Design(number, dict(values), source, {}, np.full(replications, math.nan), [f"refused: {exc.detail}"])
            self._seen[key] = refused
            return refused
        variant = self.spec.variant
        batch = [Job(candidate, variant, rep, keep_result=False) for rep in range(replications)]
        rows = [row for row, _ in run_all(self.executor, run_job, batch, label="design replications")]
        fixed, per_parcel = _monthly_cost(candidate.resolved(variant), self.spec)
        for row in rows:
            parcels = _number(row.get("pickup_station_parcels_per_day"))
            row[COST_KPI] = fixed + per_parcel * (0.0 if parcels != parcels else parcels)
        names = [  # the KPIs: numbers, or None where undefined in a replication
            k for k in rows[0] if k != "replication" and all(r.get(k) is None or isinstance(r.get(k), int | float) for r in rows)
        ]
        kpis, ci = {}, {}
        for k in names:
            mean, half, _ = mean_ci(np.array([_number(r.get(k)) for r in rows]))
            kpis[k], ci[k] = mean, half
        design = Design(
            number=number,
            values=dict(values),
            source=source,
            kpis=kpis,
            objective=np.array([_number(r.get(self.spec.objective_kpi)) for r in rows]),
            ci95=ci,
        )
        design.violations = [
            f"{t} (got {kpis[t.kpi]:.4g})"
            for t in (Target(*parse_constraint(c)) for c in self.spec.constraints)
            if not t.met(kpis[t.kpi])
        ]
        self._seen[key] = design
        return design


def _number(value: Any) -> float:
    """A KPI of a row as a float (None, for undefined, as NaN)."""
    return math.nan if value is None else float(value)


def _monthly_cost(resolved: Scenario, spec: DesignSpec) -> tuple[float, float]:
    """(fixed yuan a month, yuan a month per our parcel a day per 驿站) of a design's districts."""
    from ..world.districts import build_city

    costs = spec.costs
    slot = np.array([costs.slot_per_month_yuan[s] for s in ("S", "M", "L")])
    fixed, stations = 0.0, 0
    for i in range(resolved.stations.count):
        city = build_city(resolved.city, resolved.station, resolved.seed, i)
        banks = len(city.bank_place)
        fixed += banks * costs.bank_per_month_yuan + float((city.locker_slots.sum(axis=0) * slot).sum())
        fixed += len(city.pickup_place) * costs.pickup_station_per_month_yuan
        stations += len(city.pickup_place)
    return fixed, stations * costs.days_per_month * costs.pickup_station_per_parcel_yuan


# --- the search ---------------------------------------------------------------------------------


def _search(spec: DesignSpec, evaluate: _Evaluator, progress: Progress | None) -> list[Design]:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    grids = {name: _typed(choice.values()) for name, choice in spec.space.items()}
    exhaustive = spec.size() <= spec.budget
    if exhaustive:
        sampler: optuna.samplers.BaseSampler = optuna.samplers.GridSampler(grids, seed=spec.seed)
    else:
        sampler = optuna.samplers.TPESampler(seed=spec.seed)
    direction: Literal["minimize", "maximize"] = "minimize" if spec.sense == "minimise" else "maximize"
    study = optuna.create_study(direction=direction, sampler=sampler)
    searched: list[Design] = []
    best: list[Design] = []
    targets = [Target(*parse_constraint(c)) for c in spec.constraints]

    def objective(trial: optuna.Trial) -> float:
        values = {name: trial.suggest_categorical(name, grid) for name, grid in grids.items()}
        design = evaluate(values, spec.replications, "search")
        if design not in searched:
            searched.append(design)
        for i, target in enumerate(targets):  # Optuna's convention: a constraint value <= 0 is met
            trial.set_constraint(f"{i}:{target}", _excess(target, design.kpis.get(target.kpi, math.nan)))
        if design.feasible and (not best or _rank_key(spec, design) < _rank_key(spec, best[0])):
            best[:] = [design]
        if progress is not None:
            progress(design, best[0] if best else None)
        value = design.kpis.get(spec.objective_kpi, math.nan)
        return value if value == value else math.inf * (1 if direction == "minimize" else -1)

    study.optimize(objective, n_trials=min(spec.budget, spec.size()) if exhaustive else spec.budget)
    return searched


def _excess(target: Target, value: float) -> float:
    if value != value:
        return 1.0
    return target.value - value if target.op == ">=" else value - target.value


def _typed(values: list[float]) -> list[Any]:
    """Whole numbers as ints (slot counts), the rest as floats: as the scenario file would have them."""
    return [int(v) if float(v).is_integer() else float(v) for v in values]


def _rank_key(spec: DesignSpec, d: Design) -> float:
    value = d.kpis.get(spec.objective_kpi, math.nan)
    if value != value:
        return math.inf
    return value if spec.sense == "minimise" else -value


def _compare(spec: DesignSpec, a: Design, b: Design) -> Comparison:
    diff = paired_difference(a.objective, b.objective)
    mean, half = diff["mean"], diff["ci95"]
    half = 0.0 if half != half else half  # a deterministic objective (a fixed cost): no spread
    better = (mean + half < 0) if spec.sense == "minimise" else (mean - half > 0)
    return Comparison(a.number, b.number, mean, half, better)


# --- checks ---------------------------------------------------------------------------------


def own_layout(scenario: Scenario, spec: DesignSpec) -> dict[str, Any]:
    """The space's fields as the scenario has them (its own layout)."""
    tree = scenario.resolved(spec.variant).model_dump()
    out = {}
    for path in spec.space:
        node: Any = tree
        for key in path.split("."):
            node = node[key]
        out[path] = node
    return out


def _check(scenario: Scenario, spec: DesignSpec) -> None:
    """Bad spaces fail before any simulation: an unknown variant, a field that does not exist, a
    value the scenario refuses (a negative slot count)."""
    if spec.variant not in scenario.variants:
        raise ScenarioError(
            f"variant {spec.variant!r} is not in the scenario; variants: {', '.join(scenario.variants)}", param="variant"
        )
    for path, choice in spec.space.items():
        values = _typed(choice.values())
        for value in (values[0], values[-1]):
            try:
                scenario.with_overrides({path: value}, where="design space").resolved(spec.variant)
            except ScenarioError as exc:
                raise ScenarioError(f"space.{path}: {value!r} is not allowed: {exc}", param="space") from None


def _check_kpis(own: Design, spec: DesignSpec) -> None:
    unknown = [k for k in spec.kpis_named() if k not in own.kpis]
    if unknown:
        shown = ", ".join(sorted(k for k in own.kpis if k != "replication"))
        raise ScenarioError(f"{unknown[0]!r} is no KPI; KPIs: {COST_KPI}, {shown}", param="objective")
