"""A courier's day: waves, loads, tours on the road graph, and the service at each stop.

One SimPy process per courier and two timeouts per stop (ride, then service). What happens
inside a stop -- climbing stairs, waiting for an elevator, knocking, dropping in a locker -- is
computed in sequence with exact times and logged, without further events: nothing else in the
model can interrupt a courier inside a compound.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import IntEnum
from typing import TYPE_CHECKING

import numpy as np

from ..routing import plan_tour
from ..tracking import Detail, Status
from ..units import SECONDS_PER_DAY
from ..world import STATION_PLACE

if TYPE_CHECKING:
    from ..model import RunState

__all__ = ["Mode", "courier_process"]


class Mode(IntEnum):
    """Where a parcel is meant to go."""

    DOOR = 0
    LOCKER = 1
    STATION = 2


# Plain ints for the hot loops: attribute access on an IntEnum class is slow.
_DOOR, _LOCKER, _STATION = int(Mode.DOOR), int(Mode.LOCKER), int(Mode.STATION)


@dataclass
class StopTimes:
    """Where the time at one stop went (seconds), for the stop log and the courier Gantt chart."""

    park: float = 0.0
    walk: float = 0.0
    vertical: float = 0.0
    wait: float = 0.0
    handover: float = 0.0
    attempts: int = 0


@dataclass
class TourOutcome:
    """Parcels that come back to the station with the courier, by what happens to them there."""

    to_shelve: list[tuple[int, Detail]] = field(default_factory=list)
    to_retry: list[int] = field(default_factory=list)


def courier_process(state: RunState, courier: int):
    """The SimPy process of one courier over all simulated days."""
    env, cfg = state.env, state.scenario.couriers
    for day in range(state.total_days):
        day0 = day * SECONDS_PER_DAY
        last_departure = day0 + cfg.last_departure_h * 3600.0
        for wave_h in cfg.waves_h:
            wave_start = day0 + wave_h * 3600.0
            if env.now < wave_start:
                yield env.timeout(wave_start - env.now)
            # Keep going out while parcels are ready, until the last departure time.
            while env.now <= last_departure:
                load = state.station.take_load(courier, env.now, cfg.capacity_parcels, cfg.payload_kg)
                if not load:
                    break
                yield from _tour(state, courier, day, load)


def _tour(state: RunState, courier: int, day: int, load: list[int]):
    env, cfg = state.env, state.scenario.couriers
    start = env.now
    modes = state.mode
    shelve = [p for p in load if modes[p] == _STATION]
    carry = [p for p in load if modes[p] != _STATION]

    # At the station: shelve the parcels for the pick-up counter, load the rest.
    t = start
    for p in shelve:
        t += cfg.shelve_s_per_parcel
        state.shelve(p, t, courier, Detail.NONE)
    t += cfg.load_s_per_parcel * len(carry)
    if t > env.now:
        yield env.timeout(t - env.now)
    depart = env.now
    if not carry:
        state.activity.tours.append((courier, day, start, depart, depart, depart, 0.0, 0, len(shelve)))
        return
    for p in carry:
        state.log.add(depart, p, Status.OUT_FOR_DELIVERY, courier)
    state.on_vehicle += len(carry)

    # Group the parcels by the place where the tricycle stops, and plan the tour over those places.
    stop_of = np.where(modes[carry] == Mode.LOCKER, state.locker_place_of[carry], state.parcels.compound[carry] + 1)
    places = sorted(set(stop_of.tolist()))
    by_place: dict[int, list[int]] = {pl: [] for pl in places}
    for p, pl in zip(carry, stop_of.tolist(), strict=True):
        by_place[pl].append(p)
    nodes = [STATION_PLACE, *places]
    dist = state.city.place_dist_m[np.ix_(nodes, nodes)]
    order = plan_tour(dist, start=0)

    outcome = TourOutcome()
    ride_total = 0.0
    here = 0
    for k in order[1:]:
        ride_m = float(dist[here, k])
        ride_s = ride_m / cfg.ride_speed_mps
        yield env.timeout(ride_s)
        place = nodes[k]
        arrive = env.now
        times = StopTimes()
        yield from _serve_stop(state, courier, place, by_place[place], times, outcome)
        end = env.now
        state.activity.stops.append(
            (courier, arrive, end, place, ride_m, ride_s, times.park, times.walk, times.vertical, times.wait,
             times.handover, times.attempts)
        )  # fmt: skip
        ride_total += ride_m
        here = k
    back_m = float(dist[here, 0])
    yield env.timeout(back_m / cfg.ride_speed_mps)
    ride_total += back_m
    back = env.now
    state.on_vehicle -= len(outcome.to_shelve) + len(outcome.to_retry)  # the rest were handed over

    # Back at the station: shelve what could not be left, queue the failed door attempts again.
    t = back
    for p, detail in outcome.to_shelve:
        t += cfg.shelve_s_per_parcel
        state.shelve(p, t, courier, detail)
    for p in outcome.to_retry:
        state.retry_or_return(p, back, courier)
    if t > env.now:
        yield env.timeout(t - env.now)
    state.activity.tours.append(
        (courier, day, start, depart, back, env.now, ride_total, len(carry), len(shelve) + len(outcome.to_shelve))
    )


def _serve_stop(state: RunState, courier: int, place: int, parcels: list[int], times: StopTimes, outcome: TourOutcome):
    """Serve every parcel for this stop; the process leaves the stop when this generator ends."""
    env, door_cfg = state.env, state.scenario.door
    t = env.now + door_cfg.park_s
    times.park += door_cfg.park_s
    door = [p for p in parcels if state.mode[p] == _DOOR]
    to_locker = [p for p in parcels if state.mode[p] == _LOCKER]
    if door:
        t = _door_round(state, courier, place, door, t, times, outcome, to_locker)
    if to_locker:
        # Lockers are shared between couriers, so the slots are claimed in simulation time order.
        walk = state.scenario.locker.walk_m / door_cfg.walk_speed_mps
        yield env.timeout(t + walk - env.now)
        t = _locker_drop(state, courier, place, to_locker, env.now, times, outcome) + walk
        times.walk += 2 * walk
    yield env.timeout(t - env.now)


def _door_round(state: RunState, courier: int, place: int, parcels: list[int], t: float, times: StopTimes,
                outcome: TourOutcome, to_locker: list[int]) -> float:  # fmt: skip
    """Walk to each building, up the stairs or elevator, knock at each door, and back to the gate."""
    cfg, city, pc = state.scenario.door, state.city, state.parcels
    has_locker = state.place_locker[place] >= 0
    parcels = sorted(parcels, key=lambda p: (pc.building[p], pc.floor[p], pc.household[p], p))
    i = 0
    while i < len(parcels):
        building = int(pc.building[parcels[i]])
        j = i
        while j < len(parcels) and pc.building[parcels[j]] == building:
            j += 1
        walk = city.building_walk_m[building] / cfg.walk_speed_mps
        t += walk
        times.walk += 2 * walk
        level = 1
        elevator = bool(city.building_elevator[building])
        for p in parcels[i:j]:
            floor = int(pc.floor[p])
            if floor != level:
                if elevator:
                    wait = _elevator_wait(state, building, t, floor)
                    ride = abs(floor - level) * cfg.elevator_s_per_floor
                    t += wait + ride
                    times.wait += wait
                    times.vertical += ride
                else:
                    climb = (floor - level) * cfg.stairs_up_s_per_floor
                    t += climb
                    times.vertical += climb
                level = floor
            times.attempts += 1
            household = int(pc.household[p])
            if state.recipients.is_home(household, t):
                t += pc.handover_s[p]
                times.handover += pc.handover_s[p]
                state.deliver_to_door(p, t, courier, place)
                continue
            t += cfg.call_wait_s
            times.wait += cfg.call_wait_s
            state.log.add(t, p, Status.DELIVERY_FAILED, courier, place, Detail.NOT_HOME)
            if not pc.guaranteed[p] and state.recipients.consents(household):
                if has_locker:
                    state.consented[p] = True
                    to_locker.append(p)
                else:
                    outcome.to_shelve.append((p, Detail.CONSENTED))
            else:
                outcome.to_retry.append(p)
        # Back down and back to the gate.
        if level > 1:
            if elevator:
                wait = _elevator_wait(state, building, t, 0)
                ride = (level - 1) * cfg.elevator_s_per_floor
                t += wait + ride
                times.wait += wait
                times.vertical += ride
            else:
                down = (level - 1) * cfg.stairs_down_s_per_floor
                t += down
                times.vertical += down
        t += walk
        i = j
    return t


def _elevator_wait(state: RunState, building: int, t: float, floor: int) -> float:
    """Exponential wait, drawn per building, hour and floor: the same slow elevator in every variant."""
    u = state.streams.uniform1("elevator", building, int(t // 3600.0), floor)
    return -state.scenario.door.elevator_wait_mean_s * math.log1p(-u)


def _locker_drop(state: RunState, courier: int, place: int, parcels: list[int], t: float, times: StopTimes,
                 outcome: TourOutcome) -> float:  # fmt: skip
    """At the locker bank (now = ``t``): open a session, drop each parcel or find no slot free.

    Slots are claimed at the start of the session; a slot that frees up during the minute the
    session lasts is not used by it.
    """
    cfg, pc = state.scenario.locker, state.parcels
    bank = int(state.place_locker[place])
    claimed_at = t
    t += cfg.open_s
    times.handover += cfg.open_s
    for p in parcels:
        t += cfg.drop_s_per_parcel
        times.handover += cfg.drop_s_per_parcel
        times.attempts += 1
        release = t + pc.locker_pickup_delay_s[p]
        if state.lockers.try_drop(bank, int(pc.size[p]), claimed_at, release):
            detail = Detail.CONSENTED if state.consented[p] else Detail.NONE
            state.put_in_locker(p, t, release, courier, place, detail)
        else:
            state.log.add(t, p, Status.DELIVERY_FAILED, courier, place, Detail.LOCKER_FULL)
            outcome.to_shelve.append((p, Detail.LOCKER_FULL))
    return t
