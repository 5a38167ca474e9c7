"""Station sorting and locker slots, checked against hand-computed values."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.demand import _split_counts, sort_ready_times
from sim.model.facilities.locker import LockerBanks


def test_sorting_is_fifo_at_a_fixed_rate_and_trucks_queue_behind_each_other():
    # 3600 parcels/h = 1 s each. Truck A: 3 parcels at t=0; truck B: 2 parcels at t=2 (A not done yet).
    ready = sort_ready_times(np.array([0.0, 0, 0, 2, 2]), rate_per_h=3600)
    assert ready.tolist() == [1, 2, 3, 4, 5]
    # A later truck that finds the sorter idle starts at its own arrival.
    assert sort_ready_times(np.array([0.0, 100]), 3600).tolist() == [1, 101]


def test_split_counts_keeps_the_total():
    assert _split_counts(5000, [0.65, 0.35]).tolist() == [3250, 1750]
    assert _split_counts(10, [1 / 3, 1 / 3, 1 / 3]).sum() == 10


def test_locker_uses_smallest_fitting_slot_and_frees_it_at_pickup():
    banks = LockerBanks(np.array([[1, 1, 0]]))  # one S and one M slot
    assert banks.try_drop(0, 0, time_s=0, release_s=10)  # S parcel -> S slot
    assert banks.try_drop(0, 0, time_s=1, release_s=10)  # S parcel -> M slot (S taken)
    assert not banks.try_drop(0, 0, time_s=2, release_s=10)  # full
    assert not banks.try_drop(0, 2, time_s=3, release_s=10)  # no L slot at all
    assert banks.occupied_at(5) == 2
    assert banks.try_drop(0, 1, time_s=10, release_s=20)  # both freed at 10
    assert banks.occupied_at(10) == 1


def test_locker_queries_must_come_in_time_order():
    banks = LockerBanks(np.array([[2, 0, 0]]))
    banks.try_drop(0, 0, 5.0, 6.0)
    with pytest.raises(RuntimeError):
        banks.try_drop(0, 0, 4.0, 6.0)
