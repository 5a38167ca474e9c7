"""Queueing theory the simulator must agree with, and the experiment that checks it.

``simulate_mmc`` drives the *real* warehouse (``facilities.warehouse.Warehouse``, the code every
upstream scenario uses) with Poisson orders, exponential pick times and C pickers on a
round-the-clock shift, and compares the mean wait in queue with the Erlang C formula.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import simpy
from scipy import stats

from ..core.streams import Streams
from ..core.units import SECONDS_PER_HOUR
from ..model.facilities.warehouse import Warehouse
from ..model.orders import generate_orders
from ..scenario.schema import OrdersConfig, WarehouseConfig

__all__ = ["MMCResult", "erlang_c_probability", "erlang_c_wait_s", "simulate_mmc"]


def erlang_c_probability(servers: int, offered_load: float) -> float:
    """Probability that an arrival waits in an M/M/c queue (Erlang C), via the stable Erlang B recursion."""
    if offered_load >= servers:
        raise ValueError(f"unstable queue: offered load {offered_load:g} >= {servers} servers")
    b = 1.0
    for k in range(1, servers + 1):
        b = offered_load * b / (k + offered_load * b)
    return servers * b / (servers - offered_load * (1 - b))


def erlang_c_wait_s(arrivals_per_hour: float, service_per_hour: float, servers: int) -> float:
    """Mean wait in queue (seconds) of an M/M/c queue: C(c, a) / (c μ − λ)."""
    a = arrivals_per_hour / service_per_hour
    p_wait = erlang_c_probability(servers, a)
    return SECONDS_PER_HOUR * p_wait / (servers * service_per_hour - arrivals_per_hour)


@dataclass(frozen=True)
class MMCResult:
    simulated_wait_s: float
    ci95_s: float  # half-width of the 95% confidence interval (batch means)
    theory_wait_s: float
    utilisation: float
    orders: int
    batches: int

    def as_dict(self) -> dict[str, float]:
        return asdict(self)

    @property
    def agrees(self) -> bool:
        return abs(self.simulated_wait_s - self.theory_wait_s) <= self.ci95_s


def simulate_mmc(
    arrivals_per_hour: float,
    service_per_hour: float,
    servers: int,
    *,
    orders: int = 200_000,
    seed: int = 1,
    batches: int = 20,
    warmup_share: float = 0.1,
) -> MMCResult:
    """Mean wait in the pick queue of the warehouse under M/M/c conditions, with a batch-means CI."""
    if arrivals_per_hour <= 0 or service_per_hour <= 0 or servers < 1:
        raise ValueError("arrival and service rates must be positive and servers at least 1")
    rho = arrivals_per_hour / (servers * service_per_hour)
    theory = erlang_c_wait_s(arrivals_per_hour, service_per_hour, servers)  # raises if unstable
    streams = Streams(seed)
    per_day = arrivals_per_hour * 24
    days = math.ceil(orders / per_day) + 1
    flat = OrdersConfig(per_day=per_day, hourly_profile=(1.0,) * 24)
    placed, _ = generate_orders(flat, days, streams)
    placed = placed[:orders]
    cfg = WarehouseConfig(
        pickers=servers,
        packers=0,
        pick_rate_per_h=service_per_hour,
        service_time="exponential",
        shift_start_h=0,
        shift_end_h=24,
    )
    env = simpy.Environment()
    warehouse = Warehouse(env, cfg, len(placed), streams)
    env.process(warehouse.feed(placed))
    env.run()
    waits = warehouse.pick_start_s - placed
    waits = waits[int(warmup_share * len(waits)) :]
    means = np.array([b.mean() for b in np.array_split(waits, batches)])
    half = stats.t.ppf(0.975, batches - 1) * means.std(ddof=1) / math.sqrt(batches)
    return MMCResult(
        simulated_wait_s=float(means.mean()),
        ci95_s=float(half),
        theory_wait_s=theory,
        utilisation=rho,
        orders=len(placed),
        batches=batches,
    )
