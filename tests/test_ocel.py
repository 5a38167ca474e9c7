"""OCEL 2.0 export of the tracking log, read back by pm4py (issue #17)."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

import pandas as pd
import pytest
import yaml

from sim.cli.main import main
from sim.results.ocel import export_ocel

from .conftest import SMALL

pm4py = pytest.importorskip("pm4py", reason="pm4py is not installed (pip install -e '.[dev]')")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    made = tmp_path_factory.mktemp("ocel")
    scenario = made / "small.yaml"
    scenario.write_text(yaml.safe_dump(SMALL), encoding="utf-8")
    assert (
        main(["run", str(scenario), "--out", str(made / "run"), "--no-charts", "--variant", "door", "--variant", "locker"]) == 0
    )
    return made / "run"


def _run_events(folder, variant="door") -> pd.DataFrame:
    return pd.read_parquet(folder / "events.parquet", filters=[("variant", "=", variant), ("replication", "=", 0)])


@pytest.mark.parametrize(("fmt", "reader"), [("ocel2-json", "read_ocel2_json"), ("ocel2-sqlite", "read_ocel2_sqlite")])
def test_export_round_trips_through_pm4py_with_equal_counts(folder, tmp_path, fmt, reader):
    out = tmp_path / ("log.json" if fmt == "ocel2-json" else "log.sqlite")
    summary = export_ocel(folder, out, fmt, variant="door")
    ocel = getattr(pm4py, reader)(str(out))
    events = _run_events(folder)
    assert len(ocel.events) == summary.events == len(events)
    kinds = ocel.objects["ocel:type"].value_counts().to_dict()
    assert kinds == {k: n for k, n in summary.objects.items() if n}
    assert kinds["parcel"] == events["parcel"].nunique()
    assert kinds["courier"] == events.loc[events["courier"] >= 0, "courier"].nunique()
    assert kinds["station"] == 1
    # Every event of a status is there, by type.
    assert ocel.events["ocel:activity"].value_counts().to_dict() == events["status"].astype(str).value_counts().to_dict()


def test_events_relate_their_objects_with_qualifiers(folder, tmp_path):
    out = tmp_path / "log.json"
    export_ocel(folder, out, "ocel2-json", variant="locker", start=date(2024, 3, 1))
    log = json.loads(out.read_text(encoding="utf-8"))
    by_type = {}
    for event in log["events"]:
        by_type.setdefault(event["type"], event)
    delivered = {r["qualifier"] for r in by_type["in_locker"]["relationships"]}
    assert {"parcel", "courier", "tour", "station", "locker"} <= delivered
    assert {r["qualifier"] for r in by_type["at_station"]["relationships"]} == {"parcel", "station"}
    # Times count from the start date: the first event of the log at its time_s after midnight of day 0.
    events = _run_events(folder, "locker")
    first = pd.Timestamp("2024-03-01T00:00:00Z") + pd.to_timedelta(events["time_s"].iloc[0], unit="s")
    assert pd.Timestamp(log["events"][0]["time"]) == first.round("ms")
    tours = [o for o in log["objects"] if o["type"] == "tour"]
    assert tours and all(o["relationships"][0]["qualifier"] == "ridden by" for o in tours)


def test_sqlite_export_has_the_standard_tables(folder, tmp_path):
    out = tmp_path / "log.sqlite"
    export_ocel(folder, out, "ocel2-sqlite")
    with sqlite3.connect(out) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {
        "event",
        "object",
        "event_object",
        "object_object",
        "event_map_type",
        "object_map_type",
        "event_delivered",
        "object_parcel",
    } <= tables


def test_export_errors_exit_2(folder, tmp_path, capsys):
    out = tmp_path / "x.json"
    assert main(["export", str(folder), "--out", str(out), "--variant", "nope"]) == 2
    assert "--variant: 'nope' is not in" in capsys.readouterr().err
    assert main(["export", str(folder), "--out", str(out), "--replication", "5"]) == 2
    assert "--replication: 5 is not in" in capsys.readouterr().err
    assert main(["export", str(folder), "--out", str(out)]) == 0
    assert main(["export", str(folder), "--out", str(out)]) == 2
    assert "exists" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stop:
        main(["export", str(folder), "--out", str(out), "--start-date", "March"])
    assert stop.value.code == 2 and "not a date like 2024-03-01" in capsys.readouterr().err
