"""Tour quality and speed: plan_tour against LKH (the elkai package) on random uniform instances.

Run: python benchmarks/routing.py [--instances 20]
Targets (issue #2): mean gap to LKH <= 5 %, <= 20 ms per 100-point tour.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from sim.world.routing import nearest_neighbour_tour, plan_tour, tour_length


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=20)
    args = parser.parse_args()
    try:
        import elkai
    except ImportError:
        raise SystemExit("needs elkai: pip install -e '.[dev]'") from None
    rng = np.random.default_rng(12345)
    print(f"{'n':>5} {'gap to LKH':>11} {'NN gap':>8} {'max gap':>8} {'ms/tour':>8} {'LKH ms':>8}")
    for n in (50, 100, 200):
        gaps, nn_gaps, ms, lkh_ms = [], [], [], []
        for _ in range(args.instances):
            pts = rng.random((n, 2)) * 1000
            d = np.sqrt(((pts[:, None] - pts[None]) ** 2).sum(-1))
            t0 = time.perf_counter()
            tour = plan_tour(d, 0)
            ms.append(1000 * (time.perf_counter() - t0))
            t0 = time.perf_counter()
            best = elkai.DistanceMatrix(np.rint(d * 1000).astype(int).tolist()).solve_tsp(runs=5)
            lkh_ms.append(1000 * (time.perf_counter() - t0))
            best = best[:-1] if best[0] == best[-1] else best
            opt = tour_length(d, best)
            gaps.append(tour_length(d, tour) / opt - 1)
            nn_gaps.append(tour_length(d, nearest_neighbour_tour(d, 0)) / opt - 1)
        print(
            f"{n:>5} {100 * np.mean(gaps):>10.2f}% {100 * np.mean(nn_gaps):>7.1f}% {100 * np.max(gaps):>7.2f}%"
            f" {np.mean(ms):>8.1f} {np.mean(lkh_ms):>8.1f}"
        )


if __name__ == "__main__":
    main()
