"""Rush hours: rides slow by the factor set, tours planned on the hour's times ride less, lifts wait longer."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import yaml

from sim.cli.main import main
from sim.core.streams import Streams
from sim.core.units import SECONDS_PER_HOUR
from sim.model.facilities.buildings import Elevators
from sim.model.run import simulate
from sim.scenario.schema import TrafficConfig

from .conftest import SMALL, small_scenario

EVERY_ROAD = {"arterial": 1.0, "local": 1.0, "access": 1.0, "other": 1.0}


def _leg_start_h(stops) -> np.ndarray:
    return ((stops.arrive_s - stops.ride_s) % 86400) / SECONDS_PER_HOUR


def test_rides_that_start_in_the_peak_take_the_factor_longer():
    sc = small_scenario(traffic={"peaks": [{"from_h": 8, "to_h": 9, "factor": 2.0}], "tricycle_share_of_delay": EVERY_ROAD})
    stops = simulate(sc, "door").activity.stops
    speed = sc.couriers.ride_speed_mps
    start = _leg_start_h(stops)
    moved = stops.ride_m > 0
    peak = moved & (start >= 8) & (start < 9)
    calm = moved & (start >= 13) & (start < 17)
    assert peak.sum() > 5 and calm.sum() > 5
    assert np.allclose(stops.ride_s[peak] * speed / stops.ride_m[peak], 2.0, rtol=1e-9)  # twice the free-flow time
    assert np.allclose(stops.ride_s[calm] * speed / stops.ride_m[calm], 1.0, rtol=1e-9)


def test_planning_on_the_hours_times_rides_less_where_the_main_roads_are_jammed():
    """Main roads take three times as long and side streets none longer: a route planned on those
    times keeps off the main roads; one planned on free-flow times does not. Forty tours of ten
    stops in the headline district, each ridden in the jam."""
    from sim.model.facilities.route import Route
    from sim.model.facilities.traffic import Traffic
    from sim.scenario.load import load_scenario
    from sim.world.districts import build_city

    from .conftest import HEADLINE

    sc = load_scenario(HEADLINE)
    city = build_city(sc.city, sc.station, sc.seed, 0)
    jam = TrafficConfig(peaks=[{"from_h": 0, "to_h": 24, "factor": 3.0}], tricycle_share_of_delay={"arterial": 1.0, "other": 0.0})
    traffic = Traffic(city, jam, sc.couriers.ride_speed_mps)
    ridden_in_jam = traffic.matrix(9 * SECONDS_PER_HOUR)
    rng = np.random.default_rng(1)
    totals = {"departure_hour": 0.0, "free_flow": 0.0}
    wins = {"departure_hour": 0, "free_flow": 0}
    for _ in range(40):
        places = rng.choice(np.arange(1, city.n_compounds + 1), size=10, replace=False)
        rides = {}
        for plan_on, cost in (("departure_hour", traffic.plan_matrix(9 * SECONDS_PER_HOUR)), ("free_flow", traffic.free_flow)):
            order = [0, *Route(city, {int(p): [0] for p in places}, {}, cost=cost).ahead, 0]
            rides[plan_on] = float(sum(ridden_in_jam[a, b] for a, b in itertools.pairwise(order)))
            totals[plan_on] += rides[plan_on]
        if abs(rides["departure_hour"] - rides["free_flow"]) > 1e-6:
            wins[min(rides, key=rides.__getitem__)] += 1
    assert totals["departure_hour"] < 0.99 * totals["free_flow"]
    assert wins["departure_hour"] > 5 * max(wins["free_flow"], 1)


def test_lift_waits_at_the_residents_peak_are_the_factor_longer():
    calm = Elevators(45.0, Streams(1))
    busy = Elevators(45.0, Streams(1), TrafficConfig(lift_peaks=[{"from_h": 7, "to_h": 9, "factor": 2.5}]))
    at_8, at_14 = 8.5 * SECONDS_PER_HOUR, 14.5 * SECONDS_PER_HOUR
    for building in range(5):
        assert busy.wait_s(building, at_8, 3) == pytest.approx(2.5 * calm.wait_s(building, at_8, 3))  # the same draw
        assert busy.wait_s(building, at_14, 3) == calm.wait_s(building, at_14, 3)


def test_a_day_of_factor_one_is_ridden_as_in_free_flow():
    """Peaks of factor 1 all day go through the rush-hour machinery and must change nothing."""
    plain = simulate(small_scenario(), "door")
    flat = [{"from_h": 0, "to_h": 24, "factor": 1.0}]
    listed = simulate(small_scenario(traffic={"peaks": flat, "lift_peaks": flat}), "door")
    assert np.array_equal(plain.events.time_s, listed.events.time_s)


@pytest.mark.parametrize(
    ("traffic", "named"),
    [
        ({"peaks": [{"from_h": 7, "to_h": 9, "factor": 0}]}, "traffic.peaks.0.factor"),
        ({"peaks": [{"from_h": 9, "to_h": 7, "factor": 1.5}]}, "to_h 7 must be after from_h 9"),
        ({"tricycle_share_of_delay": {"arterial": 0.5}}, "'other'"),
        ({"lift_peaks": [{"from_h": 7, "to_h": 9, "factor": 11}]}, "traffic.lift_peaks.0.factor"),
    ],
)
def test_bad_traffic_exits_2_naming_the_field(tmp_path, capsys, traffic, named):
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump({**SMALL, "traffic": traffic}), encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    assert named in capsys.readouterr().err


def test_a_run_with_rush_hours_draws_its_speed_profile(tmp_path):
    from sim.experiments.runner import run
    from sim.presentation.gallery import gallery
    from sim.results.bundle import write_bundle
    from sim.results.folder import Bundle

    sc = small_scenario(
        traffic={"peaks": [{"from_h": 7, "to_h": 9, "factor": 1.6}], "lift_peaks": [{"from_h": 7, "to_h": 9, "factor": 1.5}]}
    )
    write_bundle(run(sc, variants=["door"]), tmp_path)
    chart = gallery(Bundle(tmp_path))["speed_profile"]
    lines = {line.get_label(): line.get_ydata() for line in chart.axes[0].get_lines()}
    cars = lines["cars"]
    assert cars[8] == pytest.approx(1 / 1.6) and cars[14] == 1.0  # 08:00-09:00 in the peak, 14:00 free
    main_roads = next(v for k, v in lines.items() if "arterial" in k)
    assert main_roads[8] == pytest.approx(1 / (1 + 0.6 * 0.5))  # half the cars' delay (A43)
    assert "speed_profile" not in gallery(Bundle(_plain(tmp_path)))


def _plain(tmp_path):
    from sim.experiments.runner import run
    from sim.results.bundle import write_bundle

    out = tmp_path / "plain"
    write_bundle(run(small_scenario(), variants=["door"]), out)
    return out
