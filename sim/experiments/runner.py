"""Running a scenario: every variant, one or more replications, with common random numbers.

Replication ``i`` of every variant uses the same random streams (``Streams(seed, i)``), so variants
see the same parcels, recipients and elevators, and their paired differences have narrow
confidence intervals; replications differ from each other. Runs go to an executor (this process,
a process pool or Dask); results do not depend on which.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import ScenarioError
from ..core.executors import Executor, make_executor, run_all
from ..model.metrics import HEADLINE_KPIS
from ..model.run import RunResult, RunSummary, TableSink, simulate, simulate_to, summary_of
from ..results.runset import RunSet, kpi_row
from ..results.tables import ParquetSink
from ..scenario.load import load_scenario
from ..scenario.schema import MAX_SEED, Scenario

if TYPE_CHECKING:
    pass

__all__ = ["Job", "check_variants", "compare", "prepare_scenario", "run", "run_job"]


@dataclass(frozen=True)
class Job:
    """One simulation: a variant of a scenario, one replication."""

    scenario: Scenario
    variant: str
    replication: int
    keep_result: bool = True  # ship the whole RunResult back, or only its summary
    sink: TableSink | None = None  # stream the tables to a results folder (then only the summary comes back)


def run_job(job: Job, executor: Executor | None = None) -> tuple[dict[str, Any], RunSummary]:
    """Run one job (its station areas on ``executor`` if given); module-level so that process
    pools and Dask workers can import it. Returns the KPI row and the result (or its summary)."""
    if job.sink is not None:
        summary = simulate_to(job.sink, job.scenario, job.variant, job.replication, executor)
        return kpi_row(summary), summary
    result = simulate(job.scenario, job.variant, job.replication, executor)
    return kpi_row(result), (result if job.keep_result else summary_of(result))


def run(
    scenario: Scenario | str | Path,
    *,
    seed: int | None = None,
    variants: Iterable[str] | None = None,
    replications: int = 1,
    overrides: dict[str, Any] | None = None,
    jobs: int = 1,
    scheduler: str | None = None,
    until_precision: float | None = None,
    max_replications: int = 200,
    keep_results: bool = True,
    tables_to: Path | None = None,
) -> RunSet:
    """Run the variants of a scenario (a ``Scenario`` or a YAML path) and compute their KPIs.

    ``until_precision=0.02`` keeps adding replications until every headline KPI's 95% half-width
    is within 2% of its mean (or ``max_replications`` is reached). ``tables_to`` streams every
    run's tables (tracking log, activity) into that results folder as each station area finishes
    and keeps only the runs' summaries: a city of any size runs in bounded memory
    (``write_bundle`` then completes the folder).
    """
    scenario = prepare_scenario(scenario, seed, overrides)
    if replications < 1:
        raise ScenarioError(f"must be at least 1 (got {replications})", param="replications")
    if until_precision is not None and not 0 < until_precision < 1:
        raise ScenarioError(f"must be a share in (0, 1) (got {until_precision})", param="until_precision")
    chosen = check_variants(scenario, variants)
    started = time.perf_counter()
    out = RunSet(scenario=scenario, variants=chosen, tables_in=tables_to)
    sink = ParquetSink(Path(tables_to), tuple(chosen)) if tables_to is not None else None
    with make_executor(jobs, scheduler) as executor:
        done = 0
        target = max(replications, 2) if until_precision is not None else replications
        while True:
            batch = [Job(scenario, v, rep, keep_results, sink) for rep in range(done, target) for v in chosen]
            if _by_station(scenario.stations.count, len(batch), executor.workers):
                outputs = [run_job(job, executor) for job in batch]
            else:
                outputs = run_all(executor, run_job, batch, label=f"replications {done + 1}-{target}")
            for row, result in outputs:
                out.kpi_rows.append(row)
                key = (row["variant"], row["replication"])
                out.summaries[key] = summary_of(result) if isinstance(result, RunResult) else result
                if isinstance(result, RunResult):
                    out.results[key] = result
            done = target
            if until_precision is None or done >= max_replications or _precise(out, until_precision):
                break
            target = min(max_replications, done + max(2, done // 2))
    out.kpi_rows.sort(key=lambda r: (r["replication"], chosen.index(r["variant"])))
    if until_precision is not None:
        out.precision_reached = _precise(out, until_precision)
    out.wall_time_s = time.perf_counter() - started
    return out


def _by_station(stations: int, runs: int, workers: int) -> bool:
    """Spread each run's station areas over the workers, one run after another, rather than whole
    runs? Yes when there are fewer runs than workers, or stations enough to keep every worker busy:
    whole runs of unequal length (door against locker) would leave a worker idle at the end.
    The results are the same either way."""
    return workers > 1 and stations > 1 and (runs < workers or stations >= workers)


def compare(scenario: Scenario | str | Path, a: str = "door", b: str = "locker", replications: int = 20, **kwargs) -> RunSet:
    """Paired comparison of two variants over ``replications`` (CRN). The result's ``differences()``
    gives a − b of every KPI with its paired and unpaired 95% CIs; ``plot_differences()`` draws them."""
    return run(scenario, variants=[a, b], replications=replications, keep_results=False, **kwargs)


def prepare_scenario(scenario: Scenario | str | Path, seed: int | None, overrides: dict[str, Any] | None) -> Scenario:
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario, overrides)
    elif overrides:
        raise ValueError("overrides apply to a scenario file; change a Scenario with model_copy or scenario_from_dict")
    if seed is not None:
        if not 0 <= seed <= MAX_SEED:
            raise ScenarioError(f"must be an integer within 0-{MAX_SEED} (got {seed})", param="seed")
        scenario = scenario.model_copy(update={"seed": int(seed)})
    return scenario


def check_variants(scenario: Scenario, variants: Iterable[str] | None) -> list[str]:
    chosen = list(variants) if variants is not None else list(scenario.variants)
    for v in chosen:
        if v not in scenario.variants:
            raise ScenarioError(f"{v!r} is not in the scenario; it has {', '.join(scenario.variants)}", param="variants")
    return chosen


def _precise(runs: RunSet, share: float) -> bool:
    """Is every headline KPI's half-width within ``share`` of its mean, for every variant?"""
    summary = runs.summary()
    head = summary[summary["kpi"].isin(HEADLINE_KPIS)]
    for row in head.itertuples(index=False):
        if math.isnan(row.mean) or math.isnan(row.ci95):
            continue  # undefined KPIs (e.g. no lead times) cannot get more precise
        if row.ci95 > share * abs(row.mean):
            return False
    return True
