"""Delivery policies: what couriers do with *ordinary* parcels. Chosen by name in a variant (``policy:``).

Door-service (音尊达) parcels always go to the door. For every other parcel a policy says whether
the courier takes it to the door anyway (as a courtesy, paid the ordinary fee) or leaves it in
the compound's locker or at the station counter. A policy is a function of a ``PolicyContext``
returning, for each parcel, whether it goes to the door. Register your own with
``@register("name")`` before loading a scenario that names it::

    @sim.policies.register("low_floors_to_door")
    def low_floors_to_door(ctx):
        return ctx.parcels.floor <= 2   # the courier walks up two floors, no more
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

from .registry import DELIVERY_POLICIES, Registry

if TYPE_CHECKING:
    from .demand import Parcels
    from .facilities.recipients import Recipients
    from .world import City

__all__ = ["POLICIES", "DeliveryPolicy", "PolicyContext", "register"]


@dataclass(frozen=True)
class PolicyContext:
    """What a policy may look at: the parcels of one station area, its district, its recipients."""

    parcels: Parcels
    city: City
    recipients: Recipients


class DeliveryPolicy(Protocol):
    def __call__(self, ctx: PolicyContext) -> np.ndarray: ...


POLICIES: Registry[DeliveryPolicy] = DELIVERY_POLICIES


def register(name: str) -> Callable[[DeliveryPolicy], DeliveryPolicy]:
    """Decorator: make a policy available to scenarios under ``name``."""
    return POLICIES.register(name)


@register("locker_first")
def locker_first(ctx: PolicyContext) -> np.ndarray:
    """Ordinary parcels go to the compound's locker bank (or one within reach), else the counter."""
    return np.zeros(len(ctx.parcels), dtype=bool)


@register("courtesy_lift")
def courtesy_lift(ctx: PolicyContext) -> np.ndarray:
    """Ordinary parcels in buildings with a lift go to the door as a courtesy; walk-ups get the locker."""
    return ctx.city.building_elevator[ctx.parcels.building]
