"""Running a scenario: every variant, one or more replications, with common random numbers.

Replication ``i`` of every variant uses the same random streams (``Streams(seed, i)``), so variants
see the same parcels, recipients and elevators; replications differ from each other.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import ScenarioError
from .metrics import kpis_of
from .model import RunResult, simulate
from .scenario import Scenario, load_scenario

__all__ = ["RunSet", "run"]


@dataclass
class RunSet:
    """The runs of one scenario: ``results[(variant, replication)]`` plus their KPIs."""

    scenario: Scenario
    results: dict[tuple[str, int], RunResult] = field(default_factory=dict)
    kpi_rows: list[dict[str, Any]] = field(default_factory=list)
    wall_time_s: float = 0.0

    @property
    def variants(self) -> list[str]:
        return list(dict.fromkeys(v for v, _ in self.results))

    @property
    def replications(self) -> int:
        return len({r for _, r in self.results})

    def runs(self) -> pd.DataFrame:
        """One row per (variant, replication), every KPI a column."""
        return pd.DataFrame(self.kpi_rows)

    def kpis(self) -> pd.DataFrame:
        """KPIs per variant (mean over replications): one row per variant, one column per KPI."""
        df = self.runs().drop(columns=["replication", "seed", "door_share"])
        return df.groupby("variant", sort=False).mean()

    def kpis_by_variant(self) -> dict[str, dict[str, float]]:
        """``{variant: {kpi: number}}`` as written to ``kpis.json``."""
        return {v: {k: _plain(x) for k, x in row.items()} for v, row in self.kpis().iterrows()}

    def result(self, variant: str, replication: int = 0) -> RunResult:
        try:
            return self.results[(variant, replication)]
        except KeyError:
            raise KeyError(f"no run for variant {variant!r}, replication {replication}") from None


def run(
    scenario: Scenario | str | Path,
    *,
    seed: int | None = None,
    variants: Iterable[str] | None = None,
    replications: int = 1,
    overrides: dict[str, Any] | None = None,
) -> RunSet:
    """Run the variants of a scenario (a ``Scenario`` or a YAML path) and compute their KPIs."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario, overrides)
    elif overrides:
        raise ValueError("overrides apply to a scenario file; change a Scenario with model_copy or scenario_from_dict")
    if seed is not None:
        if seed < 0:
            raise ScenarioError(f"seed: must be a non-negative integer (got {seed})")
        scenario = scenario.model_copy(update={"seed": int(seed)})
    if replications < 1:
        raise ScenarioError(f"replications: must be at least 1 (got {replications})")
    chosen = list(variants) if variants is not None else list(scenario.variants)
    for v in chosen:
        if v not in scenario.variants:
            raise ScenarioError(f"variant {v!r} is not in the scenario; it has {', '.join(scenario.variants)}")
    started = time.perf_counter()
    out = RunSet(scenario=scenario)
    for rep in range(replications):
        for v in chosen:
            result = simulate(scenario, v, rep)
            out.results[(v, rep)] = result
            out.kpi_rows.append(
                {"variant": v, "replication": rep, "seed": scenario.seed, "door_share": result.door_share, **kpis_of(result)}
            )
    out.wall_time_s = time.perf_counter() - started
    return out


def _plain(x: Any) -> float | int | None:
    """Numbers for JSON: ints stay ints, NaN becomes null."""
    x = float(x)
    if x != x:
        return None
    return int(x) if x.is_integer() and abs(x) < 2**53 else x
