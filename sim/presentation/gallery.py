"""The chart gallery of a results folder: every chart that applies, drawn from the files alone.

``parcelsim run`` writes its charts through this module too, so a folder's charts can always be
regenerated (``parcelsim plot RESULTS_DIR``) and look the same.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..core.units import SECONDS_PER_DAY, SECONDS_PER_HOUR
from ..model.metrics import DAY_PART_KPIS, HEADLINE_KPIS
from ..results.folder import Bundle
from ..results.runset import kpi_differences
from ..scenario.schema import Scenario
from ..world.districts import build_city
from . import plots

__all__ = ["gallery", "save_gallery"]


def gallery(bundle: Bundle) -> dict[str, Figure]:
    """Every chart that applies to the folder (per-event charts use replication 0)."""
    sc = bundle.scenario
    variants = bundle.variants
    curves = {v: bundle.curves(v, 0) for v in variants}
    means, ci = bundle.kpi_means()
    charts: dict[str, Figure] = {}
    if (means["tours_per_courier_day"] > 0).any():  # couriers rode: the courier charts apply
        charts["variant_comparison"] = plots.variant_comparison(means, ci)
        if set(DAY_PART_KPIS) <= set(means.columns):  # a folder written before they were KPIs has not got them
            charts["courier_time_breakdown"] = plots.courier_time_breakdown(means)
        breakdown = bundle.income_breakdown()
        if len(breakdown):
            charts["income_breakdown"] = plots.income_breakdown(breakdown)
        charts["lead_time_ecdf"] = plots.lead_time_ecdf({v: c.lead_h_sorted() for v, c in curves.items()})
        charts["locker_occupancy"] = plots.locker_occupancy(
            {v: c.locker_level() for v, c in curves.items()}, bundle.meta["locker_slots"]
        )
        charts["station_backlog"] = plots.station_backlog({v: c.backlog_level() for v, c in curves.items()}, _bursts(sc))
        charts["district_map"], charts["courier_gantt"] = _courier_charts(bundle)
        by_day = bundle.by_day()
        if len(by_day) and by_day["day"].nunique() >= 3:
            charts["week"] = plots.week(by_day, sc.week.peaks)
        if sc.traffic.peaks or sc.traffic.lift_peaks:
            charts["speed_profile"] = plots.speed_profile(sc.traffic)
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
        charts["dispatch_shares"] = plots.dispatch_shares(means)
    return charts


def save_gallery(folder: str | Path, bundle: Bundle | None = None) -> list[Path]:
    """Draw every chart of a results folder into its ``charts/``; returns the files written.
    ``bundle``: the folder already opened (what it has read is not read again)."""
    folder = Path(folder)
    if (folder / "sweep.csv").is_file() and not (folder / "kpis.csv").is_file():
        return _save_sweep_charts(folder)
    return plots.save_charts(gallery(bundle or Bundle(folder)), folder / "charts")


def _save_sweep_charts(folder: Path) -> list[Path]:
    from ..experiments.sweep import SweepResult

    spec = json.loads((folder / "sweep.json").read_text(encoding="utf-8"))
    parameters = list(dict.fromkeys(k for p in spec["points"] for k in p))
    result = SweepResult(parameters, pd.read_csv(folder / "sweep.csv"), folder)
    charts = {f"kpis_vs_{p.replace('.', '_')}": plots.plot_parameter(result, p) for p in parameters}
    return plots.save_charts(charts, folder / "charts")


def _bursts(sc: Scenario) -> list[tuple[float, float]]:
    return [(b.start_h, b.duration_min) for b in sc.upstream.orders.bursts] if sc.upstream is not None else []


def _courier_charts(bundle: Bundle) -> tuple[Figure, Figure]:
    """The map with one courier's tours on the day shown (``Bundle.shown_day``), and that courier's
    Gantt chart. The courier shown is the one of station 0 whose area has the most stops (the most
    telling map)."""
    sc = bundle.scenario
    variant, day, tours, run_stops = bundle.shown_day()
    day_s = (day * SECONDS_PER_DAY, (day + 1) * SECONDS_PER_DAY)
    on_day = run_stops[(run_stops["arrive_s"] >= day_s[0]) & (run_stops["arrive_s"] < day_s[1])]
    courier = int(on_day.groupby("courier")["place"].nunique().idxmax()) if len(on_day) else 0
    mine = tours[(tours["courier"] == courier) & (tours["day"] == day)]
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
    parts = bundle.activity("stop_parts", 0, variant=variant, station=0, courier=courier)
    day_parts = parts[(parts["start_s"] >= day_s[0]) & (parts["start_s"] < day_s[1])] if len(parts) else parts
    return plots.district_map(city, route, waves, title), plots.courier_gantt(mine, day_stops, day_parts, gantt_title)
