"""Delivery modes: where each parcel of a station area is meant to go, decided before the day starts."""

from __future__ import annotations

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
    STATION = 2


@dataclass(frozen=True)
class DeliveryPlan:
    """Each parcel's intended mode and the place where the tricycle stops for it."""

    mode: np.ndarray  # Mode of each parcel (int8)
    stop: np.ndarray  # the place of its locker bank for a locker parcel, else its compound's gate


def plan_deliveries(parcels: Parcels, city: City, recipients: Households, policy: str) -> DeliveryPlan:
    """The door for door-service parcels and the ordinary parcels the variant's policy sends there;
    else the compound's locker bank or a bank within reach; else the station's counter."""
    bank = city.compound_bank[parcels.compound]
    chosen = np.asarray(POLICIES[policy](PolicyContext(parcels, city, recipients)), dtype=bool)
    if chosen.shape != (len(parcels),):
        raise ValueError(f"policy {policy!r} returned shape {chosen.shape}, expected ({len(parcels)},)")
    to_door = parcels.door_service | chosen
    mode = np.where(to_door, Mode.DOOR, np.where(bank >= 0, Mode.LOCKER, Mode.STATION)).astype(np.int8)
    stop = Place.of_compound(parcels.compound)
    locker = mode == Mode.LOCKER  # only where a bank is in reach, so a city without banks indexes none
    stop = np.where(locker, 0, stop)
    stop[locker] = city.bank_place[bank[locker]]
    return DeliveryPlan(mode=mode, stop=stop)
