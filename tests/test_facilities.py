"""Station sorting and locker slots, checked against hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.core.streams import Streams
from sim.model.demand import _split_counts, sort_ready_times
from sim.model.facilities import buildings
from sim.model.facilities.buildings import Elevators
from sim.model.facilities.pickup import LOCKER_FITS, SHELF_FITS, PickupKind, PickupPoint


def test_sorting_is_fifo_at_a_fixed_rate_and_trucks_queue_behind_each_other():
    # 3600 parcels/h = 1 s each. Truck A: 3 parcels at t=0; truck B: 2 parcels at t=2 (A not done yet).
    ready = sort_ready_times(np.array([0.0, 0, 0, 2, 2]), rate_per_h=3600)
    assert ready.tolist() == [1, 2, 3, 4, 5]
    # A later truck that finds the sorter idle starts at its own arrival.
    assert sort_ready_times(np.array([0.0, 100]), 3600).tolist() == [1, 101]


def test_split_counts_keeps_the_total():
    assert _split_counts(5000, [0.65, 0.35]).tolist() == [3250, 1750]
    assert _split_counts(10, [1 / 3, 1 / 3, 1 / 3]).sum() == 10


def _bank(slots, days=3):
    return PickupPoint(PickupKind.LOCKER, 0, 1, np.array(slots), days, LOCKER_FITS)


def test_a_locker_uses_the_smallest_fitting_slot_and_frees_it_at_pickup():
    bank = _bank([1, 1, 0])  # one S and one M slot
    assert bank.take(0, 0, release_s=10) == 0  # S parcel -> S slot
    assert bank.take(1, 0, release_s=10) == 1  # S parcel -> M slot (S taken)
    assert bank.take(2, 0, release_s=10) is None  # full
    assert bank.take(3, 2, release_s=10) is None  # no L slot at all
    assert bank.ours_held() == 2
    assert bank.take(10, 1, release_s=20) == 1  # both freed at 10: an M parcel takes the M slot
    assert bank.ours_held() == 1
    assert bank.refused[0] == 2 and bank.drops[0] == [1, 2, 0]


def test_pick_up_points_must_be_asked_in_time_order():
    bank = _bank([2, 0, 0])
    bank.take(5.0, 0, 6.0)
    with pytest.raises(RuntimeError):
        bank.take(4.0, 0, 6.0)


def test_other_networks_parcels_take_slots_before_ours_and_are_refused_when_full():
    bank = _bank([2, 0, 0])
    # Three of another network's S parcels at 1, 2, 3 (the third finds the bank full), out at 100.
    bank.add_background(np.array([1.0, 2.0, 3.0]), np.array([0, 0, 0]), np.array([100.0, 100.0, 100.0]), np.array([1, 1, 1]))
    assert bank.take(4.0, 0, 50.0) is None  # ours finds both slots taken
    assert bank.background_refused[0] == 1 and bank.background_in[0] == 2
    assert bank.take(100.0, 0, 150.0) == 0  # free again once they are collected
    bank.finish(200.0)
    assert bank.collections[0] == 3  # two of theirs and ours
    assert max(bank.peak) == 2  # never more than the slots


def test_a_days_peak_includes_what_it_began_with_even_on_a_quiet_day():
    day = 86_400.0
    shelves = PickupPoint(PickupKind.PICKUP_STATION, 0, 1, np.array([10]), 3, SHELF_FITS)
    shelves.take(0.5 * day, 1, release_s=2.5 * day)  # held from day 0 to day 2, nothing else happens on day 1
    shelves.take(0.6 * day, 2, release_s=0.7 * day)
    shelves.finish(3 * day)
    assert shelves.peak[:3] == [2, 1, 1] and shelves.peak_ours[:3] == [2, 1, 1]


def test_our_parcel_moving_in_later_finds_room_or_is_told_it_did_not():
    shelves = PickupPoint(PickupKind.PICKUP_STATION, 0, 1, np.array([1]), 2, SHELF_FITS)
    told = []

    def resolve(taken, pool):
        told.append(taken)
        return 500.0 if taken else None

    shelves.add_arrival(100.0, 0, resolve)  # an expired locker parcel, due at 100
    shelves.add_arrival(200.0, 0, resolve)  # another, while the first is still on the shelf
    shelves.finish(1000.0)
    assert told == [True, False] and shelves.collections[0] == 1


def test_a_lift_wait_is_its_draw_whatever_the_cache_keeps(monkeypatch):
    """A lift's wait is the exponential of the (building, hour, floor) draw, whether the building-hour's
    hash was kept from an earlier call, made anew, or dropped when the cache was emptied."""
    streams = Streams(5, replication=2)
    asks = [(b, h * 3600.0 + 0.4, f) for h in (8, 9, 8, 31) for b in (0, 3, 7) for f in (1, 4, 9)]
    by_definition = [-20.0 * math.log1p(-streams.uniform1("elevator", b, int(t // 3600), f)) for b, t, f in asks]
    assert [Elevators(20.0, streams).wait_s(*a) for a in asks] == by_definition  # nothing kept
    kept = Elevators(20.0, streams)
    assert [kept.wait_s(*a) for a in asks] == by_definition  # kept from earlier floors and hours
    monkeypatch.setattr(buildings, "_BUILDING_HOURS_KEPT", 2)
    emptied = Elevators(20.0, streams)
    assert [emptied.wait_s(*a) for a in asks] == by_definition  # emptied every other building-hour
    assert len(emptied._building_hour) <= 2
