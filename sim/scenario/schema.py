"""The scenario schema: typed, frozen, validated. YAML in, clear errors out.

Every field says its unit in its name where it is not obvious and carries a description; numbers
from the real world cite the project's sources page (``docs/background/sources.md``, "sources §N"),
the others are assumptions listed in ``docs/assumptions.md``. Unknown keys are rejected (with the
closest known key suggested), so a typo can never fall back silently to a default.
"""

from __future__ import annotations

import copy
import difflib
import itertools
import math
import re
import typing
from typing import Any

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from ..core.errors import ScenarioError
from ..core.registry import COMPLIANCE_POLICIES, DELIVERY_POLICIES
from .base import HOURS_PER_DAY, MAX_SEED, SIZES, Section, SizeCounts, SizeFees, SizeShares, SizeWeights, ordered
from .pickup import CounterConfig, LockerConfig, PickupStationConfig
from .week import DAYS_PER_WEEK, WEEKDAY_NAMES, RosterConfig, WeekConfig, unstaffed_day

__all__ = ["MAX_SEED", "SIZES", "Scenario", "apply_overrides", "scenario_from_dict"]

_ROAD_SPEED_KMH = {  # e-tricycle riding speed by OSM highway class (assumption A30; the legal cap is 15 km/h)
    "primary": 15.0,
    "primary_link": 15.0,
    "secondary": 15.0,
    "secondary_link": 15.0,
    "tertiary": 15.0,
    "tertiary_link": 15.0,
    "unclassified": 13.0,
    "residential": 13.0,
    "living_street": 9.0,
    "service": 10.0,
    "pedestrian": 6.0,
    "track": 8.0,
}
_RESIDENTIAL_LEVELS = {  # residential building=* types, with the floors assumed where building:levels is missing (A31)
    "apartments": 6,
    "residential": 6,
    "yes": 6,
    "dormitory": 6,
    "house": 2,
    "detached": 2,
    "semidetached_house": 2,
    "terrace": 3,
}


class OsmConfig(Section):
    """A real district read offline from an OpenStreetMap extract (needs the ``geo`` extra)."""

    file: str = Field(
        min_length=1,
        description="An .osm (XML) or .osm.pbf extract: a path (relative to the scenario file) or "
        "package:NAME/PATH for a file inside an installed Python package",
    )
    radius_m: float = Field(
        1500.0, ge=100, le=20_000, description="The district: roads and compounds this close to the station (m)"
    )
    bbox: tuple[float, float, float, float] | None = Field(
        None, description="Instead of radius_m: west, south, east, north (WGS-84 degrees)"
    )
    road_speed_kmh: dict[str, float] = Field(
        default_factory=lambda: dict(_ROAD_SPEED_KMH),
        description="Highway classes a tricycle rides, with its speed on each (km/h); other classes are not used (A30)",
    )
    residential_levels: dict[str, int] = Field(
        default_factory=lambda: dict(_RESIDENTIAL_LEVELS),
        description="Building types that hold households, with the floors assumed where building:levels is missing (A31)",
    )
    storey_height_m: float = Field(
        2.8, ge=2, le=6, description="Height of one storey (m): levels from height=*, and the lift rule (A31)"
    )
    flat_m2: float = Field(
        90.0, ge=20, le=500, description="Gross floor area per household (m²): households from footprints (A31)"
    )
    gate_snap_m: float = Field(
        10.0, ge=0, le=200, description="A gate or entrance node this close to a compound's edge is its gate (m)"
    )
    walk_detour: float = Field(1.3, ge=1, le=3, description="Walking path from gate to building over the straight line (A32)")

    def __hash__(self) -> int:  # the tables are dicts; districts are cached by their settings
        return hash(self.model_dump_json())

    @field_validator("road_speed_kmh")
    @classmethod
    def _speeds(cls, v: dict[str, float]) -> dict[str, float]:
        if not v:
            raise ValueError("name at least one highway class a tricycle may ride")
        for name, speed in v.items():
            if not 0 < speed <= 25:
                raise ValueError(f"{name}: speed {speed!r} km/h must be above 0 and at most 25")
        return v

    @field_validator("residential_levels")
    @classmethod
    def _levels(cls, v: dict[str, int]) -> dict[str, int]:
        for name, levels in v.items():
            if not 1 <= levels <= 100:
                raise ValueError(f"{name}: {levels!r} floors must be within 1-100")
        return v

    @field_validator("bbox")
    @classmethod
    def _bbox(cls, v: tuple[float, float, float, float] | None) -> tuple[float, float, float, float] | None:
        if v is not None:
            west, south, east, north = v
            if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
                raise ValueError(f"{list(v)} is not west < east within ±180 and south < north within ±90")
        return v


class ListFile(Section):
    """A station's own list (CSV), with the datum its coordinates were copied in."""

    file: str = Field(min_length=1, description="CSV file: a path relative to the scenario file")
    crs: str = Field(
        "wgs84", pattern="^(wgs84|gcj02|bd09)$", description="wgs84 (GPS, OSM), gcj02 (AMap, Tencent) or bd09 (Baidu)"
    )


class CityConfig(Section):
    """A synthetic district: a street grid with residential compounds (小区) in its blocks."""

    blocks_x: int = Field(8, ge=1, le=300, description="Street blocks west to east")
    blocks_y: int = Field(8, ge=1, le=300, description="Street blocks south to north")
    block_m: float = Field(200.0, ge=30, le=2000, description="Street spacing (m)")
    arterial_every: int = Field(4, ge=1, le=100, description="Every n-th street is an arterial road")
    node_jitter_share: float = Field(0.1, ge=0, lt=0.45, description="Random shift of intersections, share of block_m")
    compound_share: float = Field(0.85, ge=0, le=1, description="Share of blocks holding a residential compound")
    buildings_min: int = Field(4, ge=1, le=100, description="Fewest buildings in a compound")
    buildings_max: int = Field(10, ge=1, le=100, description="Most buildings in a compound")
    elevator_share: float = Field(0.5, ge=0, le=1, description="Share of buildings that are high-rises with elevators")
    walkup_floors: int = Field(6, ge=1, le=12, description="Floors of a walk-up (6-floor walk-ups are common)")
    highrise_floors_min: int = Field(11, ge=2, le=100, description="Fewest floors of a high-rise")
    highrise_floors_max: int = Field(33, ge=2, le=100, description="Most floors of a high-rise")
    households_per_floor: int = Field(2, ge=1, le=20, description="Households per floor of one building")
    building_walk_m_min: float = Field(30.0, ge=0, le=2000, description="Shortest walk from compound gate to a building (m)")
    building_walk_m_max: float = Field(180.0, ge=0, le=2000, description="Longest walk from compound gate to a building (m)")
    locker_share: float = Field(0.7, ge=0, le=1, description="Share of compounds with a locker bank at the gate")
    locker_slots: SizeCounts = Field(
        SizeCounts(S=40, M=24, L=8), description="Slots per locker bank by size (72: within 40-200, sources §3)"
    )
    locker_in_lobby: bool = Field(
        False, description="Banks stand in a building's lobby: reaching one takes getting in (door.entrance_s); else at the gate"
    )
    locker_reach_m: float = Field(
        400.0, ge=0, le=10_000, description="A compound without a locker uses another compound's locker this close by road (m)"
    )
    pickup_station_share: float = Field(
        0.4, ge=0, le=1, description="Share of compounds with a community pick-up station (驿站) in or beside them (A35)"
    )
    pickup_station_reach_m: float = Field(
        800.0, ge=0, le=10_000, description="Recipients use a 驿站 this close by road when their compound has none (m, A35)"
    )
    osm: OsmConfig | None = Field(None, description="Roads, compounds, buildings and lockers from an OpenStreetMap extract")
    compound_list: ListFile | None = Field(
        None, description="The station's own compounds (CSV: name, gate_lat, gate_lon, buildings, floors, households, lift)"
    )
    locker_list: ListFile | None = Field(None, description="The station's own locker banks (CSV: name, lat, lon, S, M, L)")
    pickup_station_list: ListFile | None = Field(
        None, description="The district's 驿站 (CSV: name, lat, lon, shelves); each stands at the nearest compound gate"
    )

    @model_validator(mode="after")
    def _ranges(self) -> CityConfig:
        ordered(self.buildings_min, self.buildings_max, "buildings_min", "buildings_max")
        ordered(self.highrise_floors_min, self.highrise_floors_max, "highrise_floors_min", "highrise_floors_max")
        ordered(self.building_walk_m_min, self.building_walk_m_max, "building_walk_m_min", "building_walk_m_max")
        if self.locker_slots.S + self.locker_slots.M + self.locker_slots.L == 0 and self.locker_share > 0:
            raise ValueError("locker_slots must hold at least one slot when locker_share > 0")
        return self


class StationConfig(Section):
    """The franchise courier station (网点): the couriers' depot, and a pick-up counter only where
    ``counter.pickup`` says so."""

    location: str = Field("centre", pattern="^(centre|edge)$", description="Where the station sits: centre or edge")
    lat: float | None = Field(None, ge=-90, le=90, description="Latitude of the station (a real district needs it)")
    lon: float | None = Field(None, ge=-180, le=180, description="Longitude of the station (a real district needs it)")
    crs: str = Field("wgs84", pattern="^(wgs84|gcj02|bd09)$", description="Datum of lat/lon: wgs84, gcj02 (AMap) or bd09 (Baidu)")
    sort_rate_parcels_per_h: float = Field(
        1500.0, gt=0, le=100_000, description="Parcels sorted per hour after a linehaul arrival (assumption A3)"
    )
    counter: CounterConfig = Field(CounterConfig(), description="The station's own counter as a pick-up point (off by default)")
    door_service_sort_s_per_parcel: float = Field(
        3.0, ge=0, le=600, description="A courier sorts each 音尊达 parcel out of the load, to deliver it first (s, A40)"
    )
    loading_order: str = Field(
        "priority",
        pattern="^(priority|arrival)$",
        description="priority: door-service parcels first, then redeliveries, then the oldest; arrival: oldest first",
    )

    @model_validator(mode="after")
    def _position(self) -> StationConfig:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("give both lat and lon of the station, or neither")
        return self


class LinehaulArrival(Section):
    """One daily truck reaching the station."""

    at_h: float = Field(ge=0, lt=24, description="Arrival time at the station (hours after midnight)")
    share: float = Field(gt=0, le=1, description="Share of the day's parcels on this truck")


class DoorServiceChoice(Section):
    """Who buys door delivery (音尊达): a logit in the household's type, the goods' value and the
    surcharge the buyer sees. P = 1 / (1 + exp(-u)), u = intercept + type utility
    + value_per_log_yuan · ln(value / 100) + price_per_yuan · price_yuan (assumption A26; JD's 49-yuan
    京尊达 in sources §1 is a data point on what a premium can cost, not a default)."""

    intercept: float = Field(-1.85, ge=-20, le=20, description="Baseline utility of buying door delivery")
    value_per_log_yuan: float = Field(0.6, ge=-10, le=10, description="Utility per unit of ln(value / 100 yuan)")
    price_per_yuan: float = Field(-0.5, ge=-10, le=10, description="Utility per yuan of surcharge the buyer sees")
    price_yuan: float = Field(1.0, ge=0, le=1000, description="Surcharge a buyer sees for door delivery (yuan)")


class ParcelsConfig(Section):
    """The parcels that reach the station each day."""

    per_day: int = Field(
        5000, ge=1, le=20_000_000, description="Mean parcels arriving per station per day (ignored with upstream)"
    )
    day_to_day_cv: float = Field(
        0.1, ge=0, le=2, description="Day-to-day variation of the daily volume (coefficient of variation, assumption A22)"
    )
    linehaul: tuple[LinehaulArrival, ...] = Field(
        (LinehaulArrival(at_h=5.5, share=0.65), LinehaulArrival(at_h=11.5, share=0.35)),
        min_length=1,
        description="Trucks reaching each station per day (assumption A2); with upstream only their times are used",
    )
    size_shares: SizeShares = Field(SizeShares(S=0.6, M=0.3, L=0.1), description="Parcel size mix (assumption A4)")
    weight_kg: SizeWeights = Field(SizeWeights(S=0.5, M=2.0, L=6.0), description="Parcel weight by size (assumption A4)")
    door_service_share: float | None = Field(
        None,
        ge=0,
        le=1,
        description="Fixed share of door-service (音尊达) parcels; omitted: buyers choose, door_service_choice (A5)",
    )
    door_service_choice: DoorServiceChoice = Field(
        default_factory=lambda: DoorServiceChoice(), description="Who buys door delivery: a logit model (A26)"
    )
    value_median_yuan: float = Field(60.0, gt=0, le=100_000, description="Median value of a parcel's goods (yuan, A26)")
    value_sigma: float = Field(1.0, ge=0, le=3, description="Spread of parcel values (lognormal sigma, A26)")

    @field_validator("linehaul")
    @classmethod
    def _shares_sum_to_one(cls, v: tuple[LinehaulArrival, ...]) -> tuple[LinehaulArrival, ...]:
        total = sum(a.share for a in v)
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"the linehaul shares must sum to 1, got {total:g}")
        times = [a.at_h for a in v]
        if times != sorted(times):
            raise ValueError(f"linehaul arrivals must be in time order, got at_h {times}")
        return v


class TimeBlock(Section):
    """A stretch of the working day that is not delivery: taken at its start time, or at the next
    stop when the courier is out on a tour then."""

    start_h: float = Field(ge=0, lt=24, description="When it starts (hours after midnight)")
    minutes: float = Field(gt=0, le=600, description="How long it takes (min)")


class StationTask(TimeBlock):
    """Work that is not delivery, e.g. sorting the morning truck or collecting outbound parcels (揽收)."""

    name: str = Field(min_length=1, max_length=40, pattern=r"^[a-z0-9_]+$", description="What the work is")
    when_free: bool = Field(
        False,
        description="Done once the courier's deliveries are done, from start_h, if before the day's end (else at start_h, A23)",
    )


def _default_breaks() -> tuple[TimeBlock, ...]:
    return (TimeBlock(start_h=12.0, minutes=60),)


def _default_station_tasks() -> tuple[StationTask, ...]:
    return (
        StationTask(name="morning_sort", start_h=7.0, minutes=60),
        StationTask(name="outbound_pickups", start_h=14.0, minutes=45, when_free=True),
    )


class VehicleConfig(Section):
    """The e-tricycle's battery and what riding costs it (assumption A42)."""

    battery_kwh: float = Field(
        1.44, gt=0, le=50, description="Usable battery energy (kWh): 48 V × 30 Ah, A42; the draft standard asks ≥ 60 km a charge"
    )
    wh_per_km: float = Field(20.0, gt=0, le=1000, description="Energy per km ridden empty, rider included (Wh/km, A42)")
    wh_per_km_per_100kg: float = Field(
        12.0, ge=0, le=1000, description="Energy per km for each 100 kg of parcels on board (Wh/km, A42)"
    )
    swap: bool = Field(
        True, description="Swap the battery (at a cabinet on the way) when the charge would not cover the next ride"
    )
    swap_min: float = Field(8.0, ge=0, le=240, description="Minutes a battery swap takes, the detour included (A42)")
    co2_kg_per_kwh: float = Field(0.5366, ge=0, le=2, description="CO₂ per kWh charged: China's grid factor, 2022 (sources §9)")

    def ride_wh(self, ride_m: float, load_kg: float) -> float:
        """What a ride of ``ride_m`` metres with ``load_kg`` of parcels on board draws from the battery."""
        return ride_m / 1000.0 * (self.wh_per_km + self.wh_per_km_per_100kg * load_kg / 100.0)


class HourFactor(Section):
    """A stretch of the day with its own factor (hours after midnight; the stretch may not wrap)."""

    from_h: float = Field(ge=0, lt=24, description="Start (h)")
    to_h: float = Field(gt=0, le=24, description="End (h)")
    factor: float = Field(ge=1, le=10, description="Travel time, or lift wait, ÷ its free-flow value (≥ 1)")

    @model_validator(mode="after")
    def _order(self) -> HourFactor:
        if self.to_h <= self.from_h:
            raise ValueError(f"to_h {self.to_h:g} must be after from_h {self.from_h:g}")
        return self


_DELAY_SHARE = {  # the share of cars' peak delay an e-tricycle suffers, by road kind (assumption A43)
    "arterial": 0.5,
    "primary": 0.5,
    "secondary": 0.5,
    "tertiary": 0.5,
    "local": 0.25,
    "residential": 0.25,
    "access": 0.0,
    "other": 0.25,
}


class TrafficConfig(Section):
    """Rush hours: riding slower at some hours, by road kind, and lifts busier (assumption A43)."""

    peaks: tuple[HourFactor, ...] = Field(
        (),
        description="Cars' travel time ÷ free flow by stretch of the day (Amap: 1.6 at the peaks, sources §9); none: free flow",
    )
    tricycle_share_of_delay: dict[str, float] = Field(
        default_factory=lambda: dict(_DELAY_SHARE),
        description="Share of the cars' delay an e-tricycle suffers, by road kind ('other' for kinds not named; A43)",
    )
    plan_on: str = Field(
        "departure_hour",
        pattern="^(departure_hour|free_flow)$",
        description="Plan each tour on the riding times of the hour it leaves, or on free-flow times",
    )
    lift_peaks: tuple[HourFactor, ...] = Field((), description="Lift waits ÷ their off-peak mean by stretch of the day (A43)")

    @field_validator("tricycle_share_of_delay")
    @classmethod
    def _shares(cls, v: dict[str, float]) -> dict[str, float]:
        if "other" not in v:
            raise ValueError("name the share for 'other' road kinds too")
        bad = {k: x for k, x in v.items() if not 0 <= x <= 1}
        if bad:
            raise ValueError(f"shares must be within 0-1, got {bad}")
        return v

    def factor_at(self, peaks: tuple[HourFactor, ...], hour: float) -> float:
        """The factor of ``peaks`` at ``hour`` of the day (1 outside every stretch; the largest where they overlap)."""
        return max((p.factor for p in peaks if p.from_h <= hour < p.to_h), default=1.0)


class ComplianceConfig(Section):
    """Whether couriers take every door-service parcel to the door, or cut corners under pressure (A27)."""

    policy: str = Field("always_comply", description="always_comply, or time_pressure (sim.core.registry.COMPLIANCE_POLICIES)")
    max_cut_share: float = Field(
        0.3, ge=0, le=1, description="time_pressure: share of door-service parcels left in a locker at full pressure"
    )
    pressure_window_h: float = Field(
        3.0, gt=0, le=24, description="time_pressure: time pressure rises over this last stretch of the working day (h)"
    )
    backlog_parcels: int = Field(
        200,
        ge=1,
        le=100_000,
        description="time_pressure: pressure starts when more parcels than this are still to deliver, full at twice as many",
    )

    @field_validator("policy")
    @classmethod
    def _known(cls, v: str) -> str:
        COMPLIANCE_POLICIES.get(v)  # raises, naming the registered policies
        return v


class CourierConfig(Section):
    """Couriers, their working day and their e-tricycles."""

    count: int = Field(25, ge=1, le=100_000, description="Couriers based at the station")
    shift_start_h: float = Field(7.0, ge=0, lt=24, description="Start of the working day (h, assumption A6)")
    shift_end_h: float = Field(
        19.0, gt=0, le=24, description="End of the working day: a tour in hand is cut here (h, A6; 10-12 h days, sources §2)"
    )
    max_work_h: float = Field(
        11.0, gt=0, le=24, description="Cap on hours on duty per day, breaks excluded; ends the day early if it binds (h)"
    )
    breaks: tuple[TimeBlock, ...] = Field(default_factory=_default_breaks, description="Breaks in the day (assumption A23)")
    vehicle: VehicleConfig = Field(
        default_factory=lambda: VehicleConfig(), description="The e-tricycle's battery and energy (A42)"
    )
    station_tasks: tuple[StationTask, ...] = Field(
        default_factory=_default_station_tasks,
        description="Non-delivery work blocks: morning sort and loading, outbound pick-ups (揽收) (assumption A23)",
    )
    overtime_max_h: float = Field(
        0.0, ge=0, le=12, description="A courier keeps serving the tour in hand up to this long after the day's end (h)"
    )
    compliance: ComplianceConfig = Field(
        default_factory=lambda: ComplianceConfig(), description="Door-service parcels under pressure (A27)"
    )
    waves_h: tuple[float, ...] = Field(
        (8.0, 13.0), min_length=1, description="Delivery wave start times (typically two a day, assumption A6)"
    )
    capacity_parcels: int = Field(120, ge=1, le=2000, description="Parcels an e-tricycle carries (assumption A6)")
    payload_kg: float = Field(180.0, gt=0, le=2000, description="E-tricycle payload limit (kg, sources §2)")
    ride_speed_mps: float = Field(
        3.3, gt=0, le=4.17, description="Mean riding speed (m/s); the legal cap is 15 km/h = 4.17 m/s (sources §2)"
    )
    load_s_per_parcel: float = Field(6.0, ge=0, le=600, description="Scan and load one parcel at the station (s)")
    tour_order: str = Field(
        "door_service_first",
        pattern="^(door_service_first|shortest)$",
        description="door_service_first: the stops with 音尊达 parcels first (末端优先派送, A40); shortest: one shortest tour",
    )
    when_done: str = Field(
        "leave",
        pattern="^(leave|stay)$",
        description="When the day's deliveries and tasks are done: leave, or stay at the station to the shift's end",
    )
    roster: RosterConfig = Field(
        default_factory=lambda: RosterConfig(), description="Days off and absences (A45); by default everyone works every day"
    )

    @property
    def work_end_h(self) -> float:
        """When the working day ends: the shift's end, or earlier if the cap on hours binds."""
        breaks_h = sum(b.minutes for b in self.breaks) / 60.0
        return min(self.shift_end_h, self.shift_start_h + self.max_work_h + breaks_h)

    @model_validator(mode="after")
    def _times(self) -> CourierConfig:
        start, end = self.shift_start_h, self.shift_end_h
        if end <= start:
            raise ValueError(f"shift_end_h ({end:g}) must be after shift_start_h ({start:g}); shifts end on the day they start")
        waves = list(self.waves_h)
        if waves != sorted(waves):
            raise ValueError(f"waves_h must be in time order, got {waves}")
        if waves[0] < start or waves[-1] >= end:
            raise ValueError(f"waves_h {waves} must lie within the shift, from shift_start_h {start:g} to shift_end_h {end:g}")
        for b in [*self.breaks, *self.station_tasks]:
            if b.start_h < start or b.start_h + b.minutes / 60.0 > end:
                raise ValueError(
                    f"a break or station task from {b.start_h:g} h for {b.minutes:g} min lies outside the shift "
                    f"({start:g}-{end:g} h)"
                )
        fixed = sorted([*self.breaks, *(t for t in self.station_tasks if not t.when_free)], key=lambda b: b.start_h)
        for a, b in itertools.pairwise(fixed):
            if a.start_h + a.minutes / 60.0 > b.start_h:
                raise ValueError(f"breaks and station tasks overlap: one from {a.start_h:g} h, the next from {b.start_h:g} h")
        return self


class DoorConfig(Section):
    """Door delivery, in its visible parts (assumption A7 unless cited)."""

    park_s: float = Field(30.0, ge=0, le=3600, description="Park and lock the tricycle at a compound gate (s)")
    walk_speed_mps: float = Field(1.2, gt=0, le=3, description="Walking speed with parcels (m/s)")
    entrance_s: float = Field(
        40.0, ge=0, le=1800, description="Get into a building: unit door, intercom or access card, once per visit (s)"
    )
    elevator_wait_mean_s: float = Field(45.0, ge=0, le=1800, description="Mean wait for an elevator (s)")
    elevator_s_per_floor: float = Field(2.5, ge=0, le=60, description="Elevator ride per floor (s)")
    stairs_up_s_per_floor: float = Field(15.0, ge=0, le=300, description="Climb one floor with parcels (s)")
    stairs_down_s_per_floor: float = Field(8.0, ge=0, le=300, description="Walk down one floor (s)")
    handover_median_s: float = Field(
        90.0,
        gt=0,
        le=1800,
        description="Knock, wait for the recipient to come to the door, hand over, photo in the app (median, s)",
    )
    handover_sigma: float = Field(0.5, ge=0, le=3, description="Spread of handover time (lognormal sigma)")
    handover_extra_s_per_parcel: float = Field(
        15.0, ge=0, le=600, description="Each parcel more for one household at one visit: scan, photo, hand over (s, A39)"
    )
    call_wait_s: float = Field(90.0, ge=0, le=3600, description="Call and wait when nobody opens (s)")
    max_attempts: int = Field(3, ge=1, le=10, description="Door attempts before the parcel is returned")
    redelivery_gap_h: float = Field(2.0, ge=0, le=72, description="Earliest retry after a failed attempt (h)")
    phone_ahead_share: float = Field(
        0.85, ge=0, le=1, description="Door parcels whose recipient the courier calls before going up (A25)"
    )
    call_s: float = Field(30.0, ge=0, le=600, description="A call ahead: dial, talk, note the answer (s)")


def _hourly(*runs: tuple[int, float]) -> tuple[float, ...]:
    """24 hourly values from (hours, value) runs, e.g. _hourly((7, 0.9), (17, 0.5))."""
    out: list[float] = []
    for hours, value in runs:
        out += [value] * hours
    assert len(out) == HOURS_PER_DAY, len(out)
    return tuple(out)


def _check_hourly(values: tuple[float, ...], *, probabilities: bool) -> tuple[float, ...]:
    if len(values) != HOURS_PER_DAY:
        raise ValueError(f"needs one value per hour (24 values), got {len(values)}")
    if any(not math.isfinite(v) for v in values):
        raise ValueError("every value must be a finite number")
    if probabilities and any(not 0 <= v <= 1 for v in values):
        raise ValueError("every probability must lie in [0, 1]")
    if not probabilities and (any(v < 0 for v in values) or sum(values) <= 0):
        raise ValueError("weights must be non-negative with a positive sum")
    return values


class HouseholdType(Section):
    """A kind of household: when someone is home, when they collect from lockers and the counter,
    and how much they want door delivery (assumption A8)."""

    share: float = Field(ge=0, le=1, description="Share of the district's households of this type")
    home_working_day: tuple[float, ...] = Field(description="Probability that someone is home, each hour 0..23, working days")
    home_weekend: tuple[float, ...] = Field(description="Probability that someone is home, each hour 0..23, weekends")
    pickup_by_hour: tuple[float, ...] = Field(
        description="Relative weight of each hour 0..23 for collecting from a locker or the counter (A9)"
    )
    door_service_utility: float = Field(
        0.0, ge=-20, le=20, description="How much more this type buys door delivery, on the logit scale (A26)"
    )

    @field_validator("home_working_day", "home_weekend")
    @classmethod
    def _probabilities(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        return _check_hourly(v, probabilities=True)

    @field_validator("pickup_by_hour")
    @classmethod
    def _weights(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        return _check_hourly(v, probabilities=False)


def _default_household_types() -> dict[str, HouseholdType]:
    # Assumption A8: four kinds of household. Commuters are away on working days; in many Chinese
    # households someone (often a grandparent) is home most of the day; the elderly go out early for
    # exercise and the market; shift workers are out in the evening and at night. Calibrated so that
    # 8-20% of first door attempts fail and 40-58% of locker pick-ups fall outside 9:00-17:00 (sources §3).
    return {
        "commuters": HouseholdType(
            share=0.30,
            home_working_day=_hourly((7, 0.97), (1, 0.85), (1, 0.35), (9, 0.08), (1, 0.45), (1, 0.8), (4, 0.95)),
            home_weekend=_hourly((9, 0.95), (3, 0.7), (2, 0.65), (4, 0.55), (2, 0.7), (4, 0.93)),
            pickup_by_hour=_hourly((7, 0.0), (2, 1.0), (3, 0.1), (1, 0.6), (5, 0.1), (5, 2.5), (1, 0.3)),
            door_service_utility=-0.5,
        ),
        "home_all_day": HouseholdType(
            share=0.45,
            home_working_day=_hourly((8, 0.97), (4, 0.85), (2, 0.95), (4, 0.88), (6, 0.95)),
            home_weekend=_hourly((8, 0.97), (4, 0.8), (2, 0.92), (4, 0.8), (6, 0.95)),
            pickup_by_hour=_hourly((8, 0.0), (4, 2.0), (2, 1.0), (4, 2.0), (3, 1.0), (3, 0.2)),
            door_service_utility=0.5,
        ),
        "elderly": HouseholdType(
            share=0.17,
            home_working_day=_hourly((6, 0.98), (4, 0.55), (2, 0.85), (3, 0.95), (3, 0.8), (6, 0.97)),
            home_weekend=_hourly((6, 0.98), (4, 0.55), (2, 0.85), (3, 0.95), (3, 0.8), (6, 0.97)),
            pickup_by_hour=_hourly((6, 0.0), (4, 2.0), (2, 1.5), (2, 0.5), (3, 1.5), (1, 1.0), (6, 0.1)),
            door_service_utility=0.8,
        ),
        "shift_workers": HouseholdType(
            share=0.08,
            home_working_day=_hourly((7, 0.4), (3, 0.6), (6, 0.9), (2, 0.7), (6, 0.3)),
            home_weekend=_hourly((7, 0.6), (3, 0.7), (6, 0.9), (2, 0.8), (6, 0.5)),
            pickup_by_hour=_hourly((10, 0.0), (7, 1.0), (2, 2.0), (5, 0.1)),
            door_service_utility=0.0,
        ),
    }


class WhenOut(Section):
    """What a recipient who is out asks for when the courier calls ahead (shares sum to 1, A25)."""

    locker: float = Field(0.45, ge=0, le=1, description="Leave it in the compound's locker (else the counter)")
    station: float = Field(0.25, ge=0, le=1, description="Leave it at the station counter")
    neighbour: float = Field(0.15, ge=0, le=1, description="Hand it to a neighbour")
    later: float = Field(0.15, ge=0, le=1, description="Come back later (a redelivery)")

    @model_validator(mode="after")
    def _sum_to_one(self) -> WhenOut:
        total = self.locker + self.station + self.neighbour + self.later
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"locker + station + neighbour + later must sum to 1, got {total:g}")
        return self


class RecipientConfig(Section):
    """Recipients: households by type, when they are home, how they answer, consent and collect."""

    household_types: dict[str, HouseholdType] = Field(
        default_factory=_default_household_types, description="Kinds of household and their shares, which sum to 1 (A8)"
    )
    presence_persistence: float = Field(
        0.8, ge=0, lt=1, description="How much being home in one hour predicts the next hours of the day (0: not at all; A8)"
    )
    answers_phone_share: float = Field(0.9, ge=0, le=1, description="Recipients who answer a courier's call (A25)")
    when_out: WhenOut = Field(WhenOut(), description="What a recipient who is out asks for on the phone (A25)")
    consent_share: float = Field(
        0.6, ge=0, le=1, description="After a failed knock, recipients who consent by phone to a locker or the counter (A11)"
    )
    standing_consent_share: float = Field(
        0.3, ge=0, le=1, description="Households that told the station once that lockers are fine, door-service parcels too (A25)"
    )
    complaint_share: float = Field(
        0.05, ge=0, le=1, description="Buyers of door delivery who complain when the parcel is left elsewhere unasked (A27)"
    )
    pickup_min_delay_h: float = Field(0.25, ge=0, le=48, description="Earliest pick-up after the notification (h, A9)")
    pickup_skip_day_share: float = Field(
        0.15, ge=0, lt=1, description="Chance that a recipient lets one more day pass before collecting, each day (A9)"
    )
    return_share: float = Field(
        0.05, ge=0, le=1, description="Delivered parcels whose buyer asks for a return pick-up at the door (上门取件, A28)"
    )
    return_request_median_h: float = Field(
        24.0, gt=0, le=720, description="Median time from receiving a parcel to asking for its pick-up (h, A28)"
    )

    @field_validator("household_types")
    @classmethod
    def _shares(cls, v: dict[str, HouseholdType]) -> dict[str, HouseholdType]:
        if not v:
            raise ValueError("at least one household type is needed")
        total = sum(t.share for t in v.values())
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"the household types' shares must sum to 1, got {total:g}")
        return v


class EconomicsConfig(Section):
    """Money per parcel, in yuan: what the platform pays the courier (the source's fees), what the
    pick-up points charge, and the station's own revenue and costs (assumptions A10, A34-A38 say
    who pays whom)."""

    door_service_fee_yuan: float = Field(
        0.8, ge=0, le=1000, description="Paid for a door-service (音尊达) parcel handed over at the door (sources §1)"
    )
    ordinary_door_fee_yuan: float = Field(
        0.5, ge=0, le=1000, description="Paid for an ordinary parcel handed over at the door, e.g. as a courtesy (sources §1)"
    )
    locker_fee_yuan: float = Field(0.5, ge=0, le=1000, description="Paid for any parcel dropped in a locker (sources §1)")
    pickup_station_fee_yuan: float = Field(
        0.5, ge=0, le=1000, description="Paid for any parcel left at a community pick-up station, 驿站 (sources §1)"
    )
    station_fee_yuan: float = Field(
        0.5, ge=0, le=1000, description="Paid for any parcel left at the franchise station's own counter (sources §1)"
    )
    piece_rate_yuan: float = Field(
        0.0, ge=0, le=1000, description="Network piece rate per delivered parcel, any mode (≈1 yuan in sources §2; 0 by default)"
    )
    locker_charge_yuan: SizeFees = Field(
        SizeFees(S=0.3, M=0.4, L=0.5),
        description="What the locker operator charges per parcel, by the slot it takes (0.3-0.5 yuan, sources §2, §8; "
        "M assumed, A34)",
    )
    locker_charge_paid_by: str = Field(
        "courier", pattern="^(courier|station)$", description="Who pays the locker charge (the courier's account, sources §2)"
    )
    pickup_station_charge_yuan: float = Field(
        0.4, ge=0, le=1000, description="What a 驿站 charges per parcel left with it (0.35-0.5 yuan, sources §8)"
    )
    pickup_station_charge_paid_by: str = Field(
        "station", pattern="^(courier|station)$", description="Who pays the 驿站 charge (the station, assumption A38)"
    )
    station_charge_yuan: float = Field(0.0, ge=0, le=1000, description="Charge the courier pays per parcel left at the counter")
    vehicle_yuan_per_km: float = Field(0.0, ge=0, le=100, description="E-tricycle energy and wear the courier pays per km")
    overtime_yuan_per_hour: float = Field(0.0, ge=0, le=10_000, description="Pay per hour worked past the day's end")
    return_pickup_fee_yuan: float = Field(0.0, ge=0, le=1000, description="Paid for a return picked up at the door")
    complaint_fine_yuan: float = Field(
        50.0, ge=0, le=100_000, description="Fine a courier pays per complaint about a door delivery (sources §2, Guangzhou)"
    )
    complaint_compensation_yuan: float = Field(
        5.0,
        ge=0,
        le=100_000,
        description="What the network (the station) pays the merchant per complaint about a 音尊达 promise (sources §8)",
    )
    network_fee_yuan: float = Field(
        1.2,
        ge=0,
        le=1000,
        description="What the network pays the station per parcel delivered (派费; A38, near the 1.2 yuan a courier "
        "is paid, sources §2)",
    )
    station_vehicle_yuan_per_courier_day: float = Field(
        0.0, ge=0, le=10_000, description="The station's cost of a courier's tricycle per working day (A38)"
    )
    station_fixed_yuan_per_day: float = Field(
        0.0, ge=0, le=1_000_000, description="The station's rent, staff and other fixed costs per day (A38)"
    )
    courier_cost_per_hour_yuan: float = Field(
        30.0, ge=0, le=10_000, description="What an hour on duty costs the network, for the cost KPIs (assumption A10)"
    )


class HorizonConfig(Section):
    """How many days are simulated and which of them are measured."""

    days: int = Field(1, ge=1, le=365, description="Days on which parcels arrive")
    warmup_days: int = Field(0, ge=0, le=364, description="First days excluded from the KPIs")
    drain_days: int = Field(
        1, ge=0, le=30, description="Days after the last arrivals: couriers finish, recipients collect (not measured)"
    )
    start_weekday: int = Field(0, ge=0, le=6, description="Weekday of day 0 (0 Monday ... 6 Sunday); 5 and 6 are weekends")

    @model_validator(mode="after")
    def _measured(self) -> HorizonConfig:
        if self.warmup_days >= self.days:
            raise ValueError(f"warmup_days ({self.warmup_days}) must be less than days ({self.days})")
        return self


def _default_order_profile() -> tuple[float, ...]:
    # Assumption A16: live-stream commerce peaks in the evening (20:00-23:00); nights are quiet.
    return (
        0.3,
        0.2,
        0.1,
        0.1,
        0.1,
        0.1,
        0.2,
        0.4,
        0.7,
        0.9,
        1.0,
        1.0,
        1.1,
        1.0,
        0.9,
        0.9,
        0.9,
        1.0,
        1.2,
        1.5,
        2.2,
        2.5,
        2.0,
        0.9,
    )


class Burst(Section):
    """A flash sale: ``orders`` extra orders spread evenly over ``duration_min`` minutes."""

    start_h: float = Field(ge=0, le=24 * 365, description="Start, hours since day 0 00:00")
    orders: int = Field(ge=1, le=10_000_000, description="Extra orders in the burst")
    duration_min: float = Field(gt=0, le=24 * 60, description="Length of the burst (min)")


class OrdersConfig(Section):
    """Orders placed with the merchant: a daily profile plus bursts."""

    per_day: float = Field(2000.0, ge=0, le=50_000_000, description="Mean orders per day outside bursts (Poisson)")
    hourly_profile: tuple[float, ...] = Field(
        default_factory=_default_order_profile, description="Relative order rate for each hour 0..23 (assumption A16)"
    )
    bursts: tuple[Burst, ...] = Field((), description="Flash-sale bursts on top of the profile")

    @field_validator("hourly_profile")
    @classmethod
    def _profile(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        if len(v) != HOURS_PER_DAY:
            raise ValueError(f"needs one weight per hour (24 values), got {len(v)}")
        if any(w < 0 for w in v) or sum(v) <= 0:
            raise ValueError("weights must be non-negative with a positive sum")
        return v


class SurgeConfig(Section):
    """Extra staff called in when the backlog grows (a cloud warehouse's surge pool)."""

    policy: str = Field("none", pattern="^(none|backlog_threshold)$", description="none, or backlog_threshold")
    threshold_orders: int = Field(2000, ge=1, le=10_000_000, description="Backlog that triggers a call-in")
    release_below_orders: int = Field(200, ge=0, le=10_000_000, description="Backlog under which surge staff go home")
    lead_time_h: float = Field(2.0, ge=0, le=72, description="Time from the call to surge staff at work (h)")
    pickers: int = Field(0, ge=0, le=100_000, description="Surge pickers")
    packers: int = Field(0, ge=0, le=100_000, description="Surge packers")
    cost_per_hour_yuan: float = Field(40.0, ge=0, le=10_000, description="Cost of a surge staff hour (assumption A17)")

    @model_validator(mode="after")
    def _consistent(self) -> SurgeConfig:
        if self.release_below_orders >= self.threshold_orders:
            raise ValueError(
                f"release_below_orders ({self.release_below_orders}) must be below threshold_orders ({self.threshold_orders})"
            )
        if self.policy != "none" and self.pickers + self.packers == 0:
            raise ValueError("a surge policy needs surge pickers or packers")
        return self


class WarehouseConfig(Section):
    """A fulfilment warehouse: pickers then packers, each a pool of servers, FIFO."""

    kind: str = Field("merchant", pattern="^(merchant|cloud)$", description="merchant (own small team) or cloud (供应链云仓)")
    pickers: int = Field(10, ge=1, le=100_000, description="Pickers on shift")
    packers: int = Field(8, ge=0, le=100_000, description="Packers on shift (0: picking includes packing)")
    pick_rate_per_h: float = Field(30.0, gt=0, le=10_000, description="Orders one picker picks per hour (sources §4)")
    pack_rate_per_h: float = Field(28.0, gt=0, le=10_000, description="Orders one packer packs per hour (25-30, sources §4)")
    service_time: str = Field("lognormal", pattern="^(exponential|lognormal)$", description="Distribution of pick and pack times")
    service_cv: float = Field(0.5, gt=0, le=5, description="Coefficient of variation of lognormal service times")
    shift_start_h: float = Field(8.0, ge=0, lt=24, description="Daily shift start (h)")
    shift_end_h: float = Field(22.0, gt=0, le=24, description="Daily shift end (h); 0 to 24 for round-the-clock")
    staff_cost_per_hour_yuan: float = Field(25.0, ge=0, le=10_000, description="Cost of a staff hour on shift (assumption A17)")
    fee_per_order_yuan: float = Field(0.0, ge=0, le=1000, description="Service fee per order (cloud warehouse, A17)")
    surge: SurgeConfig = SurgeConfig()

    @model_validator(mode="after")
    def _shift(self) -> WarehouseConfig:
        if self.shift_end_h <= self.shift_start_h:
            raise ValueError(f"shift_end_h ({self.shift_end_h:g}) must be after shift_start_h ({self.shift_start_h:g})")
        return self


class LinehaulConfig(Section):
    """Trucks from the warehouse to the sorting hub, and from the hub to the stations."""

    departures_h: tuple[float, ...] = Field((12.0, 18.0, 23.0), min_length=1, description="Daily truck departures (h)")
    cutoff_min: float = Field(30.0, ge=0, le=24 * 60, description="Orders must be packed this long before a departure")
    truck_capacity: int = Field(3000, ge=1, le=1_000_000, description="Parcels per truck; a full dock sends a truck at once")
    transit_h_median: float = Field(8.0, gt=0, le=24 * 30, description="Warehouse to hub transit, median (h, assumption A18)")
    transit_sigma: float = Field(0.25, ge=0, le=3, description="Spread of transit times (lognormal sigma, per truck)")
    hub_h: float = Field(2.0, ge=0, le=72, description="Sorting at the hub (h)")
    hub_to_station_h: float = Field(
        2.0, ge=0, le=72, description="Hub to station drive (h); trucks arrive at parcels.linehaul times"
    )
    shipping_cost_yuan: float = Field(3.0, ge=0, le=1000, description="Shipping cost per parcel (assumption A18)")
    shipping_paid_by: str = Field(
        "merchant", pattern="^(merchant|platform)$", description="merchant, or platform (free shipping)"
    )

    @field_validator("departures_h")
    @classmethod
    def _sorted(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        if list(v) != sorted(v) or any(not 0 <= t < 24 for t in v):
            raise ValueError(f"departure times must be in time order within 0..24, got {list(v)}")
        return v


class PromiseConfig(Section):
    """Late-dispatch compensation (晚发必赔)."""

    dispatch_h: float = Field(48.0, gt=0, le=24 * 30, description="Promised time from order to dispatch (h)")
    compensation_yuan: float = Field(5.0, ge=0, le=10_000, description="Paid per order dispatched late (assumption A19)")


class UpstreamConfig(Section):
    """From click to station: orders, the warehouse, linehaul. Without it, parcels simply reach the stations."""

    orders: OrdersConfig = OrdersConfig()
    warehouse: WarehouseConfig = WarehouseConfig()
    linehaul: LinehaulConfig = LinehaulConfig()
    promise: PromiseConfig = PromiseConfig()
    simulate_delivery: bool = Field(True, description="Also simulate the stations and couriers (false: stop at the station)")


class StationsConfig(Section):
    """How many station areas (each its own district and couriers)."""

    count: int = Field(1, ge=1, le=10_000, description="Station areas; each gets its own district from the city settings")


class Variant(Section):
    """One way of delivering: the share of door-service parcels, what couriers do with ordinary
    parcels, and optional overrides of other fields."""

    door_service_share: float | None = Field(
        None, ge=0, le=1, description="Share of door-service (音尊达) parcels; omitted: the scenario's parcels.door_service_share"
    )
    policy: str = Field(
        "locker_first",
        description="What couriers do with ordinary parcels (sim.policies): locker_first, courtesy_lift, ...",
    )
    set: dict[str, Any] = Field(
        default_factory=dict, description="Overrides of other scenario fields for this variant, as dotted paths"
    )

    @field_validator("policy")
    @classmethod
    def _known_policy(cls, v: str) -> str:
        DELIVERY_POLICIES.get(v)  # raises, naming the registered policies
        return v


def _default_variants() -> dict[str, Variant]:
    return {"door": Variant(door_service_share=1.0), "locker": Variant(), "mixed": Variant(door_service_share=0.5)}


class Scenario(Section):
    """A complete, validated scenario."""

    name: str = Field(
        "scenario",
        min_length=1,
        max_length=80,
        pattern=r"^[\w.\-]+$",
        description="Short name (letters, 汉字 too, digits, _ . -)",
    )
    description: str = Field("", description="Free text")
    seed: int = Field(1, ge=0, le=MAX_SEED, description="Base seed of the random streams")
    city: CityConfig = CityConfig()
    station: StationConfig = StationConfig()
    parcels: ParcelsConfig = ParcelsConfig()
    couriers: CourierConfig = CourierConfig()
    traffic: TrafficConfig = TrafficConfig()
    door: DoorConfig = DoorConfig()
    locker: LockerConfig = LockerConfig()
    pickup_station: PickupStationConfig = PickupStationConfig()
    recipients: RecipientConfig = RecipientConfig()
    economics: EconomicsConfig = EconomicsConfig()
    horizon: HorizonConfig = HorizonConfig()
    week: WeekConfig = Field(default_factory=lambda: WeekConfig(), description="Volumes by weekday and peak days (A44)")
    stations: StationsConfig = StationsConfig()
    upstream: UpstreamConfig | None = Field(None, description="Orders, warehouse and linehaul; omit for station-only runs")
    variants: dict[str, Variant] = Field(default_factory=_default_variants, description="Variants compared in one run")

    @model_validator(mode="after")
    def _payload_carries_a_parcel(self) -> Scenario:
        heaviest = max(self.parcels.weight_kg.S, self.parcels.weight_kg.M, self.parcels.weight_kg.L)
        if self.couriers.payload_kg < heaviest:
            raise ValueError(
                f"couriers.payload_kg ({self.couriers.payload_kg:g}) is below the heaviest parcel "
                f"(parcels.weight_kg {heaviest:g}): no tricycle could carry it"
            )
        return self

    @model_validator(mode="after")
    def _someone_on_duty(self) -> Scenario:
        h, couriers = self.horizon, self.couriers.count
        day = unstaffed_day(self.couriers.roster, self.week, couriers=couriers, days=h.days, start_weekday=h.start_weekday)
        if day is not None:
            raise ValueError(
                f"couriers.roster: all {couriers} couriers have their day off on "
                f"{WEEKDAY_NAMES[(h.start_weekday + day) % DAYS_PER_WEEK]} (day {day}), a day with parcels; "
                f"lower day_off_share or spread off_weekdays over more days"
            )
        return self

    @model_validator(mode="after")
    def _peaks_in_horizon(self) -> Scenario:
        for i, peak in enumerate(self.week.peaks):
            if peak.from_day >= self.horizon.days:
                raise ValueError(
                    f"week.peaks.{i}.from_day: day {peak.from_day} is past the last day with arrivals "
                    f"(horizon.days {self.horizon.days}); the peak would never happen"
                )
        return self

    @model_validator(mode="after")
    def _real_district(self) -> Scenario:
        real = [
            name
            for name in ("osm", "compound_list", "locker_list", "pickup_station_list")
            if getattr(self.city, name) is not None
        ]
        if real and self.station.lat is None:
            raise ValueError(
                f"city.{real[0]} places the district on the map: give the station's position (station.lat, station.lon)"
            )
        if real and self.stations.count > 1:
            raise ValueError(f"city.{real[0]} is one real district: stations.count must be 1, got {self.stations.count}")
        return self

    @field_validator("variants")
    @classmethod
    def _variant_names(cls, v: dict[str, Variant]) -> dict[str, Variant]:
        if not v:
            raise ValueError("at least one variant is needed")
        for name in v:
            if not name.replace("_", "").replace("-", "").isalnum():
                raise ValueError(f"variant name {name!r} may hold only letters, digits, '_' and '-'")
        return v

    def resolved(self, variant: str) -> Scenario:
        """This scenario with the overrides of ``variant`` applied (validated again)."""
        if variant not in self.variants:
            raise ScenarioError(f"variants: no variant {variant!r}; the scenario has {', '.join(sorted(self.variants))}")
        overrides = self.variants[variant].set
        if not overrides:
            return self
        raw = self.model_dump(mode="python")
        # The resolved scenario keeps only this variant, with its overrides applied, not pending.
        chosen = self.variants[variant]
        raw["variants"] = {variant: {"door_service_share": chosen.door_service_share, "policy": chosen.policy}}
        for path, value in overrides.items():
            if path.split(".")[0] == "variants":
                raise ScenarioError(f"variants.{variant}.set.{path}: a variant cannot change the variants")
            apply_overrides(raw, {path: value}, where=f"variants.{variant}.set")
        return scenario_from_dict(raw, source=f"variants.{variant}.set")

    def door_service_share(self, variant: str) -> float | None:
        """The share of door-service parcels in ``variant``: its own, else the scenario's fixed share;
        None when buyers choose (``parcels.door_service_choice``)."""
        own = self.variants[variant].door_service_share
        return self.resolved(variant).parcels.door_service_share if own is None else own

    def expected_parcels(self) -> float:
        """About how many parcels (or orders) one run of this scenario places: for estimates
        before a run, such as the disk space its results need."""
        normal_days = sum(self.week.factors(self.horizon.days, self.horizon.start_weekday))
        if self.upstream is not None:
            orders = self.upstream.orders
            return orders.per_day * normal_days + sum(b.orders for b in orders.bursts)
        return self.stations.count * self.parcels.per_day * normal_days

    def with_overrides(self, overrides: dict[str, Any], where: str = "overrides") -> Scenario:
        """A new scenario with dotted-path overrides applied and validated again."""
        raw = self.model_dump(mode="python")
        apply_overrides(raw, overrides, where=where)
        return scenario_from_dict(raw, source=f"{where} {overrides}")

    def to_yaml(self) -> str:
        """The fully resolved scenario (every default written out) as YAML."""
        return yaml.safe_dump(self.model_dump(mode="json"), sort_keys=False, allow_unicode=True)


# ---------------------------------------------------------------------------------------------
# Validation, overrides and error messages


def scenario_from_dict(raw: dict[str, Any], source: str = "scenario") -> Scenario:
    """Validate a plain mapping as a scenario (the variants' overrides are checked too)."""
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        raise ScenarioError(_format_validation_error(exc, source)) from None
    for name in scenario.variants:
        try:
            scenario.resolved(name)  # fail now, not mid-run, if a variant's overrides are invalid
        except ScenarioError as exc:
            raise ScenarioError(f"{source}: {exc}") from None
    return scenario


def apply_overrides(raw: dict[str, Any], overrides: dict[str, Any], where: str = "overrides") -> None:
    """Set dotted paths in a raw scenario mapping, refusing paths the schema does not have."""
    for path, value in overrides.items():
        parts = path.split(".")
        node: dict[str, Any] = raw
        model: Any = Scenario
        for depth, key in enumerate(parts):
            allowed = _allowed_keys(model, node)
            if allowed is not None and key not in allowed:
                prefix = ".".join(parts[:depth])
                raise ScenarioError(
                    f"{where} {path}: unknown field {key!r}{' in ' + prefix if prefix else ''}"
                    f"{_suggest(key, allowed)}; allowed: {', '.join(sorted(allowed))}"
                )
            parent, model = model, _child_model(model, key)
            if depth == len(parts) - 1:
                node[key] = copy.deepcopy(value)
                break
            child = node.get(key)
            if child is None:
                child = _default_as_dict(model, parent, key)
                node[key] = child
            if not isinstance(child, dict):
                raise ScenarioError(f"{where} {path}: {'.'.join(parts[: depth + 1])} is not a mapping")
            node = child


def _allowed_keys(model: Any, node: dict[str, Any]) -> list[str] | None:
    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(model.model_fields)
    if model is _MAPPING:
        return None  # free keys: variant names, dotted override paths
    return list(node)


_MAPPING = object()  # marks a mapping with free keys in the schema walk below


def _child_model(model: Any, key: str) -> Any:
    """The schema of ``model.key``: a model class, ``_MAPPING``, or None for a plain value."""
    if model is _MAPPING:
        return Variant
    if not (isinstance(model, type) and issubclass(model, BaseModel)) or key not in model.model_fields:
        return None
    if (model, key) in ((Scenario, "variants"), (Variant, "set")):
        return _MAPPING
    return model_in_annotation(model.model_fields[key].annotation)


def model_in_annotation(annotation: Any) -> type[BaseModel] | None:
    """The model class inside a field's type (``X``, ``X | None``, ``tuple[X, ...]``), or None."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = model_in_annotation(arg)
        if found is not None:
            return found
    return None


def _default_as_dict(model: Any, parent: Any, key: str) -> dict[str, Any]:
    """What a section holds when the file leaves it out, so an override can change one field."""
    if parent is Scenario and key == "variants":
        return {name: v.model_dump(mode="python") for name, v in _default_variants().items()}
    if isinstance(model, type) and issubclass(model, BaseModel) and model is not Variant:
        try:
            return model().model_dump(mode="python")
        except ValidationError:  # a section with required fields (city.osm needs its file): start empty
            return {}
    return {}


def _suggest(key: str, allowed: list[str]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model class that holds the field at ``loc`` (for listing allowed keys)."""
    model: Any = Scenario
    for key in loc:
        if isinstance(key, int) and model is not _MAPPING:
            continue  # an item of a tuple of sections, e.g. parcels.linehaul.0
        model = _child_model(model, key)
        if model is None:
            return None
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _format_validation_error(exc: ValidationError, source: str) -> str:
    lines = []
    errors = exc.errors()
    locs = [tuple(e["loc"]) for e in errors]
    for err in errors:
        loc = tuple(err["loc"])
        if any(len(other) > len(loc) and other[: len(loc)] == loc for other in locs):
            continue  # a container that failed only because an item inside it failed
        path = ".".join(str(p) for p in loc) or "(top level)"
        value = err.get("input")
        if err["type"] == "extra_forbidden":
            parent = _model_at(loc[:-1])
            allowed = list(parent.model_fields) if parent else []
            hint = _suggest(str(loc[-1]), allowed)
            allowed_text = f"; allowed: {', '.join(allowed)}" if allowed else ""
            lines.append(f"{path}: unknown field{hint}{allowed_text}")
            continue
        message = err["msg"]
        if message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        shown = _short(value)
        if err["type"] == "missing":
            lines.append(f"{path}: required field is missing")
        elif not loc and re.match(r"^[\w.]+: ", message):  # a check across sections names its field itself
            lines.append(message)
        elif isinstance(value, dict):  # a check across fields of a section: the message names them
            lines.append(f"{path}: {message}")
        else:
            lines.append(f"{path}: {message} (got {shown})")
    head = f"{source}: invalid scenario" + (f" ({len(lines)} problems)" if len(lines) > 1 else "")
    return head + "\n  " + "\n  ".join(lines)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
