"""Property-based tests (Hypothesis) of the small pure pieces: tours, lockers, sorting, the ledger."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model.accounting import accounting_from_log
from sim.model.demand import sort_ready_times
from sim.model.facilities.locker import LockerBanks
from sim.model.ledger import Ledger
from sim.model.tracking import Detail
from sim.world.places import Place
from sim.world.routing import nearest_neighbour_tour, plan_tour, tour_length

FAST = settings(max_examples=60, deadline=None)


@st.composite
def points(draw, max_n: int = 40) -> np.ndarray:
    n = draw(st.integers(1, max_n))
    coords = draw(st.lists(st.tuples(st.integers(0, 1000), st.integers(0, 1000)), min_size=n, max_size=n))
    return np.asarray(coords, dtype=float)


@FAST
@given(points(), st.data())
def test_plan_tour_is_a_permutation_from_the_depot_never_longer_than_nearest_neighbour(pts, data):
    d = np.sqrt(((pts[:, None] - pts[None]) ** 2).sum(-1))
    start = data.draw(st.integers(0, len(pts) - 1))
    tour = plan_tour(d, start=start)
    assert tour[0] == start
    assert sorted(tour) == list(range(len(pts)))
    assert tour_length(d, tour) <= tour_length(d, nearest_neighbour_tour(d, start)) + 1e-6
    assert plan_tour(d, start=start) == tour  # deterministic


@st.composite
def locker_history(draw):
    slots = draw(st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 3)))
    n = draw(st.integers(0, 40))
    gaps = draw(st.lists(st.floats(0, 10), min_size=n, max_size=n))
    stays = draw(st.lists(st.floats(0.1, 50), min_size=n, max_size=n))
    sizes = draw(st.lists(st.integers(0, 2), min_size=n, max_size=n))
    return slots, np.cumsum(gaps), stays, sizes


@FAST
@given(locker_history())
def test_a_locker_bank_never_holds_more_parcels_than_fitting_slots(history):
    slots, times, stays, sizes = history
    banks = LockerBanks(np.array([slots]))
    held: list[tuple[float, float, int]] = []  # (from, until, parcel size)
    for t, stay, size in zip(times, stays, sizes, strict=True):
        if banks.try_drop(0, size, float(t), float(t + stay)):
            held.append((t, t + stay, size))
        now = [h for h in held if h[0] <= t < h[1]]
        # Parcels of size >= s can only use slots of size >= s: count them against those slots.
        for s in range(3):
            assert sum(1 for h in now if h[2] >= s) <= sum(slots[s:])
        assert banks.occupied_at(float(t)) == len(now)


@FAST
@given(st.lists(st.integers(0, 50), min_size=1, max_size=60), st.floats(60, 20_000))
def test_sorting_is_one_server_fifo(arrival_minutes, rate):
    arrival = np.sort(np.asarray(arrival_minutes, dtype=float) * 60.0)
    ready = sort_ready_times(arrival, rate)
    dt = 3600.0 / rate
    assert np.all(ready >= arrival + dt - 1e-9)  # never ready before its own sorting is done
    assert np.all(np.diff(ready) >= dt - 1e-6)  # one parcel at a time, in arrival order (stable)
    # Work-conserving: the sorter idles only when nothing is waiting.
    busy_from = np.maximum(arrival, np.r_[-np.inf, ready[:-1]])
    assert np.allclose(ready, busy_from + dt)


INTENTS = ("deliver", "locker", "fail_then_back", "return")


@FAST
@given(st.lists(st.sampled_from(INTENTS), max_size=30), st.integers(0, 5), st.floats(0, 100))
def test_the_ledger_counters_always_add_up_to_the_log(intents, waiting, horizon_h):
    """Any sequence of intents: the counters, and the log's last statuses, tell the same story."""
    n = len(intents) + waiting
    ledger = Ledger(door_service=np.zeros(n, dtype=np.int8))
    ledger.arrived(np.zeros(n), np.arange(n))
    for p, intent in enumerate(intents):
        ledger.loaded([p], 1.0, courier=0)
        t = 2.0 + p
        if intent == "deliver":
            ledger.delivered(p, t, 0, Place.of_compound(0))
        elif intent == "locker":
            collect, expire = t + 3600.0 * (p % 7), t + 3600.0 * 4  # some collected, some moved to the counter
            ledger.dropped_in_locker(
                p, t, 0, Place.of_compound(0), Detail.NONE, collect_s=collect, expire_s=expire, counter_collect_s=expire + 1800.0
            )
        else:
            ledger.failed(p, t, 0, Place.of_compound(0), Detail.NOT_HOME)
            ledger.brought_back(1)
            if intent == "fail_then_back":
                ledger.shelved(p, t + 1, t + 1 + 3600.0 * (p % 5), 0, Detail.CONSENTED)
            else:
                ledger.returned(p, t + 1, 0)
    horizon = horizon_h * 3600.0 + 100.0
    ledger.log_pickups_until(horizon)
    log = accounting_from_log(ledger.events(station=0), n)
    from_lockers, from_station = ledger.picked_up_by(horizon)
    assert ledger.on_vehicle == 0
    assert log.in_hands == ledger.delivered_to_door + from_lockers + from_station
    assert log.at_station_pickup == ledger.shelved_count + ledger.expired_by(horizon) - from_station
    assert log.returned == ledger.returned_count
    assert log.in_flight == waiting
    assert log.in_hands + log.in_locker + log.at_station_pickup + log.in_flight + log.returned == n
