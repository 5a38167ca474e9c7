"""KPIs computed from a tiny log whose every number can be checked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.activity import Activity, Days, PickupDays, Stops, Tours
from sim.model.economics import Drops, courier_income, overdue_fee, station_income
from sim.model.metrics import KpiInputs, compute_kpis
from sim.model.tracking import Detail, EventLog
from sim.model.tracking import Status as S
from sim.scenario.schema import EconomicsConfig, LockerConfig, PickupStationConfig

H = 3600.0


def tiny_log():
    """Four parcels, one courier, one tour: a door-service parcel at the door, an ordinary parcel in a
    locker, a failed door attempt left at the station, and a parcel that is carried over."""
    log = EventLog()
    for p in range(4):
        log.add(5.5 * H, p, S.AT_STATION, -1, 0)
    for p in range(3):
        log.add(8 * H, p, S.OUT_FOR_DELIVERY, 0)
    log.add(9 * H, 0, S.DELIVERED, 0, 1)
    log.add(8.4 * H, 1, S.DELIVERY_FAILED, 0, 3, Detail.LOCKER_FULL)  # its own bank was full: on to the next one
    log.add(8.5 * H, 1, S.IN_LOCKER, 0, 2)
    log.add(12.5 * H, 1, S.PICKED_UP, -1, 2, Detail.FROM_LOCKER)
    log.add(9.5 * H, 2, S.DELIVERY_FAILED, 0, 1, Detail.NOT_HOME)
    log.add(10.5 * H, 2, S.AT_STATION_PICKUP, 0, 0, Detail.CONSENTED)
    log.add(22.5 * H, 2, S.PICKED_UP, -1, 0, Detail.FROM_COUNTER)
    door_service = np.array([1, 0, 0, 0])
    tours = {"day": np.array([0]), "ride_m": np.array([10_000.0])}
    days = {
        "day": np.array([0]),
        "start_s": np.array([7 * H]),
        "end_s": np.array([18 * H]),
        "break_s": np.array([1 * H]),
        "task_s": np.array([1.5 * H]),
        "tour_s": np.array([2.5 * H]),
        "overtime_s": np.array([0.0]),
    }
    inputs = KpiInputs(
        couriers=1,
        measured_days=(0, 1),
        n_parcels=4,
        stations=1,
        economics=EconomicsConfig(vehicle_yuan_per_km=0.1),
        locker=LockerConfig(),
        pickup_station=PickupStationConfig(),
        first_wave_h=8.0,
        work_end_h=19.0,
        horizon_s=2 * 24 * H,
    )
    stops = {"arrive_s": np.array([8.5 * H, 9 * H]), "depart_s": np.array([8.75 * H, 9.75 * H]), "attempts": np.array([1, 2])}
    # The one locker bank (4 slots) held that parcel in a medium slot on day 0.
    bank = {
        "kind": np.array([0]),
        "place": np.array([2]),
        "capacity": np.array([4]),
        "peak": np.array([1]),
        "peak_ours": np.array([1]),
        "drops_slot_m": np.array([1]),
    }
    activity = Activity(
        tours=_table(Tours, tours), days=_table(Days, days), stops=_table(Stops, stops), pickup_days=_table(PickupDays, bank)
    )
    return log.table(0, door_service), activity, inputs


def _table(kind, columns):
    """A table with the given columns and zeros in the others."""
    n = len(next(iter(columns.values())))
    return kind.from_columns({name: columns.get(name, np.zeros(n)) for name in kind.column_names()})


def test_kpis_of_a_hand_checkable_log():
    events, activity, inputs = tiny_log()
    k = compute_kpis(events, activity, inputs)
    on_duty = 18 - 7 - 1
    # Fees: 0.8 (door-service at the door) + 0.5 (locker) + 0.5 (counter); the locker operator's
    # 0.4 for the medium slot, paid by the courier; 10 km x 0.1.
    net = 1.8 - 0.4 - 1.0
    assert k["parcels_per_courier_day"] == 3
    assert k["hours_per_courier_day"] == pytest.approx(on_duty)
    assert k["busy_hours_per_courier_day"] == pytest.approx(4.0)
    assert k["income_per_courier_day_yuan"] == pytest.approx(net)
    assert k["income_per_courier_hour_yuan"] == pytest.approx(net / on_duty)
    assert k["fee_yuan_per_parcel"] == pytest.approx(1.8 / 3)
    assert k["km_per_courier_day"] == pytest.approx(10.0)
    assert k["first_attempt_success_share"] == pytest.approx(2 / 3)  # parcel 3 was never attempted
    assert k["failed_attempts"] == 1  # the full bank is no failed attempt ...
    assert k["locker_full_events"] == 1  # ... but counted as what it is
    # Same day: all four reached the station before the 08:00 wave; three were left by 19:00.
    assert k["same_day_delivery_share"] == pytest.approx(3 / 4)
    assert k["carried_over_parcels"] == 1
    # Lead times 3.5 h, 7 h, 17 h: median 7, p90 by linear interpolation 7 + 0.8 x 10.
    assert k["lead_time_p50_h"] == pytest.approx(7.0)
    assert k["lead_time_p90_h"] == pytest.approx(15.0)
    assert k["locker_bank_peak_share_max"] == pytest.approx(0.25)
    assert k["locker_banks_full_share"] == 0
    assert k["cost_per_parcel_yuan"] == pytest.approx((on_duty * 30 + 1.0 + 0.4) / 3)
    assert k["station_counter_delivered_share"] == pytest.approx(1 / 3)
    # The station: 1.2 yuan from the network for each of the three parcels, the platform's 1.8
    # passed on to the courier; the 驿站's charge is the station's, and no parcel went to one.
    assert k["station_net_yuan_per_day"] == pytest.approx(3 * 1.2)
    assert k["parcels_total"] == 4
    assert k["parcels_undelivered_end"] == 1
    assert k["door_service_delivered_share"] == pytest.approx(1 / 3)
    assert k["stop_minutes_per_parcel"] == pytest.approx(60 / 3)  # 1 h at two stops for three attempts
    assert k["overdue_fees_yuan"] == 0


def test_measured_window_excludes_other_days():
    events, activity, inputs = tiny_log()
    later = KpiInputs(**{**inputs.__dict__, "measured_days": (1, 2)})
    k = compute_kpis(events, activity, later)
    assert k["courier_days"] == 0  # nobody worked on day 1 in this log
    assert np.isnan(k["parcels_per_courier_day"])  # ... so there is no per-courier-day figure, not a zero
    assert np.isnan(k["lead_time_p50_h"])
    assert np.isnan(k["income_per_courier_hour_yuan"])  # no hours worked: undefined, not zero


@pytest.mark.parametrize(
    ("stored_h", "fee"),
    [(0, 0), (12, 0), (12.01, 0.5), (24, 0.5), (24.5, 1.0), (80, 3.0), (500, 3.0)],
)
def test_overdue_fee_follows_hive_box_rules(stored_h, fee):
    # 12 h free, 0.5 yuan per started 12 h, capped at 3 yuan (sources §3).
    assert float(overdue_fee(stored_h, LockerConfig())) == pytest.approx(fee)


def test_a_pick_up_charge_moves_between_the_books_of_courier_and_station_with_its_payer():
    """Who pays the locker operator and the 驿站 changes whose net it lowers, not what they make
    together; the locker charge follows the slots taken (3 S, 2 M, 1 L at 0.3 / 0.4 / 0.5 yuan)."""
    drops = Drops(door_service=10, ordinary_door=4, locker=6, pickup_station=5, counter=0, locker_slots=(3, 2, 1))
    books = {}
    for payer in ("courier", "station"):
        cfg = EconomicsConfig(locker_charge_paid_by=payer, pickup_station_charge_paid_by=payer)
        courier = courier_income(drops, km=20, overtime_h=0, cfg=cfg)
        station = station_income(drops, courier, complaints=0, courier_days=1, days=1, cfg=cfg)
        books[payer] = (courier.net, station.net)
    lockers, stations = 3 * 0.3 + 2 * 0.4 + 1 * 0.5, 5 * 0.4
    assert books["station"][0] - books["courier"][0] == pytest.approx(lockers + stations)
    assert sum(books["courier"]) == pytest.approx(sum(books["station"]))


def test_every_income_line_is_its_own_number():
    cfg = EconomicsConfig(piece_rate_yuan=1.0, station_charge_yuan=0.3, vehicle_yuan_per_km=0.1, overtime_yuan_per_hour=20)
    drops = Drops(door_service=10, ordinary_door=0, locker=10, pickup_station=0, counter=2, locker_slots=(10, 0, 0))
    income = courier_income(drops, 20, 1.5, cfg, fines_yuan=50)
    assert income.lines["piece_rate"] == pytest.approx(22.0)
    assert income.lines["overtime_pay"] == pytest.approx(30.0)
    assert income.lines["locker_charges"] == pytest.approx(-3.0)  # ten small slots
    assert income.lines["counter_charges"] == pytest.approx(-0.6)
    assert income.lines["vehicle_cost"] == pytest.approx(-2.0)
    assert income.lines["fines"] == pytest.approx(-50.0)
    assert income.net == pytest.approx(sum(income.lines.values()))
    assert income.charges == pytest.approx(3.6)
