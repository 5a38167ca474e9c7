"""One station area's delivery: couriers, the pick-up network and recipients, in one SimPy run."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import simpy

from ..core.streams import Streams
from ..scenario.schema import Scenario, Variant
from ..world import City
from .accounting import Accounting, check_conservation
from .activity import Activity
from .demand import Parcels
from .facilities.buildings import Elevators
from .facilities.courier import Courier
from .facilities.network import PickupNetwork
from .facilities.recipients import Households, ParcelChances
from .facilities.returns import ReturnRequests
from .facilities.station import Station
from .facilities.traffic import Traffic
from .ledger import Ledger
from .modes import Mode, plan_deliveries
from .policies import COMPLIANCE_POLICIES
from .roster import Roster
from .tracking import EventTable

__all__ = ["StationArea", "StationRun"]


@dataclass(frozen=True)
class StationRun:
    """What one station area's run produced: its tracking log and courier activity (local parcel
    and courier ids until ``sim.model.run`` renumbers them), and where the parcels are at the end."""

    events: EventTable
    activity: Activity
    accounting: Accounting


class StationArea:
    """A station, its district, its couriers and their parcels, assembled for one run."""

    def __init__(
        self,
        scenario: Scenario,
        variant: Variant,
        *,
        streams: Streams,
        city: City,
        courier_of_compound: np.ndarray,
        households: Households,
        parcels: Parcels,
        days: int,
    ) -> None:
        self.env = simpy.Environment()
        self.parcels = parcels
        self.ledger = Ledger(parcels.door_service)
        roster = Roster(
            scenario.couriers.roster,
            scenario.week,
            couriers=scenario.couriers.count,
            days=days,
            start_weekday=scenario.horizon.start_weekday,
            streams=streams,
        )
        plan = plan_deliveries(parcels, city, households, variant.policy, counter=scenario.station.counter.pickup)
        self.station = Station(
            parcels.ready_s,
            courier_of_compound[parcels.compound],
            parcels.door_service,
            parcels.weight_kg,
            roster=roster,
            loading_order=scenario.station.loading_order,
        )
        elevators = Elevators(scenario.door.elevator_wait_mean_s, streams, scenario.traffic)
        traffic = Traffic(city, scenario.traffic, scenario.couriers.ride_speed_mps)
        chances = ParcelChances(
            scenario.recipients,
            parcels.key,
            parcels.household,
            people=households,
            attempts=scenario.door.max_attempts,
            streams=streams,
        )
        returns = ReturnRequests(parcels, chances, self.ledger, self.station)
        # Couriers knock where parcels go to the door and where returns are picked up, from the
        # start of their shift (anyone else's presence is drawn when asked).
        knocked = parcels.household[(plan.mode == Mode.DOOR) | chances.returns]
        households.expect_visits(knocked, int(scenario.couriers.shift_start_h))
        self.network = PickupNetwork(
            scenario,
            city,
            parcels,
            ledger=self.ledger,
            chances=chances,
            households=households,
            returns=returns,
            streams=streams,
            days=days,
        )
        self.ledger.arrived(parcels.arrival_s, np.arange(len(parcels)))
        self.couriers = [
            Courier(
                self.env,
                i,
                scenario=scenario,
                city=city,
                parcels=parcels,
                plan=plan,
                station=self.station,
                network=self.network,
                recipients=households,
                elevators=elevators,
                traffic=traffic,
                ledger=self.ledger,
                chances=chances,
                returns=returns,
                compliance=COMPLIANCE_POLICIES.get(scenario.couriers.compliance.policy),
                roster=roster,
                days=days,
            )
            for i in range(scenario.couriers.count)
        ]

    def run(self, horizon_s: float, station: int) -> StationRun:
        """Deliver until the horizon; log the pick-ups made by then; check every parcel is accounted for."""
        self.env.run(until=horizon_s)
        self.network.finish(horizon_s)  # moves from expired lockers and collections due by the end
        self.ledger.log_pickups_until(horizon_s)
        events = self.ledger.events(station)
        accounting = check_conservation(
            self.ledger, self.network, self.station, events, n_parcels=len(self.parcels), horizon_s=horizon_s
        )
        activity = self.ledger.activity(station, self.network.table(station))
        return StationRun(events=events, activity=activity, accounting=accounting)
