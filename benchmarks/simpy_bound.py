"""The SimPy bound: how many parcels a second a bare courier process delivers on one core.

The reference for the model's own rate: the couriers of a station day, each a SimPy process that
takes its parcels in tours and spends one ``timeout`` per stop (one stop a parcel, the strictest
bound: the model's door variant makes 1.12 parcels a stop), with nothing else: no recipients,
lockers, tracking log or money. The model's parcels per second divided by this rate is the share of SimPy's own speed
that the model's behaviour leaves; ``station_day.py`` and ``city_day.py`` print it.

Run: python benchmarks/simpy_bound.py [--parcels 5000] [--couriers 25]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Generator

import numpy as np
import simpy

from sim.scenario.schema import CourierConfig

LABEL = "SimPy bound (bare courier processes, one timeout per stop)"
TOUR_PARCELS = CourierConfig().capacity_parcels  # an e-tricycle's load
DAYS = 20  # days of parcels per measurement: long enough (a tenth of a second) for the clock's noise


def _courier(env: simpy.Environment, stop_s: np.ndarray, delivered: list[int]) -> Generator[simpy.Event, None, None]:
    durations = stop_s.tolist()  # plain floats: what the model's event loop uses too
    for start in range(0, len(durations), TOUR_PARCELS):
        yield env.timeout(600.0)  # load and ride out
        for seconds in durations[start : start + TOUR_PARCELS]:
            yield env.timeout(seconds)
            delivered[0] += 1


def bound_parcels_per_s(parcels: int = 5000, couriers: int = 25, repeat: int = 9) -> float:
    """Parcels per second of the bare SimPy courier processes (best of ``repeat``, one core), each
    courier working ``DAYS`` days of a station day's ``parcels`` in one go."""
    parcels *= DAYS
    rng = np.random.default_rng(0)
    shares = np.array_split(rng.exponential(120.0, size=parcels), couriers)
    best = float("inf")
    for _ in range(repeat):
        delivered = [0]
        env = simpy.Environment()
        t0 = time.perf_counter()
        for stops in shares:
            env.process(_courier(env, stops, delivered))
        env.run()
        best = min(best, time.perf_counter() - t0)
        if delivered[0] != parcels:
            raise RuntimeError(f"the bound delivered {delivered[0]} of {parcels} parcels")
    return parcels / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parcels", type=int, default=5000)
    parser.add_argument("--couriers", type=int, default=25)
    args = parser.parse_args()
    print(f"{LABEL}: {bound_parcels_per_s(args.parcels, args.couriers):,.0f} parcels/s on one core")


if __name__ == "__main__":
    main()
