"""Scaling of experiments: 16 runs serially, on a 2-process pool, and on a 2-worker Dask LocalCluster.

Run: python benchmarks/sweep_scaling.py [--runs 16] [--parcels 20000]
Target (issue #4): speed-up >= 1.7x on 2 cores, identical results on every executor. Each executor
starts cold (no district cached), and the Dask cluster is started before timing, as a running
cluster would be.
"""

from __future__ import annotations

import argparse
import importlib
import time
from pathlib import Path

import pandas as pd

from sim.executors import local_cluster
from sim.model import build_city, courier_areas
from sim.runner import run
from sim.scenario import load_scenario

HEADLINE = Path(__file__).resolve().parents[1] / "scenarios" / "door_vs_locker.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=16)
    parser.add_argument("--parcels", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3, help="timings per executor; the best is reported (the VM is noisy)")
    args = parser.parse_args()
    scenario = load_scenario(
        HEADLINE,
        {"parcels.per_day": args.parcels, "couriers.count": args.parcels // 200, "city.blocks_x": 16, "city.blocks_y": 16},
    )
    reps = args.runs // 2  # two variants
    from dask.distributed import Client

    t0 = time.perf_counter()
    cluster = local_cluster(2)  # the same cluster `--scheduler local` starts
    with Client(cluster) as client:
        client.run(importlib.import_module, "sim.runner")  # a running cluster has its imports done
    print(f"Dask LocalCluster (2 workers) started and warmed up in {time.perf_counter() - t0:.2f} s (not counted below)")
    timings, tables = {}, {}
    executors = (
        ("serial", {"jobs": 1}),
        ("pool --jobs 2", {"jobs": 2}),
        ("dask 2 workers", {"scheduler": cluster.scheduler_address}),
    )
    for name, kwargs in executors:
        # Every executor starts cold: forked pool workers would otherwise inherit the districts
        # the serial run cached, while Dask workers must build their own.
        best = float("inf")
        for _ in range(args.repeat):
            build_city.cache_clear()
            courier_areas.cache_clear()
            if "scheduler" in kwargs:
                with Client(cluster) as client:
                    client.restart()  # fresh worker processes: no district cached from the last repeat
                    client.run(importlib.import_module, "sim.runner")
            t0 = time.perf_counter()
            runs = run(scenario, variants=["door", "locker"], replications=reps, keep_results=False, **kwargs)
            best = min(best, time.perf_counter() - t0)
        timings[name] = best
        tables[name] = runs.runs()
        print(f"{name:>14}: {timings[name]:6.2f} s (best of {args.repeat})  speed-up {timings['serial'] / timings[name]:.2f}x")
    cluster.close()
    for table in tables.values():
        pd.testing.assert_frame_equal(table, tables["serial"])
    print(f"identical KPIs on every executor ({len(tables['serial'])} runs of {args.parcels:,} parcels)")


if __name__ == "__main__":
    main()
