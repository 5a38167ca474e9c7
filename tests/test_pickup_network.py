"""The pick-up network (issue #24): shared locker banks, community pick-up stations (驿站), what a
courier does at a full bank, and the station's money. Each test sets up a district where the
mechanism's effect is known in direction, and checks that every parcel is still accounted for
(every run raises ``ConservationError`` otherwise)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.model.metrics import kpis_of
from sim.model.run import simulate
from sim.model.tracking import Detail, Status
from sim.scenario.load import load_scenario

from .conftest import ROOT, SMALL, small_scenario

# Every compound has its own bank and 驿站, so every ordinary parcel goes to a locker first.
CROWDED = {**SMALL["city"], "locker_share": 1.0, "pickup_station_share": 1.0, "locker_slots": {"S": 3, "M": 2, "L": 1}}


def _locker(**sections):
    return kpis_of(simulate(small_scenario(city=CROWDED, **sections), "locker"))


def test_a_full_bank_sends_parcels_where_the_policy_says():
    """Tiny banks fill at once. Carry back: every parcel that met a full bank goes back to the
    station. The compound's 驿站: none goes back; they are left at the 驿站 instead."""
    back = _locker(locker={"when_full": ["carry_back"]})
    assert back["locker_fallback_share"] > 0.3
    assert back["locker_fallback_carried_back_share"] == pytest.approx(1.0)
    assert back["pickup_station_delivered_share"] < 0.1  # only what recipients asked for on the phone
    station = _locker(locker={"when_full": ["pickup_station", "carry_back"]})
    assert station["locker_fallback_pickup_station_share"] > 0.9
    assert station["no_room_carried_back"] < back["no_room_carried_back"]
    assert station["pickup_station_delivered_share"] > back["pickup_station_delivered_share"] + 0.2


def test_other_networks_parcels_leave_fewer_slots_for_ours():
    alone = _locker(locker={"background_share_per_day": 0.0})
    shared = _locker(locker={"background_share_per_day": 1.0})
    assert shared["locker_delivered_share"] < alone["locker_delivered_share"]
    assert shared["locker_fallback_share"] > alone["locker_fallback_share"]


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios").glob("*.yaml")), ids=lambda p: p.stem)
def test_no_locker_bank_or_pickup_station_ever_holds_more_than_it_has_room_for(path):
    overrides = {"stations.count": 1, "parcels.per_day": 600, "couriers.count": 4} if path.stem.startswith("city_") else {}
    scenario = load_scenario(path, overrides)
    if scenario.upstream is not None:
        scenario = scenario.with_overrides({"upstream.orders.per_day": 600})
    for variant in scenario.variants:
        result = simulate(scenario, variant)
        u = result.activity.pickup_days
        assert (u.peak <= u.capacity).all() and (u.peak_ours <= u.peak).all(), (path.stem, variant)
        k = kpis_of(result)
        for share in ("locker_bank_peak_share_max", "pickup_station_peak_share"):
            assert math.isnan(k[share]) or k[share] <= 1.0


def test_a_parcel_is_delivered_only_where_a_recipient_can_collect_it():
    """Without a counter as a pick-up point, no parcel is ever left at the franchise station for its
    recipient; a scenario that opens the counter sends there what has no bank or 驿站."""
    city = {**SMALL["city"], "locker_share": 0.0, "pickup_station_share": 0.0}
    closed = kpis_of(simulate(small_scenario(city=city), "locker"))
    assert closed["station_counter_delivered_share"] == 0 and closed["door_delivered_share"] == 1.0
    opened = small_scenario(city=city, station={"counter": {"pickup": True}})
    result = simulate(opened, "locker")
    assert kpis_of(result)["station_counter_delivered_share"] > 0.8
    collected = (result.events.status == Status.PICKED_UP) & (result.events.detail == Detail.FROM_COUNTER)
    assert collected.any()


def test_a_pickup_station_takes_nothing_in_before_it_opens_to_couriers():
    """A 驿站 that only takes parcels in from 15:00: the first wave (08:00) finds it closed and brings
    its 驿站 parcels back to the station, for the next day."""
    city = {**SMALL["city"], "locker_share": 0.0, "pickup_station_share": 1.0}
    late = small_scenario(city=city, pickup_station={"checkin_from_h": 15.0, "opens_h": 15.0})
    result = simulate(late, "locker")
    ev = result.events
    no_room = (ev.status == Status.AT_STATION) & (ev.detail == Detail.NO_ROOM)
    handed_in = (ev.status == Status.AT_STATION_PICKUP) & (ev.courier >= 0) & (ev.place > 0)
    assert no_room.any()
    hours = (ev.time_s[handed_in] % 86_400) / 3600
    assert (hours >= 15.0).all()


def test_the_station_net_is_its_fees_less_what_it_pays():
    """Station net per day = delivered × network fee + platform fees − courier pay − the 驿站 charges
    it pays − compensation: with the platform's fees passed on whole and no piece rate, that is
    delivered × 1.2 − 驿站 drops × 0.4 − complaints × 5, per station-day."""
    k = kpis_of(simulate(small_scenario(city=CROWDED), "locker"))
    days = 2  # SMALL measures two days
    delivered = k["parcels_per_courier_day"] * k["courier_days"]
    pickup = k["pickup_station_delivered_share"] * delivered
    expected = (delivered * 1.2 - pickup * 0.4 - k["complaints"] * 5.0) / days
    assert k["station_net_yuan_per_day"] == pytest.approx(expected, rel=1e-9)


def test_other_networks_draws_are_the_same_in_every_variant():
    """Common random numbers: another network's parcels arrive and leave at the same times whatever
    our couriers do, so at the first query of a bank its level is the same in door and locker."""
    scenario = small_scenario(city=CROWDED)
    peaks = {v: simulate(scenario, v).activity.pickup_days for v in ("door", "locker")}
    door, locker = peaks["door"], peaks["locker"]
    assert np.array_equal(door.capacity, locker.capacity)
    # Another network's parcels are refused only where ours filled the slots first: more in locker.
    assert door.background_refused.sum() <= locker.background_refused.sum()
