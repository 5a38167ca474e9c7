"""City scale: a delivery day of N parcels over station areas of ~16,667 parcels, single process and sharded.

Run: python benchmarks/city_day.py [--parcels 10000 100000 1000000] [--jobs 2] [--variant door]
Targets (issue #5): 1,000,000 parcels in <= 60 s in one process (stretch <= 20 s) with peak memory
<= 3 GiB, <= 35 s with --jobs 2; time per parcel at 1M at most 1.2 x that at 100k; sharded and
unsharded runs identical. Each configuration runs in a fresh process so that peak RSS is its own.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

CITY = Path(__file__).resolve().parents[1] / "scenarios" / "city_1m.yaml"
PER_STATION = 16_667


def one(parcels: int, jobs: int, variant: str) -> dict:
    from sim.executors import make_executor
    from sim.metrics import kpis_of
    from sim.model import simulate
    from sim.scenario import load_scenario

    stations = max(1, round(parcels / PER_STATION))
    scenario = load_scenario(CITY, {"stations.count": stations, "parcels.per_day": round(parcels / stations)})
    t0 = time.perf_counter()
    with make_executor(jobs) as executor:
        result = simulate(scenario, variant, executor=executor if jobs > 1 else None)
    kpis = kpis_of(result)
    wall = time.perf_counter() - t0
    digest = hashlib.sha256()
    for col in ("time_s", "parcel", "status", "courier", "place", "station"):
        digest.update(getattr(result.events, col).tobytes())
    rss = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return {
        "parcels": result.n_parcels,
        "stations": stations,
        "jobs": jobs,
        "wall_s": wall,
        "events": len(result.events),
        "peak_rss_gib": rss / 2**20,
        "events_sha256": digest.hexdigest()[:16],
        "parcels_per_courier_day": kpis["parcels_per_courier_day"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parcels", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--variant", default="door", choices=["door", "locker"])
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.parcels[0], args.jobs, args.variant)))
        return
    header = ("parcels", "stations", "jobs", "wall s", "parcels/s", "events/s", "µs/parcel", "RSS GiB")
    widths = (10, 8, 4, 7, 10, 10, 9, 7)
    print(" ".join(f"{h:>{w}}" for h, w in zip(header, widths, strict=True)) + "  log")
    per_parcel = {}
    for n in args.parcels:
        digests = set()
        for jobs in (1, args.jobs):
            cmd = [sys.executable, __file__, "--one", "--parcels", str(n), "--jobs", str(jobs), "--variant", args.variant]
            r = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
            digests.add(r["events_sha256"])
            per_parcel[(n, jobs)] = 1e6 * r["wall_s"] / r["parcels"]
            rate, event_rate = r["parcels"] / r["wall_s"], r["events"] / r["wall_s"]
            print(
                f"{r['parcels']:>10,} {r['stations']:>8} {jobs:>4} {r['wall_s']:>7.2f} {rate:>10,.0f} {event_rate:>10,.0f} "
                f"{per_parcel[(n, jobs)]:>9.2f} {r['peak_rss_gib']:>7.2f}  {r['events_sha256']}"
            )
        print(f"{'':>10} sharded log {'identical' if len(digests) == 1 else 'DIFFERS'}")
    if (100_000, 1) in per_parcel and (1_000_000, 1) in per_parcel:
        print(f"time per parcel, 1M vs 100k (one process): {per_parcel[(1_000_000, 1)] / per_parcel[(100_000, 1)]:.2f}x")


if __name__ == "__main__":
    main()
