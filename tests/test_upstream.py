"""Click to door: warehouse queues against theory, Little's law, linehaul, flash sale, staffing."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sim.cli.main import main
from sim.experiments.runner import run
from sim.experiments.staffing import parse_target, plan_staff
from sim.experiments.theory import erlang_c_wait_s, simulate_mmc
from sim.model.facilities.linehaul import dock_departures
from sim.model.facilities.warehouse import Shift
from sim.model.metrics import kpis_of
from sim.model.run import simulate
from sim.model.tracking import Status
from sim.scenario.schema import LinehaulConfig, scenario_from_dict

from .conftest import ROOT

FLASH = ROOT / "scenarios" / "flash_sale_10k_30min.yaml"
H = 3600.0


def test_erlang_c_matches_closed_forms():
    # M/M/1: Wq = rho / (mu - lambda); M/M/2 with a = 1: C = 1/3, Wq = C / (2 mu - lambda).
    assert erlang_c_wait_s(20, 30, 1) == pytest.approx(3600 * (20 / 30) / (30 - 20))
    assert erlang_c_wait_s(10, 10, 2) == pytest.approx(3600 * (1 / 3) / (20 - 10))
    with pytest.raises(ValueError, match="unstable"):
        erlang_c_wait_s(30, 10, 3)


# (arrivals/h, service/h per picker, pickers, orders): utilisations 0.5 to 0.95, 1 to 50 servers.
# Near saturation the queue forgets its past slowly, so those runs are longer.
MMC_CASES = [
    (15, 30, 1, 200_000),  # rho 0.50
    (24, 30, 1, 200_000),  # rho 0.80
    (28.5, 30, 1, 400_000),  # rho 0.95
    (40, 10, 5, 200_000),  # rho 0.80
    (90, 10, 10, 200_000),  # rho 0.90
    (150, 10, 20, 200_000),  # rho 0.75
    (1275, 30, 50, 200_000),  # rho 0.85
    (1425, 30, 50, 400_000),  # rho 0.95
]


@pytest.mark.parametrize(("lam", "mu", "c", "orders"), MMC_CASES, ids=[f"lam{a}-mu{b}-c{c}" for a, b, c, _ in MMC_CASES])
def test_warehouse_queue_agrees_with_erlang_c(lam, mu, c, orders):
    result = simulate_mmc(lam, mu, c, orders=orders, seed=1)
    assert result.utilisation == pytest.approx(lam / (c * mu))
    assert abs(result.simulated_wait_s - result.theory_wait_s) <= result.ci95_s
    assert result.ci95_s < 0.25 * result.theory_wait_s  # the interval is informative, not huge


def test_single_picker_waits_equal_the_lindley_recursion():
    """Exactness, not just agreement on average: with one picker, every order's wait in the
    warehouse simulation equals W(n) = max(0, W(n-1) + S(n-1) - A(n)) on the same inputs."""
    import simpy

    from sim.core.streams import Streams
    from sim.model.facilities.warehouse import Warehouse
    from sim.model.orders import generate_orders
    from sim.scenario.schema import OrdersConfig, WarehouseConfig

    streams = Streams(2)
    placed, _ = generate_orders(OrdersConfig(per_day=600, hourly_profile=(1.0,) * 24), 10, streams)
    cfg = WarehouseConfig(pickers=1, packers=0, pick_rate_per_h=30, service_time="exponential", shift_start_h=0, shift_end_h=24)
    env = simpy.Environment()
    warehouse = Warehouse(env, cfg, len(placed), streams)
    env.process(warehouse.feed(placed))
    env.run()
    service = warehouse.picking.service_s
    lindley = np.zeros(len(placed))
    for i in range(1, len(placed)):
        lindley[i] = max(0.0, lindley[i - 1] + service[i - 1] - (placed[i] - placed[i - 1]))
    assert np.allclose(warehouse.pick_start_s - placed, lindley, atol=1e-6)
    assert (lindley > 0).mean() > 0.5  # a busy queue, so the check means something


def test_theory_mmc_cli_json(capsys):
    code = main(
        [
            "theory",
            "mmc",
            "--arrivals-per-hour",
            "90",
            "--service-per-hour",
            "10",
            "--servers",
            "10",
            "--orders",
            "40000",
            "--json",
        ]
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"simulated_wait_s", "ci95_s", "theory_wait_s"}
    assert out["theory_wait_s"] == pytest.approx(erlang_c_wait_s(90, 10, 10))
    assert main(["theory", "mmc", "--arrivals-per-hour", "100", "--service-per-hour", "10", "--servers", "10"]) == 2


def steady(per_day: float = 4000, **warehouse):
    """A long, steady upstream run: flat demand, round-the-clock warehouse, no delivery."""
    return scenario_from_dict(
        {
            "upstream": {
                "orders": {"per_day": per_day, "hourly_profile": [1.0] * 24},
                "warehouse": {"pickers": 8, "packers": 7, "shift_start_h": 0, "shift_end_h": 24, **warehouse},
                "simulate_delivery": False,
            },
            "horizon": {"days": 20, "drain_days": 1},
            "variants": {"only": {}},
        }
    )


def test_littles_law_on_a_long_run():
    """Mean backlog (time-weighted monitor) = arrival rate x mean time in the warehouse, within 2%."""
    result = simulate(steady(), "only")
    up = result.upstream
    assert not np.isnan(up.packed_s).any()
    horizon = result.horizon_s
    L = up.monitors["backlog"].mean(0, horizon)
    lam = len(up) / horizon
    W = float(np.mean(up.packed_s - up.placed_s))
    assert pytest.approx(lam * W, rel=0.02) == L
    assert 0.5 < kpis_of(result)["picker_utilization"] < 0.9  # 4000/day on 8 x 30/h


def test_staff_work_only_on_shift():
    result = simulate(steady(per_day=2000, shift_start_h=8, shift_end_h=20), "only")
    starts = result.upstream.pick_start_s
    assert not np.isnan(starts).any()
    hours = (starts % 86400) / 3600
    assert np.all((hours >= 8) & (hours < 20))
    assert Shift(8, 20).next_start(21 * H) == 32 * H


def test_dock_departures_follow_cutoffs_and_full_trucks():
    cfg = LinehaulConfig(departures_h=(12.0, 18.0), cutoff_min=30, truck_capacity=3)
    packed = np.array([11.0, 11.6, 12.5, 13.0, 13.1, 13.2, np.nan]) * H
    dep = dock_departures(packed, cfg, horizon_s=86400.0)
    # 11:00 makes the 12:00 truck; 11:36 misses the cut-off; 11:36, 12:30, 13:00 fill a truck at 13:00.
    assert dep[0] == 12 * H
    assert dep[1] == dep[2] == dep[3] == 13 * H
    assert dep[4] == dep[5] == 18 * H
    assert np.isnan(dep[6])


def test_flash_sale_merchant_needs_days_cloud_ships_in_a_day():
    k = run(FLASH).kpis()
    assert k.at["merchant", "backlog_cleared_after_burst_h"] > 48
    assert k.at["merchant", "dispatched_within_24h_share"] < 0.5
    assert k.at["merchant", "late_dispatch_compensation_yuan"] > 0
    assert k.at["cloud", "dispatched_within_24h_share"] >= 0.95
    assert k.at["cloud", "backlog_cleared_after_burst_h"] < 12
    assert k.at["cloud", "surge_staff_hours"] > 0 and k.at["merchant", "surge_staff_hours"] == 0
    assert k.at["merchant", "backlog_peak_orders"] >= 10_000


def test_click_to_door_timeline_and_conservation_with_parcels_still_upstream():
    scenario = scenario_from_dict(
        {
            "upstream": {
                "orders": {"per_day": 1500, "bursts": [{"start_h": 20, "orders": 3000, "duration_min": 30}]},
                "warehouse": {"pickers": 4, "packers": 4},
            },
            "stations": {"count": 2},
            "city": {"blocks_x": 4, "blocks_y": 4},
            "couriers": {"count": 5},
            "horizon": {"days": 2, "drain_days": 0},
            "variants": {"mixed": {}},
        }
    )
    result = simulate(scenario, "mixed")
    acc = result.accounting
    assert acc.in_flight > 0 and acc.in_hands > 0
    assert acc.in_hands + acc.in_locker + acc.at_station_pickup + acc.in_flight + acc.returned == acc.placed
    ev = result.events
    delivered = ev.parcel[ev.status == Status.DELIVERED][0]
    statuses = [Status(int(s)) for s in ev.status[ev.parcel == delivered]]
    assert statuses[:6] == [
        Status.ORDER_PLACED,
        Status.PICKED,
        Status.PACKED,
        Status.SHIPPED,
        Status.AT_STATION,
        Status.OUT_FOR_DELIVERY,
    ]
    assert set(np.unique(ev.station[ev.station >= 0])) == {0, 1}
    again = simulate(scenario, "mixed").events
    assert np.array_equal(again.time_s, ev.time_s) and np.array_equal(again.parcel, ev.parcel)


def test_plan_staff_finds_the_smallest_team():
    scenario = scenario_from_dict(
        {
            "upstream": {"orders": {"per_day": 3000}, "warehouse": {"pickers": 5, "packers": 5}, "simulate_delivery": False},
            "horizon": {"days": 2, "drain_days": 3},
            "variants": {"merchant": {}},
        }
    )
    target = parse_target("dispatched_within_24h_share=0.95")
    assert (target.op, target.value) == (">=", 0.95)
    plan = plan_staff(scenario, "merchant", target)
    assert plan.kpi_value >= 0.95
    assert plan.below_value is not None and plan.below_value < 0.95
    assert plan.team > 1


def test_plan_staff_cli(capsys):
    code = main(["plan-staff", str(FLASH), "--variant", "merchant", "--target", "dispatched_within_24h_share=0.95"])
    out = capsys.readouterr().out
    assert code == 0
    assert "smallest upstream.warehouse.pickers meeting dispatched_within_24h_share >= 0.95" in out
