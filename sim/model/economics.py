"""Money: what a courier earns and pays, what the station earns and pays, line by line, and what
recipients pay in overdue locker fees.

The platform pays a fee per parcel by where the courier left it (sources §1): 0.8 yuan for a
door-service (音尊达) parcel handed over at the door, 0.5 for any parcel in a locker, at a
community pick-up station (驿站) or the station's counter, 0.5 for an ordinary parcel at the door;
it reaches the courier through the station (A10). The locker operator charges per parcel by the
slot it takes, a 驿站 per parcel left with it (sources §8); each charge has its payer (the
courier or the station). The station is paid by its network per parcel delivered (派费), pays its
couriers what the platform paid for their parcels (and any piece rate and overtime), the pick-up
charges it carries, the compensation for complaints, and its vehicles and fixed costs (A38).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..scenario.schema import EconomicsConfig, LockerConfig

__all__ = [
    "INCOME_LINES",
    "STATION_LINES",
    "Drops",
    "Income",
    "courier_income",
    "overdue_fee",
    "pickup_charges",
    "station_income",
]

# Every line of a courier's income, in the order a breakdown shows them, with a label.
# Earnings are positive, costs the courier pays are negative.
INCOME_LINES: tuple[tuple[str, str], ...] = (
    ("door_service_fees", "door-service fees 音尊达上门费"),
    ("ordinary_door_fees", "ordinary parcels at the door 普通件上门"),
    ("locker_fees", "locker drops 投柜"),
    ("pickup_station_fees", "pick-up stations 驿站"),
    ("counter_fees", "station counter 网点自提"),
    ("piece_rate", "network piece rate 派费"),
    ("overtime_pay", "overtime pay 加班费"),
    ("locker_charges", "locker charges 柜费"),
    ("pickup_station_charges", "pick-up station charges 驿站费"),
    ("counter_charges", "counter charges 网点费"),
    ("vehicle_cost", "tricycle running cost 车辆"),
    ("fines", "fines 罚款"),
)
_PLATFORM_FEES = ("door_service_fees", "ordinary_door_fees", "locker_fees", "pickup_station_fees", "counter_fees")

# The station's money per day, in the order a breakdown shows it (revenue positive, costs negative).
STATION_LINES: tuple[tuple[str, str], ...] = (
    ("network_fees", "network delivery fees 派费收入"),
    ("platform_fees", "platform fees received 平台服务费"),
    ("courier_pay", "courier pay 快递员工资"),
    ("locker_charges", "locker charges 柜费"),
    ("pickup_station_charges", "pick-up station charges 驿站费"),
    ("compensation", "compensation for complaints 投诉赔付"),
    ("vehicles", "vehicles 车辆"),
    ("fixed", "rent and fixed costs 房租等固定成本"),
)


@dataclass(frozen=True)
class Drops:
    """Parcels couriers left, by where, by service class and (in lockers) by slot size."""

    door_service: int  # door-service parcels handed over at the door
    ordinary_door: int  # ordinary parcels handed over at the door
    locker: int
    pickup_station: int  # left at a community pick-up station (驿站)
    counter: int  # left at the station's counter
    locker_slots: tuple[int, int, int] = (0, 0, 0)  # locker drops by the slot they took: S, M, L

    @property
    def total(self) -> int:
        return self.door_service + self.ordinary_door + self.locker + self.pickup_station + self.counter

    @property
    def at_door(self) -> int:
        return self.door_service + self.ordinary_door


@dataclass(frozen=True)
class Income:
    """Money over some period, line by line, in yuan (a courier's or fleet's, or a station's)."""

    lines: dict[str, float]

    @property
    def net(self) -> float:
        return float(sum(self.lines.values()))

    @property
    def gross(self) -> float:
        """Everything earned before costs."""
        return float(sum(v for v in self.lines.values() if v > 0))

    @property
    def fees(self) -> float:
        """The platform's fees alone (door-service, ordinary door, locker, 驿站, counter)."""
        return float(sum(self.lines[k] for k in _PLATFORM_FEES))

    @property
    def charges(self) -> float:
        """What the courier pays the pick-up points."""
        return -(self.lines["locker_charges"] + self.lines["pickup_station_charges"] + self.lines["counter_charges"])


def pickup_charges(drops: Drops, cfg: EconomicsConfig) -> tuple[float, float]:
    """What the locker operators and the 驿站 charge for the parcels left with them: (lockers, 驿站)."""
    slot = cfg.locker_charge_yuan
    lockers = drops.locker_slots[0] * slot.S + drops.locker_slots[1] * slot.M + drops.locker_slots[2] * slot.L
    return float(lockers), drops.pickup_station * cfg.pickup_station_charge_yuan


def courier_income(drops: Drops, km: float, overtime_h: float, cfg: EconomicsConfig, fines_yuan: float = 0.0) -> Income:
    """A courier's (or fleet's) income for the parcels left, the kilometres ridden, the overtime
    worked and the fines paid; the pick-up charges where the courier pays them."""
    lockers, stations = pickup_charges(drops, cfg)
    lines = {
        "door_service_fees": drops.door_service * cfg.door_service_fee_yuan,
        "ordinary_door_fees": drops.ordinary_door * cfg.ordinary_door_fee_yuan,
        "locker_fees": drops.locker * cfg.locker_fee_yuan,
        "pickup_station_fees": drops.pickup_station * cfg.pickup_station_fee_yuan,
        "counter_fees": drops.counter * cfg.station_fee_yuan,
        "piece_rate": drops.total * cfg.piece_rate_yuan,
        "overtime_pay": overtime_h * cfg.overtime_yuan_per_hour,
        "locker_charges": -lockers if cfg.locker_charge_paid_by == "courier" else 0.0,
        "pickup_station_charges": -stations if cfg.pickup_station_charge_paid_by == "courier" else 0.0,
        "counter_charges": -drops.counter * cfg.station_charge_yuan,
        "vehicle_cost": -km * cfg.vehicle_yuan_per_km,
        "fines": -fines_yuan,
    }
    assert tuple(lines) == tuple(k for k, _ in INCOME_LINES)
    return Income({k: float(v) for k, v in lines.items()})


def station_income(
    drops: Drops, courier: Income, *, complaints: int, courier_days: int, days: int, cfg: EconomicsConfig
) -> Income:
    """The station's money over ``days`` station-days: its network's fee per parcel delivered and
    the platform's fees, less its couriers' pay (the platform's fees passed on, piece rate,
    overtime), the pick-up charges it pays, compensation per complaint, vehicles and fixed costs."""
    lockers, stations = pickup_charges(drops, cfg)
    pay = courier.fees + courier.lines["piece_rate"] + courier.lines["overtime_pay"]
    lines = {
        "network_fees": drops.total * cfg.network_fee_yuan,
        "platform_fees": courier.fees,
        "courier_pay": -pay,
        "locker_charges": -lockers if cfg.locker_charge_paid_by == "station" else 0.0,
        "pickup_station_charges": -stations if cfg.pickup_station_charge_paid_by == "station" else 0.0,
        "compensation": -complaints * cfg.complaint_compensation_yuan,
        "vehicles": -courier_days * cfg.station_vehicle_yuan_per_courier_day,
        "fixed": -days * cfg.station_fixed_yuan_per_day,
    }
    assert tuple(lines) == tuple(k for k, _ in STATION_LINES)
    return Income({k: float(v) for k, v in lines.items()})


def overdue_fee(stored_h: np.ndarray | float, cfg: LockerConfig) -> np.ndarray:
    """Fee a recipient pays for a parcel kept ``stored_h`` hours in a locker (sources §3):
    free for ``free_hours``, then ``overdue_fee_yuan`` per started period, capped."""
    over = np.maximum(np.asarray(stored_h, dtype=np.float64) - cfg.free_hours, 0.0)
    periods = np.ceil(over / cfg.overdue_period_h)
    return np.minimum(periods * cfg.overdue_fee_yuan, cfg.overdue_fee_cap_yuan)
