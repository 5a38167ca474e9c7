"""A courier: waves, loads, tours on the road graph, and the service at each stop.

One SimPy process per courier and two timeouts per stop (ride, then service). What happens
inside a stop -- climbing stairs, waiting for an elevator, knocking, dropping in a locker -- is
computed in sequence with exact times and recorded in the ledger, without further events:
nothing else in the model can interrupt a courier inside a compound. The one exception is the
locker: banks are shared between couriers, so a courier waits in simulated time until it stands
at the bank before claiming slots.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import simpy

from ..ledger import Ledger, StopRow, TourRow
from ..modes import DeliveryPlan, Mode
from ..places import Place
from ..routing import plan_tour
from ..scenario import CourierConfig, DoorConfig, LockerConfig
from ..tracking import Detail
from ..types import ProcessGenerator
from ..units import SECONDS_PER_DAY, SECONDS_PER_HOUR

if TYPE_CHECKING:
    from ..demand import Parcels
    from ..world import City
    from .buildings import Elevators
    from .locker import LockerBanks
    from .recipients import Recipients
    from .station import Station

__all__ = ["Courier", "StopWork"]

# Plain ints for the hot loops: attribute access on an IntEnum class is slow.
_DOOR, _LOCKER, _STATION = int(Mode.DOOR), int(Mode.LOCKER), int(Mode.STATION)


@dataclass
class StopWork:
    """What serving one stop produced: where the time went (seconds), the parcels that go back to
    the station, and those left in a locker only because their recipient consented."""

    park: float = 0.0
    walk: float = 0.0
    vertical: float = 0.0
    wait: float = 0.0
    handover: float = 0.0
    attempts: int = 0
    to_shelve: list[tuple[int, Detail]] = field(default_factory=list)  # to the station counter
    to_retry: list[int] = field(default_factory=list)  # failed door attempts: redeliver or return
    to_locker: list[tuple[int, Detail]] = field(default_factory=list)  # consented at the door, bank here


class Courier:
    """One courier of a station area: owns its SimPy process and its area's parcels' fate."""

    def __init__(
        self,
        env: simpy.Environment,
        index: int,
        *,
        config: CourierConfig,
        door: DoorConfig,
        locker: LockerConfig,
        city: City,
        parcels: Parcels,
        plan: DeliveryPlan,
        station: Station,
        lockers: LockerBanks,
        recipients: Recipients,
        elevators: Elevators,
        ledger: Ledger,
        days: int,
    ) -> None:
        self.env = env
        self.index = index
        self.config = config
        self.door = door
        self.locker = locker
        self.city = city
        self.parcels = parcels
        self.plan = plan
        self.station = station
        self.lockers = lockers
        self.recipients = recipients
        self.elevators = elevators
        self.ledger = ledger
        self.days = days
        self.process = env.process(self.run())

    def run(self) -> ProcessGenerator:
        """Every simulated day: at each wave, keep going out while parcels are ready, until the
        last departure time."""
        env, cfg = self.env, self.config
        for day in range(self.days):
            day0 = day * SECONDS_PER_DAY
            last_departure = day0 + cfg.last_departure_h * SECONDS_PER_HOUR
            for wave_h in cfg.waves_h:
                wave_start = day0 + wave_h * SECONDS_PER_HOUR
                if env.now < wave_start:
                    yield env.timeout(wave_start - env.now)
                while env.now <= last_departure:
                    load = self.station.take_load(self.index, env.now, cfg.capacity_parcels, cfg.payload_kg)
                    if not load:
                        break
                    yield from self.tour(day, load)

    def tour(self, day: int, load: list[int]) -> ProcessGenerator:
        """Shelve the counter parcels, load the rest, ride the planned tour, come back and unload."""
        env, cfg, ledger, mode = self.env, self.config, self.ledger, self.plan.mode
        start = env.now
        shelve = [p for p in load if mode[p] == _STATION]
        carry = [p for p in load if mode[p] != _STATION]

        t = start
        for p in shelve:
            t += cfg.shelve_s_per_parcel
            self._shelve(p, t, Detail.NONE)
        t += cfg.load_s_per_parcel * len(carry)
        if t > env.now:
            yield env.timeout(t - env.now)
        depart = env.now
        if not carry:
            ledger.record_tour(TourRow(self.index, day, start, depart, depart, depart, 0.0, 0, len(shelve)))
            return
        ledger.loaded(carry, depart, self.index)

        # Group the parcels by the place where the tricycle stops, and plan the tour over those places.
        stop_of = self.plan.stop[carry]
        places = sorted(set(stop_of.tolist()))
        by_place: dict[int, list[int]] = {pl: [] for pl in places}
        for p, pl in zip(carry, stop_of.tolist(), strict=True):
            by_place[pl].append(p)
        nodes = [Place.STATION, *places]
        dist = self.city.place_dist_m[np.ix_(nodes, nodes)]
        order = plan_tour(dist, start=0)

        to_shelve: list[tuple[int, Detail]] = []
        to_retry: list[int] = []
        ride_total = 0.0
        here = 0
        for k in order[1:]:
            ride_m = float(dist[here, k])
            ride_s = ride_m / cfg.ride_speed_mps
            yield env.timeout(ride_s)
            place = nodes[k]
            arrive = env.now
            work = yield from self.serve_stop(place, by_place[place])
            to_shelve += work.to_shelve
            to_retry += work.to_retry
            ledger.record_stop(
                StopRow(self.index, arrive, env.now, place, ride_m, ride_s, work.park, work.walk, work.vertical, work.wait,
                        work.handover, work.attempts)
            )  # fmt: skip
            ride_total += ride_m
            here = k
        back_m = float(dist[here, 0])
        yield env.timeout(back_m / cfg.ride_speed_mps)
        ride_total += back_m
        back = env.now
        ledger.brought_back(len(to_shelve) + len(to_retry))

        # Back at the station: shelve what could not be left, queue the failed door attempts again.
        t = back
        for p, detail in to_shelve:
            t += cfg.shelve_s_per_parcel
            self._shelve(p, t, detail)
        for p in to_retry:
            self._redeliver_or_return(p, back)
        if t > env.now:
            yield env.timeout(t - env.now)
        shelved = len(shelve) + len(to_shelve)
        ledger.record_tour(TourRow(self.index, day, start, depart, back, env.now, ride_total, len(carry), shelved))

    def serve_stop(self, place: int, parcels: list[int]) -> ProcessGenerator[StopWork]:
        """Serve every parcel for this stop; the process leaves the stop when this generator ends."""
        env, mode = self.env, self.plan.mode
        work = StopWork(park=self.door.park_s)
        t = env.now + self.door.park_s
        door = [p for p in parcels if mode[p] == _DOOR]
        to_locker = [(p, Detail.NONE) for p in parcels if mode[p] == _LOCKER]
        if door:
            t = self.door_round(place, door, t, work)
            to_locker += work.to_locker
        if to_locker:
            # Lockers are shared between couriers, so the slots are claimed in simulation time order.
            walk = self.locker.walk_m / self.door.walk_speed_mps
            yield env.timeout(t + walk - env.now)
            t = self.locker_session(place, to_locker, env.now, work) + walk
            work.walk += 2 * walk
        yield env.timeout(t - env.now)
        return work

    def door_round(self, place: int, parcels: list[int], t: float, work: StopWork) -> float:
        """Walk to each building, up the stairs or elevator, knock at each door, and back to the
        gate, starting at ``t``; returns the time back at the gate and adds to ``work``."""
        cfg, city, pc = self.door, self.city, self.parcels
        has_locker = city.place_bank[place] >= 0
        parcels = sorted(parcels, key=lambda p: (pc.building[p], pc.floor[p], pc.household[p], p))
        i = 0
        while i < len(parcels):
            building = int(pc.building[parcels[i]])
            j = i
            while j < len(parcels) and pc.building[parcels[j]] == building:
                j += 1
            walk = city.building_walk_m[building] / cfg.walk_speed_mps
            t += walk
            work.walk += 2 * walk
            level = 1
            elevator = bool(city.building_elevator[building])
            for p in parcels[i:j]:
                floor = int(pc.floor[p])
                if floor != level:
                    t = self._go_to_floor(building, elevator, level, floor, t, work)
                    level = floor
                work.attempts += 1
                household = int(pc.household[p])
                if self.recipients.is_home(household, t):
                    t += pc.handover_s[p]
                    work.handover += pc.handover_s[p]
                    self.ledger.delivered(p, t, self.index, place)
                    continue
                t += cfg.call_wait_s
                work.wait += cfg.call_wait_s
                self.ledger.failed(p, t, self.index, place, Detail.NOT_HOME)
                if not pc.guaranteed[p] and self.recipients.consents(household):
                    if has_locker:
                        work.to_locker.append((p, Detail.CONSENTED))
                    else:
                        work.to_shelve.append((p, Detail.CONSENTED))
                else:
                    work.to_retry.append(p)
            if level > 1:  # back down to the ground floor
                t = self._go_down(building, elevator, level, t, work)
            t += walk
            i = j
        return t

    def _go_to_floor(self, building: int, elevator: bool, level: int, floor: int, t: float, work: StopWork) -> float:
        if elevator:
            wait = self.elevators.wait_s(building, t, floor)
            ride = abs(floor - level) * self.door.elevator_s_per_floor
            work.wait += wait
            work.vertical += ride
            return t + (wait + ride)  # the same float sum as a single step
        climb = (floor - level) * self.door.stairs_up_s_per_floor
        work.vertical += climb
        return t + climb

    def _go_down(self, building: int, elevator: bool, level: int, t: float, work: StopWork) -> float:
        if elevator:
            wait = self.elevators.wait_s(building, t, 0)
            ride = (level - 1) * self.door.elevator_s_per_floor
            work.wait += wait
            work.vertical += ride
            return t + (wait + ride)  # the same float sum as a single step
        down = (level - 1) * self.door.stairs_down_s_per_floor
        work.vertical += down
        return t + down

    def locker_session(self, place: int, parcels: list[tuple[int, Detail]], t: float, work: StopWork) -> float:
        """At the locker bank (now = ``t``): open a session, drop each parcel or find no slot free;
        returns the time the session ends.

        Slots are claimed at the start of the session; a slot that frees up during the minute the
        session lasts is not used by it.
        """
        cfg, pc = self.locker, self.parcels
        bank = int(self.city.place_bank[place])
        claimed_at = t
        t += cfg.open_s
        work.handover += cfg.open_s
        for p, detail in parcels:
            t += cfg.drop_s_per_parcel
            work.handover += cfg.drop_s_per_parcel
            work.attempts += 1
            collect = t + pc.locker_pickup_delay_s[p]
            if self.lockers.try_drop(bank, int(pc.size[p]), claimed_at, collect):
                self.ledger.dropped_in_locker(p, t, collect, self.index, place, detail)
            else:
                self.ledger.failed(p, t, self.index, place, Detail.LOCKER_FULL)
                work.to_shelve.append((p, Detail.LOCKER_FULL))
        return t

    def _shelve(self, parcel: int, t: float, detail: Detail) -> None:
        self.ledger.shelved(parcel, t, t + self.parcels.station_pickup_delay_s[parcel], self.index, detail)

    def _redeliver_or_return(self, parcel: int, now: float) -> None:
        """After a failed door attempt: try again later, or return the parcel after the last attempt."""
        if self.station.attempts_made(parcel) + 1 >= self.door.max_attempts:
            self.ledger.returned(parcel, now, self.index)
        else:
            self.station.put_back(self.index, parcel, now + self.door.redelivery_gap_h * SECONDS_PER_HOUR)
