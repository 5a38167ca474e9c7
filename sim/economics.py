"""Money: what a courier earns and pays, and what recipients pay in overdue locker fees.

Assumption A10 (docs/assumptions.md): the courier receives the network's piece rate for every
delivered parcel plus the platform's fee for the mode (door, locker or station), and pays the
locker operator or the station for each parcel left there, and the e-tricycle's running cost.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .scenario import EconomicsConfig, LockerConfig
from .tracking import EventTable, Status
from .units import SECONDS_PER_HOUR

__all__ = ["Income", "courier_income", "overdue_fee", "overdue_fees"]


@dataclass(frozen=True)
class Income:
    """A courier's (or a fleet's) money over some period, in yuan."""

    gross: float  # piece rates and mode fees
    charges: float  # locker and station fees paid by the courier
    vehicle: float  # e-tricycle running cost

    @property
    def net(self) -> float:
        return self.gross - self.charges - self.vehicle


def courier_income(door: int, locker: int, station: int, km: float, cfg: EconomicsConfig) -> Income:
    """Income for parcels delivered to the door, into lockers and to the station counter."""
    gross = (
        door * (cfg.piece_rate_yuan + cfg.door_fee_yuan)
        + locker * (cfg.piece_rate_yuan + cfg.locker_fee_yuan)
        + station * (cfg.piece_rate_yuan + cfg.station_fee_yuan)
    )
    charges = locker * cfg.locker_charge_yuan + station * cfg.station_charge_yuan
    return Income(gross=gross, charges=charges, vehicle=km * cfg.vehicle_yuan_per_km)


def overdue_fee(stored_h: np.ndarray | float, cfg: LockerConfig) -> np.ndarray:
    """Fee a recipient pays for a parcel kept ``stored_h`` hours in a locker (REFERENCES.md §3):
    free for ``free_hours``, then ``overdue_fee_yuan`` per started period, capped."""
    over = np.maximum(np.asarray(stored_h, dtype=np.float64) - cfg.free_hours, 0.0)
    periods = np.ceil(over / cfg.overdue_period_h)
    return np.minimum(periods * cfg.overdue_fee_yuan, cfg.overdue_fee_cap_yuan)


def overdue_fees(events: EventTable, cfg: LockerConfig) -> float:
    """Total overdue fees of the parcels collected from lockers during the run."""
    at_locker = events.place > 0
    dropped = np.flatnonzero(at_locker & (events.status == Status.IN_LOCKER))
    collected = np.flatnonzero(at_locker & (events.status == Status.PICKED_UP))
    if len(collected) == 0:
        return 0.0
    drop_time = dict(zip(events.parcel[dropped].tolist(), events.time_s[dropped].tolist(), strict=True))
    stored_h = np.array([events.time_s[i] - drop_time[int(events.parcel[i])] for i in collected]) / SECONDS_PER_HOUR
    return float(overdue_fee(stored_h, cfg).sum())
