"""KPIs computed from a tiny log whose every number can be checked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from sim.economics import courier_income, overdue_fee
from sim.metrics import KpiInputs, compute_kpis
from sim.scenario import EconomicsConfig, LockerConfig
from sim.tracking import Detail, EventLog
from sim.tracking import Status as S

H = 3600.0


def tiny_log():
    """Three parcels, one courier, one tour: door, locker, and a failed door attempt left at the station."""
    log = EventLog()
    for p in range(3):
        log.add(0.0, p, S.AT_STATION, -1, 0)
        log.add(1 * H, p, S.OUT_FOR_DELIVERY, 0)
    log.add(2 * H, 0, S.DELIVERED, 0, 1)
    log.add(1.5 * H, 1, S.IN_LOCKER, 0, 2)
    log.add(5.5 * H, 1, S.PICKED_UP, -1, 2)
    log.add(6000.0, 2, S.DELIVERY_FAILED, 0, 1, Detail.NOT_HOME)
    log.add(2.5 * H, 2, S.AT_STATION_PICKUP, 0, 0, Detail.CONSENTED)
    log.add(22.5 * H, 2, S.PICKED_UP, -1, 0)
    tours = {
        "courier": np.array([0]),
        "day": np.array([0]),
        "start_s": np.array([3000.0]),
        "depart_s": np.array([3600.0]),
        "return_s": np.array([8400.0]),
        "end_s": np.array([9000.0]),
        "ride_m": np.array([10_000.0]),
        "parcels_out": np.array([3]),
        "shelved": np.array([1]),
    }
    inputs = KpiInputs(
        couriers=1, measured_days=(0, 1), n_parcels=3, locker_slots_total=4, economics=EconomicsConfig(), locker=LockerConfig()
    )
    return log.table(), tours, inputs


def test_kpis_of_a_hand_checkable_log():
    events, tours, inputs = tiny_log()
    k = compute_kpis(events, tours, inputs)
    hours = 6000 / 3600
    # Income: piece 1.0 + fee (0.8 door, 0.5 locker, 0.5 station) = 4.8; charges 0.5 + 0.3; 10 km x 0.1.
    net = 4.8 - 0.8 - 1.0
    assert k["parcels_per_courier_day"] == 3
    assert k["courier_hours_per_day"] == pytest.approx(hours)
    assert k["income_per_courier_day_yuan"] == pytest.approx(net)
    assert k["income_per_courier_hour_yuan"] == pytest.approx(net / hours)
    assert k["km_per_courier_day"] == pytest.approx(10.0)
    assert k["first_attempt_success_share"] == pytest.approx(2 / 3)
    assert k["failed_attempts"] == 1
    # Lead times 2 h, 5.5 h, 22.5 h: median 5.5, p90 by linear interpolation 5.5 + 0.8 x 17.
    assert k["lead_time_p50_h"] == pytest.approx(5.5)
    assert k["lead_time_p90_h"] == pytest.approx(19.1)
    assert k["locker_occupancy_peak_share"] == pytest.approx(0.25)
    assert k["cost_per_parcel_yuan"] == pytest.approx((hours * 30 + 1.0 + 0.8) / 3)
    assert k["parcels_total"] == 3
    assert k["parcels_undelivered_end"] == 0
    assert k["door_delivered_share"] == pytest.approx(1 / 3)
    assert k["overdue_fees_yuan"] == 0


def test_measured_window_excludes_other_days():
    events, tours, inputs = tiny_log()
    later = KpiInputs(**{**inputs.__dict__, "measured_days": (1, 2)})
    k = compute_kpis(events, tours, later)
    assert k["parcels_per_courier_day"] == 0
    assert np.isnan(k["lead_time_p50_h"])
    assert np.isnan(k["income_per_courier_hour_yuan"])  # no hours worked: undefined, not zero


@pytest.mark.parametrize(
    ("stored_h", "fee"),
    [(0, 0), (12, 0), (12.01, 0.5), (24, 0.5), (24.5, 1.0), (80, 3.0), (500, 3.0)],
)
def test_overdue_fee_follows_hive_box_rules(stored_h, fee):
    # 12 h free, 0.5 yuan per started 12 h, capped at 3 yuan (REFERENCES.md §3).
    assert float(overdue_fee(stored_h, LockerConfig())) == pytest.approx(fee)


def test_courier_income_by_mode():
    inc = courier_income(door=10, locker=10, station=0, km=20, cfg=EconomicsConfig())
    assert inc.gross == pytest.approx(10 * 1.8 + 10 * 1.5)
    assert inc.charges == pytest.approx(5.0)
    assert inc.net == pytest.approx(33 - 5 - 2)
