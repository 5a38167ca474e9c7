"""Writing and reading run bundles: a folder that describes itself.

``results/<run>/`` holds the resolved scenario, ``meta.json`` (seed, package version, git
revision, wall time, parcel counts), ``kpis.json``, ``kpis.csv``, the tracking log
``events.parquet``, the courier activity ``tours.parquet`` / ``stops.parquet`` and ``charts/``.
"""

from __future__ import annotations

import datetime as dt
import json
import platform
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..core.errors import ResultsError
from ..core.table import Table
from ..core.units import SECONDS_PER_DAY
from ..core.version import git_revision, package_version
from ..model.accounting import Accounting
from ..model.activity import Activity, Days, PickupDays, Returns, StopParts, Stops, Tours
from ..model.partials import Window, first_times, run_partial_of_log
from ..model.run import RunResult, summary_of
from ..model.tracking import EventTable, Status, events_from_arrow, format_timeline
from ..model.upstream import UpstreamResult
from .runset import RunSet, by_weekday
from .tables import ParquetSink

T = TypeVar("T", bound=Table)

__all__ = [
    "filter_events",
    "load_events",
    "load_results",
    "package_version",
    "parcel_timeline",
    "require_complete",
    "write_bundle",
]


def write_bundle(runs: RunSet, out: Path, *, pairs: list[tuple[str, str]] | None = None, command: str = "") -> None:
    """Write every output of ``runs`` into ``out`` (``sim.results.outdir.writing`` gives a safe one).

    The tables of runs kept in memory are written here; runs that streamed them (``run(...,
    tables_to=out)``) have them there already. ``pairs`` are the (a, b) variant pairs whose paired
    differences a − b go to ``differences.csv`` (default: every pair in the scenario's order)."""
    out = Path(out)
    if runs.tables_in is not None and Path(runs.tables_in).resolve() != out.resolve():
        raise ResultsError(f"these runs streamed their tables to {runs.tables_in}, not {out}", param="out")
    if runs.tables_in is None:
        if len(runs.results) < len(runs.summaries):
            raise ResultsError(
                "these runs kept no tables to write; run with keep_results=True, or with tables_to= the results folder",
                param="runs",
            )
        sink = ParquetSink(out, tuple(runs.variants))
        for (variant, rep), result in runs.results.items():
            sink.write_events(result.events, variant, rep, "all")
            sink.write_activity(result.activity, variant, rep, "all")
            if result.upstream is not None:
                sink.write_monitors(result.upstream.monitors, variant, rep)
    (out / "scenario.resolved.yaml").write_text(runs.scenario.to_yaml(), encoding="utf-8")
    kpis = runs.kpis_by_variant()
    (out / "kpis.json").write_text(json.dumps(kpis, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    runs.runs().to_csv(out / "kpis.csv", index=False, float_format="%.6g")
    breakdown = runs.income_breakdown()
    if len(breakdown):
        breakdown.to_csv(out / "income_breakdown.csv", index=False, float_format="%.6g")
    by_day = runs.by_day()
    by_day.to_csv(out / "by_day.csv", index=False, float_format="%.6g")
    by_weekday(by_day).to_csv(out / "by_weekday.csv", index=False, float_format="%.6g")
    if runs.replications > 1 and len(runs.variants) > 1:
        runs.differences(pairs).to_csv(out / "differences.csv", index=False, float_format="%.6g")

    first = next(iter(runs.summaries.values()))
    meta = {
        "scenario": runs.scenario.name,
        "seed": runs.scenario.seed,
        "variants": runs.variants,
        "replications": runs.replications,
        "parcels_per_run": first.n_parcels,
        "events": int(sum(r.n_events for r in runs.summaries.values())),
        "accounting": {f"{v}/{r}": res.accounting.as_dict() for (v, r), res in runs.summaries.items()},
        "city": first.city_summary,
        "locker_slots": first.locker_slots_total,  # over all the run's districts
        "package_version": package_version(),
        "git_revision": git_revision(),
        "wall_time_s": round(runs.wall_time_s, 3),
        "warnings": runs.warnings(),
        "python": platform.python_version(),
        "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": command,
    }
    (out / "meta.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _require(results_dir: Path, name: str) -> Path:
    """A file of a complete results folder: ``meta.json`` is written last, so a folder without it
    is one whose run did not finish (or not a results folder at all)."""
    folder = Path(results_dir)
    if not (folder / "meta.json").is_file():
        if folder.is_dir() and (folder / "events.parquet").exists():
            raise ResultsError(f"{folder}: incomplete results (no meta.json): the run that wrote them did not finish")
        raise ResultsError(f"{folder}: not a parcelsim results folder (no meta.json)")
    path = folder / name
    if not path.exists():
        raise ResultsError(f"{folder}: no {name} here; is this a parcelsim results folder?")
    return path


def require_complete(results_dir: str | Path) -> Path:
    """The folder, if it holds a finished run's results; else a ``ResultsError`` saying which."""
    return _require(Path(results_dir), "meta.json").parent


def load_events(results_dir: str | Path, variant: str | None = None, replication: int | None = None) -> pa.Table:
    """The tracking log of a results folder, optionally one variant and replication (only those
    rows are read). Rows come run by run, and within a run part by part (``sim.results.tables``)."""
    filters: list[tuple[str, str, Any]] = [("variant", "=", variant)] if variant is not None else []
    filters += [("replication", "=", replication)] if replication is not None else []
    return pq.read_table(_require(Path(results_dir), "events.parquet"), filters=filters or None)


def filter_events(table: pa.Table, variant: str | None = None, replication: int | None = None) -> pa.Table:
    """The rows of an events table that belong to one variant and/or replication."""
    if variant is not None:
        table = table.filter(pc.equal(table["variant"].cast(pa.string()), variant))
    if replication is not None:
        table = table.filter(pc.equal(table["replication"], replication))
    return table


def parcel_timeline(results_dir: str | Path, parcel: int) -> dict[str, list[str]]:
    """The timeline of one parcel in every (variant, replication) of a results folder."""
    table = pq.read_table(_require(Path(results_dir), "events.parquet"), filters=[("parcel", "=", parcel)])
    if table.num_rows == 0:
        ids = pc.min_max(pq.read_table(_require(Path(results_dir), "events.parquet"), columns=["parcel"])["parcel"])
        raise ResultsError(
            f"parcel {parcel}: not in this folder's tracking log; "
            f"its parcel ids run from {ids['min'].as_py()} to {ids['max'].as_py()}"
        )
    out: dict[str, list[str]] = {}
    runs = zip(table["variant"].cast(pa.string()).to_pylist(), table["replication"].to_pylist(), strict=True)
    for variant, rep in dict.fromkeys(runs):
        ev: EventTable = _in_time_order(events_from_arrow(filter_events(table, variant, rep)))
        out[f"{variant} (replication {rep})"] = format_timeline(ev.time_s, ev.status, ev.detail, ev.place)
    return out


def load_results(results_dir: str | Path) -> RunSet:
    """A results folder written by ``parcelsim run`` (or ``write_bundle``) read back as the ``RunSet``
    a run returns: the same KPI rows, and a ``RunResult`` per kept (variant, replication) whose
    KPIs are the run's own. What the folder does not store comes back empty: the per-order pick
    start times (NaN) and the warehouse's surge calls."""
    from ..core.monitor import TimeWeighted
    from ..scenario.load import load_scenario
    from ..world.districts import build_city
    from .runset import RunSet, kpi_row

    folder = Path(results_dir)
    for name in ("meta.json", "scenario.resolved.yaml", "kpis.csv", "events.parquet"):
        _require(folder, name)
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    scenario = load_scenario(folder / "scenario.resolved.yaml")
    runs = RunSet(scenario=scenario, variants=list(meta["variants"]), wall_time_s=float(meta.get("wall_time_s", 0.0)))
    for key, accounting in meta["accounting"].items():
        variant, rep_text = key.rsplit("/", 1)
        rep = int(rep_text)
        resolved = scenario.resolved(variant)
        cities = tuple(build_city(resolved.city, resolved.station, resolved.seed, i) for i in range(resolved.stations.count))
        events = _in_time_order(events_from_arrow(load_events(folder, variant, rep)))
        activity = _activity(folder, variant, rep)
        n_parcels = int(meta["parcels_per_run"])
        window = Window.of(resolved)
        upstream = None if resolved.upstream is None else _upstream_from(events, folder, variant, rep, TimeWeighted)
        runs.results[(variant, rep)] = RunResult(
            scenario=resolved,
            variant=variant,
            replication=rep,
            door_service_share=scenario.door_service_share(variant),
            partial=run_partial_of_log(events, activity, window, n_parcels, upstream=upstream is not None),
            accounting=Accounting(**accounting),
            n_parcels=n_parcels,
            n_events=len(events),
            couriers=resolved.couriers.count * len(cities),
            stations=len(cities) if resolved.upstream is None or resolved.upstream.simulate_delivery else 0,
            city_summary=cities[0].summary(),
            measured_days=(resolved.horizon.warmup_days, resolved.horizon.days),
            horizon_s=window.days * SECONDS_PER_DAY,
            monitors=dict(upstream.monitors) if upstream is not None else {},
            curves=None,
            events=events,
            activity=activity,
            city=cities[0],
            cities=cities,
            upstream=upstream,
        )
        runs.summaries[(variant, rep)] = summary_of(runs.results[(variant, rep)])
    # KPIs recomputed from the stored runs: exact, where kpis.csv holds them rounded for reading.
    runs.kpi_rows = [kpi_row(result) for result in runs.results.values()]
    runs.kpi_rows.sort(key=lambda r: (r["replication"], runs.variants.index(r["variant"])))
    return runs


def _in_time_order(events: EventTable) -> EventTable:
    """A stored run's events in time order: parts hold a station each; ties keep the parts' order,
    which is the order a run in memory merges them in."""
    return EventTable.concat([events])


def _activity(folder: Path, variant: str, rep: int) -> Activity:
    """A stored run's activity tables (a table no row of the run was written to comes back empty)."""

    def read(table: type[T], name: str) -> T:
        path = folder / f"{name}.parquet"
        if not path.exists():
            return table()
        rows = pq.read_table(path, filters=[("variant", "=", variant), ("replication", "=", rep)])
        return table.from_columns({c: rows[c].to_numpy() for c in rows.column_names}) if rows.num_rows else table()

    return Activity(
        tours=read(Tours, "tours"),
        stops=read(Stops, "stops"),
        days=read(Days, "days"),
        returns=read(Returns, "returns"),
        stop_parts=read(StopParts, "stop_parts"),
        pickup_days=read(PickupDays, "pickup_days"),
    )


def _upstream_from(events: EventTable, folder: Path, variant: str, rep: int, monitor_type) -> UpstreamResult:
    """The upstream result of a stored run, rebuilt from the log (times per order) and the monitors."""
    n = int(events.parcel.max()) + 1 if len(events) else 0
    times = {s: first_times(events, (s,), n) for s in (Status.ORDER_PLACED, Status.PICKED, Status.PACKED, Status.SHIPPED)}
    arrival = first_times(events, (Status.AT_STATION,), n)
    destination = np.full(n, -1, dtype=np.int64)
    at_station = events.status == Status.AT_STATION
    destination[events.parcel[at_station]] = events.station[at_station]
    series: dict[str, Any] = {}
    if (folder / "monitors.parquet").exists():
        mine = pq.read_table(folder / "monitors.parquet", filters=[("variant", "=", variant), ("replication", "=", rep)])
        names = mine["monitor"].to_pylist()
        t, v = mine["time_s"].to_numpy(), mine["value"].to_numpy()
        for name in dict.fromkeys(names):
            sel = np.array([x == name for x in names])
            series[name] = monitor_type.from_series(name, t[sel], v[sel])
    return UpstreamResult(
        placed_s=times[Status.ORDER_PLACED],
        burst=np.full(n, -1, dtype=np.int64),
        pick_start_s=np.full(n, np.nan),
        picked_s=times[Status.PICKED],
        packed_s=times[Status.PACKED],
        shipped_s=times[Status.SHIPPED],
        station_arrival_s=arrival,
        destination=destination,
        monitors=series,
        staff_hours=(float("nan"), float("nan")),
        surge_calls=[],
    )
