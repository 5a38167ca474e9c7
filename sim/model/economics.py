"""Money: what a courier earns and pays, line by line, and what recipients pay in overdue locker fees.

The platform pays a fee per parcel by where the courier left it (sources §1): 0.8 yuan for a
door-service (音尊达) parcel handed over at the door, 0.5 for any parcel in a locker or at the
station counter, 0.5 for an ordinary parcel at the door. Every other line -- a network piece rate,
locker rent, the station's charge, the tricycle's running cost, overtime pay, fines -- is its own
field, 0 unless set (assumption A10 in docs/assumptions.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..scenario.schema import EconomicsConfig, LockerConfig

__all__ = ["INCOME_LINES", "Drops", "Income", "courier_income", "overdue_fee"]

# Every line of a courier's income, in the order a breakdown shows them, with a label.
# Earnings are positive, costs the courier pays are negative.
INCOME_LINES: tuple[tuple[str, str], ...] = (
    ("door_service_fees", "door-service fees 音尊达上门费"),
    ("ordinary_door_fees", "ordinary parcels at the door 普通件上门"),
    ("locker_fees", "locker drops 投柜"),
    ("station_fees", "station counter 驿站"),
    ("piece_rate", "network piece rate 派费"),
    ("overtime_pay", "overtime pay 加班费"),
    ("locker_rent", "locker rent 柜费"),
    ("station_charges", "station charges 驿站费"),
    ("vehicle_cost", "tricycle running cost 车辆"),
    ("fines", "fines 罚款"),
)
_PLATFORM_FEES = ("door_service_fees", "ordinary_door_fees", "locker_fees", "station_fees")


@dataclass(frozen=True)
class Drops:
    """Parcels a courier left, by where and by service class."""

    door_service: int  # door-service parcels handed over at the door
    ordinary_door: int  # ordinary parcels handed over at the door
    locker: int
    station: int  # left at the station counter

    @property
    def total(self) -> int:
        return self.door_service + self.ordinary_door + self.locker + self.station

    @property
    def at_door(self) -> int:
        return self.door_service + self.ordinary_door


@dataclass(frozen=True)
class Income:
    """A courier's (or a fleet's) money over some period, line by line, in yuan."""

    lines: dict[str, float]

    @property
    def net(self) -> float:
        return float(sum(self.lines.values()))

    @property
    def gross(self) -> float:
        """Everything earned before the courier's own costs."""
        return float(sum(v for v in self.lines.values() if v > 0))

    @property
    def fees(self) -> float:
        """The platform's fees alone (door-service, ordinary door, locker, counter)."""
        return float(sum(self.lines[k] for k in _PLATFORM_FEES))

    @property
    def charges(self) -> float:
        """What the courier pays for lockers and the counter."""
        return -(self.lines["locker_rent"] + self.lines["station_charges"])


def courier_income(drops: Drops, km: float, overtime_h: float, cfg: EconomicsConfig, fines_yuan: float = 0.0) -> Income:
    """Income for the parcels left, the kilometres ridden, the overtime worked and the fines paid."""
    lines = {
        "door_service_fees": drops.door_service * cfg.door_service_fee_yuan,
        "ordinary_door_fees": drops.ordinary_door * cfg.ordinary_door_fee_yuan,
        "locker_fees": drops.locker * cfg.locker_fee_yuan,
        "station_fees": drops.station * cfg.station_fee_yuan,
        "piece_rate": drops.total * cfg.piece_rate_yuan,
        "overtime_pay": overtime_h * cfg.overtime_yuan_per_hour,
        "locker_rent": -drops.locker * cfg.locker_rent_yuan,
        "station_charges": -drops.station * cfg.station_charge_yuan,
        "vehicle_cost": -km * cfg.vehicle_yuan_per_km,
        "fines": -fines_yuan,
    }
    assert tuple(lines) == tuple(k for k, _ in INCOME_LINES)
    return Income({k: float(v) for k, v in lines.items()})


def overdue_fee(stored_h: np.ndarray | float, cfg: LockerConfig) -> np.ndarray:
    """Fee a recipient pays for a parcel kept ``stored_h`` hours in a locker (sources §3):
    free for ``free_hours``, then ``overdue_fee_yuan`` per started period, capped."""
    over = np.maximum(np.asarray(stored_h, dtype=np.float64) - cfg.free_hours, 0.0)
    periods = np.ceil(over / cfg.overdue_period_h)
    return np.minimum(periods * cfg.overdue_fee_yuan, cfg.overdue_fee_cap_yuan)
