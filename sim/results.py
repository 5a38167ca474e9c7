"""Writing and reading run bundles: a folder that describes itself.

``results/<run>/`` holds the resolved scenario, ``meta.json`` (seed, package version, git
revision, wall time, parcel counts), ``kpis.json``, ``kpis.csv``, the tracking log
``events.parquet``, the courier activity ``tours.parquet`` / ``stops.parquet`` and ``charts/``.
"""

from __future__ import annotations

import datetime as dt
import json
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .errors import ResultsError
from .runner import RunSet
from .tracking import EventTable, events_from_arrow, format_timeline

__all__ = [
    "BUNDLE_FILES",
    "filter_events",
    "load_events",
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
    "monitors.parquet",
    "differences.csv",
)
_PARQUET = {"compression": "zstd"}


def package_version() -> str:
    try:
        return metadata.version("parcelsim")
    except metadata.PackageNotFoundError:
        return "unknown"


def git_revision() -> str:
    """The checkout's commit, with ``+dirty`` if it has uncommitted changes; ``unknown`` outside git."""
    here = Path(__file__).resolve().parent
    try:
        rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=here, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return rev + ("+dirty" if dirty.strip() else "")


def prepare_out_dir(out: Path, force: bool) -> None:
    """Refuse to overwrite a non-empty folder unless ``force``; with ``force`` clear our own files."""
    if out.exists() and not out.is_dir():
        raise ResultsError(f"--out {out}: exists and is not a folder")
    if out.exists() and any(out.iterdir()):
        if not force:
            raise ResultsError(f"--out {out}: folder is not empty; choose another folder or pass --force to replace its results")
        for name in BUNDLE_FILES:
            (out / name).unlink(missing_ok=True)
        for png in (out / "charts").glob("*.png"):
            png.unlink()
    out.mkdir(parents=True, exist_ok=True)


def write_bundle(runs: RunSet, out: Path, command: str = "") -> None:
    """Write every output of ``runs`` into ``out`` (which ``prepare_out_dir`` made ready)."""
    out = Path(out)
    (out / "scenario.resolved.yaml").write_text(runs.scenario.to_yaml(), encoding="utf-8")
    kpis = runs.kpis_by_variant()
    (out / "kpis.json").write_text(json.dumps(kpis, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    runs.runs().to_csv(out / "kpis.csv", index=False, float_format="%.6g")
    if runs.replications > 1 and len(runs.variants) > 1:
        runs.differences().to_csv(out / "differences.csv", index=False, float_format="%.6g")

    event_tables, tour_tables, stop_tables, monitor_tables = [], [], [], []
    for (variant, rep), result in runs.results.items():
        event_tables.append(result.events.to_arrow(variant, rep))
        tour_tables.append(_activity_table(result.tours, variant, rep))
        stop_tables.append(_activity_table(result.stops, variant, rep))
        if result.upstream is not None:
            monitor_tables.extend(_monitor_table(name, m, variant, rep) for name, m in result.upstream.monitors.items())
    pq.write_table(_concat(event_tables), out / "events.parquet", **_PARQUET)
    pq.write_table(_concat(tour_tables), out / "tours.parquet", **_PARQUET)
    pq.write_table(_concat(stop_tables), out / "stops.parquet", **_PARQUET)
    if monitor_tables:
        pq.write_table(pa.concat_tables(monitor_tables), out / "monitors.parquet", **_PARQUET)

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
