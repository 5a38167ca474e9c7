"""Recipients: whether they are home, whether they consent to a locker.

Each answer is a counter-based uniform keyed by the household (and the hour), so the same
person behaves the same way in every variant of a replication (common random numbers).
"""

from __future__ import annotations

from ..scenario import DoorConfig, RecipientConfig
from ..streams import Streams
from ..units import SECONDS_PER_HOUR

__all__ = ["Recipients"]


class Recipients:
    """Behaviour of the households of one replication."""

    def __init__(self, cfg: RecipientConfig, door: DoorConfig, streams: Streams) -> None:
        self._home_by_hour = list(cfg.home_by_hour)
        self._consent_share = door.consent_share
        self._streams = streams

    def is_home(self, household: int, time_s: float) -> bool:
        """Is anybody home at this household at this time? Drawn once per household and hour."""
        hour = int(time_s // SECONDS_PER_HOUR)
        return self._streams.uniform1("at_home", household, hour) < self._home_by_hour[hour % 24]

    def consents(self, household: int) -> bool:
        """Does a recipient who is not home agree to a locker or the station instead?"""
        return self._streams.uniform1("consent", household) < self._consent_share
