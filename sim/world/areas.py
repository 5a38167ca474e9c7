"""Courier areas: each courier serves a fixed set of compounds, as real couriers do.

The station's compounds are ordered along one a-priori master tour (the courier's learned
sequence) and cut into contiguous runs of about equal households, which gives compact areas
without a clustering library.
"""

from __future__ import annotations

import numpy as np

from ..core.errors import DistrictError
from .city import City
from .routing import plan_tour

__all__ = ["assign_areas", "too_many_couriers"]


def too_many_couriers(couriers: int, compounds: int, where: str = "the city") -> str:
    """Why a district cannot be split among its couriers."""
    return (
        f"couriers.count ({couriers}) exceeds the compounds in {where} ({compounds}); "
        "enlarge the district (city.blocks_x, city.blocks_y, city.compound_share; a real one: city.osm.radius_m "
        "or more listed compounds) or use fewer couriers"
    )


def assign_areas(city: City, couriers: int) -> np.ndarray:
    """Return the courier (0..couriers-1) serving each compound."""
    n = city.n_compounds
    if couriers > n:
        raise DistrictError(too_many_couriers(couriers, n), param=None)
    master = plan_tour(city.place_dist_m, start=0)[1:]  # places in master-tour order, station dropped
    compounds = np.asarray(master, dtype=np.int64) - 1
    households = np.bincount(city.building_compound, weights=_households_per_building(city), minlength=n)
    load = np.cumsum(households[compounds])
    # Cut at equal shares of the cumulative household count; every courier gets >= 1 compound.
    targets = load[-1] * np.arange(1, couriers) / couriers
    cuts = np.searchsorted(load, targets, side="left") + 1
    cuts = np.maximum.accumulate(np.maximum(cuts, np.arange(1, couriers)))
    cuts = np.minimum(cuts, n - couriers + np.arange(1, couriers))
    owner = np.empty(n, dtype=np.int64)
    for courier, part in enumerate(np.split(compounds, cuts)):
        owner[part] = courier
    return owner


def _households_per_building(city: City) -> np.ndarray:
    return np.bincount(city.household_building, minlength=len(city.building_floors)).astype(np.float64)
