"""The time inside one stop, kept by one clock.

A courier's SimPy process moves the simulation clock once per ride and once per stop. Inside a
stop (a compound: buildings, stairs, lifts, doors, a locker bank) the courier's time is worked
out in sequence by a ``StopClock``: each named part it spends is logged as an interval, added to
the stop's totals and advances the clock, in one step. The process meets the simulation clock
again where another courier could be affected (at a shared locker bank) and when it leaves.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..activity import StopPart
from ..tracking import Detail

__all__ = ["StopClock", "StopOutcome"]

# The stop's totals, by part: what the stops table reports of where the time went.
_TOTALS = ("park_s", "walk_s", "vertical_s", "wait_s", "handover_s", "pickup_s")
_TOTAL_OF = {
    StopPart.PARK: 0,
    StopPart.WALK: 1,
    StopPart.STAIRS: 2,
    StopPart.LIFT: 2,
    StopPart.WAIT: 3,
    StopPart.CALL: 3,
    StopPart.HANDOVER: 4,
    StopPart.LOCKER: 5,
    StopPart.PICKUP_STATION: 5,
}
_TOTAL_INDEX = [_TOTAL_OF[part] for part in sorted(_TOTAL_OF)]  # by the part's number: a list is quicker than a dict


class StopClock:
    """The courier's time inside a stop, from its start; ``spend`` is the only way it moves."""

    __slots__ = ("now", "parts", "totals")

    def __init__(self, start_s: float) -> None:
        self.now = start_s
        self.totals = [0.0] * len(_TOTALS)  # seconds by the stops table's columns (``_TOTALS``)
        self.parts: list[tuple[float, float, int]] = []  # (start, end, StopPart) in time order

    def spend(self, part: StopPart, seconds: float) -> float:
        """Spend ``seconds`` on ``part`` now: log the interval, add it to the stop's totals, move on.
        Returns the time it ends. A part that follows one of the same kind is logged as one."""
        if seconds > 0:
            start = self.now
            end = self.now = start + seconds
            parts = self.parts
            if parts and parts[-1][2] == part and parts[-1][1] == start:
                parts[-1] = (parts[-1][0], end, parts[-1][2])
            else:
                parts.append((start, end, int(part)))
            self.totals[_TOTAL_INDEX[part]] += seconds
        return self.now

    def spend_each(self, part: StopPart, seconds: float, n: int) -> list[float]:
        """Spend ``seconds`` on ``part`` ``n`` times in turn (a parcel each): the times each ends,
        exactly as ``n`` calls of ``spend`` would give them, logged as one interval."""
        if seconds <= 0 or n <= 0:
            return [self.now] * n
        ends, now, total, index = [], self.now, self.totals[_TOTAL_INDEX[part]], _TOTAL_INDEX[part]
        for _ in range(n):  # one addition at a time: the same floats as ``spend``
            now += seconds
            total += seconds
            ends.append(now)
        parts = self.parts
        if parts and parts[-1][2] == part and parts[-1][1] == self.now:
            parts[-1] = (parts[-1][0], now, parts[-1][2])
        else:
            parts.append((self.now, now, int(part)))
        self.totals[index] = total
        self.now = now
        return ends

    @property
    def park_s(self) -> float:
        return self.totals[0]

    @property
    def walk_s(self) -> float:
        return self.totals[1]

    @property
    def vertical_s(self) -> float:
        """Stairs and lifts."""
        return self.totals[2]

    @property
    def wait_s(self) -> float:
        """Waiting at doors and entrances, and calls."""
        return self.totals[3]

    @property
    def handover_s(self) -> float:
        return self.totals[4]

    @property
    def pickup_s(self) -> float:
        """Locker sessions and 驿站 hand-ins."""
        return self.totals[5]


@dataclass
class StopOutcome:
    """What serving a stop decided for its parcels besides handing them over: what goes back to
    the station and why, what goes into the stop's locker with consent, what was left undone."""

    attempts: int = 0
    door_visits: int = 0  # households the courier went up to with parcels (a household once a tour)
    door_visit_parcels: int = 0  # the parcels handed over or tried in those visits
    to_retry: list[int] = field(default_factory=list)  # failed door attempts: redeliver or return
    to_locker: list[tuple[int, Detail]] = field(default_factory=list)  # consented at the door: the bank here
    to_pickup: list[tuple[int, Detail]] = field(default_factory=list)  # consented or asked for: a 驿站
    later: list[tuple[int, int, Detail]] = field(default_factory=list)  # (place, parcel, why): a 驿站 further on
    to_counter: list[tuple[int, Detail]] = field(default_factory=list)  # back to the station's counter
    no_room: list[int] = field(default_factory=list)  # no locker or 驿站 took it: back to the station
    unserved: list[int] = field(default_factory=list)  # not tried: the working day ended during the stop
    returns_left: list[int] = field(default_factory=list)  # return pick-ups not made: nobody home, or the day ended

    def riding_on(self) -> list[int]:
        """The stop's parcels that stay on the tricycle: failed at the door, for a 驿站 further on or
        for the station's counter, with no room anywhere here, or not tried."""
        later = [p for _, p, _ in self.later]
        counter = [p for p, _ in self.to_counter]
        return [*self.to_retry, *later, *counter, *self.no_room, *self.unserved]
