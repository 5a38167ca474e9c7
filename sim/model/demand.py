"""Parcels that reach the station: when, for whom, how big, and their pre-drawn service times.

Everything random about a parcel is drawn here, up front and in one block per stream, so every
variant of a scenario sees the same parcels (common random numbers).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from ..core.streams import Streams
from ..core.units import SECONDS_PER_DAY, SECONDS_PER_HOUR
from ..scenario.schema import DoorServiceChoice, Scenario
from ..world import City

__all__ = ["Parcels", "door_service_probability", "generate_parcels", "sort_ready_times", "station_arrivals"]


@dataclass(frozen=True)
class Parcels:
    """All parcels of a run as arrays indexed by parcel id (ids are 0..n-1 in arrival order)."""

    arrival_s: np.ndarray  # linehaul arrival at the station
    ready_s: np.ndarray  # sorted and ready to load
    household: np.ndarray
    building: np.ndarray
    compound: np.ndarray
    floor: np.ndarray
    size: np.ndarray  # 0 = S, 1 = M, 2 = L
    weight_kg: np.ndarray
    door_service: np.ndarray  # bought door delivery (音尊达); the others are ordinary parcels
    value_yuan: np.ndarray  # the goods' value
    handover_s: np.ndarray
    key: np.ndarray  # the parcel's index among the station's candidates: the key of its own random draws

    def __len__(self) -> int:
        return len(self.arrival_s)

    # For the couriers' loops, one parcel at a time: memoryviews of the arrays give plain Python
    # numbers as quickly as a list would, without a list of objects to build and free.
    @functools.cached_property
    def compound_at(self) -> memoryview:
        return np.ascontiguousarray(self.compound, dtype=np.int64).data

    @functools.cached_property
    def weight_at(self) -> memoryview:
        return np.ascontiguousarray(self.weight_kg, dtype=np.float64).data

    @functools.cached_property
    def handover_at(self) -> memoryview:
        return np.ascontiguousarray(self.handover_s, dtype=np.float64).data

    @functools.cached_property
    def _addresses(self) -> tuple[memoryview, memoryview, memoryview]:
        columns = (self.building, self.floor, self.household)
        building, floor, household = (np.ascontiguousarray(a, dtype=np.int64).data for a in columns)
        return building, floor, household

    def address(self, parcel: int) -> tuple[int, int, int]:
        """The parcel's (building, floor, household): the order of a round."""
        building, floor, household = self._addresses
        return building[parcel], floor[parcel], household[parcel]


def station_arrivals(scenario: Scenario, streams: Streams) -> np.ndarray:
    """Arrival times of a station's parcels when no upstream model feeds it: about ``parcels.per_day``
    a day times the day's factor (``week``: weekday and peaks), varying from day to day with
    ``day_to_day_cv``, split over the trucks by their shares."""
    cfg = scenario.parcels
    days = scenario.horizon.days
    sigma = np.sqrt(np.log1p(cfg.day_to_day_cv**2))
    z = streams.generator("daily_volume").standard_normal(days)
    normal_day = cfg.per_day * np.asarray(scenario.week.factors(days, scenario.horizon.start_weekday))  # A44
    volumes = np.rint(normal_day * np.exp(sigma * z - sigma**2 / 2)).astype(np.int64)
    truck_times = np.array([a.at_h * SECONDS_PER_HOUR for a in cfg.linehaul])
    shares = [a.share for a in cfg.linehaul]
    return np.concatenate(
        [np.repeat(d * SECONDS_PER_DAY + truck_times, _split_counts(int(volumes[d]), shares)) for d in range(days)]
    )


def generate_parcels(
    scenario: Scenario,
    city: City,
    streams: Streams,
    arrival_s: np.ndarray,
    *,
    door_service_share: float | None,
    door_service_utility: np.ndarray,
) -> tuple[Parcels, np.ndarray, np.ndarray]:
    """Draw the parcels of one station area.

    ``arrival_s`` holds one entry per parcel that *could* come (NaN: it did not reach the station
    by the horizon). Everything is drawn for all of them, so a parcel keeps its recipient and
    service times whether or not other parcels arrive; then the arrived ones are kept in arrival
    order. A parcel is a door-service parcel when its own uniform draw is below the share, so a
    larger share keeps every door-service parcel of a smaller one (common random numbers). Without
    a share, the share is each buyer's own: the door-service choice model, with
    ``door_service_utility`` the utility of each household's type (``Households``).
    Returns the parcels, for each its index in ``arrival_s``, and every candidate's service class.
    """
    cfg = scenario.parcels
    rng = streams.generator("parcels")
    n = len(arrival_s)
    household = rng.integers(0, city.n_households, size=n)
    building = city.household_building[household]
    sizes = rng.choice(3, size=n, p=[cfg.size_shares.S, cfg.size_shares.M, cfg.size_shares.L])
    weights = np.array([cfg.weight_kg.S, cfg.weight_kg.M, cfg.weight_kg.L])[sizes]
    u_service = rng.random(n)
    door = scenario.door
    handover = door.handover_median_s * np.exp(door.handover_sigma * rng.standard_normal(n))
    value = cfg.value_median_yuan * np.exp(cfg.value_sigma * rng.standard_normal(n))
    if door_service_share is None:
        door_service = u_service < door_service_probability(cfg.door_service_choice, door_service_utility[household], value)
    else:
        door_service = u_service < door_service_share
    came = np.flatnonzero(~np.isnan(arrival_s))
    keep = came[np.argsort(arrival_s[came], kind="stable")]
    arrival = arrival_s[keep]
    parcels = Parcels(
        arrival_s=arrival,
        ready_s=sort_ready_times(arrival, scenario.station.sort_rate_parcels_per_h),
        household=household[keep],
        building=building[keep],
        compound=city.building_compound[building[keep]],
        floor=city.household_floor[household[keep]],
        size=sizes[keep].astype(np.int8),
        weight_kg=weights[keep],
        door_service=door_service[keep],
        value_yuan=value[keep],
        handover_s=handover[keep],
        key=keep.astype(np.int64),
    )
    return parcels, keep, door_service


def door_service_probability(choice: DoorServiceChoice, type_utility: np.ndarray, value_yuan: np.ndarray) -> np.ndarray:
    """The chance that a buyer buys door delivery: a logit in the household's type, the goods'
    value and the surcharge the buyer sees (assumption A26)."""
    utility = (
        choice.intercept
        + type_utility
        + choice.value_per_log_yuan * np.log(value_yuan / 100.0)
        + choice.price_per_yuan * choice.price_yuan
    )
    return 1.0 / (1.0 + np.exp(-utility))


def sort_ready_times(arrival_s: np.ndarray, rate_per_h: float) -> np.ndarray:
    """When each parcel leaves the station's sorting, one at a time at a fixed rate (FIFO).

    A truck's parcels are sorted back to back; sorting of a truck starts when it arrives or when
    the previous truck's parcels are done, whichever is later. Arrivals must be in time order.
    """
    dt = SECONDS_PER_HOUR / rate_per_h
    ready = np.empty_like(arrival_s)
    free_at = -np.inf
    boundaries = np.flatnonzero(np.diff(arrival_s)) + 1
    for block in np.split(np.arange(len(arrival_s)), boundaries):
        if len(block) == 0:
            continue
        start = max(arrival_s[block[0]], free_at)
        ready[block] = start + dt * np.arange(1, len(block) + 1)
        free_at = ready[block[-1]]
    return ready


def _split_counts(total: int, shares: list[float]) -> np.ndarray:
    """Integer counts proportional to shares that add up to ``total`` (largest remainder)."""
    exact = np.asarray(shares) * total
    counts = np.floor(exact).astype(np.int64)
    remainder = total - counts.sum()
    counts[np.argsort(-(exact - counts), kind="stable")[:remainder]] += 1
    return counts
