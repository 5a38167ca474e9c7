"""Delivery policies: which parcels go to the door. Chosen by name in a variant (``policy:``).

A policy is a function of a ``PolicyContext`` returning, for each parcel, whether it goes to the
door; door-guaranteed (音尊达) parcels go to the door whatever the policy says. Register your own
with ``@register("name")`` before loading a scenario that names it::

    @sim.policies.register("walkups_to_locker")
    def walkups_to_locker(ctx):
        return ctx.city.building_elevator[ctx.parcels.building]   # door only where there is a lift
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
    door_share: float  # the variant's door_share


class DeliveryPolicy(Protocol):
    def __call__(self, ctx: PolicyContext) -> np.ndarray: ...


POLICIES: Registry[DeliveryPolicy] = DELIVERY_POLICIES


def register(name: str) -> Callable[[DeliveryPolicy], DeliveryPolicy]:
    """Decorator: make a policy available to scenarios under ``name``."""
    return POLICIES.register(name)


@register("door_share")
def door_share(ctx: PolicyContext) -> np.ndarray:
    """A share ``door_share`` of recipients (the same people in every variant) get door delivery."""
    return ctx.recipients.prefers_door(ctx.parcels.household, ctx.door_share)


@register("elevator_door")
def elevator_door(ctx: PolicyContext) -> np.ndarray:
    """Door delivery in buildings with an elevator, lockers for walk-ups (a share ``door_share`` of
    walk-up recipients still get the door)."""
    lift = ctx.city.building_elevator[ctx.parcels.building]
    return lift | ctx.recipients.prefers_door(ctx.parcels.household, ctx.door_share)
