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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import simpy

from ...core.types import ProcessGenerator
from ...core.units import SECONDS_PER_DAY, SECONDS_PER_HOUR
from ...world.places import Place
from ..activity import DayRow, StopPart, StopRow, TourRow
from ..ledger import Ledger
from ..modes import DeliveryPlan, Mode
from ..policies import Pressure
from ..tracking import Detail
from .battery import Battery
from .recipients import WHEN_OUT_CHOICES
from .route import Route
from .stop import TOTALS, StopClock, StopOutcome

if TYPE_CHECKING:
    from ...scenario.schema import Scenario
    from ...world import City
    from ..demand import Parcels
    from ..policies import CompliancePolicy
    from ..roster import Roster
    from .buildings import Elevators
    from .network import PickupNetwork
    from .pickup import PickupPoint
    from .recipients import Households, ParcelChances
    from .returns import ReturnRequests
    from .station import Station
    from .traffic import Traffic

__all__ = ["Courier", "WorkDay"]

# Plain ints for the hot loops: attribute access on an IntEnum class is slow.
_DOOR, _LOCKER, _COUNTER, _PICKUP_STATION = int(Mode.DOOR), int(Mode.LOCKER), int(Mode.COUNTER), int(Mode.PICKUP_STATION)
_PARK, _WALK, _STAIRS, _LIFT, _WAIT, _CALL, _HANDOVER, _LOCKER_SESSION, _PICKUP_STATION_PART = map(int, tuple(StopPart)[:9])
_BREAK, _TASK, _WAITING = StopPart.BREAK, StopPart.TASK, StopPart.WAITING
_COMPLAINT_DELAY_S = 1800.0  # assumption A27: a buyer complains within half an hour of the notification
_UNASKED = frozenset((int(Detail.CORNER_CUT), int(Detail.NO_CONSENT)))  # left unasked: the buyer may complain


@dataclass(slots=True)
class _InBuilding:
    """Where a courier stands inside a building: which one, whether it has a lift, on which floor."""

    building: int
    elevator: bool
    level: int = 1


@dataclass
class _Trip:
    """What a tour brings back to the station and what it cost, gathered stop by stop."""

    to_counter: list[tuple[int, Detail]] = field(default_factory=list)  # for the station's counter
    to_retry: list[int] = field(default_factory=list)  # failed door attempts: redeliver or return
    unserved: list[int] = field(default_factory=list)  # not reached: the working day ended
    no_room: list[int] = field(default_factory=list)  # no locker or 驿站 had room: out again the next day
    returns_left: list[int] = field(default_factory=list)
    ride_m: float = 0.0
    pause_s: float = 0.0
    back_s: float = 0.0
    shelved: int = 0  # parcels left at the station's counter, before and after the tour

    def add(self, outcome: StopOutcome) -> None:
        self.to_counter += outcome.to_counter
        self.to_retry += outcome.to_retry
        self.unserved += outcome.unserved
        self.no_room += outcome.no_room
        self.returns_left += outcome.returns_left


@dataclass
class WorkDay:
    """A courier's day as it unfolds: its bounds, the blocks still to take, and where the time went."""

    index: int
    start_s: float
    end_s: float  # the working day's end: no tour starts after it, a tour in hand is cut at it
    cut_s: float  # the last moment to start a stop: the end plus the overtime allowance
    blocks: list[tuple[float, float, bool]]  # (start, duration, is a break) not yet taken, in time order
    when_free: list[tuple[float, float]]  # (earliest start, duration) of tasks done once the deliveries are
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
        scenario: Scenario,
        city: City,
        parcels: Parcels,
        plan: DeliveryPlan,
        station: Station,
        network: PickupNetwork,
        recipients: Households,
        elevators: Elevators,
        traffic: Traffic,
        ledger: Ledger,
        chances: ParcelChances,
        returns: ReturnRequests,
        compliance: CompliancePolicy,
        roster: Roster,
        days: int,
    ) -> None:
        self.env = env
        self.index = index
        self.config = scenario.couriers
        self.door = scenario.door
        self.locker = scenario.locker
        self.pickup = scenario.pickup_station
        self._counter_s = scenario.station.counter.shelve_s_per_parcel
        self._sort_s = scenario.station.door_service_sort_s_per_parcel
        self._lobby_lockers = scenario.city.locker_in_lobby
        self.city = city
        self.parcels = parcels
        self._compound = parcels.compound_at
        self.plan = plan
        self.station = station
        self.network = network
        self.recipients = recipients
        self.elevators = elevators
        self.traffic = traffic
        self.ledger = ledger
        self.chances = chances
        self.returns = returns
        self.compliance = compliance
        self.roster = roster
        self.days = days
        self.battery = Battery(scenario.couriers.vehicle)
        self._weight = parcels.weight_at
        self.process = env.process(self.run())

    def run(self) -> ProcessGenerator:
        """Every simulated day: take the station tasks and breaks in turn, and at each wave keep
        going out while parcels are ready, until the working day ends; then the tasks done when
        free, and home (``couriers.when_done: leave``) or wait to the shift's end (``stay``)."""
        env, cfg = self.env, self.config
        for index in range(self.days):
            if not self.roster.works(self.index, index):
                continue  # a day off or away: the next courier at work serves the area (A45)
            day0 = index * SECONDS_PER_DAY
            day = self._new_day(index, day0)
            self.battery.new_day()
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
            yield from self._finish_day(day)
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
                    energy_wh=self.battery.used_wh,
                    swaps=self.battery.swaps,
                )
            )

    def _finish_day(self, day: WorkDay) -> ProcessGenerator:
        """After the last wave's deliveries: the tasks done when free (from their earliest start, not
        past the day's end), the breaks and tasks fixed later in the day, and, with ``when_done:
        stay``, waiting at the station to the day's end."""
        env = self.env
        for start, duration in day.when_free:
            if max(start, env.now) >= day.end_s:  # never free before the day's end: not done today (A40)
                continue
            yield from self._idle_until(day, start)
            self._log_day_part(env.now, duration, _TASK)
            yield env.timeout(duration)
            day.task_s += duration
            day.last_s = env.now
        while (block_start := day.next_block_before(day.end_s)) is not None:  # what is left of the day's fixed blocks
            yield from self._idle_until(day, block_start)
            yield from self._take_due_blocks(day)
        if self.config.when_done == "stay" and env.now < day.end_s:
            yield from self._idle_until(day, day.end_s)
            day.last_s = env.now

    def _new_day(self, index: int, day0: float) -> WorkDay:
        cfg = self.config
        blocks = [(day0 + b.start_h * SECONDS_PER_HOUR, b.minutes * 60.0, True) for b in cfg.breaks]
        blocks += [(day0 + t.start_h * SECONDS_PER_HOUR, t.minutes * 60.0, False) for t in cfg.station_tasks if not t.when_free]
        when_free = [(day0 + t.start_h * SECONDS_PER_HOUR, t.minutes * 60.0) for t in cfg.station_tasks if t.when_free]
        end = day0 + cfg.work_end_h * SECONDS_PER_HOUR
        return WorkDay(
            index=index,
            start_s=day0 + cfg.shift_start_h * SECONDS_PER_HOUR,
            end_s=end,
            cut_s=end + cfg.overtime_max_h * SECONDS_PER_HOUR,
            blocks=sorted(blocks),
            when_free=sorted(when_free),
        )

    def _idle_until(self, day: WorkDay, t: float) -> ProcessGenerator:
        """Wait at the station until ``t``, taking the breaks and tasks that start meanwhile; the
        time waited is logged as such (on duty, not working)."""
        env = self.env
        while (block_start := day.next_block_before(t)) is not None:
            if env.now < block_start:
                self._log_day_part(env.now, block_start - env.now, _WAITING)
                yield env.timeout(block_start - env.now)
            yield from self._take_due_blocks(day)
        if env.now < t:
            self._log_day_part(env.now, t - env.now, _WAITING)
            yield env.timeout(t - env.now)

    def _take_due_blocks(self, day: WorkDay) -> ProcessGenerator[float]:
        """Take every break and task that is due now, one after the other; returns the time spent."""
        env = self.env
        spent = 0.0
        while day.due(env.now):
            _, duration, is_break = day.blocks.pop(0)
            self._log_day_part(env.now, duration, _BREAK if is_break else _TASK)
            yield env.timeout(duration)
            spent += duration
            if is_break:
                day.break_s += duration
            else:
                day.task_s += duration
                day.last_s = env.now
        return spent

    def _log_day_part(self, start: float, seconds: float, part: StopPart) -> None:
        """A stretch of the day that is no stop (a break, a station task, waiting), for the Gantt chart."""
        if seconds > 0:
            self.ledger.record_stop_parts(self.index, -1, [start, start + seconds, int(part)])

    def tour(self, day: WorkDay, load: list[int], returns: Sequence[int] = ()) -> ProcessGenerator:
        """Shelve the counter's parcels, load the rest, ride the planned tour, come back and unload;
        return pick-ups (``returns``) share the tour. At the day's end (plus any overtime allowance)
        the courier rides back from the stop in hand."""
        env, cfg, ledger, mode = self.env, self.config, self.ledger, self.plan.mode_list
        start = env.now
        counter = [(p, Detail.NONE) for p in load if mode[p] == _COUNTER]
        carry = [p for p in load if mode[p] != _COUNTER]
        self._next_day(self._shelve_at_counter(counter, start), start)  # a full counter: out again the next day
        sorting = self._sort_s * int(self.parcels.door_service[carry].sum()) if carry else 0.0  # 音尊达 sorted out first
        t = start + len(counter) * self._counter_s + cfg.load_s_per_parcel * len(carry) + sorting
        if t > env.now:
            yield env.timeout(t - env.now)
        depart = env.now
        trip = _Trip(shelved=len(counter))
        if carry or returns:
            ledger.loaded(carry, depart, self.index)
            yield from self._ride(day, self._route(carry, returns), trip, on_board=len(carry))
        yield from self._unload(trip)
        ledger.record_tour(
            TourRow(
                courier=self.index,
                day=day.index,
                start_s=start,
                depart_s=depart,
                return_s=trip.back_s,
                end_s=env.now,
                ride_m=trip.ride_m,
                parcels_out=len(carry),
                shelved=trip.shelved,
                pause_s=trip.pause_s,
                carried_back=len(trip.unserved),
            )
        )
        self._close_tour(day, start, trip.pause_s)

    def _close_tour(self, day: WorkDay, start: float, pause: float) -> None:
        """Add a finished tour to the day: its time (breaks and tasks on the way apart), any overtime."""
        now = self.env.now
        day.tour_s += now - start - pause
        day.overtime_s += max(0.0, now - max(start, day.end_s))
        day.last_s = now

    def _route(self, carry: list[int], returns: Sequence[int]) -> Route:
        """The tour's route over the places where the tricycle stops for the load and the returns."""
        stops: dict[int, list[int]] = {}
        first: set[int] = set()
        door_service, mode = self.parcels.door_service, self.plan.mode_list
        for p, place in zip(carry, self.plan.stop[carry].tolist(), strict=True):
            stops.setdefault(place, []).append(p)
            if self.config.tour_order == "door_service_first" and door_service[p] and mode[p] == _DOOR:
                first.add(place)
        at: dict[int, list[int]] = {}
        for r in returns:
            at.setdefault(self._return_place(r), []).append(r)
        cost = self.traffic.plan_matrix(self.env.now)  # in a rush hour, on its riding times
        return Route(self.city, stops, at, first, cost=cost)

    def _ride(self, day: WorkDay, route: Route, trip: _Trip, on_board: int) -> ProcessGenerator:
        """Ride the route stop by stop, serving each; at the day's end ride back with what is left."""
        env, ledger, cfg = self.env, self.ledger, self.config
        here = Place.STATION
        weight = self._weight
        load_kg = sum(weight[p] for ps in route.parcels.values() for p in ps)  # what the battery carries
        while route:
            if env.now >= day.cut_s:  # the day is over: ride back with what is left
                parcels, returns = route.rest()
                trip.unserved += parcels
                trip.returns_left += returns
                break
            trip.pause_s += yield from self._take_due_blocks(day)
            place = route.next_stop()
            ride_m = float(self.city.place_dist_m[here, place])
            # A swap on the way (the charge would not cover this ride) counts as riding time (A42).
            ride_s = self._ride_s(here, place, cfg.ride_speed_mps) + self.battery.ride(ride_m, load_kg)
            yield env.timeout(ride_s)
            arrive = env.now
            parcels = route.parcels.pop(place, [])  # a place the route comes back to has only its hand-ins left
            backlog = on_board + self.station.pending_for(self.index, arrive)
            returns, hand_ins = route.returns.pop(place, []), route.hand_ins.pop(place, [])
            stop = self.serve_stop(place, parcels, day, backlog=backlog, returns=returns, hand_ins=hand_ins)
            clock, outcome = yield from stop
            on_board -= len(parcels)
            left_here = sum(weight[p] for p in parcels) + sum(weight[p] for p, _ in hand_ins)
            load_kg -= left_here - sum(weight[p] for p in outcome.riding_on())
            for station_place, p, detail in outcome.later:
                route.hand_in_later(station_place, p, detail, place)
            trip.add(outcome)
            ledger.record_stop(
                StopRow(
                    courier=self.index,
                    arrive_s=arrive,
                    depart_s=env.now,
                    place=place,
                    ride_m=ride_m,
                    ride_s=ride_s,
                    **dict(zip(TOTALS, clock.totals, strict=True)),  # park_s, walk_s, ... pickup_s
                    attempts=outcome.attempts,
                    door_visits=outcome.door_visits,
                    door_visit_parcels=outcome.door_visit_parcels,
                )
            )
            ledger.record_stop_parts(self.index, place, clock.parts)
            trip.ride_m += ride_m
            here = place
        back_m = float(self.city.place_dist_m[here, Place.STATION])
        trip.ride_m += back_m
        yield env.timeout(self._ride_s(here, Place.STATION, cfg.ride_speed_mps) + self.battery.ride(back_m, max(load_kg, 0.0)))

    def _ride_s(self, a: int, b: int, speed_mps: float) -> float:
        """Seconds to ride from place ``a`` to ``b`` leaving now: by road class in a real district, else
        at ``speed_mps``; slower in rush hours (``traffic.peaks``)."""
        if self.traffic.on:
            return self.traffic.ride_s(a, b, self.env.now)
        if self.city.place_ride_s is not None:
            return float(self.city.place_ride_s[a, b])
        return float(self.city.place_dist_m[a, b]) / speed_mps

    def _unload(self, trip: _Trip) -> ProcessGenerator:
        """Back at the station: keep the unserved parcels and those nothing had room for for a later
        day, shelve at the counter what is for it, queue the failed door attempts again."""
        env, ledger = self.env, self.ledger
        back = trip.back_s = env.now
        ledger.brought_back(len(trip.to_counter) + len(trip.to_retry))
        if trip.unserved:
            ledger.carried_back(trip.unserved, back, self.index)
            for p in trip.unserved:
                self.station.requeue(p, back)
        if trip.no_room:
            ledger.carried_back(trip.no_room, back, self.index, Detail.NO_ROOM)
            self._next_day(trip.no_room, back)
        for r in trip.returns_left:  # nobody home, or the day ended: on a later tour
            self.station.retry_return(r, back + self.door.redelivery_gap_h * SECONDS_PER_HOUR)
        full = self._shelve_at_counter(trip.to_counter, back)
        trip.shelved += len(trip.to_counter) - len(full)
        self._next_day(full, back)
        for p in trip.to_retry:
            self._redeliver_or_return(p, back)
        t = back + len(trip.to_counter) * self._counter_s
        if t > env.now:
            yield env.timeout(t - env.now)

    def _next_day(self, parcels: list[int], now_s: float) -> None:
        """Parcels that go out again from the next day's first wave."""
        first_wave = (now_s // SECONDS_PER_DAY + 1) * SECONDS_PER_DAY + self.config.waves_h[0] * SECONDS_PER_HOUR
        for p in parcels:
            self.station.requeue(p, first_wave)

    def _shelve_at_counter(self, parcels: list[tuple[int, Detail]], start_s: float) -> list[int]:
        """Shelve parcels at the station's counter, one after the other from ``start_s``; returns those
        it had no room for (all of them where the counter is no pick-up point)."""
        counter, full = self.network.counter, []
        t = start_s
        for p, detail in parcels:
            t += self._counter_s
            # The shelves are claimed when the session starts (the counter is shared between couriers).
            if counter is None or self.network.leave(p, counter, t, courier=self.index, detail=detail, claimed_s=start_s) is None:
                full.append(p)
            else:
                self._left_unasked(p, t, detail)
        return full

    def serve_stop(
        self,
        place: int,
        parcels: list[int],
        day: WorkDay,
        *,
        backlog: int = 0,
        returns: Sequence[int] = (),
        hand_ins: Sequence[tuple[int, Detail]] = (),
    ) -> ProcessGenerator[tuple[StopClock, StopOutcome]]:
        """Serve a stop: the door parcels and return pick-ups of the compound at ``place``, the
        parcels for the locker bank and the 驿站 standing there (``hand_ins``: others met on the way
        that are for this 驿站). The process leaves the stop when this generator ends, returning
        the stop's clock and outcome. Buildings not yet started at the day's end (plus any
        overtime allowance) are left for a later day. Under pressure (``backlog`` parcels still to
        go, the day's end near) a courier may leave door-service parcels in the stop's locker
        unasked, as the compliance policy says."""
        env, mode, network = self.env, self.plan.mode_list, self.network
        clock, outcome = StopClock(env.now), StopOutcome()
        clock.spend(_PARK, self.door.park_s)
        door = [p for p in parcels if mode[p] == _DOOR]
        to_locker = [(p, Detail.NONE) for p in parcels if mode[p] == _LOCKER]
        to_pickup = [(p, Detail.NONE) for p in parcels if mode[p] == _PICKUP_STATION] + list(hand_ins)
        bank = network.bank_at(place)
        if door and bank is not None:
            door, cut = self._cut_corners(door, clock.now, day, backlog)
            to_locker += cut
        if door or returns:
            self._door_round(place, door, returns, clock, outcome, day.cut_s)
            to_locker += outcome.to_locker
            to_pickup += outcome.to_pickup
        if to_locker:
            assert bank is not None  # locker parcels stop where their bank stands
            full = yield from self._at_bank(bank, to_locker, clock, outcome, walk_m=self.locker.walk_m)
            to_pickup += yield from self._when_full(place, full, clock, outcome)
        if to_pickup:
            yield from self._to_pickup_stations(place, to_pickup, clock, outcome)
        yield env.timeout(clock.now - env.now)
        return clock, outcome

    def _at_bank(
        self, bank: PickupPoint, parcels: list[tuple[int, Detail]], clock: StopClock, outcome: StopOutcome, *, walk_m: float
    ) -> ProcessGenerator[list[tuple[int, Detail]]]:
        """Walk ``walk_m`` to a locker bank, drop each parcel in a free slot, walk back; returns the
        parcels it had no slot for. Banks are shared between couriers and networks: the process meets
        the simulation clock at the bank, and the session claims its slots when it starts (a slot
        that frees up during the minute it lasts is not used by it)."""
        walk = walk_m / self.door.walk_speed_mps
        clock.spend(_WALK, walk)
        if self._lobby_lockers:
            clock.spend(_WAIT, self.door.entrance_s)  # a bank in a lobby: get into the building first
        yield self.env.timeout(clock.now - self.env.now)
        claimed = clock.now
        clock.spend(_LOCKER_SESSION, self.locker.open_s)
        full = []
        outcome.attempts += len(parcels)
        ends = clock.spend_each(_LOCKER_SESSION, self.locker.drop_s_per_parcel, len(parcels))
        for (p, detail), t in zip(parcels, ends, strict=True):
            if self.network.leave(p, bank, t, courier=self.index, detail=detail, claimed_s=claimed) is None:
                self.ledger.failed(p, t, self.index, bank.place, Detail.LOCKER_FULL)
                full.append((p, detail))
            else:
                self._left_unasked(p, t, detail)
        clock.spend(_WALK, walk)
        return full

    def _when_full(
        self, place: int, full: list[tuple[int, Detail]], clock: StopClock, outcome: StopOutcome
    ) -> ProcessGenerator[list[tuple[int, Detail]]]:
        """What the courier does with parcels a full bank could not take, step by step as the scenario
        lists them (``locker.when_full``); returns those for the 驿站 standing here."""
        here: list[tuple[int, Detail]] = []
        for step in self.locker.when_full:
            if not full:
                break
            if step == "next_bank":
                for distance, other in self.network.banks_near(place, self.locker.next_bank_walk_m):
                    full = yield from self._at_bank(other, full, clock, outcome, walk_m=distance)
                    if not full:
                        break
            elif step == "pickup_station":
                kept = []
                for p, detail in full:
                    station = self.network.station_of(self._compound[p])
                    if station is None:
                        kept.append((p, detail))
                    elif station.place == place:
                        here.append((p, detail))
                    else:
                        outcome.later.append((station.place, p, detail))
                full = kept
            else:  # carry_back
                break
        outcome.no_room += [p for p, _ in full]  # back to the station, out again the next day
        return here

    def _to_pickup_stations(
        self, place: int, parcels: list[tuple[int, Detail]], clock: StopClock, outcome: StopOutcome
    ) -> ProcessGenerator:
        """Parcels for a 驿站: handed in at the one standing here, taken along to their own further on,
        or back to the station's counter where the compound has none."""
        network, batch = self.network, []
        for p, detail in parcels:
            station = network.station_of(self._compound[p])
            if station is None:
                outcome.to_counter.append((p, detail))
            elif station.place == place:
                batch.append((p, detail))
            else:
                outcome.later.append((station.place, p, detail))
        station_here = network.station_at(place)
        if not batch or station_here is None:
            return
        walk = self.pickup.walk_m / self.door.walk_speed_mps
        clock.spend(_WALK, walk)
        yield self.env.timeout(clock.now - self.env.now)  # shared shelves: meet the simulation clock
        claimed = clock.now
        if not network.takes_in(station_here, claimed):  # closed to couriers: back to the station
            outcome.no_room += [p for p, _ in batch]
            clock.spend(_WALK, walk)
            return
        clock.spend(_PICKUP_STATION_PART, self.pickup.visit_s)
        outcome.attempts += len(batch)
        ends = clock.spend_each(_PICKUP_STATION_PART, self.pickup.checkin_s_per_parcel, len(batch))
        for (p, detail), t in zip(batch, ends, strict=True):
            if network.leave(p, station_here, t, courier=self.index, detail=detail, claimed_s=claimed) is None:
                self.ledger.failed(p, t, self.index, place, Detail.NO_ROOM)
                outcome.no_room.append(p)
            else:
                self._left_unasked(p, t, detail)
        clock.spend(_WALK, walk)

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
        """Walk to each building, get in, go up by stairs or lift, and back to the gate. Each household
        is visited once a tour, for all its parcels and return pick-ups: one climb, one call ahead (or
        not), one knock, one handover (a little longer for each parcel more). At ``cut_s`` no
        further building is started: its parcels are left unserved."""
        city, pc, cfg = self.city, self.parcels, self.door
        has_locker = city.place_bank[place] >= 0
        visits: dict[tuple[int, int, int], tuple[list[int], list[int]]] = {}
        for p in parcels:
            visits.setdefault(pc.address(p), ([], []))[0].append(p)
        for r in returns:
            visits.setdefault(self._return_address(r), ([], []))[1].append(r)
        order = sorted(visits)
        i = 0
        while i < len(order):
            if clock.now >= cut_s:
                for key in order[i:]:
                    outcome.unserved += visits[key][0]
                    outcome.returns_left += visits[key][1]
                return
            building = order[i][0]
            j = i
            while j < len(order) and order[j][0] == building:
                j += 1
            walk = float(city.building_walk_m[building]) / cfg.walk_speed_mps  # a float: the clock stays one
            clock.spend(_WALK, walk)
            clock.spend(_WAIT, cfg.entrance_s)
            inside = _InBuilding(building, bool(city.building_elevator[building]))
            for key in order[i:j]:
                self._visit(key, visits[key], place, has_locker=has_locker, inside=inside, clock=clock, outcome=outcome)
            if inside.level > 1:  # back down to the ground floor
                self._come_down(inside, clock)
            clock.spend(_WALK, walk)
            i = j

    def _visit(
        self,
        key: tuple[int, int, int],
        items: tuple[list[int], list[int]],
        place: int,
        *,
        has_locker: bool,
        inside: _InBuilding,
        clock: StopClock,
        outcome: StopOutcome,
    ) -> None:
        """One household, once: its parcels (the first one's draws decide the call and the answer,
        for all of them) and its return pick-ups. A recipient who is out may ask for a locker or a
        pick-up station, or consent to one after a failed knock: the stop's bank, else the compound's
        驿站, else the counter; where there is none, it is a later delivery."""
        _, floor, household = key
        parcels, returns = items
        cfg, people, chances = self.door, self.recipients, self.chances
        if parcels:
            first = parcels[0]
            attempt = self.station.attempts_made(first)
            if chances.phone_ahead_u[first, attempt] < cfg.phone_ahead_share:
                clock.spend(_CALL, cfg.call_s)
                if chances.answers[first, attempt] and not people.is_home(household, clock.now):
                    choice = WHEN_OUT_CHOICES[chances.when_out[first, attempt]]
                    if choice != "neighbour":
                        self._while_out(parcels, choice, place, has_locker, clock, outcome)
                        outcome.returns_left += returns  # nobody to hand them over
                        return
                    self._go_up(inside, floor, clock)  # a neighbour takes them: hand over next door
                    outcome.door_visits += 1
                    self._hand_over(parcels, place, clock, outcome, Detail.NEIGHBOUR)
                    outcome.returns_left += returns
                    return
        self._go_up(inside, floor, clock)
        outcome.door_visits += bool(parcels)
        if people.is_home(household, clock.now):
            if parcels:
                self._hand_over(parcels, place, clock, outcome, Detail.NONE)
            for r in returns:
                self.ledger.return_picked(
                    r, clock.spend(_HANDOVER, cfg.handover_extra_s_per_parcel if parcels else cfg.handover_median_s)
                )
            return
        outcome.returns_left += returns
        if not parcels:
            return
        t = clock.spend(_WAIT, cfg.call_wait_s)
        outcome.attempts += len(parcels)
        outcome.door_visit_parcels += len(parcels)
        for p in parcels:
            self.ledger.failed(p, t, self.index, place, Detail.NOT_HOME)
        if people.standing_consent[household]:
            consent: Detail | None = Detail.STANDING_CONSENT
        else:
            consent = Detail.CONSENTED if people.consents(household) else None
        for p in parcels:
            if consent is None or not (has_locker or self._can_pick_up(p)):
                outcome.to_retry.append(p)
            else:
                (outcome.to_locker if has_locker else outcome.to_pickup).append((p, consent))

    def _hand_over(self, parcels: list[int], place: int, clock: StopClock, outcome: StopOutcome, detail: Detail) -> None:
        """Hand a household's parcels over in one go: the first one's handover, a little more per parcel."""
        extra = self.door.handover_extra_s_per_parcel * (len(parcels) - 1)
        t = clock.spend(_HANDOVER, self.parcels.handover_at[parcels[0]] + extra)
        outcome.attempts += len(parcels)
        outcome.door_visit_parcels += len(parcels)
        for p in parcels:
            self._handed_over(p, t, place, detail)

    def _while_out(
        self, parcels: list[int], choice: str, place: int, has_locker: bool, clock: StopClock, outcome: StopOutcome
    ) -> None:
        """Called ahead, the recipient is out and asks for a locker, a pick-up station or a later delivery."""
        can_leave = (choice == "locker" and has_locker) or self._can_pick_up(parcels[0])
        if choice == "later" or not can_leave:
            outcome.attempts += len(parcels)
            for p in parcels:
                self.ledger.failed(p, clock.now, self.index, place, Detail.RESCHEDULED)
            outcome.to_retry += parcels
            return
        target = outcome.to_locker if choice == "locker" and has_locker else outcome.to_pickup
        target += [(p, Detail.CONSENTED) for p in parcels]

    def _can_pick_up(self, parcel: int) -> bool:
        """Has the parcel's compound a 驿站 in reach, or is the station's counter a pick-up point?"""
        return self.network.station_of(self._compound[parcel]) is not None or self.network.counter is not None

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

    def _handed_over(self, parcel: int, t: float, place: int, detail: Detail = Detail.NONE) -> None:
        self.ledger.delivered(parcel, t, self.index, place, detail)
        self.returns.in_hands(parcel, t)

    def _left_unasked(self, parcel: int, t: float, detail: Detail) -> None:
        """A door-service parcel the courier chose not to take to the door: its buyer may complain
        once notified (assumption A27: within half an hour of the drop)."""
        if detail in _UNASKED and self.chances.complains[parcel]:
            self.ledger.complained(parcel, t + _COMPLAINT_DELAY_S, self.index)

    def _redeliver_or_return(self, parcel: int, now: float) -> None:
        """After a failed door attempt: try again later, or return the parcel after the last attempt."""
        if self.station.attempts_made(parcel) + 1 >= self.door.max_attempts:
            self.ledger.returned(parcel, now, self.index)
        else:
            self.station.put_back(parcel, now + self.door.redelivery_gap_h * SECONDS_PER_HOUR)
