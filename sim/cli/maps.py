"""``parcelsim export`` to files map and routing tools read: GeoJSON, GPX, a trajectory table, VRPLIB."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..core.errors import ResultsError
from .output import escape

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import Console

    from ..world.city import City

__all__ = ["MAP_FORMATS", "export_map", "lat_lon"]

MAP_FORMATS = ("geojson", "gpx", "trajectory-parquet", "vrplib")


def lat_lon(text: str) -> tuple[float, float]:
    """``--origin LAT,LON``."""
    try:
        lat, lon = (float(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected LAT,LON in degrees (e.g. 30.274,120.155), got {text!r}") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise argparse.ArgumentTypeError(f"{text}: latitude must be within ±90 and longitude within ±180")
    return lat, lon


@dataclass(frozen=True)
class _Run:
    """One run's station area 0: its district and activity tables."""

    scenario: Any
    city: City
    tours: pd.DataFrame
    stops: pd.DataFrame
    variant: str


def export_map(args: argparse.Namespace, console: Console) -> int:
    """Write ``args.format`` (one of ``MAP_FORMATS``) for one run of a results folder."""
    from ..results.outdir import file_written_whole

    run = _run_of(args)
    with file_written_whole(args.out, args.force) as temporary:
        said = _WRITERS[args.format](run, args, temporary)
    areas = run.scenario.stations.count
    where = f" (station area 0 of {areas})" if areas > 1 else ""
    console.print(f"{escape(str(args.out))}: {said}{where}")
    return 0


def _run_of(args: argparse.Namespace) -> _Run:
    from ..results.folder import Bundle
    from ..world.districts import build_city

    bundle = Bundle(args.results)
    variant = args.variant or bundle.variants[0]
    bundle.event_parts(variant, args.replication)  # the run exists, or a message naming what does
    resolved = bundle.scenario.resolved(variant)
    city = build_city(resolved.city, resolved.station, resolved.seed, 0)
    tables = [bundle.activity(name, args.replication, variant=variant) for name in ("tours", "stops")]
    tours, stops = (t[t["station"] == 0] if len(t) else t for t in tables)
    if tours.empty:
        raise ResultsError(f"{args.results}: the {variant} run, replication {args.replication}, rode no tour")
    return _Run(resolved, city, tours, stops, variant)


def _placed(run: _Run, args: argparse.Namespace) -> Any:
    from ..results.geo import place_district

    return place_district(run.city, run.scenario.station, args.origin)


def _geojson(run: _Run, args: argparse.Namespace, path: Any) -> str:
    from ..results.geo import district_geojson, write_geojson

    shelves = run.scenario.pickup_station.shelves
    collection = district_geojson(run.city, _placed(run, args), run.tours, run.stops, start=args.start_date, shelves=shelves)
    write_geojson(collection, path)
    layers: dict[str, int] = {}
    for feature in collection["features"]:
        layers[feature["properties"]["layer"]] = layers.get(feature["properties"]["layer"], 0) + 1
    return "GeoJSON, " + ", ".join(f"{n:,} {layer.replace('_', ' ')}{'s' * (n != 1)}" for layer, n in layers.items())


def _trajectory(run: _Run, args: argparse.Namespace) -> pd.DataFrame:
    from ..results.geo import trajectory_table

    return trajectory_table(run.city, _placed(run, args), run.tours, run.stops, interval_s=args.interval, start=args.start_date)


def _gpx(run: _Run, args: argparse.Namespace, path: Any) -> str:
    from ..results.geo import write_gpx

    table = _trajectory(run, args)
    write_gpx(table, path, utc_offset_h=args.utc_offset)
    return f"GPX, {table['courier'].nunique():,} couriers' tracks, {len(table):,} points every {args.interval:g} s"


def _trajectory_parquet(run: _Run, args: argparse.Namespace, path: Any) -> str:
    table = _trajectory(run, args)
    table.to_parquet(path, index=False)
    return f"{len(table):,} positions of {table['courier'].nunique():,} couriers every {args.interval:g} s"


def _vrplib(run: _Run, args: argparse.Namespace, path: Any) -> str:
    from ..results.vrplib_file import courier_day

    measured = run.tours[run.tours["day"] >= run.scenario.horizon.warmup_days]
    first = measured if len(measured) else run.tours
    day = int(first["day"].min()) if args.day is None else args.day
    courier = int(first[first["day"] == day]["courier"].min()) if args.courier is None else args.courier
    name = f"parcelsim-{run.variant}-c{courier}-d{day}"
    capacity = run.scenario.couriers.capacity_parcels
    found = courier_day(run.city, run.tours, run.stops, courier=courier, day=day, capacity=capacity, name=name)
    path.write_text(found.instance, encoding="utf-8")
    solution = args.out.with_suffix(".sol")
    solution.write_text(found.solution, encoding="utf-8")
    return (
        f"VRPLIB, courier {courier} on day {day}: {found.stops} stops, {found.parcels} parcels, {found.tours} tours "
        f"of {found.cost_m:,} m (the simulated tours: {escape(str(solution))})"
    )


_WRITERS = {"geojson": _geojson, "gpx": _gpx, "trajectory-parquet": _trajectory_parquet, "vrplib": _vrplib}
