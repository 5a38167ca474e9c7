"""Assembles and runs one simulation: one scenario variant, one replication.

Upstream (orders, warehouse, linehaul) runs first when the scenario has it; then each station
area delivers the parcels that reached it. Station areas are independent once their arrivals are
known, which keeps them separate runs here (and makes them easy to spread over processes).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, fields
from typing import Any, Protocol

import numpy as np

from ..core.errors import ConservationError
from ..core.executors import Executor, run_all
from ..core.monitor import TimeWeighted
from ..core.streams import Streams
from ..core.units import SECONDS_PER_DAY
from ..scenario.schema import Scenario, Variant
from ..world import City
from ..world.districts import build_city, courier_areas
from .accounting import IN_HANDS, Accounting
from .activity import Activity
from .curves import RunCurves
from .demand import generate_parcels, station_arrivals
from .facilities.recipients import Households
from .partials import (
    CourierPartial,
    RunPartial,
    Window,
    combine,
    first_times,
    station_partial,
    upstream_partial,
)
from .station_area import StationArea, StationRun
from .tracking import EventLog, EventTable
from .upstream import UpstreamResult, run_upstream

__all__ = [
    "RunResult",
    "RunSummary",
    "StationTask",
    "TableSink",
    "run_station",
    "simulate",
    "simulate_to",
    "summary_of",
]


@dataclass(frozen=True, repr=False)
class RunSummary:
    """A run without its tables: what KPIs, income and a results folder's metadata need. A run
    that streams its tables to a results folder leaves only this in memory."""

    scenario: Scenario  # resolved for the variant
    variant: str
    replication: int
    door_service_share: float | None  # the variant's forced share; None: buyers choose (the choice model)
    partial: RunPartial  # the run reduced (sim.model.partials): every KPI comes from it
    accounting: Accounting
    n_parcels: int
    n_events: int
    couriers: int  # over all stations
    stations: int  # station areas that ran
    city_summary: dict[str, Any]  # the first station's district (counts; a real district's import notes)
    measured_days: tuple[int, int]  # [first, last) day measured
    horizon_s: float
    monitors: dict[str, TimeWeighted]  # the warehouse's (backlog, busy and staffed pickers/packers); empty without one
    curves: RunCurves | None  # the charts' curves, worked out where the areas ran (a streamed first replication)

    @property
    def locker_slots_total(self) -> int:
        from .facilities.pickup import PickupKind

        points = self.partial.courier.points
        return int(points[points[:, 0] == PickupKind.LOCKER, 1].sum()) if len(points) else 0

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(scenario={self.scenario.name!r}, variant={self.variant!r}, "
            f"replication={self.replication}, parcels={self.n_parcels}, events={self.n_events})"
        )


@dataclass(frozen=True, repr=False)
class RunResult(RunSummary):
    """Outputs of one run kept in memory: the summary plus the tracking log, courier activity,
    the districts and the upstream part."""

    events: EventTable
    activity: Activity  # tours, stops, courier-days, return pick-ups, stop parts (sim.model.activity)
    city: City  # the first station's district (all of them: ``cities``)
    cities: tuple[City, ...]
    upstream: UpstreamResult | None


class TableSink(Protocol):
    """Where a run streams its tables as each station area finishes, wherever it ran (a results
    folder: ``sim.results.tables.ParquetSink``); small enough to travel with every station task."""

    def write_station(self, run: StationRun, variant: str, replication: int, station: int) -> None:
        """One station area's tracking log and courier activity (global parcel and courier ids)."""

    def write_upstream(self, events: EventTable, monitors: Mapping[str, TimeWeighted], variant: str, replication: int) -> None:
        """The warehouse's and trucks' events and the warehouse's monitors."""


@dataclass(frozen=True)
class StationTask:
    """Everything one station area needs to run on its own, in this process or on a worker."""

    scenario: Scenario  # resolved for the variant
    variant: Variant
    variant_name: str
    replication: int
    station: int
    arrival_s: np.ndarray  # candidate parcels' arrival at the station (NaN: did not arrive)
    global_ids: np.ndarray  # parcel id of each candidate in the whole run
    horizon_s: float
    total_days: int
    door_service_share: float | None
    sink: TableSink | None = None  # where to write the area's tables; None: return them


@dataclass(frozen=True)
class StationOutput:
    partial: CourierPartial
    accounting: Accounting  # checked against the area's own state
    n_events: int
    city_summary: dict[str, Any]
    # With a warehouse upstream (else empty): the service class of every candidate parcel (aligned
    # with the task's global ids), the parcels that reached the station (global ids), and when
    # each was first in the recipient's hands (NaN: not yet).
    door_service: np.ndarray
    received: np.ndarray
    done_s: np.ndarray
    run: StationRun | None  # the tables, with global parcel and courier ids (None: written to the sink)
    city: City | None
    curves: RunCurves | None  # the charts' curves of a streamed first replication (see ``_charts_curves``)


def run_station(task: StationTask) -> StationOutput:
    """Deliver one station area's parcels and reduce the run to its partial where it ran;
    module-level so that process pools and Dask can run it."""
    with fewer_collections():
        return _run_station(task)


@contextmanager
def fewer_collections(threshold: int = 200_000) -> Iterator[None]:
    """Run with the garbage collector's youngest generation collected after ``threshold`` new
    objects instead of Python's 700: a station area makes hundreds of thousands of short-lived
    tuples and lists and few reference cycles, and the collector's frequent passes cost 5-6% of a
    run (instructions, ``benchmarks/instructions.py``). The thresholds are put back afterwards;
    nothing the model computes depends on them."""
    old = gc.get_threshold()
    gc.set_threshold(threshold, *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)


def _run_station(task: StationTask) -> StationOutput:
    sc = task.scenario
    city = build_city(sc.city, sc.station, sc.seed, task.station)
    streams = Streams(sc.seed, task.replication).for_station(task.station)
    households = Households.of(sc, n_households=city.n_households, streams=streams)
    parcels, kept, door_service = generate_parcels(
        sc,
        city,
        streams,
        task.arrival_s,
        door_service_share=task.door_service_share,
        door_service_utility=households.door_service_utility,
    )
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
    partial = station_partial(run.events, run.activity, Window.of(sc))
    received = task.global_ids[kept]  # global ids of the parcels, in local id order
    offset = task.station * couriers  # couriers are numbered over all stations
    tables = StationRun(
        events=run.events.relabel(received, offset),
        activity=run.activity.numbered(offset, parcels=received),
        accounting=run.accounting,
    )
    if task.sink is not None:
        task.sink.write_station(tables, task.variant_name, task.replication, task.station)
    return StationOutput(
        partial=partial,
        accounting=run.accounting,
        n_events=len(run.events),
        city_summary=city.summary() if task.station == 0 else {},
        # What the upstream KPIs need of each parcel; a city without a warehouse ships none of it back.
        door_service=door_service if sc.upstream is not None else door_service[:0],
        received=received if sc.upstream is not None else received[:0],
        done_s=first_times(run.events, IN_HANDS, len(kept)) if sc.upstream else np.zeros(0),
        run=None if task.sink is not None else tables,
        city=None if task.sink is not None else city,
        curves=_charts_curves(task, tables.events, partial.lead_h),
    )


def _merged(scenario: Scenario, parts: list[RunCurves | None]) -> RunCurves | None:
    """The areas' curves added up in station order, as reading the log's parts in turn would."""
    made = [p for p in parts if p is not None]
    if not parts or len(made) < len(parts):
        return None
    curves = RunCurves.empty(scenario)
    for part in made:
        curves.merge(part)
    return curves


def _charts_curves(task: StationTask, events: EventTable, lead_h: np.ndarray) -> RunCurves | None:
    """The charts' curves of a streamed run's first replication (the one the charts draw), worked
    out here while the area's log is in memory, so that nobody reads it back for them; the lead
    times are the partial's (the same parcels in the same order). Not with a warehouse: a parcel's
    events are then split between its station area and the upstream part."""
    if task.sink is None or task.replication != 0 or task.scenario.upstream is not None:
        return None
    curves = RunCurves.empty(task.scenario)
    curves.add(events, lead_h=lead_h)
    return curves


def summary_of(result: RunSummary) -> RunSummary:
    """A run's summary alone, without its tables."""
    return RunSummary(**{f.name: getattr(result, f.name) for f in fields(RunSummary)})


def simulate(scenario: Scenario, variant: str, replication: int = 0, executor: Executor | None = None) -> RunResult:
    """Run one variant of a scenario for one replication, keep its tables in memory, and check
    that every parcel is accounted for.

    With an ``executor``, the station areas run as separate tasks on it (sharding); the result is
    identical to running them here, because each station's random streams depend only on its index.
    """
    result = _simulate(scenario, variant, replication, executor, sink=None)
    assert isinstance(result, RunResult)
    return result


def simulate_to(
    sink: TableSink, scenario: Scenario, variant: str, replication: int = 0, executor: Executor | None = None
) -> RunSummary:
    """Run as ``simulate`` does, but stream the tables to ``sink`` as each station area finishes
    and keep only the run's summary: memory does not grow with the number of stations."""
    return _simulate(scenario, variant, replication, executor, sink=sink)


def _simulate(
    scenario: Scenario, variant: str, replication: int, executor: Executor | None, sink: TableSink | None
) -> RunSummary:
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
            StationTask(
                resolved, spec, variant, replication, i, candidates, global_ids, horizon_s, total_days, door_service_share, sink
            )
        )
    n_parcels = offset if upstream is None else len(upstream)
    if executor is None:
        outputs = [run_station(t) for t in tasks]
    else:
        outputs = run_all(executor, run_station, tasks, label=f"{variant}: station areas")

    courier = combine([o.partial for o in outputs], total_days)
    upstream_table = None
    up_partial = None
    if upstream is not None:
        # Upstream events carry the service class the stations drew for their parcels (-1: no station ran).
        door_service = np.full(n_parcels, -1, dtype=np.int8)
        done_s = np.full(n_parcels, np.nan)
        seen = np.zeros(n_parcels, dtype=bool)
        for task, output in zip(tasks, outputs, strict=True):
            door_service[task.global_ids] = output.door_service
            done_s[output.received] = output.done_s
            seen[output.received] = True
        log = EventLog()
        upstream.log_events(log)
        upstream_table = log.table().with_service(door_service)
        up_partial = upstream_partial(upstream_table, n_parcels, done_s, seen)
        if sink is not None:
            sink.write_upstream(upstream_table, upstream.monitors, variant, replication)
    partial = RunPartial(courier, up_partial)
    accounting = _check_totals(partial, n_parcels, upstream, [o.accounting for o in outputs])
    city_summary = outputs[0].city_summary if outputs else build_city(resolved.city, resolved.station, resolved.seed, 0).summary()
    summary = RunSummary(
        scenario=resolved,
        variant=variant,
        replication=replication,
        door_service_share=door_service_share,
        partial=partial,
        accounting=accounting,
        n_parcels=n_parcels,
        n_events=sum(o.n_events for o in outputs) + (len(upstream_table) if upstream_table is not None else 0),
        couriers=couriers * len(outputs),
        stations=len(outputs),
        city_summary=city_summary,
        measured_days=(resolved.horizon.warmup_days, resolved.horizon.days),
        horizon_s=horizon_s,
        monitors=dict(upstream.monitors) if upstream is not None else {},
        curves=_merged(resolved, [o.curves for o in outputs]),
    )
    if sink is not None:
        return summary
    runs = [o.run for o in outputs if o.run is not None]
    cities = [o.city for o in outputs if o.city is not None]
    tables = ([upstream_table] if upstream_table is not None else []) + [r.events for r in runs]
    return RunResult(
        **vars(summary),
        events=EventTable.concat(tables) if tables else EventTable.empty(),
        activity=Activity.concat([r.activity for r in runs]),
        city=cities[0] if cities else build_city(resolved.city, resolved.station, resolved.seed, 0),
        cities=tuple(cities),
        upstream=upstream,
    )


def _check_totals(partial: RunPartial, n_parcels: int, upstream: UpstreamResult | None, stations: list[Accounting]) -> Accounting:
    """Whole-run accounting: the stations' own accounts (each checked against its log where it
    ran) plus the orders still upstream, checked against the log's reduction and the orders placed."""
    delivered_to_stations = sum(a.placed for a in stations)
    still_upstream = n_parcels - delivered_to_stations if upstream is not None else 0
    if upstream is not None and stations:
        arrived = int((~np.isnan(upstream.station_arrival_s)).sum())
        if arrived != delivered_to_stations:
            raise ConservationError(
                f"{arrived} parcels reached the stations upstream, but the stations received {delivered_to_stations}"
            )
    expected = Accounting(
        placed=n_parcels,
        in_hands=sum(a.in_hands for a in stations),
        in_locker=sum(a.in_locker for a in stations),
        at_station_pickup=sum(a.at_station_pickup for a in stations),
        in_flight=sum(a.in_flight for a in stations) + still_upstream,
        returned=sum(a.returned for a in stations),
    )
    c = partial.courier
    upstream_only = partial.upstream.orders_upstream_end if partial.upstream is not None else 0  # from the upstream log
    from_log = Accounting(
        placed=c.count("present") + upstream_only,
        in_hands=c.count("in_hands"),
        in_locker=c.count("in_locker"),
        at_station_pickup=c.count("at_station_pickup"),
        in_flight=c.count("in_flight") + upstream_only,
        returned=c.count("returned"),
    )
    if from_log != expected:
        raise ConservationError(
            f"parcels are not conserved: stations and upstream {expected.as_dict()} vs log {from_log.as_dict()}"
        )
    return from_log
