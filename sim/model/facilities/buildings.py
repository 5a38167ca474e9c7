"""Buildings' lifts: how long a courier waits for one."""

from __future__ import annotations

import math

from ...core.streams import Streams
from ...core.units import SECONDS_PER_HOUR

__all__ = ["Elevators"]


class Elevators:
    """Elevator waits, exponential with a given mean, drawn per building, hour and floor: the
    same slow elevator at the same hour in every variant (common random numbers)."""

    def __init__(self, mean_wait_s: float, streams: Streams) -> None:
        self._mean_wait_s = mean_wait_s
        self._streams = streams

    def wait_s(self, building: int, time_s: float, floor: int) -> float:
        """The wait for a lift called at ``floor`` of ``building`` at ``time_s``."""
        u = self._streams.uniform1("elevator", building, int(time_s // SECONDS_PER_HOUR), floor)
        return -self._mean_wait_s * math.log1p(-u)
