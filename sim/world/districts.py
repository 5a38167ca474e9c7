"""The districts of a scenario: each station area's city and its couriers' areas, built once and cached.

Light on imports (the world and the scenario only), so that ``parcelsim validate`` can check that a
scenario's districts can be built without loading the simulation.
"""

from __future__ import annotations

import functools

import numpy as np

from ..core.errors import ScenarioError
from ..core.streams import Streams
from ..scenario.schema import CityConfig, Scenario, StationConfig
from ..scenario.sizing import check_cost
from . import City, assign_areas, count_compounds, generate_city, too_many_couriers

__all__ = ["build_city", "check_feasible", "courier_areas"]


@functools.lru_cache(maxsize=64)
def build_city(city: CityConfig, station: StationConfig, seed: int, index: int = 0) -> City:
    """The district of station area ``index``. It depends on the seed only, not on the replication:
    replications vary the days in one district, they do not redraw the district. A real district
    (``city.osm``) is read from its files once and then taken from the disk cache."""
    try:
        if city.osm is None and city.compound_list is None and city.locker_list is None and city.pickup_station_list is None:
            return generate_city(city, station, Streams(seed).for_station(index))
        from .cache import cached_district

        return cached_district(city, station, seed)
    except ImportError as exc:
        raise ScenarioError(f"city.osm: a real district needs the geo extra (pip install 'parcelsim[geo]'): {exc}") from None


@functools.lru_cache(maxsize=64)
def courier_areas(city: City, couriers: int) -> np.ndarray:
    """The courier serving each compound (cached: every run of a district uses the same areas)."""
    return assign_areas(city, couriers)


def _check_battery(scenario: Scenario, farthest_m: float) -> None:
    """The e-tricycle must reach the farthest place with a full load and come back empty on one
    charge where it cannot swap, and ride there on one battery where it can."""
    v = scenario.couriers.vehicle
    out_wh = v.ride_wh(farthest_m, scenario.couriers.payload_kg)
    need_wh = out_wh if v.swap else out_wh + v.ride_wh(farthest_m, 0.0)
    if need_wh > v.battery_kwh * 1000:
        trip = "there with a full load" if v.swap else "there with a full load and back, with no swap allowed,"
        raise ScenarioError(
            f"{v.battery_kwh:g} kWh is too small: riding {trip} to the district's farthest place "
            f"({farthest_m:,.0f} m) takes {need_wh:,.0f} Wh",
            param="couriers.vehicle.battery_kwh",
        )


def check_feasible(scenario: Scenario, *, memory_limit: float | None = None) -> None:
    """Raise ``ScenarioError`` if some variant's world cannot be built (e.g. more couriers than
    compounds, or a run too large for ``memory_limit`` bytes, by default 80% of this machine's memory).
    The first district is built in full; the others' compounds are counted from the
    city's first draws, which is quick enough for a city of hundreds of station areas."""
    check_cost(scenario, memory_limit=memory_limit)  # before anything is built: too large is refused with its estimate
    checked = set()
    for variant in scenario.variants:
        resolved = scenario.resolved(variant)
        key = (resolved.city, resolved.station, resolved.seed, resolved.couriers.count, resolved.stations.count)
        if key in checked:
            continue
        checked.add(key)
        city = build_city(resolved.city, resolved.station, resolved.seed, 0)
        courier_areas(city, resolved.couriers.count)
        _check_battery(resolved, float(city.place_dist_m[0].max()))
        for i in range(1, resolved.stations.count):
            compounds = count_compounds(resolved.city, Streams(resolved.seed).for_station(i))
            if resolved.couriers.count > compounds:
                raise ScenarioError(too_many_couriers(resolved.couriers.count, compounds, f"station area {i}'s district"))
