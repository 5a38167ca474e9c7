"""From click to station: orders, the warehouse (SimPy), the dock and linehaul.

The stations never influence the warehouse, so the upstream part runs first, in its own
environment, and hands each station the times its parcels arrive (this is also what lets a city
run be split by station later).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import simpy

from ..core.monitor import TimeWeighted
from ..core.streams import Streams
from ..scenario.schema import Scenario
from .facilities.linehaul import dock_departures, station_arrivals
from .facilities.warehouse import Warehouse
from .orders import generate_orders
from .tracking import EventLog, Status

__all__ = ["UpstreamResult", "run_upstream"]


@dataclass(frozen=True)
class UpstreamResult:
    """Per-order times (seconds; NaN = not reached by the horizon) and the warehouse's monitors."""

    placed_s: np.ndarray
    burst: np.ndarray  # burst index of each order, -1 for normal demand
    pick_start_s: np.ndarray
    picked_s: np.ndarray
    packed_s: np.ndarray
    shipped_s: np.ndarray
    station_arrival_s: np.ndarray
    destination: np.ndarray  # station of each order
    monitors: dict[str, TimeWeighted]
    staff_hours: tuple[float, float]  # (regular, surge) over the run
    surge_calls: list[tuple[float, float, float]]

    def __len__(self) -> int:
        return len(self.placed_s)

    def log_events(self, log: EventLog) -> None:
        """Write the upstream statuses of every order into the tracking log."""
        ids = np.arange(len(self))
        for times, status in (
            (self.placed_s, Status.ORDER_PLACED),
            (self.picked_s, Status.PICKED),
            (self.packed_s, Status.PACKED),
            (self.shipped_s, Status.SHIPPED),
        ):
            done = ~np.isnan(times)
            log.add_many(times[done], ids[done], status)


def run_upstream(scenario: Scenario, streams: Streams, horizon_s: float) -> UpstreamResult:
    """Simulate orders through the warehouse and linehaul up to the horizon."""
    up = scenario.upstream
    if up is None:
        raise ValueError("the scenario has no upstream section")
    days = scenario.horizon.days
    placed, burst = generate_orders(up.orders, days, streams, scenario.week.factors(days, scenario.horizon.start_weekday))
    placed_in = placed <= horizon_s
    placed, burst = placed[placed_in], burst[placed_in]
    env = simpy.Environment()
    warehouse = Warehouse(env, up.warehouse, len(placed), streams)
    env.process(warehouse.feed(placed))
    env.run(until=horizon_s)

    shipped = dock_departures(warehouse.packed_s, up.linehaul, horizon_s)
    station_times_h = [a.at_h for a in scenario.parcels.linehaul]
    arrival = station_arrivals(shipped, up.linehaul, station_times_h, streams)
    arrival[arrival > horizon_s] = np.nan
    destination = streams.generator("destinations").integers(0, scenario.stations.count, size=len(placed))
    monitors = {"backlog": warehouse.backlog}
    for stage in warehouse.stages():
        monitors[stage.busy.name] = stage.busy
        monitors[stage.staffed.name] = stage.staffed
        monitors[stage.surge_staffed.name] = stage.surge_staffed
    return UpstreamResult(
        placed_s=placed,
        burst=burst,
        pick_start_s=warehouse.pick_start_s,
        picked_s=warehouse.picked_s,
        packed_s=warehouse.packed_s,
        shipped_s=shipped,
        station_arrival_s=arrival,
        destination=destination,
        monitors=monitors,
        staff_hours=warehouse.staff_hours(0.0, horizon_s),
        surge_calls=list(warehouse.surge_calls),
    )
