"""Property-based tests (Hypothesis) of the small pure pieces: tours, lockers, sorting, the ledger."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model.accounting import accounting_from_log
from sim.model.demand import sort_ready_times
from sim.model.facilities.pickup import LOCKER_FITS, PickupKind, PickupPoint
from sim.model.ledger import Ledger
from sim.model.tracking import Detail, first_of_each, stable_order
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
@given(locker_history(), locker_history())
def test_a_locker_bank_never_holds_more_parcels_than_fitting_slots(history, others):
    """Ours and another network's parcels: never more held than the slots they fit, and the day's
    peak is exactly the most held at once."""
    slots, times, stays, sizes = history
    _, bg_times, bg_stays, bg_sizes = others
    bank = PickupPoint(PickupKind.LOCKER, 0, 1, np.array(slots), 1, LOCKER_FITS)
    bank.add_background(bg_times, np.array(bg_sizes, dtype=np.int64), bg_times + np.array(bg_stays), np.ones(len(bg_times), bool))
    held: list[tuple[float, float, int]] = []  # ours: (from, until, parcel size)
    for t, stay, size in zip(times, stays, sizes, strict=True):
        if bank.take(float(t), size, float(t + stay)) is not None:
            held.append((t, t + stay, size))
        now = [h for h in held if h[0] <= t < h[1]]
        assert bank.ours_held() == len(now)
        assert bank._level <= sum(slots)
    assert max(bank.peak) <= sum(slots) and max(bank.peak_ours) <= max(sum(slots), 0)


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


INTENTS = ("deliver", "locker", "pickup_station", "fail_then_back", "return")


@FAST
@given(st.lists(st.sampled_from(INTENTS), max_size=30), st.integers(0, 5), st.floats(0, 100))
def test_the_ledger_counters_always_add_up_to_the_log(intents, waiting, horizon_h):
    """Any sequence of intents: the counters, and the log's last statuses, tell the same story."""
    n = len(intents) + waiting
    ledger = Ledger(door_service=np.zeros(n, dtype=np.int8))
    ledger.arrived(np.zeros(n), np.arange(n))
    waiting_at = {"locker": [], "pickup": []}  # (parcel, leaves at)
    for p, intent in enumerate(intents):
        ledger.loaded([p], 1.0, courier=0)
        t = 2.0 + p
        leaves = t + 2.0 + 3600.0 * (p % 7)  # after it is left
        if intent == "deliver":
            ledger.delivered(p, t, 0, Place.of_compound(0))
        elif intent in ("locker", "pickup_station"):
            if intent == "locker":
                ledger.dropped_in_locker(p, t, 0, Place.of_compound(0), Detail.NONE)
            else:
                ledger.handed_in(p, t, 0, Place.of_compound(0), Detail.NONE)
            if p % 3:
                ledger.will_be_collected(p, leaves, Place.of_compound(0), Detail.FROM_LOCKER)
            else:
                ledger.will_be_returned_uncollected(p, leaves)
            waiting_at["locker" if intent == "locker" else "pickup"].append(leaves)
        else:
            ledger.failed(p, t, 0, Place.of_compound(0), Detail.NOT_HOME)
            ledger.brought_back(1)
            if intent == "fail_then_back":
                ledger.shelved(p, t + 1, 0, Detail.CONSENTED)
                ledger.will_be_collected(p, leaves, Place.STATION, Detail.FROM_COUNTER)
                waiting_at["pickup"].append(leaves)
            else:
                ledger.returned(p, t + 1, 0)
    horizon = horizon_h * 3600.0 + 100.0
    ledger.log_pickups_until(horizon)
    log = accounting_from_log(ledger.events(station=0), n)
    assert ledger.on_vehicle == 0
    assert log.in_hands == ledger.delivered_to_door + ledger.collected_by(horizon)
    assert log.in_locker == sum(1 for t in waiting_at["locker"] if t > horizon)
    assert log.at_station_pickup == sum(1 for t in waiting_at["pickup"] if t > horizon)
    assert log.returned == ledger.returned_count + ledger.returned_uncollected_by(horizon)
    assert log.in_flight == waiting
    assert log.in_hands + log.in_locker + log.at_station_pickup + log.in_flight + log.returned == n


@FAST
@given(st.lists(st.integers(0, 70_000), max_size=300), st.booleans())
def test_radix_grouping_gives_numpy_unique_and_the_stable_merge_sort(keys, small):
    """``stable_order`` and ``first_of_each`` sort 16-bit keys by radix and larger ones by merge
    sort: both must give what ``np.argsort(kind="stable")`` and ``np.unique(return_index=True)`` give,
    ties kept in order (the first occurrence of a parcel is its first event in time)."""
    k = np.asarray(keys, dtype=np.int64) % (300 if small else 70_001)
    assert np.array_equal(stable_order(k), np.argsort(k, kind="stable"))
    distinct, first = first_of_each(k)
    expected_distinct, expected_first = np.unique(k, return_index=True)
    assert np.array_equal(distinct, expected_distinct) and np.array_equal(first, expected_first)


@FAST
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 30), st.booleans()), min_size=1, max_size=25))
def test_pick_ups_are_logged_in_time_order_and_ties_in_the_order_of_the_tuples(due):
    """Pick-ups and returns to come are logged at the end by time; where several share a moment
    (here often: times 0-3 h), in the order of their sorted (time, parcel, place, kind, detail)
    tuples, whatever the order they were announced in."""
    ledger = Ledger(door_service=np.zeros(31, dtype=np.int8))
    for hour, parcel, collected in due:
        if collected:
            ledger.will_be_collected(parcel, 3600.0 * hour, Place.of_compound(parcel % 4), Detail.FROM_LOCKER)
        else:
            ledger.will_be_returned_uncollected(parcel, 3600.0 * hour)
    ledger.log_pickups_until(3 * 3600.0)
    log = ledger.events(station=0)
    got = list(zip(log.time_s.tolist(), log.parcel.tolist(), log.place.tolist(), strict=True))
    expected = sorted(  # kind: a collection (0) before a return (1) at the same moment, as the ledger codes them
        (3600.0 * hour, parcel, Place.of_compound(parcel % 4) if collected else Place.STATION, 0 if collected else 1)
        for hour, parcel, collected in due
    )
    assert got == [(t, p, place) for t, p, place, _ in expected]
