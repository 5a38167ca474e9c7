"""Courier activity as typed tables: every tour, stop, courier-day, return pick-up and stop part.

Each table has a row type (a named tuple the courier builds by keyword) and a column type (a
``Table``); the columns are the row's fields and the station area's ``station``, filled when the
ledger hands the tables over. ``tests/test_architecture.py`` checks the two agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import NamedTuple

import numpy as np

from ..core.table import Table, column

__all__ = [
    "STOP_PART_LABELS",
    "Activity",
    "DayRow",
    "Days",
    "PickupDay",
    "PickupDays",
    "ReturnRow",
    "Returns",
    "StopPart",
    "StopParts",
    "StopRow",
    "Stops",
    "TourRow",
    "Tours",
]

_I, _F = np.int64, np.float64


class TourRow(NamedTuple):
    """One tour: load at the station, ride out, serve the stops, ride back, unload. Seconds, metres."""

    courier: int
    day: int
    start_s: float  # starts loading (or shelving) at the station
    depart_s: float  # leaves the station
    return_s: float  # back at the station
    end_s: float  # done shelving what came back
    ride_m: float
    parcels_out: int  # parcels carried out
    shelved: int  # parcels left at the station counter (before and after the tour)
    pause_s: float  # breaks and station tasks taken at stops during the tour
    carried_back: int  # parcels brought back unserved because the working day ended


@dataclass(frozen=True)
class Tours(Table):
    courier: np.ndarray = column(_I)
    day: np.ndarray = column(_I)
    start_s: np.ndarray = column(_F)
    depart_s: np.ndarray = column(_F)
    return_s: np.ndarray = column(_F)
    end_s: np.ndarray = column(_F)
    ride_m: np.ndarray = column(_F)
    parcels_out: np.ndarray = column(_I)
    shelved: np.ndarray = column(_I)
    pause_s: np.ndarray = column(_F)
    carried_back: np.ndarray = column(_I)
    station: np.ndarray = column(_I)


class StopRow(NamedTuple):
    """One stop of a tour and where its time went (seconds; ``ride_*`` is the ride to it)."""

    courier: int
    arrive_s: float
    depart_s: float
    place: int
    ride_m: float
    ride_s: float
    park_s: float
    walk_s: float
    vertical_s: float
    wait_s: float
    handover_s: float  # at doors
    pickup_s: float  # at locker banks and 驿站: drop sessions and hand-ins
    attempts: int
    door_visits: int  # households visited at their door with parcels
    door_visit_parcels: int  # parcels handed over or tried in those visits


@dataclass(frozen=True)
class Stops(Table):
    courier: np.ndarray = column(_I)
    arrive_s: np.ndarray = column(_F)
    depart_s: np.ndarray = column(_F)
    place: np.ndarray = column(_I)
    ride_m: np.ndarray = column(_F)
    ride_s: np.ndarray = column(_F)
    park_s: np.ndarray = column(_F)
    walk_s: np.ndarray = column(_F)
    vertical_s: np.ndarray = column(_F)
    wait_s: np.ndarray = column(_F)
    handover_s: np.ndarray = column(_F)
    pickup_s: np.ndarray = column(_F)
    attempts: np.ndarray = column(_I)
    door_visits: np.ndarray = column(_I)
    door_visit_parcels: np.ndarray = column(_I)
    station: np.ndarray = column(_I)


class DayRow(NamedTuple):
    """One courier's working day: from the shift's start to the end of the last task (seconds)."""

    courier: int
    day: int
    start_s: float  # shift start
    end_s: float  # end of the day's last tour or station task
    break_s: float
    task_s: float  # station tasks: morning sort, outbound pick-ups, ...
    tour_s: float  # on tours, breaks and tasks taken on the way excluded
    overtime_s: float  # work past the day's end
    energy_wh: float  # what the e-tricycle's rides took
    swaps: int  # battery swaps on the way


@dataclass(frozen=True)
class Days(Table):
    courier: np.ndarray = column(_I)
    day: np.ndarray = column(_I)
    start_s: np.ndarray = column(_F)
    end_s: np.ndarray = column(_F)
    break_s: np.ndarray = column(_F)
    task_s: np.ndarray = column(_F)
    tour_s: np.ndarray = column(_F)
    overtime_s: np.ndarray = column(_F)
    energy_wh: np.ndarray = column(_F)
    swaps: np.ndarray = column(_I)
    station: np.ndarray = column(_I)


class ReturnRow(NamedTuple):
    """A return pick-up a buyer asked for at the door (``picked_s`` NaN until picked up)."""

    request: int
    parcel: int
    household: int
    courier: int
    requested_s: float
    picked_s: float


@dataclass(frozen=True)
class Returns(Table):
    request: np.ndarray = column(_I)
    parcel: np.ndarray = column(_I)
    household: np.ndarray = column(_I)
    courier: np.ndarray = column(_I)
    requested_s: np.ndarray = column(_F)
    picked_s: np.ndarray = column(_F)
    station: np.ndarray = column(_I)


class StopPart(IntEnum):
    """The parts of a stop, logged as intervals (``stop_parts`` table) so that a courier's day can be
    drawn as it happened."""

    PARK = 0  # park the tricycle, lock it, take the parcels
    WALK = 1  # gate to building, building to gate, to and from the locker bank
    STAIRS = 2  # climb or walk down
    LIFT = 3  # ride the lift
    WAIT = 4  # for the lift, at the entrance, at a door nobody opens
    CALL = 5  # phone the recipient before going up
    HANDOVER = 6  # hand over or collect at the door
    LOCKER = 7  # a locker session: open, drop the parcels
    PICKUP_STATION = 8  # hand parcels in at a community pick-up station (驿站)
    # Parts of the day that are no stop (logged with place -1): for the Gantt chart and the replay.
    BREAK = 9
    TASK = 10  # a station task: the morning sort, outbound pick-ups
    WAITING = 11  # at the station with nothing to carry, on duty


STOP_PART_LABELS = {
    StopPart.PARK: ("park", "停车"),
    StopPart.WALK: ("walk", "步行"),
    StopPart.STAIRS: ("stairs", "爬楼"),
    StopPart.LIFT: ("lift", "电梯"),
    StopPart.WAIT: ("wait", "等候"),
    StopPart.CALL: ("call", "电话"),
    StopPart.HANDOVER: ("handover", "交付"),
    StopPart.LOCKER: ("locker", "投柜"),
    StopPart.PICKUP_STATION: ("pick-up station", "驿站交件"),
    StopPart.BREAK: ("break", "休息"),
    StopPart.TASK: ("station task", "网点作业"),
    StopPart.WAITING: ("waiting", "等待"),
}


@dataclass(frozen=True)
class StopParts(Table):
    """When each part (``StopPart``) of each stop happened; breaks, station tasks and waiting at the
    station too, with place -1."""

    courier: np.ndarray = column(_I)
    place: np.ndarray = column(_I)
    start_s: np.ndarray = column(_F)
    end_s: np.ndarray = column(_F)
    part: np.ndarray = column(_I)
    station: np.ndarray = column(_I)


class PickupDay(NamedTuple):
    """One pick-up point (``PickupKind``: locker bank, 驿站, counter) on one day of the run: the
    most parcels it held at once (every network's, and ours), what our couriers left in it by
    slot pool (a 驿站's shelves are pool S), what found no room, other networks' parcels, and the
    parcels collected from it."""

    kind: int
    point: int
    place: int
    day: int
    capacity: int
    peak: int
    peak_ours: int
    drops_slot_s: int
    drops_slot_m: int
    drops_slot_l: int
    refused: int
    background_in: int
    background_refused: int
    collections: int


@dataclass(frozen=True)
class PickupDays(Table):
    kind: np.ndarray = column(_I)
    point: np.ndarray = column(_I)
    place: np.ndarray = column(_I)
    day: np.ndarray = column(_I)
    capacity: np.ndarray = column(_I)
    peak: np.ndarray = column(_I)
    peak_ours: np.ndarray = column(_I)
    drops_slot_s: np.ndarray = column(_I)
    drops_slot_m: np.ndarray = column(_I)
    drops_slot_l: np.ndarray = column(_I)
    refused: np.ndarray = column(_I)
    background_in: np.ndarray = column(_I)
    background_refused: np.ndarray = column(_I)
    collections: np.ndarray = column(_I)
    station: np.ndarray = column(_I)


@dataclass(frozen=True)
class Activity:
    """A run's courier activity tables."""

    tours: Tours = field(default_factory=Tours)
    stops: Stops = field(default_factory=Stops)
    days: Days = field(default_factory=Days)
    returns: Returns = field(default_factory=Returns)
    stop_parts: StopParts = field(default_factory=StopParts)
    pickup_days: PickupDays = field(default_factory=PickupDays)

    NAMES = ("tours", "stops", "days", "returns", "stop_parts", "pickup_days")  # the tables, as results folders name them

    def tables(self) -> dict[str, Table]:
        return {name: getattr(self, name) for name in self.NAMES}

    def numbered(self, courier_offset: int, parcels: np.ndarray | None = None) -> Activity:
        """The tables with couriers numbered over all stations (``courier_offset`` added) and, given
        ``parcels`` (global id of each local one), return pick-ups' parcels renumbered."""
        returns = self.returns.replace(courier=self.returns.courier + courier_offset)
        if parcels is not None and len(returns):
            returns = returns.replace(parcel=parcels[returns.parcel])
        return Activity(
            tours=self.tours.replace(courier=self.tours.courier + courier_offset),
            stops=self.stops.replace(courier=self.stops.courier + courier_offset),
            days=self.days.replace(courier=self.days.courier + courier_offset),
            returns=returns,
            stop_parts=self.stop_parts.replace(courier=self.stop_parts.courier + courier_offset),
            pickup_days=self.pickup_days,
        )

    def where_station(self, station: int) -> Activity:
        """The rows of one station area."""
        return Activity(
            tours=self.tours.take(self.tours.station == station),
            stops=self.stops.take(self.stops.station == station),
            days=self.days.take(self.days.station == station),
            returns=self.returns.take(self.returns.station == station),
            stop_parts=self.stop_parts.take(self.stop_parts.station == station),
            pickup_days=self.pickup_days.take(self.pickup_days.station == station),
        )

    @staticmethod
    def concat(parts: list[Activity]) -> Activity:
        return Activity(
            tours=Tours.concat([p.tours for p in parts]),
            stops=Stops.concat([p.stops for p in parts]),
            days=Days.concat([p.days for p in parts]),
            returns=Returns.concat([p.returns for p in parts]),
            stop_parts=StopParts.concat([p.stop_parts for p in parts]),
            pickup_days=PickupDays.concat([p.pickup_days for p in parts]),
        )
