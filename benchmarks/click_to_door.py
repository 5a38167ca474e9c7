"""Speed of a click-to-door run: orders through warehouse, linehaul and stations over several days.

Run: python benchmarks/click_to_door.py [--orders 100000] [--days 3] [--stations 10]
Target (issue #3): 100,000 orders over 3 days through warehouse, linehaul and 10 stations in < 30 s.
"""

from __future__ import annotations

import argparse
import time

from sim.model.metrics import kpis_of
from sim.model.run import simulate
from sim.scenario.schema import scenario_from_dict


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=3)
    parser.add_argument("--stations", type=int, default=10)
    args = parser.parse_args()
    per_day = args.orders / args.days
    staff = max(1, round(per_day / 24 / 28 * 1.25))  # round-the-clock team at 80% load
    scenario = scenario_from_dict(
        {
            "name": "click_to_door_benchmark",
            "upstream": {
                "orders": {"per_day": per_day},
                "warehouse": {"kind": "cloud", "pickers": staff, "packers": staff, "shift_start_h": 0, "shift_end_h": 24},
                "linehaul": {"truck_capacity": 10_000},
            },
            "stations": {"count": args.stations},
            "city": {"blocks_x": 10, "blocks_y": 10},
            "couriers": {"count": 25},
            "horizon": {"days": args.days, "drain_days": 2},
            "variants": {"mixed": {"door_share": 0.5}},
        }
    )
    t0 = time.perf_counter()
    result = simulate(scenario, "mixed")
    wall = time.perf_counter() - t0
    k = kpis_of(result)
    print(
        f"{result.n_parcels:,} orders, {args.days} days + 2 drain, {args.stations} stations, {staff} pickers/packers: "
        f"{wall:.2f} s -> {result.n_parcels / wall:,.0f} orders/s, {len(result.events) / wall:,.0f} events/s"
    )
    print(f"dispatched within 24 h {k['dispatched_within_24h_share']:.3f}, click-to-door p50 {k['click_to_door_p50_h']:.1f} h")


if __name__ == "__main__":
    main()
