"""The what-if answers behind parcelsim app (issue #16)."""

from __future__ import annotations

import pytest

from sim.experiments.runner import run
from sim.presentation.whatif import Settings, WhatIf

from .conftest import small_scenario


@pytest.fixture(scope="module")
def scenario():
    return small_scenario(variants={"door": {"door_service_share": 1.0}, "locker": {}})


def test_a_new_fee_is_re_priced_and_matches_a_run_at_that_fee(scenario):
    whatif = WhatIf(scenario)
    first = whatif.answer(Settings(replications=2))
    assert first.simulated
    priced = whatif.answer(Settings(door_fee_yuan=1.7, replications=2))
    assert not priced.simulated  # fees change nothing anyone does: no new simulation
    direct = run(
        scenario.with_overrides({"economics.door_service_fee_yuan": 1.7}), variants=["door", "locker"], replications=2
    ).runs()
    for kpi in ("income_per_courier_day_yuan", "income_per_courier_hour_yuan", "parcels_per_courier_day"):
        assert priced.kpis.sort_values(["variant", "replication"])[kpi].tolist() == pytest.approx(
            direct.sort_values(["variant", "replication"])[kpi].tolist(), rel=1e-12
        )
    assert priced.verdict.per_hour.mean > first.verdict.per_hour.mean  # a higher door fee pays the door variant more


def test_other_settings_simulate_again_with_the_setting_applied(scenario):
    whatif = WhatIf(scenario)
    base = whatif.answer(Settings(replications=2))
    fewer = whatif.answer(Settings(couriers=2, replications=2))
    assert fewer.simulated
    assert whatif.needs_simulation(Settings(replications=2))  # only the last runs are kept
    # Half the couriers: each one delivers more parcels a day.
    mean = lambda a: a.kpis[a.kpis["variant"] == "locker"]["parcels_per_courier_day"].mean()  # noqa: E731
    assert mean(fewer) > mean(base)
