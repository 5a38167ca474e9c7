"""A courier: a working day of waves, loads, tours on the road graph, and the service at each stop.

The day has an end (the shift's, or earlier when the cap on hours binds): at the end a courier
finishes the stop in hand, rides back, and what was not served goes out on a later day. Breaks
and station tasks (the morning sort, outbound pick-ups) are taken at their start time, or at the
next stop when the courier is out on a tour then.

One SimPy process per courier and two timeouts per stop (ride, then service). What happens
inside a stop -- climbing stairs, waiting for an elevator, knocking, dropping in a locker -- is
worked out in sequence on the stop's own clock (``StopClock``), without further events: nothing
else in the model can interrupt a courier inside a compound. The one exception is the locker:
banks are shared between couriers, so the process meets the simulation clock when the courier
stands at the bank, before it claims slots.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import simpy

from ...core.types import ProcessGenerator
from ...core.units import SECONDS_PER_DAY, SECONDS_PER_HOUR
from ...scenario.schema import CourierConfig, DoorConfig, LockerConfig
from ...world.places import Place
from ...world.routing import plan_tour
from ..activity import DayRow, StopPart, StopRow, TourRow
from ..ledger import Ledger
from ..modes import DeliveryPlan, Mode
from ..policies import Pressure
from ..tracking import Detail
from .recipients import WHEN_OUT_CHOICES
from .stop import StopClock, StopOutcome

if TYPE_CHECKING:
    from ...world import City
    from ..demand import Parcels
    from ..policies import CompliancePolicy
    from .buildings import Elevators
    from .locker import LockerBanks
    from .recipients import Households, ParcelChances
    from .station import Station

__all__ = ["Courier", "WorkDay"]

# Plain ints for the hot loops: attribute access on an IntEnum class is slow.
_DOOR, _LOCKER, _STATION = int(Mode.DOOR), int(Mode.LOCKER), int(Mode.STATION)
_PARK, _WALK, _STAIRS, _LIFT, _WAIT, _CALL, _HANDOVER, _LOCKER_SESSION = tuple(StopPart)
_COMPLAINT_DELAY_S = 1800.0  # assumption A27: a buyer complains within half an hour of the notification


@dataclass(slots=True)
class _InBuilding:
    """Where a courier stands inside a building: which one, whether it has a lift, on which floor."""

    building: int
    elevator: bool
    level: int = 1


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
        recipients: Households,
        elevators: Elevators,
        ledger: Ledger,
        chances: ParcelChances,
        compliance: CompliancePolicy,
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
        self.chances = chances
        self.compliance = compliance
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
                    returns = self.station.take_returns(self.index, env.now)
                    if not load and not returns:
                        break
                    yield from self.tour(day, load, returns)
            while (block_start := day.next_block_before(day.end_s)) is not None:  # what is left of the day's tasks
                if env.now < block_start:
                    yield env.timeout(block_start - env.now)
                yield from self._take_due_blocks(day)
            self.ledger.record_day(
                DayRow(
                    courier=self.index,
                    day=index,
                    start_s=day.start_s,
                    end_s=max(day.last_s, day.start_s),
                    break_s=day.break_s,
                    task_s=day.task_s,
                    tour_s=day.tour_s,
                    overtime_s=day.overtime_s,
                )
            )

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

    def tour(self, day: WorkDay, load: list[int], returns: Sequence[int] = ()) -> ProcessGenerator:
        """Shelve the counter parcels, load the rest, ride the planned tour, come back and unload;
        return pick-ups (``returns``) share the tour. At the day's end (plus any overtime allowance)
        the courier rides back from the stop in hand."""
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
        if not carry and not returns:
            ledger.record_tour(
                TourRow(
                    courier=self.index,
                    day=day.index,
                    start_s=start,
                    depart_s=depart,
                    return_s=depart,
                    end_s=depart,
                    ride_m=0.0,
                    parcels_out=0,
                    shelved=len(shelve),
                    pause_s=0.0,
                    carried_back=0,
                )
            )
            self._close_tour(day, start, 0.0)
            return
        ledger.loaded(carry, depart, self.index)

        # Group the parcels by the place where the tricycle stops, and plan the tour over those places.
        stop_of = self.plan.stop[carry].tolist()
        return_places = [self._return_place(r) for r in returns]
        places = sorted(set(stop_of) | set(return_places))
        by_place: dict[int, list[int]] = {pl: [] for pl in places}
        for p, pl in zip(carry, stop_of, strict=True):
            by_place[pl].append(p)
        returns_at: dict[int, list[int]] = {pl: [] for pl in places}
        for r, pl in zip(returns, return_places, strict=True):
            returns_at[pl].append(r)
        nodes = [Place.STATION, *places]
        dist = self.city.place_dist_m[np.ix_(nodes, nodes)]
        ride = self.city.ride_seconds(nodes, cfg.ride_speed_mps)
        # Plan on riding time; on a grid, where time is metres over one speed, on metres (the same tours).
        order = plan_tour(dist if self.city.place_ride_s is None else ride, start=0)

        to_shelve: list[tuple[int, Detail]] = []
        to_retry: list[int] = []
        unserved: list[int] = []
        returns_left: list[int] = []
        on_board = len(carry)
        pause = 0.0
        ride_total = 0.0
        here = 0
        for step, k in enumerate(order[1:], start=1):
            if env.now >= day.cut_s:  # the day is over: ride back with what is left
                unserved += [p for kk in order[step:] for p in by_place[nodes[kk]]]
                returns_left += [r for kk in order[step:] for r in returns_at[nodes[kk]]]
                break
            pause += yield from self._take_due_blocks(day)
            ride_m, ride_s = float(dist[here, k]), float(ride[here, k])
            yield env.timeout(ride_s)
            place = nodes[k]
            arrive = env.now
            backlog = on_board + self.station.pending_for(self.index)
            clock, outcome = yield from self.serve_stop(place, by_place[place], day, backlog=backlog, returns=returns_at[place])
            on_board -= len(by_place[place])
            to_shelve += outcome.to_shelve
            to_retry += outcome.to_retry
            unserved += outcome.unserved
            returns_left += outcome.returns_left
            ledger.record_stop(
                StopRow(
                    courier=self.index,
                    arrive_s=arrive,
                    depart_s=env.now,
                    place=place,
                    ride_m=ride_m,
                    ride_s=ride_s,
                    park_s=clock.park_s,
                    walk_s=clock.walk_s,
                    vertical_s=clock.vertical_s,
                    wait_s=clock.wait_s,
                    handover_s=clock.handover_s,
                    attempts=outcome.attempts,
                )
            )
            ledger.record_stop_parts(self.index, place, clock.parts)
            ride_total += ride_m
            here = k
        back_m = float(dist[here, 0])
        yield env.timeout(float(ride[here, 0]))
        ride_total += back_m
        back = env.now
        ledger.brought_back(len(to_shelve) + len(to_retry))
        if unserved:
            ledger.carried_back(unserved, back, self.index)
            for p in unserved:
                self.station.requeue(self.index, p, back)
        for r in returns_left:  # nobody home, or the day ended: on a later tour
            self.station.add_return(self.index, r, back + self.door.redelivery_gap_h * SECONDS_PER_HOUR)

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
            TourRow(
                courier=self.index,
                day=day.index,
                start_s=start,
                depart_s=depart,
                return_s=back,
                end_s=env.now,
                ride_m=ride_total,
                parcels_out=len(carry),
                shelved=shelved,
                pause_s=pause,
                carried_back=len(unserved),
            )
        )
        self._close_tour(day, start, pause)

    def _close_tour(self, day: WorkDay, start: float, pause: float) -> None:
        """Add a finished tour to the day: its time (breaks and tasks on the way apart), any overtime."""
        now = self.env.now
        day.tour_s += now - start - pause
        day.overtime_s += max(0.0, now - max(start, day.end_s))
        day.last_s = now

    def serve_stop(
        self, place: int, parcels: list[int], day: WorkDay, *, backlog: int = 0, returns: Sequence[int] = ()
    ) -> ProcessGenerator[tuple[StopClock, StopOutcome]]:
        """Serve the parcels (and return pick-ups) of this stop; the process leaves the stop when this
        generator ends, returning the stop's clock and outcome. Buildings not yet started at the
        day's end (plus any overtime allowance) are left for a later day. Under pressure
        (``backlog`` parcels still to go, the day's end near) a courier may leave door-service
        parcels in the stop's locker unasked, as the compliance policy says."""
        env, mode = self.env, self.plan.mode
        clock, outcome = StopClock(env.now), StopOutcome()
        clock.spend(_PARK, self.door.park_s)
        door = [p for p in parcels if mode[p] == _DOOR]
        to_locker = [(p, Detail.NONE) for p in parcels if mode[p] == _LOCKER]
        if door and self.city.place_bank[place] >= 0:
            door, cut = self._cut_corners(door, clock.now, day, backlog)
            to_locker += cut
        if door or returns:
            self._door_round(place, door, returns, clock, outcome, day.cut_s)
            to_locker += outcome.to_locker
        if to_locker:
            walk = self.locker.walk_m / self.door.walk_speed_mps
            clock.spend(_WALK, walk)
            # Banks are shared between couriers: meet the simulation clock before claiming slots.
            yield env.timeout(clock.now - env.now)
            self._locker_session(place, to_locker, clock, outcome)
            clock.spend(_WALK, walk)
        yield env.timeout(clock.now - env.now)
        return clock, outcome

    def _cut_corners(self, door: list[int], t: float, day: WorkDay, backlog: int) -> tuple[list[int], list[tuple[int, Detail]]]:
        """Which door-service parcels the courier leaves in the locker unasked: (still for the door, cut)."""
        chance = self.compliance(Pressure(t, day.end_s, backlog, self.config.compliance))
        if chance <= 0:
            return door, []
        pc, cut_u, keep, cut = self.parcels, self.chances.cut_u, [], []
        for p in door:
            if pc.door_service[p] and cut_u[p, self.station.attempts_made(p)] < chance:
                standing = self.recipients.standing_consent[pc.household[p]]
                cut.append((p, Detail.CORNER_CUT if standing else Detail.NO_CONSENT))
            else:
                keep.append(p)
        return keep, cut

    def _door_round(
        self, place: int, parcels: list[int], returns: Sequence[int], clock: StopClock, outcome: StopOutcome, cut_s: float
    ) -> None:
        """Walk to each building, get in, go up by stairs or lift, and back to the gate. For each
        parcel the courier may call ahead (the recipient, if out, asks for a locker, the counter, a
        neighbour or a later delivery), then knocks; a recipient who is out may consent to a locker
        or the counter. Return pick-ups are collected on the way. At ``cut_s`` no further building
        is started: its parcels are left unserved."""
        city, pc, cfg = self.city, self.parcels, self.door
        has_locker = city.place_bank[place] >= 0
        visits = [(int(pc.building[p]), int(pc.floor[p]), int(pc.household[p]), 0, p) for p in parcels]
        visits += [(*self._return_address(r), 1, r) for r in returns]
        visits.sort()
        i = 0
        while i < len(visits):
            if clock.now >= cut_s:
                outcome.unserved += [p for *_, kind, p in visits[i:] if kind == 0]
                outcome.returns_left += [r for *_, kind, r in visits[i:] if kind == 1]
                return
            building = visits[i][0]
            j = i
            while j < len(visits) and visits[j][0] == building:
                j += 1
            walk = city.building_walk_m[building] / cfg.walk_speed_mps
            clock.spend(_WALK, walk)
            clock.spend(_WAIT, cfg.entrance_s)
            inside = _InBuilding(building, bool(city.building_elevator[building]))
            for _, floor, household, kind, item in visits[i:j]:
                if kind == 1:
                    self._collect_return(item, household, floor, inside, clock, outcome)
                else:
                    self._deliver_at_door(item, place, has_locker, inside, clock, outcome)
            if inside.level > 1:  # back down to the ground floor
                self._come_down(inside, clock)
            clock.spend(_WALK, walk)
            i = j

    def _collect_return(
        self, request: int, household: int, floor: int, inside: _InBuilding, clock: StopClock, outcome: StopOutcome
    ) -> None:
        """A return pick-up: up to the door, collect if someone is home."""
        self._go_up(inside, floor, clock)
        if self.recipients.is_home(household, clock.now):
            clock.spend(_HANDOVER, self.door.handover_median_s)
            self.ledger.return_picked(request, clock.now)
        else:
            outcome.returns_left.append(request)

    def _deliver_at_door(
        self, p: int, place: int, has_locker: bool, inside: _InBuilding, clock: StopClock, outcome: StopOutcome
    ) -> None:
        """One parcel in its building: call ahead or not, then up to the door."""
        cfg, pc, people, chances = self.door, self.parcels, self.recipients, self.chances
        household, floor = int(pc.household[p]), int(pc.floor[p])
        attempt = self.station.attempts_made(p)
        if chances.phone_ahead_u[p, attempt] < cfg.phone_ahead_share:
            clock.spend(_CALL, cfg.call_s)
            if chances.answers[p, attempt] and not people.is_home(household, clock.now):
                choice = WHEN_OUT_CHOICES[chances.when_out[p, attempt]]
                if choice == "later":
                    outcome.attempts += 1
                    self.ledger.failed(p, clock.now, self.index, place, Detail.RESCHEDULED)
                    outcome.to_retry.append(p)
                    return
                if choice in ("locker", "station"):
                    target = outcome.to_locker if choice == "locker" and has_locker else outcome.to_shelve
                    target.append((p, Detail.CONSENTED))
                    return
                # A neighbour takes it: up to the recipient's floor, hand over next door.
                self._go_up(inside, floor, clock)
                outcome.attempts += 1
                self._handed_over(p, clock.spend(_HANDOVER, pc.handover_s[p]), place, Detail.NEIGHBOUR)
                return
        self._go_up(inside, floor, clock)
        outcome.attempts += 1
        if people.is_home(household, clock.now):
            self._handed_over(p, clock.spend(_HANDOVER, pc.handover_s[p]), place)
            return
        self.ledger.failed(p, clock.spend(_WAIT, cfg.call_wait_s), self.index, place, Detail.NOT_HOME)
        if people.standing_consent[household]:
            consent: Detail | None = Detail.STANDING_CONSENT
        else:
            consent = Detail.CONSENTED if people.consents(household) else None
        if consent is None:
            outcome.to_retry.append(p)
        else:
            (outcome.to_locker if has_locker else outcome.to_shelve).append((p, consent))

    def _return_address(self, request: int) -> tuple[int, int, int]:
        """(building, floor, household) of a return pick-up."""
        household = self.ledger.return_household(request)
        return int(self.city.household_building[household]), int(self.city.household_floor[household]), household

    def _return_place(self, request: int) -> int:
        building = self._return_address(request)[0]
        return int(Place.of_compound(int(self.city.building_compound[building])))

    def _go_up(self, inside: _InBuilding, floor: int, clock: StopClock) -> None:
        """Up to ``floor`` (visits come in floor order): by lift, after waiting for it, or by the stairs."""
        if floor == inside.level:
            return
        if inside.elevator:
            clock.spend(_WAIT, self.elevators.wait_s(inside.building, clock.now, floor))
            clock.spend(_LIFT, abs(floor - inside.level) * self.door.elevator_s_per_floor)
        else:
            clock.spend(_STAIRS, (floor - inside.level) * self.door.stairs_up_s_per_floor)
        inside.level = floor

    def _come_down(self, inside: _InBuilding, clock: StopClock) -> None:
        """Back down to the ground floor."""
        if inside.elevator:
            clock.spend(_WAIT, self.elevators.wait_s(inside.building, clock.now, 0))
            clock.spend(_LIFT, (inside.level - 1) * self.door.elevator_s_per_floor)
        else:
            clock.spend(_STAIRS, (inside.level - 1) * self.door.stairs_down_s_per_floor)
        inside.level = 1

    def _locker_session(self, place: int, parcels: list[tuple[int, Detail]], clock: StopClock, outcome: StopOutcome) -> None:
        """At the locker bank: open a session, drop each parcel or find no slot free.

        Slots are claimed at the start of the session; a slot that frees up during the minute the
        session lasts is not used by it.
        """
        cfg, pc, chances = self.locker, self.parcels, self.chances
        bank = int(self.city.place_bank[place])
        claimed_at = clock.now
        clock.spend(_LOCKER_SESSION, cfg.open_s)
        for p, detail in parcels:
            t = clock.spend(_LOCKER_SESSION, cfg.drop_s_per_parcel)
            outcome.attempts += 1
            collect = chances.collect_time(p, t, at_counter=False)
            expire = t + cfg.max_storage_h * SECONDS_PER_HOUR
            if self.lockers.try_drop(bank, int(pc.size[p]), claimed_at, min(collect, expire)):
                counter_collect = chances.collect_time(p, expire, at_counter=True) if collect > expire else collect
                self.ledger.dropped_in_locker(
                    p, t, self.index, place, detail, collect_s=collect, expire_s=expire, counter_collect_s=counter_collect
                )
                self._left_unasked(p, t, detail)
                self._schedule_return(p, collect if collect <= expire else counter_collect)
            else:
                self.ledger.failed(p, t, self.index, place, Detail.LOCKER_FULL)
                outcome.to_shelve.append((p, detail))  # to the counter, for the same reason it was going to the locker

    def _shelve(self, parcel: int, t: float, detail: Detail) -> None:
        collect = self.chances.collect_time(parcel, t, at_counter=True)
        self.ledger.shelved(parcel, t, collect, self.index, detail)
        self._left_unasked(parcel, t, detail)
        self._schedule_return(parcel, collect)

    def _handed_over(self, parcel: int, t: float, place: int, detail: Detail = Detail.NONE) -> None:
        self.ledger.delivered(parcel, t, self.index, place, detail)
        self._schedule_return(parcel, t)

    def _left_unasked(self, parcel: int, t: float, detail: Detail) -> None:
        """A door-service parcel the courier chose not to take to the door: its buyer may complain
        once notified (assumption A27: within half an hour of the drop)."""
        if detail in (Detail.CORNER_CUT, Detail.NO_CONSENT) and self.chances.complains[parcel]:
            self.ledger.complained(parcel, t + _COMPLAINT_DELAY_S, self.index)

    def _schedule_return(self, parcel: int, in_hands_s: float) -> None:
        """Some buyers ask for a return pick-up at the door a while after receiving the parcel."""
        pc, chances = self.parcels, self.chances
        if not chances.returns[parcel]:
            return
        delay = float(chances.return_delay_s[parcel])
        owner = self.station.owner_of(parcel)
        request = self.ledger.return_requested(parcel, int(pc.household[parcel]), owner, in_hands_s + delay)
        self.station.add_return(owner, request, in_hands_s + delay)

    def _redeliver_or_return(self, parcel: int, now: float) -> None:
        """After a failed door attempt: try again later, or return the parcel after the last attempt."""
        if self.station.attempts_made(parcel) + 1 >= self.door.max_attempts:
            self.ledger.returned(parcel, now, self.index)
        else:
            self.station.put_back(self.index, parcel, now + self.door.redelivery_gap_h * SECONDS_PER_HOUR)
