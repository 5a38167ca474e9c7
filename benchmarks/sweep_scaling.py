"""Scaling of experiments: 16 runs serially, on a 2-process pool, and on a 2-worker Dask LocalCluster.

Run: python benchmarks/sweep_scaling.py [--runs 16] [--parcels 20000]
Target (issue #4): speed-up >= 1.7x on 2 cores, identical results on every executor. Each executor
starts cold (no district cached), and each Dask cluster is started before timing, as a running
cluster would be.
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import time
from pathlib import Path

import pandas as pd
from dask.distributed import Client

from sim.core.executors import local_cluster
from sim.experiments.runner import run
from sim.scenario.load import load_scenario
from sim.world.districts import build_city, courier_areas

HEADLINE = Path(__file__).resolve().parents[1] / "scenarios" / "door_vs_locker.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=16)
    parser.add_argument("--parcels", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5, help="rounds; the best and the median are reported (the VM is noisy)")
    args = parser.parse_args()
    scenario = load_scenario(
        HEADLINE,
        {"parcels.per_day": args.parcels, "couriers.count": args.parcels // 200, "city.blocks_x": 16, "city.blocks_y": 16},
    )
    reps = args.runs // 2  # two variants
    executors = {"serial": {"jobs": 1}, "pool --jobs 2": {"jobs": 2}, "dask 2 workers": {}}
    seconds: dict[str, list[float]] = {name: [] for name in executors}
    tables, startup = {}, 0.0
    # Rounds interleave the executors, so that a slow spell of the VM hits them all alike.
    for _ in range(args.repeat):
        for name, kwargs in executors.items():
            # Every executor starts cold: forked pool workers would otherwise inherit the districts
            # the serial run cached, while Dask workers must build their own.
            build_city.cache_clear()
            courier_areas.cache_clear()
            cluster = None
            if name.startswith("dask"):
                # A fresh cluster each round, started before timing as a running cluster would be
                # (not Client.restart: repeated restarts can hang, dask/distributed#8534).
                t0 = time.perf_counter()
                cluster = local_cluster(2)  # the same cluster `--scheduler local` starts
                with Client(cluster) as client:
                    client.run(importlib.import_module, "sim.runner")  # a running cluster has its imports done
                startup = time.perf_counter() - t0
                kwargs = {"scheduler": cluster.scheduler_address}
            t0 = time.perf_counter()
            runs = run(scenario, variants=["door", "locker"], replications=reps, keep_results=False, **kwargs)
            seconds[name].append(time.perf_counter() - t0)
            tables[name] = runs.runs()
            if cluster is not None:
                cluster.close()
    best = {name: min(times) for name, times in seconds.items()}
    median = {name: statistics.median(times) for name, times in seconds.items()}
    print(f"{'':>14}  best of {args.repeat} (speed-up)   median (speed-up)")
    for name in executors:
        print(
            f"{name:>14}: {best[name]:5.2f} s ({best['serial'] / best[name]:.2f}x)"
            f"     {median[name]:5.2f} s ({median['serial'] / median[name]:.2f}x)"
        )
    print(f"(starting a 2-worker LocalCluster and importing parcelsim on it took {startup:.2f} s, not counted)")
    for table in tables.values():
        pd.testing.assert_frame_equal(table, tables["serial"])
    print(f"identical KPIs on every executor ({len(tables['serial'])} runs of {args.parcels:,} parcels)")


if __name__ == "__main__":
    main()
