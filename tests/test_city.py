"""City scale in miniature: many station areas, sharded over processes, identical to one process."""

from __future__ import annotations

import numpy as np

from sim.core.executors import make_executor
from sim.experiments.runner import run
from sim.model.metrics import kpis_of
from sim.model.run import simulate
from sim.scenario.load import load_scenario

from .conftest import ROOT

CITY = ROOT / "scenarios" / "city_1m.yaml"
SMALL_CITY = {"stations.count": 6, "parcels.per_day": 400, "couriers.count": 4, "city.blocks_x": 4, "city.blocks_y": 4}


def test_sharded_city_equals_the_single_process_run():
    scenario = load_scenario(CITY, SMALL_CITY)
    one = simulate(scenario, "locker")
    with make_executor(2) as executor:
        sharded = simulate(scenario, "locker", executor=executor)
    for column in ("time_s", "parcel", "status", "courier", "place", "detail", "station"):
        assert np.array_equal(getattr(one.events, column), getattr(sharded.events, column)), column
    assert kpis_of(one) == kpis_of(sharded)
    assert one.accounting == sharded.accounting
    assert one.accounting.placed == 6 * 400
    assert sorted(set(one.events.station.tolist())) == list(range(6))
    assert one.couriers == 24 and len(np.unique(one.activity.tours.courier)) == 24


def test_stations_draw_independently_but_reproducibly():
    scenario = load_scenario(CITY, SMALL_CITY)
    result = simulate(scenario, "door")
    per_station = [result.events.time_s[(result.events.station == s) & (result.events.status == 6)] for s in range(2)]
    assert not np.array_equal(per_station[0][:50], per_station[1][:50])  # each station its own streams
    assert len(result.cities) == 6 and result.cities[0] is not result.cities[1]


def test_run_with_more_workers_than_runs_shards_by_station_and_agrees():
    scenario = load_scenario(CITY, SMALL_CITY)
    serial = run(scenario, variants=["door"], jobs=1, keep_results=False).runs()
    sharded = run(scenario, variants=["door"], jobs=2, keep_results=False).runs()
    assert serial.equals(sharded)
