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

__all__ = ["TOTALS", "StopClock", "StopOutcome"]

# The stop's totals (what the stops table reports of where the time went) and the total each part
# (``StopPart``, by value) adds to.
TOTALS = ("park_s", "walk_s", "vertical_s", "wait_s", "handover_s", "pickup_s")
_TOTAL_OF = {
    StopPart.PARK: "park_s",
    StopPart.WALK: "walk_s",
    StopPart.STAIRS: "vertical_s",
    StopPart.LIFT: "vertical_s",
    StopPart.WAIT: "wait_s",
    StopPart.CALL: "wait_s",
    StopPart.HANDOVER: "handover_s",
    StopPart.LOCKER: "pickup_s",
    StopPart.PICKUP_STATION: "pickup_s",
}
_TOTAL_INDEX = tuple(TOTALS.index(_TOTAL_OF[part]) for part in sorted(_TOTAL_OF))  # a list index by part: the hot path


class StopClock:
    """The courier's time inside a stop, from its start; ``spend`` is the only way it moves."""

    __slots__ = ("now", "parts", "totals")

    def __init__(self, start_s: float) -> None:
        self.now = start_s
        self.totals = [0.0] * len(TOTALS)  # in the order of ``TOTALS``
        # start, end, StopPart of each interval in turn, flat: a city keeps millions of them to the
        # end of a run, and tuples would be objects the garbage collector walks through.
        self.parts: list[float] = []

    def spend(self, part: int, seconds: float) -> float:
        """Spend ``seconds`` on ``part`` (a ``StopPart``) now: log the interval, add it to the stop's
        totals, move on. Returns the time it ends. A part that follows one of the same kind is
        logged as one."""
        if seconds > 0:
            start = self.now
            end = self.now = start + seconds
            parts = self.parts
            if parts and parts[-1] == part and parts[-2] == start:
                parts[-2] = end
            else:
                parts += (start, end, int(part))
            self.totals[_TOTAL_INDEX[part]] += seconds
        return self.now

    def spend_each(self, part: int, seconds: float, n: int) -> list[float]:
        """Spend ``seconds`` on ``part`` ``n`` times in turn (a parcel each, a locker session's drops):
        the time each ends. One addition at a time, so the floats are those of ``n`` calls of ``spend``."""
        if seconds <= 0 or n <= 0:
            return [self.now] * n
        ends = [self.spend(part, seconds)]  # the interval is logged; the others extend it
        now, index = self.now, _TOTAL_INDEX[part]
        total = self.totals[index]
        for _ in range(n - 1):
            now += seconds
            total += seconds
            ends.append(now)
        self.parts[-2] = now
        self.totals[index] = total
        self.now = now
        return ends


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
