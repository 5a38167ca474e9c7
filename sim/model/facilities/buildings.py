"""Buildings' lifts: how long a courier waits for one."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from ...core.streams import Streams, uniform_from
from ...core.units import SECONDS_PER_DAY, SECONDS_PER_HOUR

if TYPE_CHECKING:
    from ...scenario.schema import TrafficConfig

__all__ = ["Elevators"]

_BUILDING_HOURS_KEPT = 4096


class Elevators:
    """Elevator waits, exponential with a given mean, drawn per building, hour and floor: the
    same slow elevator at the same hour in every variant (common random numbers). At the residents'
    peaks (``traffic.lift_peaks``) the mean is that many times longer."""

    def __init__(self, mean_wait_s: float, streams: Streams, traffic: TrafficConfig | None = None) -> None:
        self._mean_wait_s = mean_wait_s
        self._streams = streams
        self._traffic = traffic if traffic is not None and traffic.lift_peaks else None
        # The draw's hash of (building, hour), kept: a courier calls a building's lift on several
        # floors within the hour, and only the floor's round of the hash is left to do each time.
        # A cache of a pure function, emptied when it grows large (a long run's past hours): that
        # changes no draw.
        self._building_hour: dict[tuple[int, int], int] = {}

    def wait_s(self, building: int, time_s: float, floor: int) -> float:
        """The wait for a lift called at ``floor`` of ``building`` at ``time_s``."""
        key = (building, int(time_s // SECONDS_PER_HOUR))
        state = self._building_hour.get(key)
        if state is None:
            if len(self._building_hour) >= _BUILDING_HOURS_KEPT:
                self._building_hour.clear()
            state = self._building_hour[key] = self._streams.state1("elevator", *key)
        u = uniform_from(state, floor)
        wait = -self._mean_wait_s * math.log1p(-u)
        if self._traffic is not None:
            hour = (time_s % SECONDS_PER_DAY) / SECONDS_PER_HOUR
            wait *= self._traffic.factor_at(self._traffic.lift_peaks, hour)
        return wait
