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
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .accounting import Accounting
from .errors import ResultsError
from .model import RunResult
from .runner import RunSet
from .tracking import EventTable, Status, events_from_arrow, format_timeline
from .units import SECONDS_PER_DAY
from .upstream import UpstreamResult
from .version import git_revision, package_version

__all__ = [
    "BUNDLE_FILES",
    "filter_events",
    "load_events",
    "load_results",
    "package_version",
    "parcel_timeline",
    "prepare_out_dir",
    "write_bundle",
]

BUNDLE_FILES = (
    "scenario.resolved.yaml",
    "meta.json",
    "kpis.json",
    "kpis.csv",
    "events.parquet",
    "tours.parquet",
    "stops.parquet",
    "days.parquet",
    "returns.parquet",
    "income_breakdown.csv",
    "monitors.parquet",
    "differences.csv",
)
_PARQUET = {"compression": "zstd"}


def _event_schema(variants: list[str]) -> pa.Schema:
    return EventTable.empty().to_arrow(variants[0], 0, variants).schema


def prepare_out_dir(out: Path, force: bool) -> None:
    """Refuse to overwrite a non-empty folder unless ``force``; with ``force`` clear our own files."""
    if out.exists() and not out.is_dir():
        raise ResultsError(f"{out} exists and is not a folder", param="out")
    if out.exists() and any(out.iterdir()):
        if not force:
            raise ResultsError(
                f"{out} is not empty; choose another folder or pass force=True to replace its results", param="out"
            )
        for name in BUNDLE_FILES:
            (out / name).unlink(missing_ok=True)
        for png in (out / "charts").glob("*.png"):
            png.unlink()
    out.mkdir(parents=True, exist_ok=True)


def write_bundle(runs: RunSet, out: Path, *, pairs: list[tuple[str, str]] | None = None, command: str = "") -> None:
    """Write every output of ``runs`` into ``out`` (which ``prepare_out_dir`` made ready).

    ``pairs`` are the (a, b) variant pairs whose paired differences a − b go to ``differences.csv``
    (default: every pair in the scenario's order)."""
    out = Path(out)
    (out / "scenario.resolved.yaml").write_text(runs.scenario.to_yaml(), encoding="utf-8")
    kpis = runs.kpis_by_variant()
    (out / "kpis.json").write_text(json.dumps(kpis, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    runs.runs().to_csv(out / "kpis.csv", index=False, float_format="%.6g")
    breakdown = runs.income_breakdown()
    if len(breakdown):
        breakdown.to_csv(out / "income_breakdown.csv", index=False, float_format="%.6g")
    if runs.replications > 1 and len(runs.variants) > 1:
        runs.differences(pairs).to_csv(out / "differences.csv", index=False, float_format="%.6g")

    # The tracking log run by run, one row group each: no run's log is copied into a whole table.
    activity: dict[str, list[pa.Table]] = {name: [] for name in ("tours", "stops", "days", "returns", "monitors")}
    with pq.ParquetWriter(out / "events.parquet", _event_schema(runs.variants), **_PARQUET) as events:
        for (variant, rep), result in runs.results.items():
            events.write_table(result.events.to_arrow(variant, rep, runs.variants))
            for name in ("tours", "stops", "days", "returns"):
                activity[name].append(_activity_table(getattr(result, name), variant, rep))
            if result.upstream is not None:
                activity["monitors"] += [_monitor_table(n, m, variant, rep) for n, m in result.upstream.monitors.items()]
    for name, tables in activity.items():
        if tables:
            pq.write_table(_concat(tables), out / f"{name}.parquet", **_PARQUET)

    first = next(iter(runs.results.values()))
    meta = {
        "scenario": runs.scenario.name,
        "seed": runs.scenario.seed,
        "variants": runs.variants,
        "replications": runs.replications,
        "parcels_per_run": first.n_parcels,
        "events": int(sum(len(r.events) for r in runs.results.values())),
        "accounting": {f"{v}/{r}": res.accounting.as_dict() for (v, r), res in runs.results.items()},
        "city": first.city.summary(),
        "package_version": package_version(),
        "git_revision": git_revision(),
        "wall_time_s": round(runs.wall_time_s, 3),
        "warnings": runs.warnings(),
        "python": platform.python_version(),
        "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": command,
    }
    (out / "meta.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _concat(tables: list[pa.Table]) -> pa.Table:
    # Each run's variant column has its own one-word dictionary; unify them into one.
    return pa.concat_tables(tables).unify_dictionaries().combine_chunks()


def _activity_table(columns: dict[str, np.ndarray], variant: str, rep: int) -> pa.Table:
    n = len(next(iter(columns.values())))
    data: dict[str, Any] = {"variant": pa.array([variant] * n, pa.string()), "replication": pa.array(np.full(n, rep, np.int32))}
    data.update({k: pa.array(v) for k, v in columns.items()})
    return pa.table(data)


def _monitor_table(name: str, monitor, variant: str, rep: int) -> pa.Table:
    times, values = monitor.series()
    n = len(times)
    return pa.table(
        {
            "variant": pa.array([variant] * n, pa.string()),
            "replication": pa.array(np.full(n, rep, np.int32)),
            "monitor": pa.array([name] * n, pa.string()),
            "time_s": pa.array(times),
            "value": pa.array(values),
        }
    )


def _require(results_dir: Path, name: str) -> Path:
    path = Path(results_dir) / name
    if not path.exists():
        raise ResultsError(f"{results_dir}: no {name} here; is this a parcelsim results folder?")
    return path


def load_events(results_dir: str | Path, variant: str | None = None, replication: int | None = None) -> pa.Table:
    """The tracking log of a results folder, optionally one variant and replication."""
    return filter_events(pq.read_table(_require(Path(results_dir), "events.parquet")), variant, replication)


def filter_events(table: pa.Table, variant: str | None = None, replication: int | None = None) -> pa.Table:
    """The rows of an events table that belong to one variant and/or replication."""
    if variant is not None:
        table = table.filter(pc.equal(table["variant"].cast(pa.string()), variant))
    if replication is not None:
        table = table.filter(pc.equal(table["replication"], replication))
    return table


def parcel_timeline(results_dir: str | Path, parcel: int) -> dict[str, list[str]]:
    """The timeline of one parcel in every (variant, replication) of a results folder."""
    table = load_events(results_dir)
    table = table.filter(pc.equal(table["parcel"], parcel))
    if table.num_rows == 0:
        raise ResultsError(f"parcel {parcel}: not in this folder's tracking log; parcel ids run from 0")
    out: dict[str, list[str]] = {}
    runs = zip(table["variant"].cast(pa.string()).to_pylist(), table["replication"].to_pylist(), strict=True)
    for variant, rep in dict.fromkeys(runs):
        ev: EventTable = events_from_arrow(filter_events(table, variant, rep))
        out[f"{variant} (replication {rep})"] = format_timeline(ev.time_s, ev.status, ev.detail, ev.place)
    return out


def load_results(results_dir: str | Path) -> RunSet:
    """A results folder written by ``parcelsim run`` (or ``write_bundle``) read back as the ``RunSet``
    a run returns: the same KPI rows, and a ``RunResult`` per kept (variant, replication) whose
    KPIs are the run's own. What the folder does not store comes back empty: the per-order pick
    start times (NaN) and the warehouse's surge calls."""
    from .districts import build_city
    from .monitor import TimeWeighted
    from .runner import RunSet, kpi_row
    from .scenario import load_scenario

    folder = Path(results_dir)
    for name in ("meta.json", "scenario.resolved.yaml", "kpis.csv", "events.parquet"):
        _require(folder, name)
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    scenario = load_scenario(folder / "scenario.resolved.yaml")
    runs = RunSet(scenario=scenario, variants=list(meta["variants"]), wall_time_s=float(meta.get("wall_time_s", 0.0)))
    events = pq.read_table(folder / "events.parquet")
    tours, stops, days, returns = (_read_optional(folder / f"{name}.parquet") for name in ("tours", "stops", "days", "returns"))
    monitors = _read_optional(folder / "monitors.parquet")
    for key, accounting in meta["accounting"].items():
        variant, rep_text = key.rsplit("/", 1)
        rep = int(rep_text)
        resolved = scenario.resolved(variant)
        cities = tuple(build_city(resolved.city, resolved.station, resolved.seed, i) for i in range(resolved.stations.count))
        table = events_from_arrow(filter_events(events, variant, rep))
        runs.results[(variant, rep)] = RunResult(
            scenario=resolved,
            variant=variant,
            replication=rep,
            door_service_share=scenario.door_service_share(variant),
            events=table,
            tours=_activity_columns(tours, variant, rep),
            stops=_activity_columns(stops, variant, rep),
            days=_activity_columns(days, variant, rep),
            returns=_activity_columns(returns, variant, rep),
            accounting=Accounting(**accounting),
            city=cities[0],
            cities=cities,
            n_parcels=int(meta["parcels_per_run"]),
            locker_slots_total=int(sum(c.locker_slots.sum() for c in cities)),
            couriers=resolved.couriers.count * len(cities),
            measured_days=(resolved.horizon.warmup_days, resolved.horizon.days),
            horizon_s=(resolved.horizon.days + resolved.horizon.drain_days) * SECONDS_PER_DAY,
            upstream=None if resolved.upstream is None else _upstream_from(table, monitors, variant, rep, TimeWeighted),
        )
    # KPIs recomputed from the stored runs: exact, where kpis.csv holds them rounded for reading.
    runs.kpi_rows = [kpi_row(result) for result in runs.results.values()]
    runs.kpi_rows.sort(key=lambda r: (r["replication"], runs.variants.index(r["variant"])))
    return runs


def _read_optional(path: Path) -> pa.Table | None:
    return pq.read_table(path) if path.is_file() else None


def _activity_columns(table: pa.Table | None, variant: str, rep: int) -> dict[str, np.ndarray]:
    if table is None:
        return {}
    rows = filter_events(table, variant, rep)
    return {name: rows[name].to_numpy() for name in rows.column_names if name not in ("variant", "replication")}


def _upstream_from(events: EventTable, monitors: pa.Table | None, variant: str, rep: int, monitor_type) -> UpstreamResult:
    """The upstream result of a stored run, rebuilt from the log (times per order) and the monitors."""
    from .metrics import first_times

    n = int(events.parcel.max()) + 1 if len(events) else 0
    times = {s: first_times(events, (s,), n) for s in (Status.ORDER_PLACED, Status.PICKED, Status.PACKED, Status.SHIPPED)}
    arrival = first_times(events, (Status.AT_STATION,), n)
    destination = np.full(n, -1, dtype=np.int64)
    at_station = events.status == Status.AT_STATION
    destination[events.parcel[at_station]] = events.station[at_station]
    series: dict[str, Any] = {}
    if monitors is not None:
        mine = filter_events(monitors, variant, rep)
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
