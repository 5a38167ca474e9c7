"""Speed of one station day: wall time and parcels per second.

Run: python benchmarks/station_day.py [--parcels 5000] [--couriers 25] [--repeat 3]
Target (issue #2): a day of >= 5,000 parcels and 25 couriers in under 5 s. Each variant's rate is
printed beside the SimPy bound measured in the same run (``simpy_bound.py``: the same couriers as
bare processes, one timeout per stop): the ratio is the share of SimPy's
own speed that the model's behaviour leaves.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from simpy_bound import LABEL, bound_parcels_per_s

from sim.model.run import simulate
from sim.scenario.load import load_scenario
from sim.world.districts import build_city

HEADLINE = Path(__file__).resolve().parents[1] / "scenarios" / "door_vs_locker.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parcels", type=int, default=5000)
    parser.add_argument("--couriers", type=int, default=25)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    overrides = {"parcels.per_day": args.parcels, "parcels.day_to_day_cv": 0.0, "couriers.count": args.couriers}
    scenario = load_scenario(HEADLINE, overrides)
    t0 = time.perf_counter()
    build_city(scenario.city, scenario.station, scenario.seed)
    print(f"city and distance table: {1000 * (time.perf_counter() - t0):.1f} ms")
    bound = bound_parcels_per_s(args.parcels, args.couriers)
    print(f"{LABEL}: {bound:,.0f} parcels/s on one core")
    for variant in scenario.variants:
        best = float("inf")
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            result = simulate(scenario, variant)
            best = min(best, time.perf_counter() - t0)
        n = result.n_parcels
        print(
            f"{variant:>8}: {n} parcels, {len(result.events)} events, {best:.3f} s "
            f"-> {n / best:,.0f} parcels/s ({n / best / bound:.1%} of the bound), {len(result.events) / best:,.0f} events/s"
        )


if __name__ == "__main__":
    main()
