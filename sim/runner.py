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
from dataclasses import dataclass, field, fields
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from .bands import band_warnings, spill_warnings
from .errors import ScenarioError
from .executors import Executor, make_executor, run_all
from .metrics import HEADLINE_KPIS, income_of, kpi_inputs, kpis_of
from .model import RunResult, RunSummary, simulate, simulate_to
from .scenario import MAX_SEED, Scenario, load_scenario
from .stats import mean_ci, paired_difference
from .tables import TableSink

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["Job", "RunSet", "check_variants", "compare", "kpi_row", "prepare_scenario", "run", "run_job", "summary_of"]

_ID_COLUMNS = ("variant", "replication", "seed", "door_service_share")


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


def summary_of(result: RunSummary) -> RunSummary:
    """A run's summary alone, without its tables."""
    return RunSummary(**{f.name: getattr(result, f.name) for f in fields(RunSummary)})


def kpi_row(result: RunSummary) -> dict[str, Any]:
    """One row of ``kpis.csv``: the run's identity, then every KPI."""
    row: dict[str, Any] = {
        "variant": result.variant,
        "replication": result.replication,
        "seed": result.scenario.seed,
        "door_service_share": result.door_service_share,
    }
    row.update(kpis_of(result))
    return row


@dataclass
class RunSet:
    """The runs of one scenario: their KPIs, every run's summary, and the runs kept in memory
    (``results[(variant, replication)]``)."""

    scenario: Scenario
    variants: list[str]
    results: dict[tuple[str, int], RunResult] = field(default_factory=dict)
    summaries: dict[tuple[str, int], RunSummary] = field(default_factory=dict)
    tables_in: Path | None = None  # the results folder the runs streamed their tables to
    kpi_rows: list[dict[str, Any]] = field(default_factory=list)
    wall_time_s: float = 0.0
    precision_reached: bool | None = None  # with until_precision: did every headline KPI get there?

    @property
    def replications(self) -> int:
        return len({row["replication"] for row in self.kpi_rows})

    def runs(self) -> pd.DataFrame:
        """One row per (variant, replication), every KPI a column."""
        return pd.DataFrame(self.kpi_rows)

    def kpis(self) -> pd.DataFrame:
        """KPIs per variant (mean over replications): one row per variant, one column per KPI."""
        return kpi_means(self.runs())

    def ci(self) -> pd.DataFrame:
        """95% confidence half-widths of the KPI means (NaN with one replication)."""
        return kpi_ci(self.runs())

    def summary(self) -> pd.DataFrame:
        """Long table: variant, kpi, mean, ci95, n."""
        return kpi_summary(self.runs())

    def differences(self, pairs: Iterable[tuple[str, str]] | None = None) -> pd.DataFrame:
        """Paired differences a − b of every KPI over replications (common random numbers), with
        the paired 95% CI and, for comparison, the unpaired one. ``pairs`` gives each (a, b) in the
        direction wanted; by default every pair of variants in the scenario's order."""
        chosen = list(pairs) if pairs is not None else list(combinations(self.variants, 2))
        for a, b in chosen:
            for v in (a, b):
                if v not in self.variants:
                    raise ScenarioError(f"{v!r} is not among the variants run ({', '.join(self.variants)})", param="pairs")
            if a == b:
                raise ScenarioError(f"({a}, {b}) compares a variant with itself", param="pairs")
        return kpi_differences(self.runs(), chosen)

    def __repr__(self) -> str:
        return (
            f"RunSet(scenario={self.scenario.name!r}, variants={self.variants}, replications={self.replications}, "
            f"kept_results={len(self.results)}, wall_time_s={self.wall_time_s:.1f})"
        )

    def kpis_by_variant(self) -> dict[str, dict[str, dict[str, float | int | None]]]:
        """What ``kpis.json`` holds: ``{variant: {kpi: {"mean": m, "ci95": h, "n": n}}}``, the same
        shape for any number of replications (``ci95`` is null with one)."""
        out: dict[str, dict[str, dict[str, float | int | None]]] = {}
        for row in self.summary().itertuples(index=False):
            out.setdefault(str(row.variant), {})[str(row.kpi)] = {
                "mean": _plain(row.mean),
                "ci95": _plain(row.ci95),
                "n": int(row.n),
            }
        return out

    def warnings(self) -> list[str]:
        """KPIs outside their real-world band (sources named) and work or parcels spilling past the
        measured days, for the variants' mean KPIs."""
        means = {str(v): row.to_dict() for v, row in self.kpis().iterrows()}
        return self._district_notes() + spill_warnings(means) + band_warnings(means)

    def _district_notes(self) -> list[str]:
        """What a real district's import had to assume, once per distinct district."""
        notes: list[str] = []
        for summary in self.summaries.values():
            notes += [f"district: {note}" for note in summary.city_summary.get("notes", []) if f"district: {note}" not in notes]
        return notes

    def income_breakdown(self) -> pd.DataFrame:
        """Couriers' income per courier-day, line by line (earnings positive, costs negative), with
        ``net`` their sum: one row per kept (variant, replication)."""
        rows = []
        for (variant, rep), result in self.summaries.items():
            income, courier_days = income_of(result.partial.courier, kpi_inputs(result))
            per_day = {k: v / courier_days if courier_days else math.nan for k, v in income.lines.items()}
            rows.append({"variant": variant, "replication": rep, **per_day, "net": sum(per_day.values())})
        return pd.DataFrame(rows)

    def result(self, variant: str, replication: int = 0) -> RunResult:
        try:
            return self.results[(variant, replication)]
        except KeyError:
            where = f"; its tables are in {self.tables_in} (sim.load_results reads them)" if self.tables_in else ""
            raise KeyError(f"no run kept in memory for variant {variant!r}, replication {replication}{where}") from None

    def plot_comparison(self) -> Figure:
        """Door vs locker (and other variants): throughput, hours and income, with 95% CIs."""
        from .plots import variant_comparison

        return variant_comparison(self.kpis(), self.ci() if self.replications > 1 else None)

    def plot_differences(self, a: str | None = None, b: str | None = None, kpis: tuple[str, ...] = HEADLINE_KPIS) -> Figure:
        """Paired differences a − b of the headline KPIs with their 95% CIs (needs 2+ replications)."""
        from .plots import paired_differences

        a = a or self.variants[0]
        b = b or self.variants[1]
        return paired_differences(self.differences([(a, b)]), kpis)


# Aggregation of a runs table (one row per variant and replication, as ``kpis.csv`` holds it),
# shared by run sets in memory and results folders read back from disk.


def kpi_columns(runs: pd.DataFrame) -> list[str]:
    return [c for c in runs.columns if c not in _ID_COLUMNS]


def kpi_means(runs: pd.DataFrame) -> pd.DataFrame:
    """Mean of every KPI per variant: one row per variant."""
    return runs[["variant", *kpi_columns(runs)]].groupby("variant", sort=False).mean()


def kpi_ci(runs: pd.DataFrame) -> pd.DataFrame:
    """95% half-width of every KPI mean per variant (NaN with one replication)."""
    groups = runs.groupby("variant", sort=False)
    return pd.DataFrame({v: {k: mean_ci(g[k].to_numpy(float))[1] for k in kpi_columns(runs)} for v, g in groups}).T


def kpi_summary(runs: pd.DataFrame) -> pd.DataFrame:
    """Long table: variant, kpi, mean, ci95, n."""
    rows = []
    for v, g in runs.groupby("variant", sort=False):
        for k in kpi_columns(runs):
            m, h, n = mean_ci(g[k].to_numpy(float))
            rows.append({"variant": v, "kpi": k, "mean": m, "ci95": h, "n": n})
    return pd.DataFrame(rows)


def kpi_differences(runs: pd.DataFrame, pairs: list[tuple[str, str]]) -> pd.DataFrame:
    """Paired differences a − b of every KPI, replication by replication, with paired and unpaired CIs."""
    rows = []
    for a, b in pairs:
        ga = runs[runs["variant"] == a].sort_values("replication")
        gb = runs[runs["variant"] == b].sort_values("replication")
        if list(ga["replication"]) != list(gb["replication"]):
            raise ValueError(f"variants {a} and {b} do not have the same replications")
        for k in kpi_columns(runs):
            d = paired_difference(ga[k].to_numpy(float), gb[k].to_numpy(float))
            rows.append({"a": a, "b": b, "kpi": k, **d})
    return pd.DataFrame(rows)


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
    sink = TableSink(Path(tables_to), tuple(chosen)) if tables_to is not None else None
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


def _plain(x: Any) -> float | int | None:
    """Numbers for JSON: ints stay ints, NaN becomes null."""
    x = float(x)
    if x != x:
        return None
    return int(x) if x.is_integer() and abs(x) < 2**53 else x
