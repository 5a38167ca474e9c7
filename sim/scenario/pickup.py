"""The pick-up network's settings: locker banks, community pick-up stations (驿站), the counter.

Locker banks and 驿站 are shared with every other courier network of the district (中通, 圆通,
韵达, 申通, 极兔, 邮政 ...): their parcels arrive through the day and take slots and shelves
until their recipients collect them. Numbers cite the sources page (sources §N) or name an
assumption (A34-A37 in ``docs/assumptions.md``).
"""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from .base import Section

__all__ = ["FULL_BANK_STEPS", "CounterConfig", "LockerConfig", "PickupStationConfig"]

# What a courier can do with a parcel whose locker bank is full, tried in the order a scenario lists.
FULL_BANK_STEPS = ("next_bank", "pickup_station", "carry_back")


def _opening(opens_h: float, closes_h: float, what: str) -> None:
    if closes_h <= opens_h:
        raise ValueError(f"{what}closes_h ({closes_h:g}) must be after {what}opens_h ({opens_h:g})")


class LockerConfig(Section):
    """Locker drop-off, the locker operator's rules, other networks' parcels and what a courier
    does when a bank is full."""

    walk_m: float = Field(20.0, ge=0, le=1000, description="Walk from the tricycle to the locker bank (m)")
    open_s: float = Field(30.0, ge=0, le=600, description="Log in and start a drop session, per stop (s)")
    drop_s_per_parcel: float = Field(
        12.0, ge=0, le=600, description="Scan, choose a slot, drop one parcel (s); ≈1 min for several (sources §2)"
    )
    free_hours: float = Field(12.0, ge=0, le=240, description="Free storage before overdue fees (h, sources §3)")
    overdue_fee_yuan: float = Field(0.5, ge=0, le=100, description="Overdue fee per started period (sources §3)")
    overdue_period_h: float = Field(12.0, gt=0, le=240, description="Length of an overdue period (h, sources §3)")
    overdue_fee_cap_yuan: float = Field(3.0, ge=0, le=1000, description="Cap on overdue fees per parcel (sources §3)")
    max_storage_h: float = Field(
        72.0,
        gt=0,
        le=24 * 30,
        description="A parcel still in a locker after this long is moved to its 驿站 (else the counter, else returned) (h, A9)",
    )
    background_share_per_day: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Other networks' parcels a bank receives a day, as a share of its slots of each size (A34); "
        "more than 1 would be more than the bank holds",
    )
    when_full: tuple[str, ...] = Field(
        ("next_bank", "pickup_station", "carry_back"),
        min_length=1,
        description="What a courier does with a parcel a full bank cannot take, in order: next_bank (another bank "
        "within next_bank_walk_m), pickup_station (the compound's 驿站), carry_back (to the station, out again the next day)",
    )
    next_bank_walk_m: float = Field(
        250.0, ge=0, le=2000, description="next_bank: the farthest walk by road to another bank from a full one (m, A36)"
    )

    @field_validator("when_full")
    @classmethod
    def _known_steps(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [s for s in v if s not in FULL_BANK_STEPS]
        if unknown:
            raise ValueError(f"unknown step {unknown[0]!r}; the steps are {', '.join(FULL_BANK_STEPS)}")
        if len(set(v)) != len(v):
            raise ValueError(f"a step is listed twice in {list(v)}")
        if "carry_back" in v and v[-1] != "carry_back":
            raise ValueError(f"carry_back ends the list: the steps after it in {list(v)} are never tried")
        return v


class PickupStationConfig(Section):
    """Community pick-up stations (驿站): shelves in or beside a compound, where couriers of every
    network leave parcels and recipients collect them during opening hours."""

    shelves: int = Field(
        800, ge=1, le=100_000, description="Parcels one station's shelves hold at once (assumption A35; no source found)"
    )
    opens_h: float = Field(9.0, ge=0, lt=24, description="Opens to recipients (h; 09:00-21:00 most often, sources §8)")
    closes_h: float = Field(21.0, gt=0, le=24, description="Closes (h; sources §8)")
    checkin_from_h: float = Field(
        7.5, ge=0, lt=24, description="Takes parcels in from couriers from this hour, before it opens (h, A35)"
    )
    walk_m: float = Field(20.0, ge=0, le=1000, description="Walk from the tricycle to the station's counter (m)")
    visit_s: float = Field(45.0, ge=0, le=1800, description="Hand over a batch: greet, open the station's app (s, A35)")
    checkin_s_per_parcel: float = Field(
        6.0, ge=0, le=600, description="Scan one parcel in and shelve it (入库) (s, A35; no source found)"
    )
    handout_s_per_parcel: float = Field(
        9.0,
        ge=0,
        le=600,
        description="Staff time to hand out one parcel (出库): 8-10 s by hand, ≈3 with photo scanning (sources §8)",
    )
    keep_days: float = Field(
        7.0, gt=0, le=60, description="A parcel not collected this long is returned to the sender (days, A35)"
    )
    background_share_per_day: float = Field(
        0.6,
        ge=0,
        le=1,
        description="Other networks' parcels a station receives a day, as a share of its shelves (A34); "
        "more than 1 would be more than it holds",
    )

    @model_validator(mode="after")
    def _hours(self) -> PickupStationConfig:
        _opening(self.opens_h, self.closes_h, "")
        if self.checkin_from_h >= self.closes_h:
            raise ValueError(f"checkin_from_h ({self.checkin_from_h:g}) must be before closes_h ({self.closes_h:g})")
        return self


class CounterConfig(Section):
    """The franchise station's own counter, as a pick-up point: off unless the scenario says so."""

    pickup: bool = Field(
        False, description="The station's counter hands parcels out to recipients (else parcels go to 驿站 and lockers only)"
    )
    shelves: int = Field(3000, ge=1, le=1_000_000, description="Parcels the counter's shelves hold at once (A37)")
    opens_h: float = Field(8.0, ge=0, lt=24, description="Opens to recipients (h, A9)")
    closes_h: float = Field(21.0, gt=0, le=24, description="Closes (h, A9)")
    shelve_s_per_parcel: float = Field(10.0, ge=0, le=600, description="Scan and shelve one parcel (s)")
    handout_s_per_parcel: float = Field(9.0, ge=0, le=600, description="Staff time to hand out one parcel (s, sources §8)")
    keep_days: float = Field(7.0, gt=0, le=60, description="A parcel not collected this long is returned to the sender (days)")

    @model_validator(mode="after")
    def _hours(self) -> CounterConfig:
        _opening(self.opens_h, self.closes_h, "")
        return self
