"""A results folder read back, lazily: its scenario, KPIs, metadata, activity tables and the
curves its charts and report draw (read part by part, so a city's log is never in memory at once)."""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import yaml

from ..core.errors import ResultsError, ScenarioError
from ..core.units import SECONDS_PER_DAY
from ..model.curves import RunCurves
from ..model.tracking import events_from_arrow
from ..scenario.schema import Scenario, scenario_from_dict
from .bundle import require_complete
from .runset import kpi_ci, kpi_means
from .tables import run_parts, station_part

__all__ = ["Bundle"]


class Bundle:
    """A results folder written by ``parcelsim run``, read lazily."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = require_complete(folder)
        if not (self.folder / "kpis.csv").is_file() or not (self.folder / "events.parquet").exists():
            raise ResultsError(f"{self.folder}: not a parcelsim results folder (no kpis.csv / events.parquet)")
        self._curves: dict[tuple[str, int], RunCurves] = {}

    @cached_property
    def scenario(self) -> Scenario:
        try:
            raw = yaml.safe_load((self.folder / "scenario.resolved.yaml").read_text(encoding="utf-8"))
            return scenario_from_dict(raw, source=str(self.folder / "scenario.resolved.yaml"))
        except (OSError, ScenarioError) as exc:
            raise ResultsError(f"{self.folder}: cannot read scenario.resolved.yaml ({exc})") from None

    @cached_property
    def runs(self) -> pd.DataFrame:
        return pd.read_csv(self.folder / "kpis.csv")

    @property
    def variants(self) -> list[str]:
        return list(dict.fromkeys(self.runs["variant"]))

    def keep_curves(self, variant: str, replication: int, curves: RunCurves) -> None:
        """Curves the run worked out where its station areas ran: ``curves`` then need not read them."""
        self._curves[(variant, replication)] = curves

    def curves(self, variant: str, replication: int = 0) -> RunCurves:
        """What the per-event charts draw of one run, read part by part (a station area at a
        time in a streamed run), so a city's log is never in memory at once. Kept once read: the
        charts and the report of a run draw on the same curves."""
        kept = self._curves.get((variant, replication))
        if kept is not None:
            return kept
        curves = RunCurves.empty(self.scenario)
        index = self.variants_written.index(variant)
        for part in run_parts(self.folder / "events.parquet", index, replication):
            curves.add(events_from_arrow(pq.read_table(part, columns=_CURVE_COLUMNS)))
        self._curves[(variant, replication)] = curves
        return curves

    @cached_property
    def meta(self) -> dict:
        return json.loads((self.folder / "meta.json").read_text(encoding="utf-8"))

    @property
    def variants_written(self) -> list[str]:
        """Every variant of the folder, in the order its parts are numbered."""
        return list(self.meta["variants"])

    def event_parts(self, variant: str, replication: int) -> list[Path]:
        """The part files of one run's tracking log; ``ResultsError`` naming what the folder has
        when it holds no such run."""
        if variant not in self.variants_written:
            raise ResultsError(
                f"{variant!r} is not in {self.folder} (it has {', '.join(self.variants_written)})", param="variant"
            )
        parts = run_parts(self.folder / "events.parquet", self.variants_written.index(variant), replication)
        if not parts:
            reps = sorted(set(self.runs["replication"]))
            raise ResultsError(f"{replication} is not in {self.folder} (replications {reps[0]}-{reps[-1]})", param="replication")
        return parts

    def activity(
        self,
        name: str,
        replication: int | None = None,
        *,
        variant: str | None = None,
        courier: int | None = None,
        station: int | None = None,
    ) -> pd.DataFrame:
        """An activity table (tours, stops, days, returns, stop_parts, monitors), optionally only one
        replication's, variant's, courier's or station area's rows (Parquet's statistics let the
        reader skip the other station areas' parts)."""
        path = self.folder / f"{name}.parquet"
        if not path.exists():
            return pd.DataFrame()
        wanted = {"replication": replication, "variant": variant, "courier": courier, "station": station}
        filters = [(column, "=", value) for column, value in wanted.items() if value is not None]
        return pd.read_parquet(self.table_part(name, replication, variant, station), filters=filters or None)

    def shown_day(self) -> tuple[str, int, pd.DataFrame, pd.DataFrame]:
        """What the map, the Gantt chart and the replay show: the variant (door, else the first),
        the day (the first measured day with tours) and station area 0's tours and stops of
        replication 0 in it (all days; empty ones with the columns they are read by)."""
        variant = "door" if "door" in self.variants else self.variants[0]
        tours, stops = (_or_empty(self.activity(name, 0, variant=variant, station=0), name) for name in ("tours", "stops"))
        measured = tours[tours["day"] >= self.scenario.horizon.warmup_days]["day"]
        day = int(measured.min()) if len(measured) else self.scenario.horizon.warmup_days
        return variant, day, tours, stops

    def table_part(self, name: str, replication: int | None, variant: str | None, station: int | None) -> Path:
        """Where to read a table's rows of one station area and run: the one part file that holds
        them, where there is one (a streamed run: a part per area), else the whole table (to be
        filtered). A city has hundreds of parts, and skipping a part by its statistics still means
        opening it."""
        table = self.folder / f"{name}.parquet"
        if replication is None or variant is None or station is None or variant not in self.variants_written:
            return table
        return station_part(table, self.variants_written.index(variant), replication, station) or table

    def monitors(self) -> pd.DataFrame:
        return self.activity("monitors")

    def income_breakdown(self) -> pd.DataFrame:
        path = self.folder / "income_breakdown.csv"
        return pd.read_csv(path) if path.is_file() else pd.DataFrame()

    def by_day(self) -> pd.DataFrame:
        """The runs day by day (``by_day.csv``; empty for a folder written before it existed)."""
        path = self.folder / "by_day.csv"
        return pd.read_csv(path) if path.is_file() else pd.DataFrame()

    @property
    def window_s(self) -> tuple[float, float]:
        h = self.scenario.horizon
        return h.warmup_days * SECONDS_PER_DAY, h.days * SECONDS_PER_DAY

    def kpi_means(self) -> tuple[pd.DataFrame, pd.DataFrame | None]:
        """KPI means per variant and, with 2+ replications, their 95% half-widths."""
        return kpi_means(self.runs), (kpi_ci(self.runs) if self.runs["replication"].nunique() > 1 else None)


def _or_empty(table: pd.DataFrame, name: str) -> pd.DataFrame:
    """The table, or an empty one with the columns the charts and the replay read (no courier rode)."""
    if len(table):
        return table
    columns = {
        "tours": ["courier", "day", "start_s", "depart_s", "return_s", "end_s"],
        "stops": ["courier", "arrive_s", "depart_s", "place", "ride_s"],
    }
    return pd.DataFrame({c: pd.Series(dtype=float) for c in columns[name]})


_CURVE_COLUMNS = ["time_s", "parcel", "status", "courier", "place", "station", "detail", "service"]
