"""Delivery modes: where each parcel of a station area is meant to go, decided before the day starts."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING

import numpy as np

from ..world.places import Place
from .policies import POLICIES, PolicyContext

if TYPE_CHECKING:
    from ..world import City
    from .demand import Parcels
    from .facilities.recipients import Households

__all__ = ["DeliveryPlan", "Mode", "plan_deliveries"]


class Mode(IntEnum):
    """Where a parcel is meant to go."""

    DOOR = 0
    LOCKER = 1
    COUNTER = 2  # the franchise station's own counter, where the scenario makes it a pick-up point
    PICKUP_STATION = 3  # a community pick-up station (驿站)


@dataclass(frozen=True)
class DeliveryPlan:
    """Each parcel's intended mode and the place where the tricycle stops for it."""

    mode: np.ndarray  # Mode of each parcel (int8)
    stop: np.ndarray  # the place of its locker bank or 驿站, else its compound's gate (the counter: the station)

    @functools.cached_property
    def mode_list(self) -> list[int]:
        """``mode`` as a list, for the couriers' loops (indexing a numpy array one parcel at a time is slow)."""
        return self.mode.tolist()


def plan_deliveries(parcels: Parcels, city: City, recipients: Households, policy: str, *, counter: bool) -> DeliveryPlan:
    """The door for door-service parcels and the ordinary parcels the variant's policy sends there;
    the others to the compound's locker bank (or one within reach), else its 驿站 (or one within
    reach), else the station's counter where it is a pick-up point (``counter``), else the door."""
    bank = city.compound_bank[parcels.compound]
    station = city.compound_pickup[parcels.compound]
    chosen = np.asarray(POLICIES[policy](PolicyContext(parcels, city, recipients)), dtype=bool)
    if chosen.shape != (len(parcels),):
        raise ValueError(f"policy {policy!r} returned shape {chosen.shape}, expected ({len(parcels)},)")
    to_door = parcels.door_service | chosen
    elsewhere = np.select(
        [bank >= 0, station >= 0, np.full(len(parcels), counter)], [Mode.LOCKER, Mode.PICKUP_STATION, Mode.COUNTER], Mode.DOOR
    )
    mode = np.where(to_door, Mode.DOOR, elsewhere).astype(np.int8)
    stop = Place.of_compound(parcels.compound)
    locker = mode == Mode.LOCKER  # only where a bank is in reach, so a city without banks indexes none
    stop = np.where(locker, 0, stop)
    stop[locker] = city.bank_place[bank[locker]]
    at_station = mode == Mode.PICKUP_STATION
    stop[at_station] = city.pickup_place[station[at_station]]
    stop[mode == Mode.COUNTER] = Place.STATION
    return DeliveryPlan(mode=mode, stop=stop)
