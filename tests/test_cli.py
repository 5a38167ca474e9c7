"""The command line end to end: a results folder that describes itself, byte-identical reruns."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import pandas as pd
import pytest
import yaml

from sim.cli.main import main
from sim.core.errors import ResultsError
from sim.model.economics import INCOME_LINES
from sim.model.metrics import HEADLINE_KPIS

from .conftest import HEADLINE, SMALL


@pytest.fixture
def small_yaml(tmp_path):
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(SMALL), encoding="utf-8")
    return path


def sha(path) -> str:
    """Of a file, or of a folder's files (names and bytes) in name order."""
    h = hashlib.sha256()
    for f in sorted(path.rglob("*")) if path.is_dir() else [path]:
        h.update(f.name.encode() + f.read_bytes())
    return h.hexdigest()


def test_run_writes_a_self_describing_bundle(small_yaml, tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", str(small_yaml), "--out", str(out), "--seed", "11"]) == 0
    printed = capsys.readouterr().out
    assert "parcels_per_courier_day" in printed and str(out) in printed
    for name in ("scenario.resolved.yaml", "meta.json", "kpis.json", "kpis.csv", "income_breakdown.csv"):
        assert (out / name).is_file(), name
    for name in ("events", "tours", "stops", "days"):  # Parquet datasets: one part per station area and run
        assert sorted(p.name for p in (out / f"{name}.parquet").iterdir()) == [
            f"r0000-v{v:02d}-1-s00000.parquet" for v in range(3)
        ], name
    charts = sorted(p.name for p in (out / "charts").glob("*.png"))
    assert charts == [
        "courier_gantt.png",
        "courier_time_breakdown.png",
        "district_map.png",
        "income_breakdown.png",
        "lead_time_ecdf.png",
        "locker_occupancy.png",
        "station_backlog.png",
        "variant_comparison.png",
        "week.png",  # three simulated days: the day-by-day chart
    ]
    meta = json.loads((out / "meta.json").read_text())
    assert meta["seed"] == 11
    assert meta["package_version"] == "0.1.0"
    assert meta["git_revision"]
    assert meta["parcels_per_run"] == 1000
    assert isinstance(meta["warnings"], list)
    resolved = yaml.safe_load((out / "scenario.resolved.yaml").read_text())
    assert resolved["seed"] == 11 and resolved["couriers"]["ride_speed_mps"] == 3.3  # defaults written out
    kpis = json.loads((out / "kpis.json").read_text())
    assert set(kpis) == {"door", "locker", "mixed"}
    assert set(HEADLINE_KPIS) <= set(kpis["door"])
    rows = pd.read_csv(out / "kpis.csv")
    assert list(rows["variant"]) == ["door", "locker", "mixed"]
    assert set(HEADLINE_KPIS) <= set(rows.columns)
    events = pd.read_parquet(out / "events.parquet")
    assert set(events["status"].astype(str)) >= {"at_station", "out_for_delivery", "delivered", "in_locker", "picked_up"}


def test_same_seed_gives_byte_identical_events(small_yaml, tmp_path):
    for name in ("a", "b", "c"):
        seed = "5" if name != "c" else "6"
        assert main(["run", str(small_yaml), "--out", str(tmp_path / name), "--seed", seed, "--no-charts"]) == 0
    assert sha(tmp_path / "a" / "events.parquet") == sha(tmp_path / "b" / "events.parquet")
    assert sha(tmp_path / "a" / "events.parquet") != sha(tmp_path / "c" / "events.parquet")
    assert (tmp_path / "a" / "kpis.csv").read_text() == (tmp_path / "b" / "kpis.csv").read_text()


def test_a_non_empty_out_folder_is_refused_unless_forced(small_yaml, tmp_path, capsys):
    out = tmp_path / "run"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    assert main(["run", str(small_yaml), "--out", str(out), "--no-charts"]) == 2
    assert "not empty" in capsys.readouterr().err
    assert not (out / "kpis.json").exists()
    assert main(["run", str(small_yaml), "--out", str(out), "--no-charts", "--force"]) == 0
    assert (out / "kpis.json").exists() and (out / "notes.txt").read_text() == "mine"


def test_set_overrides_a_field_and_is_recorded(small_yaml, tmp_path):
    out = tmp_path / "run"
    args = [
        "run",
        str(small_yaml),
        "--out",
        str(out),
        "--no-charts",
        "--set",
        "parcels.per_day=300",
        "--set",
        "variants.mixed.door_service_share=0.25",
        "--variant",
        "mixed",
    ]
    assert main(args) == 0
    resolved = yaml.safe_load((out / "scenario.resolved.yaml").read_text())
    assert resolved["parcels"]["per_day"] == 300
    assert resolved["variants"]["mixed"]["door_service_share"] == 0.25
    assert json.loads((out / "meta.json").read_text())["parcels_per_run"] == 600


def test_track_prints_the_timeline_in_english_and_chinese(small_yaml, tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", str(small_yaml), "--out", str(out), "--no-charts"]) == 0
    capsys.readouterr()
    assert main(["track", str(out), "0"]) == 0
    text = capsys.readouterr().out
    assert "到达网点" in text and "at_station" in text and "派送中" in text
    assert "door (replication 0)" in text and "locker (replication 0)" in text
    capsys.readouterr()
    assert main(["track", str(out), "999999"]) == 2
    said = capsys.readouterr()
    assert "run from 0 to" in said.out + said.err  # a missing id is answered with the ids there are
    assert main(["track", str(tmp_path / "nowhere"), "0"]) == 2


def test_python_dash_m_sim_is_the_same_command():
    done = subprocess.run([sys.executable, "-m", "sim", "validate", str(HEADLINE)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "valid scenario 'door_vs_locker'" in done.stdout


def test_a_results_folder_reads_back_as_the_runset_a_run_returns(small_yaml, tmp_path):
    import sim
    from sim.model.metrics import kpis_of

    out = tmp_path / "run"
    assert main(["run", str(small_yaml), "--out", str(out), "--no-charts", "--reps", "2"]) == 0
    loaded = sim.load_results(out)
    fresh = sim.run(small_yaml, replications=2)
    assert isinstance(loaded, sim.RunSet) and loaded.variants == fresh.variants
    pd.testing.assert_frame_equal(loaded.runs(), fresh.runs())
    for key, result in fresh.results.items():
        again = loaded.result(*key)
        assert kpis_of(again) == kpis_of(result)
        assert again.accounting == result.accounting
        assert again.events.to_pandas().equals(result.events.to_pandas())
    assert len(repr(loaded)) < 200 and len(repr(loaded.result("door"))) < 200


def test_kpis_json_has_one_shape_for_any_number_of_replications(small_yaml, tmp_path):
    for reps in ("1", "2"):
        out = tmp_path / f"r{reps}"
        assert main(["run", str(small_yaml), "--out", str(out), "--no-charts", "--reps", reps, "--variant", "door"]) == 0
        cell = json.loads((out / "kpis.json").read_text())["door"]["parcels_per_courier_day"]
        assert set(cell) == {"mean", "ci95", "n"} and cell["n"] == int(reps)
        assert (cell["ci95"] is None) == (reps == "1")


def test_diff_chooses_the_direction_of_paired_differences(small_yaml, tmp_path, capsys):
    out = tmp_path / "run"
    args = ["run", str(small_yaml), "--out", str(out), "--no-charts", "--reps", "2", "--diff", "locker,door"]
    assert main(args) == 0
    diffs = pd.read_csv(out / "differences.csv")
    assert set(zip(diffs["a"], diffs["b"], strict=True)) == {("locker", "door")}
    assert "locker − door" in capsys.readouterr().out
    assert main([*args[:-1], "door,nowhere", "--force"]) == 2
    assert "--diff: 'nowhere' is not among the variants run" in capsys.readouterr().err


def test_version_bare_command_and_help_on_every_option(capsys):
    from sim.cli.main import build_parser, help_pages

    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0 and capsys.readouterr().out.strip() == "parcelsim 0.1.0"
    assert main([]) == 0
    assert "COMMAND" in capsys.readouterr().out
    pages = dict(help_pages())
    assert {"run", "sweep", "breakeven", "plan-staff", "theory mmc", "validate", "track"} <= set(pages)
    from sim.cli.main import _build

    for name, parser in _build()[1]:
        for action in parser._actions:
            assert action.help, f"parcelsim {name}: {action.option_strings or action.dest} has no help text"
    assert build_parser().prog == "parcelsim"


def test_every_command_shows_examples_that_parse(capsys):
    """Each ``--help`` ends with examples, and each example is a command line the parser accepts."""
    import shlex

    from sim.cli.examples import EXAMPLES
    from sim.cli.main import build_parser, help_pages

    for name, page in help_pages():
        assert "examples:\n  parcelsim " + name in page, f"parcelsim {name} --help shows no example of itself"
    parser = build_parser()
    for name, lines in EXAMPLES.items():
        for line in lines:
            words = shlex.split(line)
            assert words[0] == "parcelsim" and " ".join(words[1:]).startswith(name), line
            parser.parse_args(words[1:])  # an unknown flag or a bad choice exits with 2


def test_library_errors_name_parameters_and_the_cli_names_flags(small_yaml, capsys):
    import sim

    with pytest.raises(sim.ScenarioError, match=r"^replications: must be at least 1") as err:
        sim.run(small_yaml, replications=0)
    assert isinstance(err.value, ValueError) and err.value.param == "replications"
    assert main(["breakeven", str(small_yaml), "--kpi", "nope", "--reps", "2"]) == 2
    assert "error: --kpi: unknown KPI 'nope'" in capsys.readouterr().err


def test_income_recomputed_from_events_parquet_alone_matches_the_breakdown(tmp_path):
    """Net income = Σ courier drops × their fee − charges, from nothing but the tracking log (with one
    locker charge for every slot size, the log alone tells it); the breakdown's lines add up to it."""
    out = tmp_path / "run"
    charge = "economics.locker_charge_yuan={S: 0.2, M: 0.2, L: 0.2}"
    assert main(["run", str(HEADLINE), "--out", str(out), "--no-charts", "--set", charge]) == 0
    events = pd.read_parquet(out / "events.parquet")
    events = events[(events["courier"] >= 0) & (events["time_s"] < 86400)]  # courier drops on the measured day
    status, service = events["status"].astype(str), events["service"].astype(str)
    fee = {
        "delivered/door_service": 0.8,
        "delivered/ordinary": 0.5,
        "in_locker/ordinary": 0.5,
        "in_locker/door_service": 0.5,
        "at_station_pickup/ordinary": 0.5,
        "at_station_pickup/door_service": 0.5,
    }
    key = status + "/" + service
    paid = key.map(fee).fillna(0.0)
    rent = 0.2 * (status == "in_locker")
    per_variant = (paid - rent).groupby(events["variant"].astype(str)).sum() / 25  # 25 couriers, one measured day
    breakdown = pd.read_csv(out / "income_breakdown.csv")
    breakdown = breakdown[breakdown["section"] == "courier"].set_index("variant")
    kpis = json.loads((out / "kpis.json").read_text())
    lines = [key for key, _ in INCOME_LINES]
    for variant in ("door", "locker", "mixed"):
        assert breakdown.loc[variant, lines].sum() == pytest.approx(breakdown.loc[variant, "net"])
        assert breakdown.loc[variant, "net"] == pytest.approx(per_variant[variant], abs=1e-4)
        assert kpis[variant]["income_per_courier_day_yuan"]["mean"] == pytest.approx(per_variant[variant], abs=1e-4)


def test_run_warns_when_a_kpi_leaves_its_real_world_band(small_yaml, tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", str(small_yaml), "--out", str(out), "--no-charts", "--set", "couriers.count=8"]) == 0
    out_text = capsys.readouterr().out
    # 8 couriers for 500 parcels: about 60 parcels a day each, far below the real 150-300.
    assert "warning: door: parcels_per_courier_day" in out_text and "below the real-world band of 150-300" in out_text
    assert "sources §2" in out_text
    assert any("150-300" in w for w in json.loads((out / "meta.json").read_text())["warnings"])


def test_a_folder_whose_run_did_not_finish_is_refused(small_yaml, tmp_path, capsys):
    """Regression (#18): meta.json is written last; without it track, plot and load_results say the
    folder is incomplete instead of answering from half a run."""
    from sim.results.bundle import load_results

    out = tmp_path / "run"
    assert main(["run", str(small_yaml), "--out", str(out), "--no-charts", "--variant", "door"]) == 0
    (out / "meta.json").unlink()
    capsys.readouterr()
    for command in (["track", str(out), "0"], ["plot", str(out)]):
        assert main(command) == 2, command
        assert "incomplete results" in capsys.readouterr().err
    with pytest.raises(ResultsError, match="incomplete"):
        load_results(out)


def test_a_results_file_cut_short_is_an_error_not_a_traceback(small_yaml, tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", str(small_yaml), "--out", str(out), "--no-charts", "--variant", "door"]) == 0
    part = next((out / "events.parquet").glob("*.parquet"))
    part.write_bytes(part.read_bytes()[:1000])
    capsys.readouterr()
    assert main(["track", str(out), "0"]) == 2
    assert "cannot be read" in capsys.readouterr().err


def test_kpi_tables_carry_chinese_labels_and_fit_80_columns(small_yaml, tmp_path, capsys, monkeypatch):
    from rich.cells import cell_len

    monkeypatch.setenv("COLUMNS", "80")
    assert main(["run", str(small_yaml), "--out", str(tmp_path / "r"), "--reps", "2", "--no-charts"]) == 0
    out = capsys.readouterr().out
    table_lines = [line for line in out.splitlines() if line[:1] in "┏┃┡│└"]
    assert table_lines and max(cell_len(line) for line in table_lines) <= 80
    assert "日派件量" in out and "parcels_per_courier_day" in out and "时薪(元)" in out
