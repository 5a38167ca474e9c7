"""A run set: the runs of one scenario (variants x replications), their KPIs and their comparisons.

What ``sim.run`` returns and ``sim.load_results`` reads back from a results folder. Replication ``i``
of every variant shares its random numbers (common random numbers), so the paired differences of
``differences`` are the comparison to trust; the unpaired interval is shown beside it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..core.errors import ScenarioError
from ..core.stats import json_number, mean_ci, paired_difference
from ..model.bands import band_warnings, spill_warnings
from ..model.metrics import income_of, kpi_inputs, kpis_by_day, kpis_of, station_income_of
from ..model.run import RunResult, RunSummary
from ..scenario.schema import Scenario

__all__ = ["RunSet", "kpi_ci", "kpi_columns", "kpi_differences", "kpi_means", "kpi_row", "kpi_summary"]

_ID_COLUMNS = ("variant", "replication", "seed", "door_service_share")


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
                "mean": json_number(row.mean),
                "ci95": json_number(row.ci95),
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
        """The money line by line (earnings positive, costs negative), with ``net`` their sum, in two
        sections: ``courier`` (a courier's income per courier-day) and ``station`` (the station's
        per station-day); one row per section and kept (variant, replication). A line that is not
        the section's is empty."""
        rows = []
        for (variant, rep), result in self.summaries.items():
            inputs = kpi_inputs(result)
            for section, (money, per) in (
                ("courier", income_of(result.partial.courier, inputs)),
                ("station", station_income_of(result.partial.courier, inputs)),
            ):
                per_day = {k: v / per if per else math.nan for k, v in money.lines.items()}
                rows.append({"variant": variant, "replication": rep, "section": section, **per_day, "net": sum(per_day.values())})
        return pd.DataFrame(rows)

    def by_day(self) -> pd.DataFrame:
        """Every run day by day (``sim.model.metrics.DAY_COLUMNS``): volumes, couriers at work,
        parcels per courier and what was waiting at midnight; one row per variant, replication and day."""
        rows = [
            {"variant": variant, "replication": rep, **row}
            for (variant, rep), result in self.summaries.items()
            for row in kpis_by_day(result)
        ]
        return pd.DataFrame(rows)

    def by_weekday(self) -> pd.DataFrame:
        """``by_day`` over the measured days, averaged by variant and weekday (0 Monday ... 6 Sunday)
        over the days and replications that fall on it; ``days`` counts them."""
        return by_weekday(self.by_day())

    def result(self, variant: str, replication: int = 0) -> RunResult:
        try:
            return self.results[(variant, replication)]
        except KeyError:
            where = f"; its tables are in {self.tables_in} (sim.load_results reads them)" if self.tables_in else ""
            raise KeyError(f"no run kept in memory for variant {variant!r}, replication {replication}{where}") from None


# Aggregation of a runs table (one row per variant and replication, as ``kpis.csv`` holds it),
# shared by run sets in memory and results folders read back from disk.


def by_weekday(by_day: pd.DataFrame) -> pd.DataFrame:
    """A ``by_day`` table's measured days averaged by variant and weekday, with the number of days."""
    measured = by_day[by_day["measured"] == 1].drop(columns=["replication", "day", "measured"])
    grouped = measured.groupby(["variant", "weekday"], sort=False)
    out = grouped.mean().reset_index()
    out.insert(2, "days", grouped.size().to_numpy())
    variant_order = {v: i for i, v in enumerate(dict.fromkeys(by_day["variant"]))}
    order = np.lexsort((out["weekday"].to_numpy(), out["variant"].map(variant_order).to_numpy()))
    return out.iloc[order].reset_index(drop=True)


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
