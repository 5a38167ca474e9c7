"""The districts of a scenario: each station area's city and its couriers' areas, built once and cached.

Light on imports (the world and the scenario only), so that ``parcelsim validate`` can check that a
scenario's districts can be built without loading the simulation.
"""

from __future__ import annotations

import functools

import numpy as np

from .errors import ScenarioError
from .scenario import CityConfig, Scenario, StationConfig
from .streams import Streams
from .world import City, assign_areas, generate_city

__all__ = ["build_city", "check_feasible", "courier_areas"]


@functools.lru_cache(maxsize=64)
def build_city(city: CityConfig, station: StationConfig, seed: int, index: int = 0) -> City:
    """The district of station area ``index``. It depends on the seed only, not on the replication:
    replications vary the days in one district, they do not redraw the district."""
    try:
        return generate_city(city, station, Streams(seed).for_station(index))
    except ValueError as exc:
        raise ScenarioError(f"city: {exc}") from None


@functools.lru_cache(maxsize=64)
def courier_areas(city: City, couriers: int) -> np.ndarray:
    try:
        return assign_areas(city, couriers)
    except ValueError as exc:
        raise ScenarioError(str(exc)) from None


def check_feasible(scenario: Scenario) -> None:
    """Raise ``ScenarioError`` if some variant's world cannot be built (e.g. more couriers than compounds)."""
    for variant in scenario.variants:
        resolved = scenario.resolved(variant)
        for i in range(resolved.stations.count):
            courier_areas(build_city(resolved.city, resolved.station, resolved.seed, i), resolved.couriers.count)
