"""The parts of each stop are logged as intervals (issue #16): a courier's day as it happened."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.activity import StopPart
from sim.model.run import simulate

from .conftest import small_scenario


@pytest.fixture(scope="module")
def result():
    scenario = small_scenario(parcels={"per_day": 400}, couriers={"count": 3})
    return simulate(scenario, "mixed" if "mixed" in scenario.variants else next(iter(scenario.variants)))


def _frames(result):
    return result.activity.stops.to_pandas(), result.activity.stop_parts.to_pandas()


def test_parts_fill_each_stop_exactly_without_overlap(result):
    stops, parts = _frames(result)
    assert len(parts) > len(stops) > 0
    parts = parts.sort_values(["courier", "start_s", "end_s"])
    for courier, mine in parts.groupby("courier"):
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
