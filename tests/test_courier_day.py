"""A courier's day as it is lived (issue #25): one visit per household, a failed visit fails all of
its parcels, 音尊达 stops first at a cost in riding, and waiting at the station is not work. Each
check is a number a reviewer can work out by hand from the scenario's times."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.metrics import kpis_of
from sim.model.partials import COURIER_DROPS
from sim.model.run import simulate
from sim.model.tracking import Service, Status

from .conftest import small_scenario

ALWAYS, NEVER = [1.0] * 24, [0.0] * 24
HANDOVER_S, EXTRA_S, CALL_WAIT_S, ENTRANCE_S = 90.0, 15.0, 90.0, 40.0


def _one_walkup(home: list[float], per_day: int = 60):
    """Walk-ups only, households always (or never) home, no lockers or 驿站, no calls ahead, and a
    handover that always takes its median: every second of a door visit is known."""
    return small_scenario(
        city={
            "blocks_x": 2,
            "blocks_y": 2,
            "buildings_min": 1,
            "buildings_max": 1,
            "walkup_floors": 4,
            "households_per_floor": 1,
            "elevator_share": 0.0,
            "locker_share": 0.0,
            "pickup_station_share": 0.0,
        },
        recipients={
            "household_types": {"one": {"share": 1, "home_working_day": home, "home_weekend": home, "pickup_by_hour": ALWAYS}},
            "return_share": 0.0,
        },
        door={
            "phone_ahead_share": 0.0,
            "handover_median_s": HANDOVER_S,
            "handover_sigma": 0.0,
            "handover_extra_s_per_parcel": EXTRA_S,
            "call_wait_s": CALL_WAIT_S,
            "entrance_s": ENTRANCE_S,
        },
        parcels={"per_day": per_day, "day_to_day_cv": 0.0},
        couriers={"count": 1},
        horizon={"days": 1, "drain_days": 1},
        variants={"door": {"door_service_share": 1.0}},
    )


def test_a_household_with_two_parcels_costs_one_visit_and_a_little_per_extra_parcel():
    result = simulate(_one_walkup(ALWAYS), "door")
    stops = result.activity.stops.to_pandas()
    visits, parcels = stops["door_visits"].sum(), stops["door_visit_parcels"].sum()
    # 60 parcels a day among a few dozen households: many get two or more, each visited once a tour.
    assert 0 < visits < parcels
    # One handover per visit (90 s) and 15 s for each parcel after the first, to the second.
    expected = HANDOVER_S * stops["door_visits"] + EXTRA_S * (stops["door_visit_parcels"] - stops["door_visits"])
    assert np.allclose(stops["handover_s"], expected)
    assert kpis_of(result)["parcels_per_door_visit"] == pytest.approx(parcels / visits)


def test_a_failed_visit_fails_every_parcel_of_the_household_with_one_knock():
    result = simulate(_one_walkup(NEVER), "door")
    stops = result.activity.stops.to_pandas()
    ev = result.events
    failed = ev.status == Status.DELIVERY_FAILED
    first_day = failed & (ev.time_s < 86400)
    day0 = stops[stops["arrive_s"] < 86400]
    # Nobody is ever home: every visit is one knock and one 90 s wait, whatever it carries, after
    # getting into the stop's one building once (40 s) ...
    assert np.allclose(day0["wait_s"], CALL_WAIT_S * day0["door_visits"] + ENTRANCE_S)
    # ... and all its parcels fail together: one failure time per visit, more parcels than visits.
    assert len(np.unique(ev.time_s[first_day])) == day0["door_visits"].sum() < first_day.sum()


def test_door_service_stops_come_first_and_cost_riding():
    """One parcel in twenty is 音尊达: served first, their stops break up the shortest tour."""

    def run(order: str):
        sc = small_scenario(
            couriers={"count": 4, "capacity_parcels": 60, "tour_order": order}, variants={"mixed": {"door_service_share": 0.05}}
        )
        result = simulate(sc, "mixed")
        ev = result.events
        out = ev.status == Status.OUT_FOR_DELIVERY
        left = np.isin(ev.status, COURIER_DROPS)
        service = ev.service == Service.DOOR_SERVICE
        # Time from leaving the station to where the parcel is left, door-service parcels and ordinary ones.
        start = np.full(result.n_parcels, np.nan)
        start[ev.parcel[out]] = ev.time_s[out]
        wait = ev.time_s[left] - start[ev.parcel[left]]
        return wait[service[left]].mean(), wait[~service[left]].mean(), kpis_of(result)["km_per_courier_day"]

    first_service, first_ordinary, first_km = run("door_service_first")
    short_service, _, short_km = run("shortest")
    assert first_service < short_service  # 音尊达 parcels reach their doors sooner ...
    assert first_service < first_ordinary  # ... sooner than ordinary ones on the same tours ...
    assert first_km > short_km  # ... and the tours ride further for it


def test_waiting_at_the_station_is_on_duty_but_not_active():
    def kpis(when_done: str) -> dict[str, float]:
        sc = small_scenario(parcels={"per_day": 150, "day_to_day_cv": 0.0}, couriers={"count": 4, "when_done": when_done})
        return kpis_of(simulate(sc, "locker"))

    leave, stay = kpis("leave"), kpis("stay")
    for k in (leave, stay):  # on duty = active + waiting
        assert k["hours_per_courier_day"] == pytest.approx(k["active_hours_per_courier_day"] + k["waiting_hours_per_courier_day"])
    # Staying changes no delivery, only the waiting: the whole shift, 07:00-19:00 less the lunch hour.
    assert stay["active_hours_per_courier_day"] == pytest.approx(leave["active_hours_per_courier_day"])
    assert stay["hours_per_courier_day"] == pytest.approx(19 - 7 - 1)
    assert stay["waiting_hours_per_courier_day"] > leave["waiting_hours_per_courier_day"] > 0
    assert stay["income_per_active_hour_yuan"] == pytest.approx(leave["income_per_active_hour_yuan"])
    assert stay["income_per_courier_hour_yuan"] < leave["income_per_courier_hour_yuan"]
