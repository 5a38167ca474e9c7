"""Policies, chosen by name: what couriers do with ordinary parcels, and whether they cut corners.

**Delivery policies** (a variant's ``policy:``) say what couriers do with *ordinary* parcels.

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

from ..core.registry import COMPLIANCE_POLICIES, DELIVERY_POLICIES, Registry

if TYPE_CHECKING:
    from ..scenario.schema import ComplianceConfig
    from ..world import City
    from .demand import Parcels
    from .facilities.recipients import Households

__all__ = [
    "COMPLIANCE_POLICIES",
    "POLICIES",
    "CompliancePolicy",
    "DeliveryPolicy",
    "PolicyContext",
    "Pressure",
    "register",
    "register_compliance",
]


@dataclass(frozen=True)
class PolicyContext:
    """What a policy may look at: the parcels of one station area, its district, its recipients."""

    parcels: Parcels
    city: City
    recipients: Households


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


# **Compliance policies** (``couriers.compliance.policy``) give the chance that a courier leaves a
# door-service parcel in the stop's locker instead of taking it to the door: the courier's choice,
# not the recipient's. Register your own with ``@register_compliance("name")``.


@dataclass(frozen=True)
class Pressure:
    """What weighs on a courier at a stop: the time left in the working day and the parcels left."""

    now_s: float
    day_end_s: float
    backlog: int  # parcels still to deliver: on the tricycle and waiting at the station
    config: ComplianceConfig


class CompliancePolicy(Protocol):
    def __call__(self, pressure: Pressure) -> float: ...


def register_compliance(name: str) -> Callable[[CompliancePolicy], CompliancePolicy]:
    """Decorator: make a compliance policy available to scenarios under ``name``."""
    return COMPLIANCE_POLICIES.register(name)


@register_compliance("always_comply")
def always_comply(pressure: Pressure) -> float:
    """Every door-service parcel goes to the door."""
    return 0.0


@register_compliance("time_pressure")
def time_pressure(pressure: Pressure) -> float:
    """The chance to cut a corner rises to ``max_cut_share`` as the day's end nears (over the last
    ``pressure_window_h``) or as the parcels left grow from ``backlog_parcels`` to twice as many,
    whichever weighs more."""
    cfg = pressure.config
    window_s = cfg.pressure_window_h * 3600.0
    by_time = min(1.0, max(0.0, 1.0 - (pressure.day_end_s - pressure.now_s) / window_s))
    by_backlog = min(1.0, max(0.0, pressure.backlog / cfg.backlog_parcels - 1.0))
    return cfg.max_cut_share * max(by_time, by_backlog)
