"""The scenario's week: volumes by weekday, peak days such as 618 and 双11, and the couriers' roster."""

from __future__ import annotations

from pydantic import Field, field_validator

from .base import Section

__all__ = ["DAYS_PER_WEEK", "WEEKDAY_NAMES", "PeakDays", "RosterConfig", "WeekConfig", "unstaffed_day"]

DAYS_PER_WEEK = 7
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class PeakDays(Section):
    """A run of days with a multiple of the normal volume (a 618 or 双11 peak)."""

    name: str = Field("peak", min_length=1, max_length=40, description="What the peak is, e.g. double11")
    from_day: int = Field(ge=0, le=364, description="First day of the peak (day 0 is the first simulated day)")
    days: int = Field(ge=1, le=60, description="How many days it lasts")
    factor: float = Field(gt=0, le=20, description="Volume ÷ the normal day's (双11 itself: 1.8-1.87× in 2022-2023; sources §10)")

    def covers(self, day: int) -> bool:
        """Is simulated ``day`` one of the peak's days?"""
        return self.from_day <= day < self.from_day + self.days


class WeekConfig(Section):
    """Volumes through the week and peak days (assumption A44). Day 0's weekday is ``horizon.start_weekday``.
    They scale the station's daily parcels, or the warehouse's orders with an upstream."""

    volume_by_weekday: tuple[float, ...] = Field(
        (1.0,) * DAYS_PER_WEEK,
        description="Volume ÷ the normal day's, Monday to Sunday (all 1: the same every day; A44)",
    )
    peaks: tuple[PeakDays, ...] = Field(
        (), description="Peak days on top of the weekday factors; overlapping peaks take the largest"
    )

    @field_validator("volume_by_weekday")
    @classmethod
    def _seven(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        if len(v) != DAYS_PER_WEEK:
            raise ValueError(f"needs one factor per weekday, Monday to Sunday (7 values), got {len(v)}")
        if any(x < 0 or x > 20 for x in v) or sum(v) <= 0:
            raise ValueError("factors must lie within 0-20, with at least one day above 0")
        return v

    def factor(self, day: int, start_weekday: int) -> float:
        """Volume of simulated ``day`` ÷ the normal day's."""
        peak = max((p.factor for p in self.peaks if p.covers(day)), default=1.0)
        return self.volume_by_weekday[(start_weekday + day) % DAYS_PER_WEEK] * peak

    def factors(self, days: int, start_weekday: int) -> list[float]:
        """The factor of each of the first ``days`` simulated days."""
        return [self.factor(day, start_weekday) for day in range(days)]

    def in_peak(self, day: int) -> bool:
        """Is ``day`` within a peak?"""
        return any(p.covers(day) for p in self.peaks)


class RosterConfig(Section):
    """Who works which day (assumption A45): couriers with a weekly day off and absences. By default
    everyone works every day."""

    day_off_share: float = Field(
        0.0, ge=0, le=1, description="Share of couriers with one day off a week (48.9% in a 2019 survey, sources §8)"
    )
    off_weekdays: tuple[int, ...] = Field(
        tuple(range(DAYS_PER_WEEK)),
        min_length=1,
        description="Weekdays (0 Monday ... 6 Sunday) the days off fall on, spread in turn over the couriers who have one",
    )
    absence_share: float = Field(
        0.0, ge=0, lt=1, description="Chance that a courier rostered for a day does not come (illness, leave; A45)"
    )

    @field_validator("off_weekdays")
    @classmethod
    def _weekdays(cls, v: tuple[int, ...]) -> tuple[int, ...]:
        if any(not 0 <= d < DAYS_PER_WEEK for d in v):
            raise ValueError(f"weekdays are 0 (Monday) to 6 (Sunday), got {list(v)}")
        if len(set(v)) != len(v):
            raise ValueError(f"each weekday at most once, got {list(v)}")
        return v

    def day_off(self, couriers: int) -> list[int]:
        """Each courier's weekly day off (0 Monday ... 6 Sunday; -1: none): round(share × couriers)
        of them, spread evenly over the area order, given ``off_weekdays`` in turn (A45)."""
        off = [-1] * couriers
        with_one = round(self.day_off_share * couriers)
        for j in range(with_one):
            off[(j * couriers) // with_one] = self.off_weekdays[j % len(self.off_weekdays)]
        return off

    def off_by_weekday(self, couriers: int) -> list[int]:
        """How many couriers have their day off on each weekday, Monday to Sunday."""
        off = self.day_off(couriers)
        return [off.count(weekday) for weekday in range(DAYS_PER_WEEK)]


def unstaffed_day(roster: RosterConfig, week: WeekConfig, *, couriers: int, days: int, start_weekday: int) -> int | None:
    """The first day with parcels on which the roster gives every courier his day off (no days off
    within a peak, A45), or None when every such day has someone rostered."""
    off = roster.off_by_weekday(couriers)
    for day in range(days):
        weekday = (start_weekday + day) % DAYS_PER_WEEK
        if off[weekday] >= couriers and week.factor(day, start_weekday) > 0 and not week.in_peak(day):
            return day
    return None
