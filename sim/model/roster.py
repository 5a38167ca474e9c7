"""Who works which day, and whose areas each courier at work serves (assumption A45)."""

from __future__ import annotations

import numpy as np

from ..core.streams import Streams
from ..scenario.week import DAYS_PER_WEEK, RosterConfig, WeekConfig

__all__ = ["Roster"]


class Roster:
    """The couriers at work on each day and the areas each of them serves.

    A share of the couriers has one day off a week (``RosterConfig.day_off``: spread evenly over
    the area order, so that two neighbours are rarely off together). Nobody takes a day off within
    a peak. A courier rostered for a day is absent with ``absence_share``, a draw of his own for
    that day; when every courier of a day would be absent, the first of them in area order comes
    in anyway. The area of a courier not at work is served by the next courier at work in area
    order (the area after his, and so on around).
    """

    def __init__(
        self, cfg: RosterConfig, week: WeekConfig, *, couriers: int, days: int, start_weekday: int, streams: Streams
    ) -> None:
        weekday = (start_weekday + np.arange(days)) % DAYS_PER_WEEK
        rostered = np.array(cfg.day_off(couriers))[None, :] != weekday[:, None]
        rostered[[week.in_peak(d) for d in range(days)]] = True
        at_work = rostered.copy()
        if cfg.absence_share > 0:
            # Keyed by (day, courier): adding days or couriers changes no one else's absences.
            u = streams.uniform("absence", np.arange(days)[:, None], np.arange(couriers)[None, :])
            at_work &= u >= cfg.absence_share
            nobody = ~at_work.any(axis=1) & rostered.any(axis=1)
            at_work[nobody, rostered[nobody].argmax(axis=1)] = True
        self.at_work = at_work  # (days, couriers)
        self._areas = [_areas_served(row) for row in at_work.tolist()]

    def works(self, courier: int, day: int) -> bool:
        """Is ``courier`` at work on ``day``?"""
        return bool(self.at_work[day, courier])

    def areas(self, courier: int, day: int) -> tuple[int, ...]:
        """The areas ``courier`` serves on ``day``: his own first, then those of the couriers he covers."""
        return self._areas[min(day, len(self._areas) - 1)][courier]


def _areas_served(at_work: list[bool]) -> list[tuple[int, ...]]:
    """For one day, the areas each courier serves (none when he is off)."""
    n = len(at_work)
    served: list[list[int]] = [[c] if at_work[c] else [] for c in range(n)]
    if not any(at_work):
        return [tuple(s) for s in served]
    for c in range(n):
        if not at_work[c]:
            cover = next((c + k) % n for k in range(1, n) if at_work[(c + k) % n])
            served[cover].append(c)
    return [tuple(s) for s in served]
