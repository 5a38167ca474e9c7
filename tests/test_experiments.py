"""Replications, CRN paired comparisons, sweeps that resume, the break-even fee, executors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.cli.main import main
from sim.experiments.breakeven import breakeven
from sim.experiments.runner import run
from sim.experiments.sweep import grid_points, parse_grid, sweep

from .conftest import HEADLINE, SMALL, small_scenario


def test_replications_report_mean_ci_and_n(tmp_path):
    out = tmp_path / "reps"
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(SMALL))
    assert main(["run", str(path), "--reps", "4", "--jobs", "2", "--out", str(out), "--no-charts"]) == 0
    kpis = json.loads((out / "kpis.json").read_text())
    cell = kpis["door"]["parcels_per_courier_day"]
    assert set(cell) == {"mean", "ci95", "n"} and cell["n"] == 4 and cell["ci95"] > 0
    rows = pd.read_csv(out / "kpis.csv")
    assert len(rows) == 12 and sorted(rows["replication"].unique()) == [0, 1, 2, 3]
    diffs = pd.read_csv(out / "differences.csv")
    assert {"a", "b", "kpi", "mean", "ci95", "n", "unpaired_ci95"} <= set(diffs.columns)
    assert cell["mean"] == pytest.approx(rows[rows["variant"] == "door"]["parcels_per_courier_day"].mean())


def test_common_random_numbers_narrow_the_paired_interval():
    runs = run(HEADLINE, variants=["door", "locker"], replications=20, jobs=2, keep_results=False)
    d = runs.differences([("door", "locker")]).set_index("kpi")
    # The same days, parcels and people in both variants: their swing cancels out of the difference.
    for kpi in ("income_per_courier_hour_yuan", "lead_time_p50_h", "lead_time_p90_h"):
        assert d.loc[kpi, "ci95"] < 0.9 * d.loc[kpi, "unpaired_ci95"], kpi
    for kpi in ("income_per_courier_day_yuan", "parcels_per_courier_day", "cost_per_parcel_yuan"):
        assert d.loc[kpi, "ci95"] < 0.7 * d.loc[kpi, "unpaired_ci95"], kpi


def test_until_precision_adds_replications_until_the_headline_kpis_are_precise():
    runs = run(small_scenario(), variants=["locker"], until_precision=0.05, max_replications=40)
    summary = runs.summary().set_index("kpi")
    n = runs.replications
    assert 2 < n <= 40
    row = summary.loc["parcels_per_courier_day"]
    assert row["ci95"] <= 0.05 * row["mean"] or n == 40
    if n < 40:  # it stopped early, so it must have got there
        assert runs.precision_reached is True
    capped = run(small_scenario(), variants=["locker"], until_precision=0.001, max_replications=4)
    assert capped.replications == 4 and capped.precision_reached is False


def test_replications_differ_and_are_reproducible():
    a = run(small_scenario(), variants=["mixed"], replications=3).runs()
    b = run(small_scenario(), variants=["mixed"], replications=3).runs()
    pd.testing.assert_frame_equal(a, b)
    assert a["failed_attempts"].nunique() > 1


def test_parse_grid():
    assert parse_grid("economics.door_service_fee_yuan=0.5:1.5:0.1")[1] == [0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4, 1.5]
    assert parse_grid("variants.mixed.door_service_share=0,0.25,1") == ("variants.mixed.door_service_share", [0, 0.25, 1])
    points = grid_points([parse_grid("a.b=1,2"), parse_grid("c.d=x,y")])
    assert points == [{"a.b": 1, "c.d": "x"}, {"a.b": 1, "c.d": "y"}, {"a.b": 2, "c.d": "x"}, {"a.b": 2, "c.d": "y"}]


@pytest.mark.parametrize("grid", ["nothing", "a.b=", "a.b=3:1:1", "a.b=1:2:0"])
def test_bad_grids_exit_2(grid, tmp_path, capsys):
    assert main(["sweep", str(HEADLINE), "--grid", grid, "--out", str(tmp_path / "s")]) == 2
    assert "--grid" in capsys.readouterr().err


def test_sweep_of_an_unknown_field_exits_2(tmp_path, capsys):
    assert main(["sweep", str(HEADLINE), "--grid", "economics.door_service_fee=1,2", "--out", str(tmp_path / "s")]) == 2
    assert "did you mean 'door_service_fee_yuan'" in capsys.readouterr().err


def test_a_killed_sweep_resumes_without_rerunning_and_matches_an_uninterrupted_one(tmp_path):
    scenario_file = tmp_path / "small.yaml"
    scenario_file.write_text(yaml.safe_dump({**SMALL, "parcels": {"per_day": 1500, "day_to_day_cv": 0.0}}))
    grids = ["--grid", "variants.mixed.door_service_share=0,0.5,1", "--grid", "economics.door_service_fee_yuan=0.5,1.0"]
    args = ["sweep", str(scenario_file), *grids, "--reps", "2", "--variant", "mixed", "--jobs", "1", "--no-charts"]
    killed = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-m", "sim", *args, "--out", str(killed)], stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while len(list((killed / "runs").glob("*.json"))) < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.kill()
    proc.wait()
    finished = {p.name: p.stat().st_mtime_ns for p in (killed / "runs").glob("*.json")}
    assert 3 <= len(finished) < 12, "the sweep should have been stopped part-way"
    assert not (killed / "sweep.csv").exists()

    done = subprocess.run([sys.executable, "-m", "sim", *args, "--out", str(killed)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert f"ran {12 - len(finished)}, skipped {len(finished)} finished runs" in done.stdout
    for name, mtime in finished.items():
        assert (killed / "runs" / name).stat().st_mtime_ns == mtime  # not run again

    straight = tmp_path / "straight"
    assert main([*args, "--out", str(straight)]) == 0
    assert (killed / "sweep.csv").read_text() == (straight / "sweep.csv").read_text()
    meta = json.loads((killed / "meta.json").read_text())
    assert meta["skipped_finished"] == len(finished) and meta["git_revision"] and meta["seed"] == SMALL["seed"]
    table = pd.read_csv(straight / "sweep.csv")
    assert len(table) == 12 and {"variants.mixed.door_service_share", "economics.door_service_fee_yuan", "seed"} <= set(
        table.columns
    )


def test_a_different_sweep_in_the_same_folder_is_refused(tmp_path, capsys):
    out = tmp_path / "s"
    base = ["sweep", str(HEADLINE), "--variant", "locker", "--out", str(out), "--no-charts", "--jobs", "1"]
    assert main([*base, "--grid", "economics.locker_fee_yuan=0.5"]) == 0
    assert main([*base, "--grid", "economics.locker_fee_yuan=0.6"]) == 2
    assert "holds other results" in capsys.readouterr().err


def test_sweep_table_from_csv(tmp_path):
    table = tmp_path / "runs.csv"
    table.write_text("couriers.count,economics.door_service_fee_yuan\n3,0.8\n4,1.2\n")
    result = sweep(small_scenario(), [{"couriers.count": 3, "economics.door_service_fee_yuan": 0.8}], variants=["door"])
    assert len(result.runs()) == 1
    assert (
        main(
            [
                "sweep",
                str(HEADLINE),
                "--table",
                str(table),
                "--variant",
                "door",
                "--out",
                str(tmp_path / "o"),
                "--no-charts",
                "--jobs",
                "1",
            ]
        )
        == 0
    )
    rows = pd.read_csv(tmp_path / "o" / "sweep.csv")
    assert rows["couriers.count"].tolist() == [3, 4]


def test_breakeven_fee_equalises_the_kpi_within_its_ci():
    result = breakeven(HEADLINE, replications=8, jobs=2)
    assert result.ci_low < result.value < result.ci_high
    # Pay per hour rises with the door fee: where door pays less at 0.8 yuan the fee must go up, else down.
    assert (result.value > result.current) == (result.difference_at_current < 0)
    # Re-run with the fee found: the paired door - locker interval of the KPI contains 0.
    runs = run(
        HEADLINE,
        variants=["door", "locker"],
        replications=8,
        jobs=2,
        overrides={"economics.door_service_fee_yuan": result.value},
        keep_results=False,
    )
    d = runs.differences([("door", "locker")]).set_index("kpi").loc["income_per_courier_hour_yuan"]
    assert abs(d["mean"]) <= d["ci95"]
    assert abs(d["mean"]) < 1e-6  # the root of the mean difference, found on the same replications


def test_breakeven_cli_json(capsys):
    assert main(["breakeven", str(HEADLINE), "--reps", "3", "--jobs", "1", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["field"] == "economics.door_service_fee_yuan" and out["ci_low"] <= out["value"] <= out["ci_high"]


def test_dask_local_cluster_gives_the_same_results_as_serial():
    pytest.importorskip("dask.distributed")
    serial = run(small_scenario(), replications=2, jobs=1, keep_results=False).runs()
    dask = run(small_scenario(), replications=2, jobs=2, scheduler="local", keep_results=False).runs()
    pool = run(small_scenario(), replications=2, jobs=2, keep_results=False).runs()
    pd.testing.assert_frame_equal(serial, dask)
    pd.testing.assert_frame_equal(serial, pool)
    assert np.isfinite(serial["parcels_per_courier_day"]).all()


def test_local_cluster_runs_with_parcelsim_dask_settings(monkeypatch):
    """Workers must not inherit Dask's malloc trimming (8x the page faults per run), even when an
    earlier cluster in this process left it in the environment."""
    pytest.importorskip("dask.distributed")
    import dask
    from dask.distributed import Client

    from sim.core.executors import local_cluster

    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "65536")  # as a default LocalCluster leaves it
    callers_profiling = dask.config.get("distributed.worker.profile.enabled")
    cluster = local_cluster(1)
    try:
        with Client(cluster) as client:
            trim = client.run(os.environ.get, "MALLOC_TRIM_THRESHOLD_")
            profiling = client.run(dask.config.get, "distributed.worker.profile.enabled")
    finally:
        cluster.close()
    assert list(trim.values()) == [None]
    assert list(profiling.values()) == [False]
    assert dask.config.get("distributed.worker.profile.enabled") == callers_profiling  # caller's config untouched
