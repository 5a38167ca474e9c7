"""One station area's delivery: couriers, lockers, the counter and recipients, in one SimPy run."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import simpy

from .accounting import Accounting, check_conservation
from .demand import Parcels
from .facilities.courier import Mode, courier_process
from .facilities.locker import LockerBanks
from .facilities.recipients import Recipients
from .facilities.station import Station
from .policies import POLICIES, PolicyContext
from .scenario import Scenario, Variant
from .streams import Streams
from .tracking import ActivityLog, Detail, EventLog, EventTable, Status
from .world import STATION_PLACE, City

__all__ = ["RunState", "StationRun", "simulate_station"]


@dataclass
class RunState:
    """Everything a running simulation shares; the facilities read and change it."""

    env: simpy.Environment
    scenario: Scenario
    streams: Streams
    city: City
    parcels: Parcels
    station: Station
    lockers: LockerBanks
    recipients: Recipients
    mode: np.ndarray  # Mode of each parcel
    locker_place_of: np.ndarray  # place of the locker bank each parcel would use, -1 for none
    place_locker: np.ndarray  # locker bank standing at each place, -1 for none
    total_days: int
    horizon_s: float
    log: EventLog = field(default_factory=EventLog)
    activity: ActivityLog = field(default_factory=ActivityLog)
    consented: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    pickups: list[tuple[float, int, int]] = field(default_factory=list)  # (time, parcel, place)
    delivered_to_door: int = 0
    returned: int = 0
    shelved: int = 0
    on_vehicle: int = 0  # loaded, and not yet handed over or brought back to the station

    # --- outcomes of delivery, called by the courier process --------------------------------
    def deliver_to_door(self, parcel: int, t: float, courier: int, place: int) -> None:
        self.log.add(t, parcel, Status.DELIVERED, courier, place)
        self.delivered_to_door += 1
        self.on_vehicle -= 1

    def put_in_locker(self, parcel: int, t: float, release: float, courier: int, place: int, detail: Detail) -> None:
        self.log.add(t, parcel, Status.IN_LOCKER, courier, place, detail)
        self.pickups.append((release, parcel, place))
        self.on_vehicle -= 1

    def shelve(self, parcel: int, t: float, courier: int, detail: Detail) -> None:
        """Leave the parcel at the station's pick-up counter (驿站)."""
        self.log.add(t, parcel, Status.AT_STATION_PICKUP, courier, STATION_PLACE, detail)
        self.pickups.append((t + self.parcels.station_pickup_delay_s[parcel], parcel, STATION_PLACE))
        self.shelved += 1

    def retry_or_return(self, parcel: int, t: float, courier: int) -> None:
        """After a failed door attempt: try again later, or return the parcel after the last attempt."""
        if self.station.attempts[parcel] + 1 >= self.scenario.door.max_attempts:
            self.station.attempts[parcel] += 1
            self.log.add(t, parcel, Status.RETURNED, courier, STATION_PLACE, Detail.MAX_ATTEMPTS)
            self.returned += 1
        else:
            self.station.put_back(courier, parcel, t + self.scenario.door.redelivery_gap_h * 3600.0)


@dataclass(frozen=True)
class StationRun:
    """What one station area's run produced (local parcel and courier ids)."""

    events: EventTable
    tours: dict[str, np.ndarray]
    stops: dict[str, np.ndarray]
    accounting: Accounting


def simulate_station(
    scenario: Scenario,
    variant: Variant,
    streams: Streams,
    city: City,
    compound_owner: np.ndarray,
    parcels: Parcels,
    station: int,
    horizon_s: float,
    total_days: int,
) -> StationRun:
    """Deliver the parcels of one station area until the horizon; check that all are accounted for."""
    recipients = Recipients(scenario.recipients, scenario.door, streams)
    mode, locker_place_of = _delivery_modes(parcels, city, recipients, variant.door_share, variant.policy)
    owner = compound_owner[parcels.compound]
    env = simpy.Environment()
    state = RunState(
        env=env,
        scenario=scenario,
        streams=streams,
        city=city,
        parcels=parcels,
        station=Station(parcels.ready_s, owner, parcels.guaranteed, parcels.weight_kg, scenario.couriers.count),
        lockers=LockerBanks(city.locker_slots),
        recipients=recipients,
        mode=mode,
        locker_place_of=locker_place_of,
        place_locker=city.place_locker(),
        total_days=total_days,
        horizon_s=horizon_s,
        consented=np.zeros(len(parcels), dtype=bool),
    )
    state.log.add_many(parcels.arrival_s, np.arange(len(parcels)), Status.AT_STATION, STATION_PLACE)
    for courier in range(scenario.couriers.count):
        env.process(courier_process(state, courier))
    env.run(until=horizon_s)
    for release, parcel, place in sorted(state.pickups):
        if release <= horizon_s:
            state.log.add(release, parcel, Status.PICKED_UP, -1, place)
    events = state.log.table(station)
    return StationRun(
        events=events,
        tours=state.activity.tour_columns(),
        stops=state.activity.stop_columns(),
        accounting=check_conservation(state, events),
    )


def _delivery_modes(parcels: Parcels, city: City, recipients: Recipients, door_share: float, policy: str
                    ) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Where each parcel goes: the door (guaranteed, or chosen by the variant's policy), else the
    compound's locker bank or a bank within reach, else the station's counter."""
    bank = city.compound_locker[parcels.compound]
    locker_place = np.where(bank >= 0, city.locker_place[np.maximum(bank, 0)], -1)
    chosen = np.asarray(POLICIES[policy](PolicyContext(parcels, city, recipients, door_share)), dtype=bool)
    if chosen.shape != (len(parcels),):
        raise ValueError(f"policy {policy!r} returned shape {chosen.shape}, expected ({len(parcels)},)")
    to_door = parcels.guaranteed | chosen
    mode = np.where(to_door, Mode.DOOR, np.where(bank >= 0, Mode.LOCKER, Mode.STATION)).astype(np.int8)
    return mode, locker_place
