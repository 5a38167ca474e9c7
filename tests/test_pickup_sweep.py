"""A pick-up point takes other networks' parcels in long stretches at once (``PickupPoint._sweep``,
numpy) and one by one where a pool may be full (the loop). Both must give the same point: the
same slots for our parcels, the same refusals, peaks, collections and other networks' parcels by
day, whatever the traffic. Hypothesis draws the traffic; the loop alone is the reference."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.core.units import SECONDS_PER_DAY
from sim.model.facilities import pickup
from sim.model.facilities.pickup import LOCKER_FITS, SHELF_FITS, PickupKind, PickupPoint


@st.composite
def traffic(draw):
    """Other networks' parcels, our own parcels left over the days, and some moved in later."""
    days = draw(st.integers(1, 3))
    locker = draw(st.booleans())
    capacity = draw(st.lists(st.integers(1, 12), min_size=3, max_size=3)) if locker else [draw(st.integers(1, 30))]
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    n_other = draw(st.integers(0, 300))
    horizon = days * SECONDS_PER_DAY
    arrive = np.sort(rng.uniform(0, horizon, n_other))
    # Some arrivals at the very same moment, and releases on the dot of a day's start, as ties.
    arrive[rng.random(n_other) < 0.05] = SECONDS_PER_DAY
    arrive.sort()
    release = arrive + np.where(
        rng.random(n_other) < 0.1, SECONDS_PER_DAY - arrive % SECONDS_PER_DAY, rng.uniform(60, 90_000, n_other)
    )
    others = (arrive, rng.integers(0, 3, n_other), release, rng.random(n_other) < 0.8)
    ours = sorted(
        (float(t), int(s), float(t + d), bool(c))
        for t, s, d, c in zip(
            rng.uniform(0, horizon, draw(st.integers(0, 40))),
            rng.integers(0, 3, 40),
            rng.uniform(60, 120_000, 40),
            rng.random(40) < 0.9,
            strict=False,
        )
    )
    moved = [
        (float(t), int(s), float(d))
        for t, s, d in zip(rng.uniform(0, horizon, 5), rng.integers(0, 3, 5), rng.uniform(60, 50_000, 5), strict=True)
    ]
    moved = moved[: draw(st.integers(0, 5))]
    return days, locker, capacity, others, ours, moved, horizon + SECONDS_PER_DAY / 2


def _point_after(days, locker, capacity, others, ours, moved, end_s, *, sweep_min):
    """Run a point through the traffic; returns everything it reports."""
    original = pickup.SWEEP_MIN
    pickup.SWEEP_MIN = sweep_min
    try:
        kind, fits = (PickupKind.LOCKER, LOCKER_FITS) if locker else (PickupKind.PICKUP_STATION, SHELF_FITS)
        point = PickupPoint(kind, 0, 7, np.array(capacity), days, fits)
        point.add_background(*others)
        heard: list[tuple[bool, int]] = []
        for t, size, stay_s in moved:

            def resolve(taken: bool, pool: int, t=t, stay_s=stay_s) -> float | None:
                heard.append((taken, pool))
                return (t + stay_s) if taken else None

            point.add_arrival(t, size, resolve)
        slots = [point.take(t, size, release, collected) for t, size, release, collected in ours]
        point.finish(end_s)
        return (
            slots,
            heard,
            point.peak,
            point.peak_ours,
            point.drops,
            point.refused,
            point.background_in,
            point.background_refused,
            point.collections,
            point.ours_held(),
        )
    finally:
        pickup.SWEEP_MIN = original


@settings(max_examples=150, deadline=None)
@given(traffic())
def test_sweeping_other_networks_parcels_gives_the_points_the_loop_gives(case):
    loop = _point_after(*case, sweep_min=10**9)
    for sweep_min in (1, 5):
        assert _point_after(*case, sweep_min=sweep_min) == loop


@pytest.mark.parametrize("locker", [True, False])
def test_a_busy_day_is_swept_and_still_refuses_when_full(locker):
    """Sixty parcels an hour into a point of 20 slots: it fills, refuses, empties; the sweep must
    hand the full stretches to the loop and agree with it on every count. Times on whole minutes,
    so that parcels leave at the very moment others arrive (a release comes first)."""
    rng = np.random.default_rng(3)
    n = 1000
    arrive = np.sort(np.floor(rng.uniform(0, SECONDS_PER_DAY, n) / 60) * 60)
    stay = 60 * (1 + np.floor(rng.exponential(20, n)))
    others = (arrive, rng.integers(0, 3, n), arrive + stay, np.ones(n, dtype=bool))
    case = (1, locker, [8, 8, 4] if locker else [20], others, [(43_200.0, 0, 50_000.0, True)], [], 2 * SECONDS_PER_DAY)
    loop = _point_after(*case, sweep_min=10**9)
    assert sum(loop[7]) > 0  # the point was full at times: the case tests the hand-over to the loop
    assert _point_after(*case, sweep_min=pickup.SWEEP_MIN) == loop
