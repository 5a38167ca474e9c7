"""A results folder's tables, written in parts: the tracking log and the courier activity.

Each table is a Parquet dataset, a folder of part files (``events.parquet/``, ``tours.parquet/``,
...). A run that streams writes one part per station area as the area finishes, wherever it ran
(this process, a pool worker, a Dask worker), so nothing holds a city's whole log; a run kept in
memory is written as one part. Part names sort in the order of the rows they hold: replication,
variant, then the upstream part before the station areas in station order. Any Parquet reader
reads a folder as one table (``pyarrow.parquet.read_table("events.parquet")``, pandas, DuckDB,
Spark). Part files are written under a temporary name and renamed when complete.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from ..core.errors import ResultsError
from ..core.monitor import TimeWeighted
from ..model.activity import Activity
from ..model.station_area import StationRun
from ..model.tracking import EventTable

__all__ = ["BYTES_PER_PARCEL", "TABLES", "ParquetSink", "check_disk_space", "run_parts", "station_part"]

TABLES = ("events", *Activity.NAMES, "monitors")
_PARQUET: dict[str, Any] = {"compression": "zstd"}


@dataclass(frozen=True)
class ParquetSink:
    """Where one results folder's tables go (a ``sim.model.run.TableSink``); small enough to travel
    with every station task."""

    folder: Path
    variants: tuple[str, ...]  # every variant of the folder: the variant column's dictionary

    def write_station(self, run: StationRun, variant: str, replication: int, station: int) -> None:
        """One station area's tracking log and activity tables, as parts of the folder's tables."""
        part = _station_part(station)
        self.write_events(run.events, variant, replication, part)
        self.write_activity(run.activity, variant, replication, part)

    def write_upstream(self, events: EventTable, monitors: Mapping[str, TimeWeighted], variant: str, replication: int) -> None:
        """The warehouse's and trucks' events and the warehouse's monitors."""
        self.write_events(events, variant, replication, _UPSTREAM_PART)
        self.write_monitors(monitors, variant, replication)

    def write_events(self, events: EventTable, variant: str, replication: int, part: str) -> None:
        """One part of the tracking log (written even when empty, so every run has its log)."""
        self._write("events", events.to_arrow(variant, replication, list(self.variants)), variant, replication, part)

    def write_activity(self, activity: Activity, variant: str, replication: int, part: str) -> None:
        """Parts of the activity tables; empty ones are left out."""
        for name, table in activity.tables().items():
            if len(table):
                columns = {k: pa.array(v) for k, v in table.columns().items()}
                self._write(name, _with_run(columns, variant, replication, len(table)), variant, replication, part)

    def write_monitors(self, monitors: Mapping[str, TimeWeighted], variant: str, replication: int) -> None:
        """The warehouse's monitors as step series, one part per run."""
        parts = []
        for name, monitor in monitors.items():
            times, values = monitor.series()
            n = len(times)
            columns = {"monitor": pa.array([name] * n, pa.string()), "time_s": pa.array(times), "value": pa.array(values)}
            parts.append(_with_run(columns, variant, replication, n))
        if parts:
            self._write("monitors", pa.concat_tables(parts), variant, replication, _UPSTREAM_PART)

    def _write(self, name: str, table: pa.Table, variant: str, replication: int, part: str) -> None:
        folder = self.folder / f"{name}.parquet"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"r{replication:04d}-v{self.variants.index(variant):02d}-{part}.parquet"
        # Readers skip names that start with a dot: a killed run leaves a hidden file, never a short part.
        unfinished = folder / f".{path.name}.tmp"
        # Dictionary-encode all but the float columns: times and lengths hardly repeat, and trying
        # them costs a fifth of the writing for nothing (the files come out smaller, too).
        dictionary = [f.name for f in table.schema if not pa.types.is_floating(f.type)]
        pq.write_table(table, unfinished, use_dictionary=dictionary, **_PARQUET)
        os.replace(unfinished, path)


# Bytes a parcel takes in the tables of one run (log and activity, zstd), measured on city_1m on
# 2026-12-06: 122 MB for 2 x 1,000,020 parcels. The 36 this replaced had gone stale as the tables
# grew (149 MB, 74 bytes a parcel, that morning). Twice the measured size is asked for, to be safe.
BYTES_PER_PARCEL = 61


def check_disk_space(folder: Path, parcels_per_run: float, runs: int) -> None:
    """Refuse, before it starts, a run whose tables would not fit the disk of ``folder``."""
    need = 2 * BYTES_PER_PARCEL * parcels_per_run * runs
    existing = next((p for p in [Path(folder), *Path(folder).absolute().parents] if p.exists()), Path("."))
    free = shutil.disk_usage(existing).free
    if need > free:
        raise ResultsError(
            f"{folder}: the results need about {need / 2**30:.1f} GiB ({runs} runs of about {parcels_per_run:,.0f} "
            f"parcels), but the disk has {free / 2**30:.1f} GiB free; choose a folder on a larger disk, or run fewer "
            "variants or replications",
            param="out",
        )


def run_parts(table: Path, variant_index: int, replication: int) -> list[Path]:
    """The part files of one run in a table folder, in row order."""
    return sorted(Path(table).glob(f"r{replication:04d}-v{variant_index:02d}-*.parquet"))


def station_part(table: Path, variant_index: int, replication: int, station: int) -> Path | None:
    """The part file holding one station area's rows of one run, where the run was streamed (a
    part per area); None where the area's rows share a part with others (a run kept in memory)."""
    path = Path(table) / f"r{replication:04d}-v{variant_index:02d}-{_station_part(station)}.parquet"
    return path if path.is_file() else None


_UPSTREAM_PART = "0-upstream"  # sorts before the station areas' parts, as a run in memory orders its rows


def _station_part(station: int) -> str:
    """The part name of one station area's rows."""
    return f"1-s{station:05d}"


def _with_run(columns: dict[str, pa.Array], variant: str, replication: int, n: int) -> pa.Table:
    return pa.table(
        {"variant": pa.array([variant] * n, pa.string()), "replication": pa.array(np.full(n, replication, np.int32)), **columns}
    )
