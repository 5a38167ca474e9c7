"""A week of work: volumes by weekday and peak days, a roster with days off and absences, the
areas of couriers who are off served by their neighbours, and the run day by day."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.cli.main import main
from sim.core.streams import Streams
from sim.core.units import SECONDS_PER_DAY
from sim.model.metrics import kpis_by_day, kpis_of
from sim.model.roster import Roster
from sim.model.run import simulate
from sim.model.tracking import Status
from sim.scenario.week import RosterConfig, WeekConfig

from .conftest import SMALL, small_scenario

# Saturday and Sunday have a day off for 3 and 2 of the 10 couriers: j = 0..4 alternate 5, 6, 5, 6, 5.
ROSTER = {"count": 10, "capacity_parcels": 60, "roster": {"day_off_share": 0.5, "off_weekdays": [5, 6]}}
WEEK = {"days": 7, "drain_days": 1, "start_weekday": 0}


def _week(**sections):
    return small_scenario(**{"couriers": ROSTER, "horizon": WEEK, **sections})


def test_daily_volumes_follow_the_weekday_the_run_starts_on_and_the_largest_peak():
    """Without day-to-day noise each day brings per_day × its weekday's factor × the largest peak
    covering it. Day 0 is a Saturday, so the factors are read from Saturday on (0.5, 0.8, 1.2, 1,
    ...); peaks ×2 on days 2-3 and ×3 on days 3-4 overlap on day 3, which takes ×3, not ×6. By hand:
    500 × (0.5, 0.8, 1.2×2, 1×3, 1×3, 1, 1) and nothing on the drain day."""
    sc = small_scenario(
        horizon={**WEEK, "start_weekday": 5},
        week={
            "volume_by_weekday": [1.2, 1, 1, 1, 1, 0.5, 0.8],
            "peaks": [
                {"name": "double11", "from_day": 2, "days": 2, "factor": 2.0},
                {"name": "double12", "from_day": 3, "days": 2, "factor": 3.0},
            ],
        },
    )
    rows = kpis_by_day(simulate(sc, "locker"))
    assert [r["parcels_arrived"] for r in rows] == [250, 400, 1200, 1500, 1500, 500, 500, 0]
    assert [r["weekday"] for r in rows] == [5, 6, 0, 1, 2, 3, 4, 5]


def test_couriers_off_do_not_work_and_their_neighbours_serve_their_areas():
    sc = _week()
    result = simulate(sc, "locker")
    at_work = [r["couriers_at_work"] for r in kpis_by_day(result)]
    assert at_work[:7] == [10, 10, 10, 10, 10, 7, 8]
    days = result.activity.days
    off = {(5, 0), (5, 4), (5, 8), (6, 2), (6, 6)}  # (day, courier): couriers j*10//5 = 0, 2, 4, 6, 8
    worked = set(zip(days.day.tolist(), days.courier.tolist(), strict=True))
    assert not off & worked
    assert len(worked) == 10 * 8 - len(off)
    # Courier 0's parcels on his Saturday off were left by courier 1, courier 4's by courier 5.
    roster = Roster(sc.couriers.roster, sc.week, couriers=10, days=8, start_weekday=0, streams=Streams(sc.seed, 0).for_station(0))
    assert roster.areas(1, 5) == (1, 0) and roster.areas(5, 5) == (5, 4) and roster.areas(0, 5) == ()
    ev = result.events
    saturday = (ev.time_s >= 5 * SECONDS_PER_DAY) & (ev.time_s < 6 * SECONDS_PER_DAY) & (ev.courier >= 0)
    left = saturday & np.isin(ev.status, (Status.DELIVERED, Status.IN_LOCKER, Status.AT_STATION_PICKUP))
    assert left.sum() > 100
    assert not np.isin(ev.courier[left], [0, 4, 8]).any()


def test_nobody_takes_a_day_off_in_a_peak():
    sc = _week(week={"peaks": [{"from_day": 5, "days": 1, "factor": 1.5}]})
    at_work = [r["couriers_at_work"] for r in kpis_by_day(simulate(sc, "locker"))]
    assert at_work[5:7] == [10, 8]


def test_every_parcel_is_accounted_for_through_a_week_with_a_peak_and_a_roster():
    """What waits at each midnight is what arrived by then less what was left or returned by then;
    at the last midnight it is what the accounting finds still at the station or on a tricycle."""
    sc = _week(
        week={"volume_by_weekday": [1.3, 1, 1, 1, 1, 0.7, 0.7], "peaks": [{"from_day": 3, "days": 2, "factor": 2.5}]},
        couriers={**ROSTER, "count": 4, "roster": {"day_off_share": 0.5, "absence_share": 0.1}},
    )
    result = simulate(sc, "door")
    rows = kpis_by_day(result)
    assert sum(r["parcels_arrived"] for r in rows) == result.n_parcels == result.accounting.placed
    waiting = [r["waiting_at_midnight"] for r in rows]
    assert max(waiting) > 500  # the peak outran four couriers: a real backlog, carried over
    assert waiting[-1] == result.accounting.in_flight


def test_absences_are_each_courier_days_own_draw():
    """A courier's absence on a day does not change when the run is longer or the station larger."""
    cfg, week = RosterConfig(absence_share=0.3), WeekConfig()
    streams = Streams(3, 0).for_station(0)
    short = Roster(cfg, week, couriers=6, days=7, start_weekday=0, streams=streams).at_work
    long = Roster(cfg, week, couriers=9, days=14, start_weekday=0, streams=streams).at_work
    assert np.array_equal(short, long[:7, :6])
    assert 0.5 < long.mean() < 0.9  # about 70% at work


def test_someone_comes_in_when_every_courier_of_a_day_would_be_absent():
    at_work = Roster(
        RosterConfig(absence_share=0.99), WeekConfig(), couriers=3, days=30, start_weekday=0, streams=Streams(1, 0)
    ).at_work
    assert at_work.any(axis=1).all()


def test_the_default_roster_keeps_everyone_at_work_every_day(small):
    result = simulate(small, "locker")
    kpis = kpis_of(result)
    assert kpis["courier_days"] == small.couriers.count * small.horizon.days
    assert len(result.activity.days) == small.couriers.count * (small.horizon.days + small.horizon.drain_days)


def test_a_run_of_a_week_prints_its_weekdays(tmp_path, capsys):
    path = tmp_path / "week.yaml"
    path.write_text(yaml.safe_dump({**SMALL, "couriers": ROSTER, "horizon": WEEK, "variants": {"locker": {}}}))
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 0
    printed = capsys.readouterr().out
    assert "By weekday" in printed
    sunday = next(line for line in printed.splitlines() if "Sun" in line)
    assert " 8 " in sunday  # couriers at work on Sunday: 10 less the two off (the roster above)


def test_the_week_chart_is_in_the_gallery_and_the_report(tmp_path, capsys):
    path = tmp_path / "week.yaml"
    path.write_text(
        yaml.safe_dump({**SMALL, "couriers": ROSTER, "horizon": {"days": 3, "drain_days": 1}, "variants": {"locker": {}}})
    )
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out)]) == 0
    assert (out / "charts" / "week.png").is_file()
    assert (out / "by_day.csv").is_file()
    weekdays = pd.read_csv(out / "by_weekday.csv")
    assert weekdays["weekday"].tolist() == [0, 1, 2] and weekdays["days"].tolist() == [1, 1, 1]
    assert '"week":' in (out / "report.html").read_text(encoding="utf-8")
    assert "By weekday" not in capsys.readouterr().out  # three days are no week


@pytest.mark.parametrize(
    ("sections", "named"),
    [
        ({"couriers": {"count": 2, "roster": {"day_off_share": 1.0, "off_weekdays": [6]}}}, "couriers.roster"),
        ({"week": {"peaks": [{"from_day": 9, "days": 2, "factor": 2}]}}, "week.peaks.0.from_day"),
        ({"week": {"volume_by_weekday": [1, 1, 1, 1, 1, 1]}}, "week.volume_by_weekday"),
        ({"couriers": {"roster": {"off_weekdays": [7]}}}, "couriers.roster.off_weekdays"),
        ({"couriers": {"roster": {"absence_share": 1.0}}}, "couriers.roster.absence_share"),
    ],
)
def test_bad_week_exits_2_naming_the_field(tmp_path, capsys, sections, named):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({**SMALL, "horizon": WEEK, **sections}))
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert named in err and "Traceback" not in err


def test_by_weekday_averages_the_measured_days_of_each_weekday():
    from sim.results.runset import by_weekday

    by_day = pd.DataFrame(
        {
            "variant": ["a"] * 4,
            "replication": [0] * 4,
            "day": [0, 1, 7, 8],
            "weekday": [6, 0, 6, 0],  # the run starts on a Sunday
            "measured": [1, 1, 1, 0],
            "parcels_left": [100.0, 50.0, 300.0, 999.0],
        }
    )
    out = by_weekday(by_day)
    assert out["weekday"].tolist() == [0, 6]  # Monday first, whatever day 0 was
    assert out["days"].tolist() == [1, 2]
    assert out["parcels_left"].tolist() == [50.0, 200.0]  # the unmeasured Monday left out


def test_plan_couriers_skips_fleets_the_roster_cannot_staff():
    """With 90% of the couriers off on Sundays, round(0.9 n) >= n for n <= 4: fleets of up to four
    leave Sunday's parcels with nobody; the search passes over them instead of failing."""
    from sim.experiments.staffing import parse_target, plan_couriers

    sc = _week(couriers={**ROSTER, "count": 6, "roster": {"day_off_share": 0.9, "off_weekdays": [6]}})
    plan = plan_couriers(sc, "locker", parse_target("same_day_delivery_share>=0.5"))
    assert plan.team == 5
    assert all(np.isnan(plan.evaluations[n]) for n in plan.evaluations if n < 5)


def test_capacity_measures_one_ordinary_day_whatever_the_week():
    """A saturated day has no peak, no weekday factor and every courier at work: the week's
    settings change nothing in it (a peak on day 5 of a week would not even be a valid one-day run)."""
    from sim.experiments.capacity import saturated

    plain = small_scenario(couriers=ROSTER | {"roster": {}}, horizon=WEEK)
    weekly = _week(week={"volume_by_weekday": [1.3, 1, 1, 1, 1, 0.7, 0.7], "peaks": [{"from_day": 5, "days": 2, "factor": 2}]})
    assert saturated(weekly) == saturated(plain)
    assert saturated(weekly).horizon.days == 1
