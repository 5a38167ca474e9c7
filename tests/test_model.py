"""The model: conservation, determinism, common random numbers, and the rules of delivery."""

from __future__ import annotations

import numpy as np
import pytest

from sim.experiments.runner import run
from sim.model.accounting import final_status
from sim.model.metrics import kpis_of
from sim.model.run import simulate
from sim.model.tracking import Detail, Status

from .conftest import HEADLINE, SMALL, small_scenario


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
@pytest.mark.parametrize("variant", ["door", "locker", "mixed"])
def test_every_parcel_is_accounted_for(seed, variant):
    scenario = small_scenario(seed=seed)
    result = simulate(scenario, variant)
    acc = result.accounting
    assert acc.placed == result.n_parcels == 1000
    assert acc.in_hands + acc.in_locker + acc.at_station_pickup + acc.in_flight + acc.returned == acc.placed
    assert acc.in_hands > 0.9 * acc.placed


def test_a_horizon_cut_mid_tour_still_accounts_for_parcels_in_flight():
    # No drain day and a huge load: the day ends with parcels still at the station.
    scenario = small_scenario(parcels={"per_day": 3000}, horizon={"days": 1, "drain_days": 0})
    result = simulate(scenario, "door")
    assert result.accounting.in_flight > 0
    assert kpis_of(result)["parcels_undelivered_end"] == result.accounting.in_flight


def test_same_seed_same_log_and_different_seed_different_log():
    a = simulate(small_scenario(seed=5), "mixed").events
    b = simulate(small_scenario(seed=5), "mixed").events
    c = simulate(small_scenario(seed=6), "mixed").events
    for col in ("time_s", "parcel", "status", "courier", "place", "detail"):
        assert np.array_equal(getattr(a, col), getattr(b, col))
    assert len(a) != len(c) or not np.array_equal(a.time_s, c.time_s)


def test_variants_see_the_same_parcels_common_random_numbers():
    scenario = small_scenario()
    door, locker = simulate(scenario, "door"), simulate(scenario, "locker")
    for ev in (door.events, locker.events):
        assert ev.status[0] == Status.AT_STATION
    arrivals = [ev.time_s[(ev.status == Status.AT_STATION) & (ev.detail == Detail.NONE)] for ev in (door.events, locker.events)]
    assert np.array_equal(arrivals[0], arrivals[1])
    # A larger door-service share keeps every door-service parcel of a smaller one, and they go to the door.
    service = {name: _door_service(r) for name, r in (("door", door), ("locker", locker))}
    assert service["locker"].any() and service["door"].all()
    assert np.all(service["door"] >= service["locker"])
    ev = locker.events
    unasked = ~np.isin(ev.detail, (Detail.CONSENTED, Detail.STANDING_CONSENT, Detail.EXPIRED))
    in_locker = set(ev.parcel[(ev.status == Status.IN_LOCKER) & unasked].tolist())
    shelved = set(ev.parcel[(ev.status == Status.AT_STATION_PICKUP) & unasked].tolist())
    door_service = {int(p) for p in np.flatnonzero(service["locker"])}
    assert not door_service & (in_locker | shelved)


def _parcels(result):
    """The parcels of a one-station run, as the model drew them (ids are arrival order)."""
    from sim.core.streams import Streams
    from sim.model.demand import generate_parcels, station_arrivals
    from sim.model.facilities.recipients import Households

    sc = result.scenario
    streams = Streams(sc.seed)
    people = Households.of(sc, n_households=result.city.n_households, streams=streams)
    arrivals = station_arrivals(sc, streams)
    parcels, _, _ = generate_parcels(
        sc,
        result.city,
        streams,
        arrivals,
        door_service_share=result.door_service_share,
        door_service_utility=people.door_service_utility,
    )
    return parcels


def _door_service(result) -> np.ndarray:
    return _parcels(result).door_service


def test_the_log_carries_each_parcels_service_class():
    result = simulate(small_scenario(), "mixed")
    ev, door_service = result.events, _door_service(result)
    assert np.array_equal(ev.service, door_service[ev.parcel].astype(np.int8))
    assert 0.3 < door_service.mean() < 0.7  # the mixed variant's share is 0.5


def test_only_ordinary_parcels_are_diverted_to_a_locker_and_only_with_consent():
    scenario = small_scenario(variants={"courtesy": {"policy": "courtesy_lift"}, "door": {"door_service_share": 1.0}})
    courtesy, door = simulate(scenario, "courtesy"), simulate(scenario, "door")
    ev = courtesy.events
    after_knock = ev.status == Status.IN_LOCKER
    after_knock &= np.isin(ev.parcel, ev.parcel[(ev.status == Status.DELIVERY_FAILED) & (ev.detail == Detail.NOT_HOME)])
    assert after_knock.any()
    assert np.all(np.isin(ev.detail[after_knock], (Detail.CONSENTED, Detail.STANDING_CONSENT)))
    # Door-service parcels are left elsewhere than at the door only with the recipient's consent.
    dev = door.events
    elsewhere = np.isin(dev.status, (Status.IN_LOCKER, Status.AT_STATION_PICKUP)) & (dev.courier >= 0)
    assert elsewhere.any()
    assert np.all(np.isin(dev.detail[elsewhere], (Detail.CONSENTED, Detail.STANDING_CONSENT)))


def test_locker_slots_are_never_overbooked():
    scenario = small_scenario(parcels={"per_day": 800})
    result = simulate(scenario, "locker")
    ev = result.events
    assert (ev.detail == Detail.LOCKER_FULL).any(), "the scenario should fill some lockers"
    slots = dict(zip(result.city.bank_place.tolist(), result.city.locker_slots.sum(axis=1).tolist(), strict=True))
    for place, capacity in slots.items():
        at = ev.place == place
        change = np.where(at & (ev.status == Status.IN_LOCKER), 1, 0) - np.where(at & (ev.status == Status.PICKED_UP), 1, 0)
        assert np.cumsum(change).max(initial=0) <= capacity


def test_failed_door_attempts_are_retried_then_returned():
    away = {"share": 1.0, "home_working_day": [0.05] * 24, "home_weekend": [0.05] * 24, "pickup_by_hour": [1.0] * 24}
    scenario = small_scenario(
        recipients={"household_types": {"away": away}, "consent_share": 0.0, "standing_consent_share": 0.0},
        door={"max_attempts": 2, "redelivery_gap_h": 1, "phone_ahead_share": 0.0},
    )
    result = simulate(scenario, "door")
    ev = result.events
    final = final_status(ev, result.n_parcels)
    returned = np.flatnonzero(final == Status.RETURNED)
    assert len(returned) > 0
    for p in returned[:20]:
        statuses = ev.status[ev.parcel == p]
        assert (statuses == Status.DELIVERY_FAILED).sum() == 2
        times = ev.time_s[(ev.parcel == p) & (ev.status == Status.DELIVERY_FAILED)]
        assert times[1] - times[0] >= 3600


def test_more_door_service_parcels_mean_more_left_at_the_door():
    scenario = small_scenario()
    at_door = [kpis_of(simulate(scenario, v))["door_delivered_share"] for v in ("locker", "mixed", "door")]
    assert at_door[0] < at_door[1] < at_door[2]


def test_headline_scenario_door_delivers_fewer_parcels_in_its_working_day():
    """A fixed working day: door couriers cannot finish what lockers can, and carry the rest over."""
    k = run(HEADLINE).kpis()
    assert k.at["door", "parcels_per_courier_day"] < 0.9 * k.at["locker", "parcels_per_courier_day"]
    assert k.at["door", "carried_over_parcels"] > 5 * k.at["locker", "carried_over_parcels"]
    assert k.at["door", "same_day_delivery_share"] < k.at["locker", "same_day_delivery_share"]
    # Absent recipients who ask for a locker or a 驿站 make the door's fee gap smaller than 0.3.
    gap = k.at["door", "fee_yuan_per_parcel"] - k.at["locker", "fee_yuan_per_parcel"]
    assert 0.05 < gap < 0.3 and k.at["door", "door_delivered_share"] < 1


@pytest.mark.parametrize("couriers", [1, 2, 3])
def test_accounting_holds_when_the_horizon_cuts_tours_anywhere(couriers):
    """Few couriers and no drain day: the run ends with tours on the road, at stops and riding back."""
    scenario = small_scenario(couriers={"count": couriers, "capacity_parcels": 200}, horizon={"days": 1, "drain_days": 0})
    for variant in ("door", "locker"):
        acc = simulate(scenario, variant).accounting  # raises ConservationError on any difference
        assert acc.placed == 500
    assert simulate(scenario, "door").accounting.in_flight > 0


def test_policies_choose_the_door_parcels_and_custom_ones_can_be_registered():
    from sim.model import policies

    @policies.register("nobody_home_delivery_test")
    def nobody(ctx):
        return np.zeros(len(ctx.parcels), dtype=bool)

    scenario = small_scenario(
        variants={
            "lift": {"policy": "courtesy_lift"},
            "none": {"policy": "nobody_home_delivery_test"},
            "locker": {},
        }
    )
    lift, none, locker = (simulate(scenario, v) for v in ("lift", "none", "locker"))
    # With nobody chosen, only door-service parcels go to the door: exactly as with locker_first.
    assert kpis_of(none)["door_delivered_share"] == kpis_of(locker)["door_delivered_share"]
    # courtesy_lift: every parcel handed over at a door is door-service or lives in a building with a lift,
    # and the ordinary ones among them are paid the ordinary fee.
    parcels = _parcels(lift)
    ev = lift.events
    at_door = np.unique(ev.parcel[ev.status == Status.DELIVERED])
    lift_building = lift.city.building_elevator[parcels.building[at_door]]
    assert np.all(lift_building | parcels.door_service[at_door])
    assert lift_building.sum() > 0.5 * len(at_door)
    k = kpis_of(lift)
    assert k["door_delivered_share"] > k["door_service_delivered_share"]
    del policies.POLICIES["nobody_home_delivery_test"]


def _day_tables(result):

    return result.activity.days.to_pandas(), result.activity.tours.to_pandas()


def test_the_working_day_ends_and_what_is_left_goes_out_the_next_day():
    """Far more parcels than a day allows: tours stop at the day's end, the rest is carried over and
    goes out on the next day, in order, and every parcel is still accounted for."""
    n = 1400
    scenario = small_scenario(parcels={"per_day": n, "day_to_day_cv": 0.0}, horizon={"days": 1, "drain_days": 1})
    result = simulate(scenario, "door")  # raises ConservationError on any difference
    days, tours = _day_tables(result)
    end = scenario.couriers.work_end_h * 3600.0
    day0 = days[days["day"] == 0]
    assert np.all(day0["end_s"] >= end - 1)  # busy to the end ...
    # ... and not much beyond it: the stop in hand and the ride back (no overtime allowance).
    assert np.all(day0["end_s"] < end + 1.5 * 3600)
    assert (day0["overtime_s"] > 0).any()
    # No tour starts after the day's end.
    assert np.all(tours["start_s"] % 86400 < end)
    ev = result.events
    carried = (ev.status == Status.AT_STATION) & (ev.detail == Detail.CARRIED_OVER)
    assert carried.any() and tours["carried_back"].sum() == carried.sum()
    # A parcel carried over from day 0 goes out again the next day: it is older than anything else.
    later = ev.parcel[(ev.status == Status.OUT_FOR_DELIVERY) & (ev.time_s >= 86400)]
    assert set(ev.parcel[carried & (ev.time_s < 86400)].tolist()) <= set(later.tolist())
    # Carried over = arrived on day 0 and not left (door, locker, counter) nor returned by the day's end.
    from sim.model.metrics import first_times

    settled = first_times(ev, (Status.DELIVERED, Status.IN_LOCKER, Status.AT_STATION_PICKUP, Status.RETURNED), n)
    k = kpis_of(result)
    assert k["carried_over_parcels"] == n - int((settled < end).sum()) > 300
    assert k["same_day_delivery_share"] < 0.9


def test_breaks_and_station_tasks_are_taken_and_not_counted_as_tours():
    scenario = small_scenario()
    days, tours = _day_tables(simulate(scenario, "door"))
    worked = days[days["tour_s"] > 0]
    assert np.allclose(worked["break_s"], 3600)  # the lunch hour
    assert np.allclose(worked["task_s"], (60 + 45) * 60)  # morning sort and outbound pick-ups
    # On-duty time = station tasks + tours + waiting at the station, never less than the parts.
    on_duty = worked["end_s"] - worked["start_s"] - worked["break_s"]
    assert np.all(on_duty >= worked["task_s"] + worked["tour_s"] - 1e-6)
    assert (tours["pause_s"] > 0).any()  # some breaks are taken at a stop, out on a tour


def test_overtime_allowance_lets_couriers_finish_more_of_the_tour_in_hand():
    base = small_scenario(parcels={"per_day": 2000, "day_to_day_cv": 0.0}, horizon={"days": 1, "drain_days": 1})
    longer = base.with_overrides({"couriers.overtime_max_h": 1.0})
    k0, k1 = kpis_of(simulate(base, "door")), kpis_of(simulate(longer, "door"))
    assert k1["overtime_hours_per_courier_day"] > k0["overtime_hours_per_courier_day"]
    assert k1["parcels_per_courier_day"] > k0["parcels_per_courier_day"]
    assert k1["income_per_courier_day_yuan"] > k0["income_per_courier_day_yuan"]
    paid = longer.with_overrides({"economics.overtime_yuan_per_hour": 20})
    k2 = kpis_of(simulate(paid, "door"))
    extra = k2["income_per_courier_day_yuan"] - k1["income_per_courier_day_yuan"]
    assert extra == pytest.approx(20 * k1["overtime_hours_per_courier_day"])


def test_a_district_without_locker_banks_runs_every_variant():
    """Regression (#18): with no locker bank, a variant that sends parcels to lockers crashed planning
    their stops. Now such parcels go to the compounds' 驿站, and without those to the door (the
    station's counter is no pick-up point unless the scenario says so); every parcel is accounted for."""
    scenario = small_scenario(city={**SMALL["city"], "locker_share": 0.0})
    for variant in scenario.variants:
        result = simulate(scenario, variant)  # raises ConservationError if a parcel is lost
        k = kpis_of(result)
        assert k["locker_delivered_share"] == 0
        assert result.locker_slots_total == 0
    assert kpis_of(simulate(scenario, "locker"))["pickup_station_delivered_share"] > 0.5
    bare = small_scenario(city={**SMALL["city"], "locker_share": 0.0, "pickup_station_share": 0.0})
    k = kpis_of(simulate(bare, "locker"))
    assert k["pickup_station_delivered_share"] == 0 and k["station_counter_delivered_share"] == 0
    assert k["door_delivered_share"] == 1.0  # nowhere else a recipient can collect


def test_a_run_puts_the_garbage_collectors_thresholds_back(small):
    """A station area runs with fewer collections (sim.model.run.fewer_collections), and the
    caller's thresholds are back afterwards, also when the run fails."""
    import gc

    from sim.model.run import fewer_collections

    before = gc.get_threshold()
    simulate(small, "locker")
    assert gc.get_threshold() == before
    with pytest.raises(RuntimeError), fewer_collections():
        assert gc.get_threshold()[0] == 200_000
        raise RuntimeError("a run that fails")
    assert gc.get_threshold() == before
