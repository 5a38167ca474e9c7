"""Orders placed with the merchant: a Poisson process with an hourly profile, plus flash-sale bursts."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..core.streams import Streams
from ..core.units import SECONDS_PER_HOUR
from ..scenario.schema import OrdersConfig

__all__ = ["generate_orders"]


def generate_orders(
    cfg: OrdersConfig, days: int, streams: Streams, day_factors: Sequence[float] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Order times (seconds, sorted) and, for each order, the burst it belongs to (-1: normal demand).

    Normal demand is a Poisson process whose rate is constant within each hour: the count of an
    hour is Poisson with mean ``per_day × weight / Σ weights`` (times the day's factor, ``day_factors``:
    the scenario's week) and its orders are uniform in the hour.
    Burst orders are spread evenly (uniformly at random) over the burst.
    """
    rng = streams.generator("orders")
    weights = np.asarray(cfg.hourly_profile, dtype=float)
    rate_per_hour = np.tile(cfg.per_day * weights / weights.sum(), days)
    if day_factors is not None:
        rate_per_hour *= np.repeat(np.asarray(day_factors, dtype=float), len(weights))
    counts = rng.poisson(rate_per_hour)
    hour_start = np.repeat(np.arange(len(counts)) * SECONDS_PER_HOUR, counts)
    times = [hour_start + rng.random(len(hour_start)) * SECONDS_PER_HOUR]
    burst_of = [np.full(len(hour_start), -1, dtype=np.int64)]
    for b, burst in enumerate(cfg.bursts):
        start = burst.start_h * SECONDS_PER_HOUR
        times.append(start + rng.random(burst.orders) * burst.duration_min * 60.0)
        burst_of.append(np.full(burst.orders, b, dtype=np.int64))
    all_times = np.concatenate(times)
    order = np.argsort(all_times, kind="stable")
    return all_times[order], np.concatenate(burst_of)[order]
