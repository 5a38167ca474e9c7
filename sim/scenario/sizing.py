"""What a scenario would cost to run, estimated before anything is built, and refused when it cannot run.

``parcelsim validate`` and ``parcelsim run`` call ``check_cost`` first: a scenario asking for
20 million parcels in one station area, or a 300 x 300 block district, answers in a fraction of a
second with the estimate and what to do, rather than allocating for minutes and dying. The rates
are measured on the reference machine (``benchmarks/station_day.py``, ``benchmarks/city_day.py``)
and kept conservative; they are estimates, not promises.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

from ..core.errors import ScenarioError
from .schema import Scenario

__all__ = ["Estimate", "check_cost", "estimate"]

EVENTS_PER_PARCEL = 4.5  # measured 3.7-4.5 on the shipped scenarios (meta.json: events / parcels)
# A station area's run in memory, per parcel: measured 540 B in a 300,000-parcel station area whose
# parcels mostly waited (1.2 events each); 1 kB allows for the events of parcels that are delivered.
BYTES_PER_STATION_PARCEL = 1_000
MAX_COMPOUNDS = 2_000  # planning a station area's master tour: 1,360 compounds 13 s, 3,374 compounds 7 min (measured)
PARCELS_PER_SECOND = 40_000  # one core, whole-run throughput (benchmarks/city_day.py: 44-65 k on 2 cores)


@dataclass(frozen=True)
class Estimate:
    """The size of one run of every variant and replication asked for."""

    parcels: float  # over all stations, days, variants and replications
    events: float
    station_parcels: float  # the largest station area's parcels in one run (held in memory at once)
    compounds: float  # about how many compounds one station area's district has
    memory_bytes: float  # the largest station area's run
    seconds: float  # on one core

    def text(self) -> str:
        return (
            f"about {self.parcels:,.0f} parcels and {self.events:,.0f} events in all; the largest station area "
            f"holds {self.station_parcels:,.0f} parcels a run ({_gib(self.memory_bytes)} in memory) in a district of "
            f"about {self.compounds:,.0f} compounds; about {_duration(self.seconds)} on one core"
        )


def estimate(scenario: Scenario, variants: int | None = None, replications: int = 1) -> Estimate:
    """The estimate for ``variants`` (default: all) x ``replications`` runs, from the scenario alone."""
    runs = (variants or len(scenario.variants)) * replications
    per_run = scenario.expected_parcels()
    days = scenario.horizon.days + scenario.horizon.warmup_days + scenario.horizon.drain_days
    station = per_run / max(scenario.stations.count, 1) * days / max(scenario.horizon.days, 1)
    city = scenario.city
    compounds = city.blocks_x * city.blocks_y * city.compound_share if city.osm is None else 0.0
    nodes = (city.blocks_x + 1) * (city.blocks_y + 1) + compounds
    # Distances are computed from every place to every road node at once (scipy's Dijkstra).
    distance_bytes = (compounds + 1) * nodes * 8
    memory = station * BYTES_PER_STATION_PARCEL + distance_bytes
    return Estimate(
        per_run * runs, per_run * runs * EVENTS_PER_PARCEL, station, compounds, memory, per_run * runs / PARCELS_PER_SECOND
    )


def check_cost(
    scenario: Scenario, variants: int | None = None, replications: int = 1, *, memory_limit: float | None = None
) -> Estimate:
    """Raise ``ScenarioError`` with the estimate and what to do when a run cannot fit this machine."""
    est = estimate(scenario, variants, replications)
    limit = memory_limit if memory_limit is not None else 0.8 * _physical_memory()
    if est.compounds > MAX_COMPOUNDS:
        raise ScenarioError(
            f"too large to run: {est.text()}. A station area of more than {MAX_COMPOUNDS:,} compounds cannot plan its "
            "tours in reasonable time: use fewer blocks (city.blocks_x, city.blocks_y) and more station areas (stations.count)"
        )
    if est.memory_bytes > limit:
        raise ScenarioError(
            f"too large to run: {est.text()}; the limit is {_gib(limit)}. Split the parcels over more station "
            "areas (stations.count: each runs on its own and streams its results to disk), lower parcels.per_day, "
            "run on a machine with more memory, or raise the limit (--max-memory GIB) if you know it fits"
        )
    return est


def _physical_memory() -> float:
    try:
        return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return 8 * 2**30  # unknown: assume a modest machine


def _gib(n: float) -> str:
    return f"{n / 2**30:,.1f} GiB" if n >= 2**30 else f"{n / 2**20:,.0f} MiB"


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{math.ceil(seconds)} s"
    if seconds < 7200:
        return f"{seconds / 60:,.0f} min"
    return f"{seconds / 3600:,.1f} h"
