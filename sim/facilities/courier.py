"""A courier: a working day of waves, loads, tours on the road graph, and the service at each stop.

The day has an end (the shift's, or earlier when the cap on hours binds): at the end a courier
finishes the stop in hand, rides back, and what was not served goes out on a later day. Breaks
and station tasks (the morning sort, outbound pick-ups) are taken at their start time, or at the
next stop when the courier is out on a tour then.

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

from ..ledger import DayRow, Ledger, StopRow, TourRow
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

__all__ = ["Courier", "StopWork", "WorkDay"]

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
    unserved: list[int] = field(default_factory=list)  # not tried: the working day ended during the stop


@dataclass
class WorkDay:
    """A courier's day as it unfolds: its bounds, the blocks still to take, and where the time went."""

    index: int
    start_s: float
    end_s: float  # the working day's end: no tour starts after it, a tour in hand is cut at it
    cut_s: float  # the last moment to start a stop: the end plus the overtime allowance
    blocks: list[tuple[float, float, bool]]  # (start, duration, is a break) not yet taken, in time order
    break_s: float = 0.0
    task_s: float = 0.0
    tour_s: float = 0.0
    overtime_s: float = 0.0
    last_s: float = 0.0  # end of the last tour or task so far

    def due(self, now: float) -> bool:
        """Is a block due now (started, and starting before the day's end)?"""
        return bool(self.blocks) and self.blocks[0][0] <= now and self.blocks[0][0] < self.end_s

    def next_block_before(self, t: float) -> float | None:
        """Start of the next block that begins before ``t`` and before the day's end, if any."""
        if self.blocks and self.blocks[0][0] < min(t, self.end_s):
            return self.blocks[0][0]
        return None


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
        """Every simulated day: take the station tasks and breaks in turn, and at each wave keep
        going out while parcels are ready, until the working day ends."""
        env, cfg = self.env, self.config
        for index in range(self.days):
            day0 = index * SECONDS_PER_DAY
            day = self._new_day(index, day0)
            if env.now < day.start_s:
                yield env.timeout(day.start_s - env.now)
            for wave_h in cfg.waves_h:
                yield from self._idle_until(day, day0 + wave_h * SECONDS_PER_HOUR)
                while env.now < day.end_s:
                    yield from self._take_due_blocks(day)
                    if env.now >= day.end_s:
                        break
                    load = self.station.take_load(self.index, env.now, cfg.capacity_parcels, cfg.payload_kg)
                    if not load:
                        break
                    yield from self.tour(day, load)
            while (block_start := day.next_block_before(day.end_s)) is not None:  # what is left of the day's tasks
                if env.now < block_start:
                    yield env.timeout(block_start - env.now)
                yield from self._take_due_blocks(day)
            self.ledger.record_day(
                DayRow(self.index, index, day.start_s, max(day.last_s, day.start_s), day.break_s, day.task_s, day.tour_s,
                       day.overtime_s)
            )  # fmt: skip

    def _new_day(self, index: int, day0: float) -> WorkDay:
        cfg = self.config
        blocks = [(day0 + b.start_h * SECONDS_PER_HOUR, b.minutes * 60.0, True) for b in cfg.breaks]
        blocks += [(day0 + t.start_h * SECONDS_PER_HOUR, t.minutes * 60.0, False) for t in cfg.station_tasks]
        end = day0 + cfg.work_end_h * SECONDS_PER_HOUR
        return WorkDay(
            index=index,
            start_s=day0 + cfg.shift_start_h * SECONDS_PER_HOUR,
            end_s=end,
            cut_s=end + cfg.overtime_max_h * SECONDS_PER_HOUR,
            blocks=sorted(blocks),
        )

    def _idle_until(self, day: WorkDay, t: float) -> ProcessGenerator:
        """Wait at the station until ``t``, taking the breaks and tasks that start meanwhile."""
        env = self.env
        while (block_start := day.next_block_before(t)) is not None:
            if env.now < block_start:
                yield env.timeout(block_start - env.now)
            yield from self._take_due_blocks(day)
        if env.now < t:
            yield env.timeout(t - env.now)

    def _take_due_blocks(self, day: WorkDay) -> ProcessGenerator[float]:
        """Take every break and task that is due now, one after the other; returns the time spent."""
        env = self.env
        spent = 0.0
        while day.due(env.now):
            _, duration, is_break = day.blocks.pop(0)
            yield env.timeout(duration)
            spent += duration
            if is_break:
                day.break_s += duration
            else:
                day.task_s += duration
                day.last_s = env.now
        return spent

    def tour(self, day: WorkDay, load: list[int]) -> ProcessGenerator:
        """Shelve the counter parcels, load the rest, ride the planned tour, come back and unload.
        At the day's end (plus any overtime allowance) the courier rides back from the stop in hand."""
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
            ledger.record_tour(TourRow(self.index, day.index, start, depart, depart, depart, 0.0, 0, len(shelve), 0.0, 0))
            self._close_tour(day, start, 0.0)
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
        unserved: list[int] = []
        pause = 0.0
        ride_total = 0.0
        here = 0
        for step, k in enumerate(order[1:], start=1):
            if env.now >= day.cut_s:  # the day is over: ride back with what is left
                unserved += [p for kk in order[step:] for p in by_place[nodes[kk]]]
                break
            pause += yield from self._take_due_blocks(day)
            ride_m = float(dist[here, k])
            ride_s = ride_m / cfg.ride_speed_mps
            yield env.timeout(ride_s)
            place = nodes[k]
            arrive = env.now
            work = yield from self.serve_stop(place, by_place[place], day.cut_s)
            to_shelve += work.to_shelve
            to_retry += work.to_retry
            unserved += work.unserved
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
        if unserved:
            ledger.carried_back(unserved, back, self.index)
            for p in unserved:
                self.station.requeue(self.index, p, back)

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
        ledger.record_tour(
            TourRow(self.index, day.index, start, depart, back, env.now, ride_total, len(carry), shelved, pause, len(unserved))
        )
        self._close_tour(day, start, pause)

    def _close_tour(self, day: WorkDay, start: float, pause: float) -> None:
        """Add a finished tour to the day: its time (breaks and tasks on the way apart), any overtime."""
        now = self.env.now
        day.tour_s += now - start - pause
        day.overtime_s += max(0.0, now - max(start, day.end_s))
        day.last_s = now

    def serve_stop(self, place: int, parcels: list[int], cut_s: float = float("inf")) -> ProcessGenerator[StopWork]:
        """Serve the parcels for this stop; the process leaves the stop when this generator ends.
        Buildings not yet started at ``cut_s`` (the day's end) are left for a later day."""
        env, mode = self.env, self.plan.mode
        work = StopWork(park=self.door.park_s)
        t = env.now + self.door.park_s
        door = [p for p in parcels if mode[p] == _DOOR]
        to_locker = [(p, Detail.NONE) for p in parcels if mode[p] == _LOCKER]
        if door:
            t = self.door_round(place, door, t, work, cut_s)
            to_locker += work.to_locker
        if to_locker:
            # Lockers are shared between couriers, so the slots are claimed in simulation time order.
            walk = self.locker.walk_m / self.door.walk_speed_mps
            yield env.timeout(t + walk - env.now)
            t = self.locker_session(place, to_locker, env.now, work) + walk
            work.walk += 2 * walk
        yield env.timeout(t - env.now)
        return work

    def door_round(self, place: int, parcels: list[int], t: float, work: StopWork, cut_s: float = float("inf")) -> float:
        """Walk to each building, up the stairs or elevator, knock at each door, and back to the
        gate, starting at ``t``; returns the time back at the gate and adds to ``work``. At
        ``cut_s`` no further building is started: its parcels go to ``work.unserved``."""
        cfg, city, pc = self.door, self.city, self.parcels
        has_locker = city.place_bank[place] >= 0
        parcels = sorted(parcels, key=lambda p: (pc.building[p], pc.floor[p], pc.household[p], p))
        i = 0
        while i < len(parcels):
            if t >= cut_s:
                work.unserved += parcels[i:]
                break
            building = int(pc.building[parcels[i]])
            j = i
            while j < len(parcels) and pc.building[parcels[j]] == building:
                j += 1
            walk = city.building_walk_m[building] / cfg.walk_speed_mps
            t += walk + cfg.entrance_s
            work.walk += 2 * walk
            work.wait += cfg.entrance_s
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
                if not pc.door_service[p] and self.recipients.consents(household):
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
