"""The e-tricycle's energy, derived by hand from the tour and stop tables and the tracking log."""

from __future__ import annotations

import numpy as np
import pytest

from sim.cli.main import main
from sim.model.metrics import kpis_of
from sim.model.run import simulate
from sim.model.tracking import Status

from .conftest import SMALL, small_scenario

_LEFT = (Status.DELIVERED, Status.IN_LOCKER, Status.AT_STATION_PICKUP)  # the parcel leaves the tricycle


def _scenario(**vehicle):
    return small_scenario(
        parcels={**SMALL["parcels"], "weight_kg": {"S": 2.0, "M": 2.0, "L": 2.0}},  # every parcel 2 kg
        couriers={**SMALL["couriers"], "vehicle": {"wh_per_km": 20.0, "wh_per_km_per_100kg": 12.0, **vehicle}},
    )


def _by_hand(result, courier: int, day: int) -> float:
    """Σ over legs of km × (20 + 12 × kg on board / 100): the load is the tour's parcels less those
    left (handed over, in a locker, at a 驿站) at the stops before the leg; the ride back is the
    tour's distance less its legs'."""
    ev, tours, stops = result.events, result.activity.tours, result.activity.stops
    total = 0.0
    mine = np.flatnonzero((tours.courier == courier) & (tours.day == day))
    for t in mine[np.argsort(tours.start_s[mine])]:
        depart, back = tours.depart_s[t], tours.return_s[t]
        on_board = int(((ev.status == Status.OUT_FOR_DELIVERY) & (ev.courier == courier) & (ev.time_s == depart)).sum())
        legs = np.flatnonzero((stops.courier == courier) & (stops.arrive_s >= depart) & (stops.arrive_s <= back))
        legs = legs[np.argsort(stops.arrive_s[legs])]
        for s in legs:
            total += stops.ride_m[s] / 1000 * (20 + 12 * 2.0 * on_board / 100)
            left = np.isin(ev.status, _LEFT) & (ev.courier == courier)
            # Anywhere during the stop: a full bank's parcel goes into another bank a short walk away.
            left &= (ev.time_s >= stops.arrive_s[s]) & (ev.time_s <= stops.depart_s[s])
            on_board -= int(left.sum())
        back_m = tours.ride_m[t] - stops.ride_m[legs].sum()
        total += back_m / 1000 * (20 + 12 * 2.0 * on_board / 100)
    return total


@pytest.mark.parametrize("variant", ["door", "locker"])
def test_a_courier_days_energy_is_the_sum_of_its_rides_by_load(variant):
    result = simulate(_scenario(), variant)
    days = result.activity.days
    for i in range(len(days.courier))[:6]:
        expected = _by_hand(result, int(days.courier[i]), int(days.day[i]))
        assert days.energy_wh[i] == pytest.approx(expected, rel=1e-9, abs=1e-9)
    assert days.energy_wh.sum() > 0 and days.swaps.sum() == 0  # 1.44 kWh is ample for a few km


def test_energy_and_emission_kpis_follow_from_the_energy():
    result = simulate(_scenario(co2_kg_per_kwh=0.5), "door")
    k = kpis_of(result)
    assert k["co2_g_per_parcel"] == pytest.approx(0.5 * k["energy_wh_per_parcel"])
    assert k["energy_kwh_per_courier_day"] * 1000 / k["parcels_per_courier_day"] == pytest.approx(k["energy_wh_per_parcel"])
    # Empty, the tricycle takes 20 Wh a km: the energy is at least the kilometres' worth.
    assert k["energy_kwh_per_courier_day"] >= 0.02 * k["km_per_courier_day"] - 1e-12


def test_a_small_battery_swaps_on_the_way_and_a_swap_costs_its_minutes():
    ample = simulate(_scenario(), "door")
    small = simulate(_scenario(battery_kwh=0.05, swap_min=8.0), "door")
    assert small.activity.days.swaps.sum() > 0
    assert ample.activity.days.swaps.sum() == 0
    # Each swap adds 8 minutes of riding: the first day's first tour returns later by that much per swap before it.
    k_small, k_ample = kpis_of(small), kpis_of(ample)
    assert k_small["battery_swaps_per_courier_day"] > 0
    assert k_small["tour_hours_per_courier_day"] > k_ample["tour_hours_per_courier_day"]


def test_a_battery_that_cannot_reach_the_district_exits_2_naming_the_field(tmp_path, capsys):
    import yaml

    raw = {**SMALL, "couriers": {**SMALL["couriers"], "vehicle": {"battery_kwh": 0.001, "swap": False}}}
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "couriers.vehicle.battery_kwh" in err and "no swap allowed" in err
