"""The chart gallery of a results folder: every chart that applies, drawn from the files alone.

``parcelsim run`` writes its charts through this module too, so a folder's charts can always be
regenerated (``parcelsim plot RESULTS_DIR``) and look the same.
"""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import yaml
from matplotlib.figure import Figure

from . import plots
from .districts import build_city
from .errors import ResultsError, ScenarioError
from .metrics import (
    HEADLINE_KPIS,
    courier_days_measured,
    dispatch_times_h,
    lead_times_h,
    locker_changes,
    station_backlog_changes,
)
from .partials import COURIER_DROPS
from .results import require_complete
from .runner import kpi_ci, kpi_differences, kpi_means
from .scenario import Scenario, scenario_from_dict
from .tables import run_parts
from .tracking import EventTable, events_from_arrow
from .units import SECONDS_PER_DAY, SECONDS_PER_HOUR

__all__ = ["Bundle", "RunCurves", "gallery", "save_gallery"]


class Bundle:
    """A results folder written by ``parcelsim run``, read lazily."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = require_complete(folder)
        if not (self.folder / "kpis.csv").is_file() or not (self.folder / "events.parquet").exists():
            raise ResultsError(f"{self.folder}: not a parcelsim results folder (no kpis.csv / events.parquet)")

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

    def curves(self, variant: str, replication: int = 0) -> RunCurves:
        """What the per-event charts draw of one run, read part by part (a station area at a
        time in a streamed run), so a city's log is never in memory at once."""
        curves = RunCurves.empty(self.scenario)
        index = self.variants_written.index(variant)
        for part in run_parts(self.folder / "events.parquet", index, replication):
            curves.add(events_from_arrow(pq.read_table(part, columns=_CURVE_COLUMNS)))
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
            raise ResultsError(f"--variant {variant!r}: not in {self.folder} (it has {', '.join(self.variants_written)})")
        parts = run_parts(self.folder / "events.parquet", self.variants_written.index(variant), replication)
        if not parts:
            reps = sorted(set(self.runs["replication"]))
            raise ResultsError(f"--replication {replication}: not in {self.folder} (replications {reps[0]}-{reps[-1]})")
        return parts

    def activity(self, name: str, replication: int | None = None, *, variant: str | None = None,
                 courier: int | None = None) -> pd.DataFrame:  # fmt: skip
        """An activity table (tours, stops, days, returns, stop_parts, monitors), optionally only one
        replication's, variant's or courier's rows."""
        path = self.folder / f"{name}.parquet"
        if not path.exists():
            return pd.DataFrame()
        wanted = {"replication": replication, "variant": variant, "courier": courier}
        filters = [(column, "=", value) for column, value in wanted.items() if value is not None]
        return pd.read_parquet(path, filters=filters or None)

    def monitors(self) -> pd.DataFrame:
        return self.activity("monitors")

    def income_breakdown(self) -> pd.DataFrame:
        path = self.folder / "income_breakdown.csv"
        return pd.read_csv(path) if path.is_file() else pd.DataFrame()

    @property
    def window_s(self) -> tuple[float, float]:
        h = self.scenario.horizon
        return h.warmup_days * SECONDS_PER_DAY, h.days * SECONDS_PER_DAY

    def kpi_means(self) -> tuple[pd.DataFrame, pd.DataFrame | None]:
        """KPI means per variant and, with 2+ replications, their 95% half-widths."""
        return kpi_means(self.runs), (kpi_ci(self.runs) if self.runs["replication"].nunique() > 1 else None)


def gallery(bundle: Bundle) -> dict[str, Figure]:
    """Every chart that applies to the folder (per-event charts use replication 0)."""
    sc = bundle.scenario
    variants = bundle.variants
    curves = {v: bundle.curves(v, 0) for v in variants}
    tours, stops = bundle.activity("tours", 0), bundle.activity("stops", 0)
    charts: dict[str, Figure] = {}
    if len(tours) > 0:
        means, ci = bundle.kpi_means()
        charts["variant_comparison"] = plots.variant_comparison(means, ci)
        measured = (sc.horizon.warmup_days, sc.horizon.days)
        counted = {v: courier_days_measured(c.drops_per_day, measured, sc.upstream is not None) for v, c in curves.items()}
        days = bundle.activity("days", 0)
        first_days = _on_days(days, days["day"].to_numpy(), counted)
        first_tours = _on_days(tours, tours["day"].to_numpy(), counted)
        first_stops = _on_days(stops, (stops["arrive_s"] // SECONDS_PER_DAY).to_numpy(), counted)
        if len(first_days):
            charts["courier_time_breakdown"] = plots.courier_time_breakdown(first_tours, first_stops, first_days)
        breakdown = bundle.income_breakdown()
        if len(breakdown):
            charts["income_breakdown"] = plots.income_breakdown(breakdown)
        charts["lead_time_ecdf"] = plots.lead_time_ecdf({v: c.lead_h for v, c in curves.items()})
        charts["locker_occupancy"] = plots.locker_occupancy(
            {v: c.locker_level() for v, c in curves.items()}, bundle.meta["locker_slots"]
        )
        charts["station_backlog"] = plots.station_backlog({v: c.backlog_level() for v, c in curves.items()}, _bursts(sc))
        variant = "door" if "door" in variants else variants[0]
        charts["district_map"], charts["courier_gantt"] = _courier_charts(bundle, tours, stops, variant)
        if bundle.runs["replication"].nunique() > 1 and len(variants) > 1:
            charts["paired_differences"] = plots.paired_differences(
                kpi_differences(bundle.runs, [(variants[0], variants[1])]), HEADLINE_KPIS
            )
    if sc.upstream is not None:
        mon = bundle.monitors()
        backlog = {}
        for v in variants:
            m = mon[(mon["variant"] == v) & (mon["replication"] == 0) & (mon["monitor"] == "backlog")]
            t, y = m["time_s"].to_numpy(), m["value"].to_numpy()
            backlog[v] = (np.append(t, (sc.horizon.days + sc.horizon.drain_days) * SECONDS_PER_DAY), np.append(y, y[-1]))
        charts["backlog_over_time"] = plots.backlog_over_time(backlog, _bursts(sc))
        charts["dispatch_time_ecdf"] = plots.dispatch_time_ecdf({v: c.dispatch_h for v, c in curves.items()})
        charts["dispatch_shares"] = plots.dispatch_shares(bundle.kpi_means()[0])
    return charts


_CURVE_COLUMNS = ["time_s", "parcel", "status", "courier", "place", "station", "detail", "service"]


class RunCurves:
    """The per-event charts' data of one run, added up part by part: courier drops per day, lead
    and dispatch times (every parcel's, for exact ECDFs), and the locker and station backlog
    levels sampled at ``plots.CHART_POINTS`` instants (net changes summed per interval)."""

    def __init__(self, days: int, window_s: tuple[float, float]) -> None:
        self.window_s = window_s
        self.drops_per_day = np.zeros(days + 1)
        self.edges = np.linspace(0.0, days * SECONDS_PER_DAY, plots.CHART_POINTS + 1)
        self._locker = np.zeros(plots.CHART_POINTS)
        self._backlog = np.zeros(plots.CHART_POINTS)
        self._lead: list[np.ndarray] = []
        self._dispatch: list[np.ndarray] = []

    @staticmethod
    def empty(sc: Scenario) -> RunCurves:
        h = sc.horizon
        return RunCurves(h.days + h.drain_days, (h.warmup_days * SECONDS_PER_DAY, h.days * SECONDS_PER_DAY))

    def add(self, events: EventTable) -> None:
        """Add one part of the run's log (its parcels in no other part)."""
        if not len(events):
            return
        events = events.with_parcels(events.parcel - events.parcel.min())  # arrays per parcel span this part only
        n = int(events.parcel.max()) + 1
        days = len(self.drops_per_day) - 1
        drops = np.isin(events.status, COURIER_DROPS) & (events.courier >= 0)
        day = np.minimum(events.time_s[drops] // SECONDS_PER_DAY, days).astype(np.int64)
        self.drops_per_day += np.bincount(day, minlength=days + 1)
        self._lead.append(lead_times_h(events, n, self.window_s))
        self._dispatch.append(dispatch_times_h(events, n, self.window_s))
        self._locker += self._binned(*locker_changes(events))
        self._backlog += self._binned(*station_backlog_changes(events))

    def _binned(self, times: np.ndarray, changes: np.ndarray) -> np.ndarray:
        """Net changes per interval (times at the horizon fall in the last one)."""
        bins = len(self.edges) - 1
        index = np.minimum((times / self.edges[-1] * bins).astype(np.int64), bins - 1)
        return np.bincount(index, weights=changes, minlength=bins)

    @property
    def lead_h(self) -> np.ndarray:
        return np.concatenate(self._lead) if self._lead else np.zeros(0)

    @property
    def dispatch_h(self) -> np.ndarray:
        return np.concatenate(self._dispatch) if self._dispatch else np.zeros(0)

    def locker_level(self) -> tuple[np.ndarray, np.ndarray]:
        """Parcels in all lockers at the end of each interval."""
        return self.edges[1:], np.cumsum(self._locker)

    def backlog_level(self) -> tuple[np.ndarray, np.ndarray]:
        """Parcels at the stations, not yet delivered, at the end of each interval."""
        return self.edges[1:], np.cumsum(self._backlog)


def save_gallery(folder: str | Path) -> list[Path]:
    """Draw every chart of a results folder into its ``charts/``; returns the files written."""
    folder = Path(folder)
    if (folder / "sweep.csv").is_file() and not (folder / "kpis.csv").is_file():
        return _save_sweep_charts(folder)
    return plots.save_charts(gallery(Bundle(folder)), folder / "charts")


def _save_sweep_charts(folder: Path) -> list[Path]:
    from .sweep import SweepResult

    spec = json.loads((folder / "sweep.json").read_text(encoding="utf-8"))
    parameters = list(dict.fromkeys(k for p in spec["points"] for k in p))
    result = SweepResult(parameters, pd.read_csv(folder / "sweep.csv"), folder)
    charts = {f"kpis_vs_{p.replace('.', '_')}": result.plot_parameter(p) for p in parameters}
    return plots.save_charts(charts, folder / "charts")


def _on_days(table: pd.DataFrame, day: np.ndarray, counted: dict[str, np.ndarray]) -> pd.DataFrame:
    """The rows of replication 0 that fall on the days counted for their variant."""
    keep = np.zeros(len(table), dtype=bool)
    for variant, days in counted.items():
        keep |= (table["variant"] == variant).to_numpy() & np.isin(day, days)
    return table[keep & (table["replication"] == 0).to_numpy()]


def _bursts(sc: Scenario) -> list[tuple[float, float]]:
    return [(b.start_h, b.duration_min) for b in sc.upstream.orders.bursts] if sc.upstream is not None else []


def _courier_charts(bundle: Bundle, tours: pd.DataFrame, stops: pd.DataFrame, variant: str) -> tuple[Figure, Figure]:
    """The map with one courier's tours on the first measured day, and that courier's Gantt chart.
    The courier shown is the one of station 0 whose area has the most stops (the most telling map)."""
    sc = bundle.scenario
    run_tours = tours[(tours["variant"] == variant) & (tours["replication"] == 0)]
    measured = run_tours[run_tours["day"] >= sc.horizon.warmup_days]["day"]
    day = int(measured.min()) if len(measured) else sc.horizon.warmup_days  # the first measured day with tours
    day_s = (day * SECONDS_PER_DAY, (day + 1) * SECONDS_PER_DAY)
    run_stops = stops[(stops["variant"] == variant) & (stops["replication"] == 0)]
    station0 = run_stops[(run_stops["station"] == 0) & (run_stops["arrive_s"] >= day_s[0]) & (run_stops["arrive_s"] < day_s[1])]
    courier = int(station0.groupby("courier")["place"].nunique().idxmax()) if len(station0) else 0
    mine = tours[
        (tours["variant"] == variant) & (tours["replication"] == 0) & (tours["courier"] == courier) & (tours["day"] == day)
    ]
    my_stops = run_stops[run_stops["courier"] == courier]
    route, waves = [], []
    wave_starts = [day * SECONDS_PER_DAY + h * SECONDS_PER_HOUR for h in sc.couriers.waves_h]
    for tour in mine.sort_values("start_s").itertuples(index=False):
        visited = my_stops[(my_stops["arrive_s"] >= tour.depart_s) & (my_stops["arrive_s"] <= tour.return_s)]
        if len(visited):
            route.append([0, *visited.sort_values("arrive_s")["place"].astype(int).tolist()])
            waves.append(max(i for i, w in enumerate(wave_starts) if w <= tour.start_s) if tour.start_s >= wave_starts[0] else 0)
    city = build_city(sc.city, sc.station, sc.seed, 0)
    title = f"Station 0 district and courier {courier}'s tours on day {day} ({variant} variant)"
    gantt_title = f"Courier {courier}'s day {day} ({variant} variant): where the time goes"
    day_stops = my_stops[(my_stops["arrive_s"] >= day * SECONDS_PER_DAY) & (my_stops["arrive_s"] < (day + 1) * SECONDS_PER_DAY)]
    parts = bundle.activity("stop_parts", 0, variant=variant, courier=courier)
    day_parts = parts[(parts["start_s"] >= day_s[0]) & (parts["start_s"] < day_s[1])] if len(parts) else parts
    return plots.district_map(city, route, waves, title), plots.courier_gantt(mine, day_stops, day_parts, gantt_title)
