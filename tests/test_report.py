"""report.html: one self-contained page per results folder (issue #16)."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from sim.cli.main import main

from .conftest import SMALL


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    made = tmp_path_factory.mktemp("report")
    scenario = made / "small.yaml"
    scenario.write_text(yaml.safe_dump(SMALL), encoding="utf-8")
    out = made / "run"
    assert main(["run", str(scenario), "--out", str(out), "--reps", "2"]) == 0
    return out


def _data(page: str) -> dict:
    blob = re.search(r'<script id="data" type="application/json">(.*?)</script>', page, re.S).group(1)
    return json.loads(blob)


def test_every_run_writes_a_self_contained_report(folder):
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert (folder / "report.html").stat().st_size < 15e6
    # Nothing is fetched: no external scripts, styles, images or fonts.
    assert not re.search(r'<(script|link|img)[^>]+(src|href)=["\']?https?:', page)
    assert "@font-face" in page and "data:font/otf;base64," in page  # Chinese renders without system fonts
    assert 'id="verdict-en"' in page and "per hour worked" in page and "时薪" in page


def test_the_report_data_match_the_results(folder):
    import pandas as pd

    data = _data((folder / "report.html").read_text(encoding="utf-8"))
    kpis = pd.read_csv(folder / "kpis.csv")
    row = next(r for r in data["kpis"]["rows"] if r[0] == "parcels_per_courier_day")
    assert row[1] == "日派件量"
    for variant, value in zip(data["kpis"]["variants"], row[2], strict=True):
        assert value == pytest.approx(kpis[kpis["variant"] == variant]["parcels_per_courier_day"].mean(), rel=1e-3)
    replay = data["replay"]
    events = pd.read_parquet(folder / "events.parquet", filters=[("variant", "=", replay["variant"]), ("replication", "=", 0)])
    assert len(replay["parcels"]["time"]) == len(events)  # every event of the replayed run, for the lookup
    assert sorted(replay["parcels"]["id"]) == sorted(events["parcel"].unique())
    for track in replay["couriers"]:
        assert track["t"] == sorted(track["t"])  # keyframes in time order: positions interpolate


def test_report_rebuilds_and_refuses_folders_that_cannot_make_one(folder, tmp_path, capsys):
    (folder / "report.html").unlink()
    assert main(["report", str(folder)]) == 0
    assert (folder / "report.html").is_file()
    broken = tmp_path / "broken"
    broken.mkdir()
    for name in ("kpis.csv", "meta.json", "scenario.resolved.yaml"):
        (broken / name).write_bytes((folder / name).read_bytes())
    assert main(["report", str(broken)]) == 2
    assert "not a parcelsim results folder" in capsys.readouterr().err
    (broken / "meta.json").unlink()
    assert main(["report", str(broken)]) == 2
    assert "no meta.json" in capsys.readouterr().err
