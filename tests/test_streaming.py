"""Runs that stream their tables to a results folder: the same KPIs and log as a run in memory,
the same bytes on every executor, workers writing their own parts, and a disk that is too small
refused before the run."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from sim.cli.main import main
from sim.core.streams import Streams
from sim.experiments.runner import run
from sim.model.metrics import compute_kpis, kpi_inputs, kpis_of
from sim.model.run import simulate
from sim.results.bundle import load_events, load_results, write_bundle
from sim.results.tables import ParquetSink
from sim.scenario.load import load_scenario
from sim.world import count_compounds
from sim.world.districts import build_city

from .conftest import ROOT, small_scenario

CITY = ROOT / "scenarios" / "city_1m.yaml"
SMALL_CITY = {"stations.count": 5, "parcels.per_day": 300, "couriers.count": 3, "city.blocks_x": 4, "city.blocks_y": 4}
TABLE_FILES = ("events", "tours", "stops", "days", "returns")


def table_digests(folder: Path) -> dict[str, str]:
    """Every part file of the folder's tables, by name, with the hash of its bytes."""
    return {
        f"{table}/{part.name}": hashlib.sha256(part.read_bytes()).hexdigest()
        for table in TABLE_FILES
        for part in sorted((folder / f"{table}.parquet").glob("*.parquet"))
    }


def test_kpis_from_station_partials_equal_the_kpis_of_the_whole_log():
    """Each station area is reduced where it ran; the whole log, reduced at once, gives the same
    KPIs to the last bit (door_vs_locker has one station; the city has five, and a warehouse run
    exercises the upstream part)."""
    cases = [
        (small_scenario(), "mixed"),
        (load_scenario(CITY, SMALL_CITY), "door"),
        (load_scenario(ROOT / "scenarios" / "flash_sale_10k_30min.yaml", {"stations.count": 2}), "merchant"),
    ]
    for scenario, variant in cases:
        r = simulate(scenario, variant)
        whole = compute_kpis(r.events, r.activity, kpi_inputs(r), r.monitors)
        assert whole == kpis_of(r), (scenario.name, variant)


def test_a_streamed_run_equals_the_run_in_memory(tmp_path):
    scenario = load_scenario(CITY, SMALL_CITY)
    in_memory = run(scenario)
    streamed = run(scenario, tables_to=tmp_path)
    assert streamed.results == {}  # nothing but the summaries stayed in memory
    assert streamed.runs().equals(in_memory.runs())
    write_bundle(streamed, tmp_path)
    back = load_results(tmp_path)
    for key, result in in_memory.results.items():
        again = back.results[key]
        for column in ("time_s", "parcel", "status", "courier", "place", "detail", "station", "service"):
            assert np.array_equal(getattr(again.events, column), getattr(result.events, column)), column
        assert kpis_of(again) == kpis_of(result)
        assert again.accounting == result.accounting
    # The whole log reads back as one table: five station areas' parts per run.
    assert len(load_events(tmp_path, "door", 0)) == len(in_memory.result("door").events)
    assert len(list((tmp_path / "events.parquet").glob("r0000-v00-*.parquet"))) == 5


def test_sharded_and_single_process_runs_write_the_same_bytes(tmp_path):
    scenario = load_scenario(CITY, SMALL_CITY)
    one = run(scenario, variants=["locker"], jobs=1, tables_to=tmp_path / "one")
    pool = run(scenario, variants=["locker"], jobs=2, tables_to=tmp_path / "pool")  # one run, two workers: by station
    assert table_digests(tmp_path / "one") == table_digests(tmp_path / "pool")
    assert len(table_digests(tmp_path / "one")) == 5 * len(TABLE_FILES)
    assert one.runs().equals(pool.runs())


def test_dask_workers_write_their_own_parts(tmp_path, monkeypatch):
    """On a cluster the station areas' tables are written where they ran: this process writes none."""
    pytest.importorskip("dask.distributed")
    scenario = load_scenario(CITY, SMALL_CITY)
    reference = run(scenario, variants=["door"], jobs=1, tables_to=tmp_path / "here")

    def refuse(*_args, **_kwargs):
        raise AssertionError("the main process wrote a part")

    monkeypatch.setattr(ParquetSink, "_write", refuse)  # in this process only; workers have their own
    on_dask = run(scenario, variants=["door"], jobs=2, scheduler="local", tables_to=tmp_path / "dask")
    assert table_digests(tmp_path / "dask") == table_digests(tmp_path / "here")
    assert on_dask.runs().equals(reference.runs())


def test_a_part_left_unfinished_is_not_read(tmp_path):
    scenario = small_scenario()
    runs = run(scenario, variants=["door"], tables_to=tmp_path)
    write_bundle(runs, tmp_path)
    n = len(load_events(tmp_path))
    # A killed run leaves a hidden temporary file, never a short part; readers skip it.
    (tmp_path / "events.parquet" / ".r0000-v00-1-s00001.parquet.tmp").write_bytes(b"PAR1 half written")
    assert len(load_events(tmp_path)) == n
    assert pq.read_table(tmp_path / "events.parquet").num_rows == n


def test_a_run_that_would_not_fit_the_disk_is_refused_before_it_starts(tmp_path, monkeypatch, capsys):
    import shutil

    from sim.results import tables

    monkeypatch.setattr(tables.shutil, "disk_usage", lambda _p: shutil._ntuple_diskusage(10**9, 10**9 - 10**6, 10**6))
    out = tmp_path / "big"
    assert main(["run", str(ROOT / "scenarios" / "city_10m.yaml"), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "--out" in err and "GiB" in err and "free" in err
    assert not out.exists()


def test_compounds_are_counted_without_building_the_city():
    scenario = load_scenario(CITY, SMALL_CITY)
    for station in range(5):
        counted = count_compounds(scenario.city, Streams(scenario.seed).for_station(station))
        assert counted == build_city(scenario.city, scenario.station, scenario.seed, station).n_compounds


def test_the_charts_curves_worked_out_where_the_areas_ran_are_those_read_back(tmp_path):
    """A streamed run works its first replication's chart curves out in each station area and adds
    them up; reading the folder's log back part by part gives the very same arrays. Later
    replications and runs with a warehouse (a parcel's events in two parts) are left to reading."""
    from sim.results.folder import Bundle

    runs = run(load_scenario(CITY, SMALL_CITY), replications=2, variants=["door", "locker"], tables_to=tmp_path)
    write_bundle(runs, tmp_path)
    assert all(runs.summaries[(v, 1)].curves is None for v in ("door", "locker"))
    for variant in ("door", "locker"):
        made = runs.summaries[(variant, 0)].curves
        read = Bundle(tmp_path).curves(variant, 0)
        assert made is not None and made.lead_h.size > 1000
        assert np.array_equal(made.drops_per_day, read.drops_per_day) and made.drops_per_day.sum() > 0
        assert np.array_equal(made.lead_h, read.lead_h) and np.array_equal(made.dispatch_h, read.dispatch_h)
        for level in ("locker_level", "backlog_level"):
            assert all(np.array_equal(a, b) for a, b in zip(getattr(made, level)(), getattr(read, level)(), strict=True))
    # A station area's rows come from its own part file, as filtering the whole table gives them.
    bundle, wanted = Bundle(tmp_path), [("variant", "=", "door"), ("replication", "=", 0), ("station", "=", 1)]
    assert bundle.table_part("stops", 0, "door", 1).name.endswith("-1-s00001.parquet")
    whole = pd.read_parquet(tmp_path / "stops.parquet", filters=wanted)
    assert len(whole) > 10
    pd.testing.assert_frame_equal(bundle.activity("stops", 0, variant="door", station=1), whole)
    warehouse = load_scenario(ROOT / "scenarios" / "flash_sale_10k_30min.yaml", {"stations.count": 2})
    assert run(warehouse, variants=["merchant"], tables_to=tmp_path / "w").summaries[("merchant", 0)].curves is None
