"""The parts of each stop are logged as intervals (issue #16): a courier's day as it happened."""

from __future__ import annotations

from itertools import accumulate

import numpy as np
import pytest

from sim.model.activity import StopPart
from sim.model.facilities.stop import StopClock
from sim.model.run import simulate

from .conftest import small_scenario


@pytest.fixture(scope="module")
def result():
    scenario = small_scenario(parcels={"per_day": 400}, couriers={"count": 3})
    return simulate(scenario, "mixed" if "mixed" in scenario.variants else next(iter(scenario.variants)))


def _frames(result):
    """The stops and the parts of stops (breaks, tasks and waiting at the station have place -1)."""
    parts = result.activity.stop_parts.to_pandas()
    return result.activity.stops.to_pandas(), parts[parts["place"] >= 0]


def test_day_parts_lie_between_stops(result):
    """Breaks, station tasks and waiting are logged too, and never inside a stop."""
    stops = result.activity.stops.to_pandas()
    parts = result.activity.stop_parts.to_pandas()
    day_parts = parts[parts["place"] < 0]
    assert {int(StopPart.BREAK), int(StopPart.WAITING)} <= set(day_parts["part"])
    for part in day_parts.itertuples(index=False):
        mine = stops[stops["courier"] == part.courier]
        inside = (mine["arrive_s"] < part.end_s - 1e-6) & (mine["depart_s"] > part.start_s + 1e-6)
        assert not inside.any(), f"a {StopPart(part.part).name} overlaps a stop"


def test_parts_fill_each_stop_exactly_without_overlap(result):
    stops, parts = _frames(result)
    assert len(parts) > len(stops) > 0
    every = result.activity.stop_parts.to_pandas().sort_values(["courier", "start_s", "end_s"])
    for courier, mine in every.groupby("courier"):
        start, end = mine["start_s"].to_numpy(), mine["end_s"].to_numpy()
        assert np.all(end > start)
        assert np.all(start[1:] >= end[:-1] - 1e-6), f"courier {courier}: parts overlap"
    # Each stop's parts lie within its arrival and departure and add up to its whole length.
    covered = 0.0
    for stop in stops.itertuples(index=False):
        inside = parts[
            (parts["courier"] == stop.courier)
            & (parts["start_s"] >= stop.arrive_s - 1e-6)
            & (parts["end_s"] <= stop.depart_s + 1e-6)
        ]
        length = stop.depart_s - stop.arrive_s
        assert (inside["end_s"] - inside["start_s"]).sum() == pytest.approx(length, abs=1e-6)
        covered += length
    assert (parts["end_s"] - parts["start_s"]).sum() == pytest.approx(covered, abs=1e-3)


def test_parts_add_up_to_the_stop_totals(result):
    stops, parts = _frames(result)
    seconds = (parts["end_s"] - parts["start_s"]).groupby(parts["part"]).sum()

    def total(*kinds):
        return sum(float(seconds.get(int(k), 0.0)) for k in kinds)

    assert total(StopPart.PARK) == pytest.approx(stops["park_s"].sum(), rel=1e-9)
    assert total(StopPart.WALK) == pytest.approx(stops["walk_s"].sum(), rel=1e-9)
    assert total(StopPart.STAIRS, StopPart.LIFT) == pytest.approx(stops["vertical_s"].sum(), rel=1e-9)
    assert total(StopPart.WAIT, StopPart.CALL) == pytest.approx(stops["wait_s"].sum(), rel=1e-9)
    assert total(StopPart.HANDOVER) == pytest.approx(stops["handover_s"].sum(), rel=1e-9)
    assert total(StopPart.LOCKER, StopPart.PICKUP_STATION) == pytest.approx(stops["pickup_s"].sum(), rel=1e-9)
    assert {int(StopPart.PARK), int(StopPart.WALK), int(StopPart.HANDOVER)} <= set(seconds.index)


@pytest.mark.parametrize("seconds", [2.7, 0.1, 0.0])
def test_spending_a_session_at_once_is_spending_it_parcel_by_parcel(seconds):
    """``StopClock.spend_each`` (a locker session's drops at once) gives the very floats of one
    ``spend`` a parcel: each drop's end time, the stop's totals, the clock, one merged interval.
    0.1 s does not add up exactly in binary, so a sum instead of additions in turn would differ."""
    one_by_one, at_once = StopClock(1000.3), StopClock(1000.3)
    for clock in (one_by_one, at_once):
        clock.spend(StopPart.WALK, 12.5)
        clock.spend(StopPart.LOCKER, 15.0)  # opening the bank: the drops extend this interval
    ends = [one_by_one.spend(StopPart.LOCKER, seconds) for _ in range(7)]
    assert at_once.spend_each(StopPart.LOCKER, seconds, 7) == ends
    assert ends == list(accumulate([1000.3 + 12.5 + 15.0] + [seconds] * 7))[1:]  # one addition at a time
    fields = ("now", "parts", "totals")
    assert [getattr(at_once, f) for f in fields] == [getattr(one_by_one, f) for f in fields]
    assert len(at_once.parts) == 2 * 3  # walk, then one locker session (start, end, part each)
    if seconds == 0.1:
        assert ends[-1] != 1000.3 + 12.5 + 15.0 + 7 * 0.1  # why the additions must come in turn
