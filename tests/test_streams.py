"""Named random streams: reproducible, independent of draw order, distinct per name and replication."""

from __future__ import annotations

import numpy as np

from sim.core.streams import Streams, uniform_from


def test_same_name_same_numbers_whatever_was_drawn_before():
    a = Streams(42)
    first = a.generator("parcels").random(5)
    a.generator("city").random(1000)
    assert np.array_equal(a.generator("parcels").random(5), first)
    assert np.array_equal(Streams(42).generator("parcels").random(5), first)


def test_names_seeds_and_replications_give_different_numbers():
    base = Streams(42).generator("parcels").random(5)
    assert not np.array_equal(Streams(42).generator("city").random(5), base)
    assert not np.array_equal(Streams(43).generator("parcels").random(5), base)
    assert not np.array_equal(Streams(42, replication=1).generator("parcels").random(5), base)


def test_entity_uniforms_are_keyed_by_entity_not_by_call_order():
    s = Streams(3)
    together = s.uniform("home", np.arange(10), 7)
    one_by_one = np.array([s.uniform("home", k, 7)[0] for k in reversed(range(10))])[::-1]
    assert np.array_equal(together, one_by_one)
    assert not np.array_equal(s.uniform("home", np.arange(10), 8), together)


def test_entity_uniforms_look_uniform():
    u = Streams(9).uniform("home", np.arange(200_000), 3)
    assert u.min() >= 0 and u.max() < 1
    # Mean and variance of U(0,1) within 5 standard errors; deciles within 1.5% of 10%.
    assert abs(u.mean() - 0.5) < 5 * np.sqrt(1 / 12 / len(u))
    assert abs(u.var() - 1 / 12) < 0.002
    counts = np.bincount((u * 10).astype(int), minlength=10) / len(u)
    assert np.all(np.abs(counts - 0.1) < 0.0015)


def test_scalar_fast_path_gives_exactly_the_array_numbers():
    s = Streams(77, replication=3)
    keys = np.array([0, 1, 2, 12345, 2**40])
    arrays = s.uniform("elevator", keys, 31, 4)
    scalars = [s.uniform1("elevator", int(k), 31, 4) for k in keys]
    assert arrays.tolist() == scalars
    # A draw begun with its first keys (a building and an hour) and finished with the last (a floor).
    assert [uniform_from(s.state1("elevator", int(k), 31), 4) for k in keys] == scalars
    assert [uniform_from(s.state1("elevator"), int(k), 31, 4) for k in keys] == scalars
