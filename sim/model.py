"""Assembles and runs one simulation: one scenario variant, one replication.

Upstream (orders, warehouse, linehaul) runs first when the scenario has it; then each station
area delivers the parcels that reached it. Station areas are independent once their arrivals are
known, which keeps them separate runs here (and makes them easy to spread over processes).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from .accounting import Accounting, accounting_from_log
from .demand import generate_parcels, station_arrivals
from .districts import build_city, check_feasible, courier_areas
from .errors import ConservationError
from .executors import Executor, run_all
from .facilities.recipients import Households
from .ledger import DAY_COLUMNS, RETURN_COLUMNS, STOP_COLUMNS, TOUR_COLUMNS
from .monitor import TimeWeighted
from .scenario import Scenario, Variant
from .station_area import StationArea, StationRun
from .streams import Streams
from .tracking import EventLog, EventTable
from .units import SECONDS_PER_DAY
from .upstream import UpstreamResult, run_upstream
from .world import City

__all__ = ["RunResult", "StationTask", "build_city", "check_feasible", "courier_areas", "run_station", "simulate"]


@dataclass(frozen=True, repr=False)
class RunResult:
    """Outputs of one run: the tracking log, courier activity, accounting, upstream monitors."""

    scenario: Scenario  # resolved for the variant
    variant: str
    replication: int
    door_service_share: float | None  # the variant's forced share; None: buyers choose (the choice model)
    events: EventTable
    tours: dict[str, np.ndarray]
    stops: dict[str, np.ndarray]
    days: dict[str, np.ndarray]  # one row per courier-day (sim.ledger.DayRow)
    returns: dict[str, np.ndarray]  # one row per return pick-up requested (sim.ledger.RETURN_COLUMNS)
    accounting: Accounting
    city: City  # the first station's district (all of them: ``cities``)
    cities: tuple[City, ...]
    n_parcels: int
    locker_slots_total: int
    couriers: int  # over all stations
    measured_days: tuple[int, int]  # [first, last) day measured
    horizon_s: float
    upstream: UpstreamResult | None

    @property
    def monitors(self) -> dict[str, TimeWeighted]:
        """The warehouse's time-weighted monitors (backlog, busy and staffed pickers/packers); empty
        without an upstream part."""
        return dict(self.upstream.monitors) if self.upstream is not None else {}

    def __repr__(self) -> str:
        return (
            f"RunResult(scenario={self.scenario.name!r}, variant={self.variant!r}, replication={self.replication}, "
            f"parcels={self.n_parcels}, events={len(self.events)}, stations={len(self.cities)})"
        )


@dataclass(frozen=True)
class StationTask:
    """Everything one station area needs to run on its own, in this process or on a worker."""

    scenario: Scenario  # resolved for the variant
    variant: Variant
    replication: int
    station: int
    arrival_s: np.ndarray  # candidate parcels' arrival at the station (NaN: did not arrive)
    global_ids: np.ndarray  # parcel id of each candidate in the whole run
    horizon_s: float
    total_days: int
    door_service_share: float | None


@dataclass(frozen=True)
class StationOutput:
    run: StationRun  # events already carry global parcel and courier ids
    city: City
    door_service: np.ndarray  # service class of every candidate parcel (aligned with the task's global ids)


def run_station(task: StationTask) -> StationOutput:
    """Deliver one station area's parcels; module-level so that process pools and Dask can run it."""
    sc = task.scenario
    city = build_city(sc.city, sc.station, sc.seed, task.station)
    streams = Streams(sc.seed, task.replication).for_station(task.station)
    households = Households(sc.recipients, sc.station, n_households=city.n_households, streams=streams,
                            people=streams.lasting(), start_weekday=sc.horizon.start_weekday)  # fmt: skip
    parcels, kept, door_service = generate_parcels(
        sc, city, streams, task.arrival_s, door_service_share=task.door_service_share,
        door_service_utility=households.door_service_utility,
    )  # fmt: skip
    couriers = sc.couriers.count
    area = StationArea(
        sc,
        task.variant,
        streams=streams,
        city=city,
        courier_of_compound=courier_areas(city, couriers),
        households=households,
        parcels=parcels,
        days=task.total_days,
    )
    run = area.run(task.horizon_s, task.station)
    returns = dict(run.returns)
    if len(returns["parcel"]):  # global parcel ids, couriers numbered over all stations
        returns["parcel"] = task.global_ids[kept][returns["parcel"]]
        returns["courier"] = returns["courier"] + task.station * couriers
    relabelled = dataclasses.replace(
        run, events=run.events.relabel(task.global_ids[kept], task.station * couriers), returns=returns
    )
    return StationOutput(relabelled, city, door_service)


def simulate(scenario: Scenario, variant: str, replication: int = 0, executor: Executor | None = None) -> RunResult:
    """Run one variant of a scenario for one replication and check that every parcel is accounted for.

    With an ``executor``, the station areas run as separate tasks on it (sharding); the result is
    identical to running them here, because each station's random streams depend only on its index.
    """
    resolved = scenario.resolved(variant)
    spec = scenario.variants[variant]
    door_service_share = scenario.door_service_share(variant)
    streams = Streams(resolved.seed, replication)
    total_days = resolved.horizon.days + resolved.horizon.drain_days
    horizon_s = total_days * SECONDS_PER_DAY
    n_stations = resolved.stations.count
    couriers = resolved.couriers.count

    upstream = run_upstream(resolved, streams, horizon_s) if resolved.upstream is not None else None
    deliver = resolved.upstream is None or resolved.upstream.simulate_delivery

    tasks, offset = [], 0
    for i in range(n_stations if deliver else 0):
        if upstream is None:
            candidates = station_arrivals(resolved, streams.for_station(i))
            global_ids = offset + np.arange(len(candidates))
            offset += len(candidates)
        else:
            global_ids = np.flatnonzero(upstream.destination == i)
            candidates = upstream.station_arrival_s[global_ids]
        tasks.append(
            StationTask(resolved, spec, replication, i, candidates, global_ids, horizon_s, total_days, door_service_share)
        )
    n_parcels = offset if upstream is None else len(upstream)
    if executor is None:
        outputs = [run_station(t) for t in tasks]
    else:
        outputs = run_all(executor, run_station, tasks, label=f"{variant}: station areas")
    runs = [o.run for o in outputs]
    cities = [o.city for o in outputs]
    tables: list[EventTable] = []
    if upstream is not None:
        # Upstream events carry the service class the stations drew for their parcels (-1: no station ran).
        door_service = np.full(n_parcels, -1, dtype=np.int8)
        for task, output in zip(tasks, outputs, strict=True):
            door_service[task.global_ids] = output.door_service
        log = EventLog()
        upstream.log_events(log)
        tables.append(log.table().with_service(door_service))
    tables.extend(r.events for r in runs)

    events = EventTable.concat(tables)
    accounting = _check_totals(events, n_parcels, upstream, runs)
    return RunResult(
        scenario=resolved,
        variant=variant,
        replication=replication,
        door_service_share=door_service_share,
        events=events,
        tours=_merge_activity([r.tours for r in runs], couriers, TOUR_COLUMNS),
        stops=_merge_activity([r.stops for r in runs], couriers, STOP_COLUMNS),
        days=_merge_activity([r.days for r in runs], couriers, DAY_COLUMNS),
        returns=_merge_activity([r.returns for r in runs], 0, RETURN_COLUMNS),
        accounting=accounting,
        city=cities[0] if cities else build_city(resolved.city, resolved.station, resolved.seed, 0),
        cities=tuple(cities),
        n_parcels=n_parcels,
        locker_slots_total=int(sum(c.locker_slots.sum() for c in cities)),
        couriers=couriers * len(cities),
        measured_days=(resolved.horizon.warmup_days, resolved.horizon.days),
        horizon_s=horizon_s,
        upstream=upstream,
    )


def _merge_activity(
    tables: list[dict[str, np.ndarray]], couriers_per_station: int, columns: tuple[str, ...]
) -> dict[str, np.ndarray]:
    """Tours or stops of all stations, couriers numbered globally, with a station column."""
    if not tables:
        return {name: np.zeros(0) for name in (*columns, "station")}
    merged = {}
    for key in tables[0]:
        parts = []
        for i, t in enumerate(tables):
            col = np.asarray(t[key])
            parts.append(col + i * couriers_per_station if key == "courier" and len(col) else col)
        merged[key] = np.concatenate(parts)
    merged["station"] = np.concatenate([np.full(len(next(iter(t.values()))), i) for i, t in enumerate(tables)])
    return merged


def _check_totals(events: EventTable, n_parcels: int, upstream: UpstreamResult | None, runs: list[StationRun]) -> Accounting:
    """Whole-run accounting from the log, checked against the stations' own accounts plus the
    orders still upstream (in the warehouse or on a truck)."""
    from_log = accounting_from_log(events, n_parcels)
    delivered_to_stations = sum(r.accounting.placed for r in runs)
    still_upstream = n_parcels - delivered_to_stations if upstream is not None else 0
    if upstream is not None and runs:
        arrived = int((~np.isnan(upstream.station_arrival_s)).sum())
        if arrived != delivered_to_stations:
            raise ConservationError(
                f"{arrived} parcels reached the stations upstream, but the stations received {delivered_to_stations}"
            )
    expected = Accounting(
        placed=n_parcels,
        in_hands=sum(r.accounting.in_hands for r in runs),
        in_locker=sum(r.accounting.in_locker for r in runs),
        at_station_pickup=sum(r.accounting.at_station_pickup for r in runs),
        in_flight=sum(r.accounting.in_flight for r in runs) + still_upstream,
        returned=sum(r.accounting.returned for r in runs),
    )
    if from_log != expected:
        raise ConservationError(
            f"parcels are not conserved: stations and upstream {expected.as_dict()} vs log {from_log.as_dict()}"
        )
    return from_log
