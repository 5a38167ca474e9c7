"""Commands that read and write other tools' files: export (OCEL 2.0, LaDe), import-lade, calibrate."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import ResultsError, ScenarioError
from .maps import MAP_FORMATS, export_map, lat_lon
from .options import (
    Command,
    iso_date,
    non_negative_int,
    overrides_of,
    positive_float,
    positive_int,
    set_option,
)
from .output import escape

if TYPE_CHECKING:
    from rich.console import Console

    from ..experiments.calibrate import Calibration, Param
    from ..results.lade import LadeSummary
    from ..scenario.schema import Scenario

__all__ = ["add_commands"]


def add_commands(command: Command) -> None:
    """Add this group's commands to the parser."""
    _add_export(command)
    _add_import_lade(command)
    _add_calibrate(command)


def _add_export(command: Command) -> None:
    p = command(
        "export",
        "write one run as OCEL 2.0 (JSON or SQLite), LaDe-D deliveries (CSV), GeoJSON, GPS tracks (GPX, Parquet) or VRPLIB",
    )
    p.add_argument("results", type=Path, help="results folder written by 'parcelsim run'")
    p.add_argument(
        "--format",
        choices=("ocel2-json", "ocel2-sqlite", "lade-csv", *MAP_FORMATS),
        default="ocel2-json",
        help="(default %(default)s)",
    )
    p.add_argument("--out", type=Path, required=True, help="file to write (vrplib: also its .sol beside it)")
    p.add_argument("--variant", help="the run's variant (default: the first)")
    p.add_argument("--replication", type=non_negative_int, default=0, help="the run's replication (default 0)")
    p.add_argument("--start-date", type=iso_date, default="2024-03-01", help="the date of day 0 (default %(default)s)")
    p.add_argument("--force", action="store_true", help="replace --out if it exists")
    where = p.add_argument_group("positions (lade-csv, geojson, gpx, trajectory-parquet)")
    where.add_argument(
        "--origin",
        type=lat_lon,
        metavar="LAT,LON",
        help="WGS-84 position of the station of a synthetic district (a real district has its own)",
    )
    where.add_argument(
        "--interval", type=positive_float, default=20.0, help="seconds between GPS positions (default 20, as LaDe)"
    )
    where.add_argument(
        "--utc-offset", type=float, default=8.0, help="hours the simulated local clock is ahead of UTC, for GPX (default 8)"
    )
    route = p.add_argument_group("vrplib")
    route.add_argument("--courier", type=non_negative_int, help="the courier (default: the first who rode that day)")
    route.add_argument("--day", type=non_negative_int, help="the day (default: the first measured day)")
    p.set_defaults(handler=_cmd_export)


def _add_import_lade(command: Command) -> None:
    p = command("import-lade", "summarise a LaDe-D delivery log (CSV): parcels per courier-day, gaps, stops, hours")
    p.add_argument("data", type=Path, help="LaDe-D CSV file (columns courier_id, aoi_id, delivery_time, ...)")
    p.add_argument("--mapping", type=Path, help="YAML {lade_column: your_column} for a file with other column names")
    p.add_argument("--out", type=Path, help="folder to write (default: results/lade-<file name>)")
    p.add_argument("--force", action="store_true", help="replace the folder's results if it is not empty")
    p.set_defaults(handler=_cmd_import_lade)


def _add_calibrate(command: Command) -> None:
    p = command("calibrate", "fit scenario parameters to a delivery log's distributions (common random numbers)")
    p.add_argument("scenario", type=Path, help="scenario YAML file")
    p.add_argument("--data", type=Path, required=True, help="a LaDe-D CSV, or lade_summary.parquet from import-lade")
    p.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="PATH=LOW:HIGH",
        help="a field to fit within bounds (repeatable; default door.handover_median_s=15:240)",
    )
    p.add_argument("--variant", help="the variant simulated (default: the first)")
    p.add_argument("--budget", type=positive_int, default=40, help="most simulations (default %(default)s)")
    set_option(p)
    p.add_argument("--mapping", type=Path, help="YAML {lade_column: your_column} for a CSV with other column names")
    p.add_argument("--out", type=Path, help="folder to write (default: results/calibration-<scenario name>)")
    p.add_argument("--force", action="store_true", help="replace the folder's results if it is not empty")
    p.set_defaults(handler=_cmd_calibrate)


def _cmd_export(args: argparse.Namespace, console: Console) -> int:
    from ..results.ocel import export_ocel

    if not args.results.is_dir():
        raise ResultsError(f"{args.results}: no such results folder")
    if args.format == "lade-csv":
        return _export_lade(args, console)
    if args.format in MAP_FORMATS:
        return export_map(args, console)
    summary = export_ocel(
        args.results,
        args.out,
        args.format,
        variant=args.variant,
        replication=args.replication,
        start=args.start_date,
        force=args.force,
    )
    objects = ", ".join(f"{n:,} {kind}s" for kind, n in summary.objects.items() if n)
    console.print(f"{escape(str(summary.path))}: {summary.events:,} events; {objects}")
    return 0


def _export_lade(args: argparse.Namespace, console: Console) -> int:
    """The run's deliveries in LaDe-D columns: a sample to try import-lade and calibrate on."""
    from ..results.bundle import load_events
    from ..results.folder import Bundle
    from ..results.lade import lade_from_run
    from ..results.outdir import file_written_whole

    bundle = Bundle(args.results)
    variant = args.variant or bundle.variants[0]
    bundle.event_parts(variant, args.replication)  # the run exists, or a message naming what does
    events = load_events(bundle.folder, variant, args.replication).to_pandas()
    positions = _place_positions(bundle.scenario.resolved(variant), args.origin)
    lade = lade_from_run(events, start=args.start_date, city=bundle.scenario.name, positions=positions)
    with file_written_whole(args.out, args.force) as temporary:
        lade.to_csv(temporary, index=False)
    said = "with coordinates" if positions is not None else "coordinates empty (a synthetic district: pass --origin LAT,LON)"
    console.print(f"{escape(str(args.out))}: {len(lade):,} deliveries in LaDe-D columns, {said}")
    return 0


def _place_positions(scenario: Scenario, origin: tuple[float, float] | None) -> Any:
    """WGS-84 (lng, lat) of station area 0's places, or None for a synthetic district with no origin."""
    from ..results.geo import place_district
    from ..world.districts import build_city

    city = build_city(scenario.city, scenario.station, scenario.seed, 0)
    if origin is None and city.map_frame is None and scenario.station.lat is None:
        return None
    return place_district(city, scenario.station, origin).place_lonlat(city)


def _lade_summary(path: Path, mapping: Path | None) -> LadeSummary:
    """A delivery log's distributions: from a LaDe-D CSV, or a summary written by import-lade."""
    import pandas as pd

    from ..results.lade import LadeSummary, read_lade, summarize

    if path.suffix == ".parquet" or path.is_dir():
        try:
            return LadeSummary.from_table(pd.read_parquet(path))
        except (OSError, ValueError, KeyError) as exc:
            raise ScenarioError(f"{path}: not a summary written by parcelsim import-lade ({exc})") from None
    names = None
    if mapping is not None:
        import yaml

        try:
            names = yaml.safe_load(mapping.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise ScenarioError(f"{mapping}: cannot read the mapping ({exc})") from None
        if not isinstance(names, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in names.items()):
            raise ScenarioError(f"{mapping}: a mapping is lade_column: your_column lines, e.g. courier_id: rider")
    return summarize(read_lade(path, names))


def _cmd_import_lade(args: argparse.Namespace, console: Console) -> int:
    from ..presentation.plots import delivery_distributions
    from ..results.outdir import writing

    summary = _lade_summary(args.data, args.mapping)
    out = args.out or Path("results") / f"lade-{args.data.stem}"
    stats = summary.statistics()
    with writing(out, args.force) as folder:
        summary.table().to_parquet(folder / "lade_summary.parquet", index=False)
        stats.to_csv(folder / "lade_statistics.csv", index=False)
        (folder / "charts").mkdir()
        delivery_distributions({args.data.stem: summary}).savefig(folder / "charts" / "lade_distributions.png", dpi=110)
    console.print(stats.to_string(index=False, float_format=lambda x: f"{x:.3g}"))
    console.print(f"\nSummary in [bold]{escape(str(out))}[/] (lade_summary.parquet is what calibrate --data reads)")
    return 0


def _cmd_calibrate(args: argparse.Namespace, console: Console) -> int:
    from ..experiments.calibrate import DEFAULT_PARAMS, parse_param
    from ..results.outdir import writing
    from ..scenario.load import load_scenario

    scenario = load_scenario(args.scenario, overrides_of(args.overrides), overrides_from="--set")
    real = _lade_summary(args.data, args.mapping)
    params = tuple(parse_param(p) for p in args.param) or DEFAULT_PARAMS
    out = args.out or Path("results") / f"calibration-{scenario.name}"
    with writing(out, args.force) as folder:
        fit = _calibrated_into(folder, scenario, real, params, args, console)
    fitted = ", ".join(f"{k} = {v:.4g}" for k, v in fit.values.items())
    console.print(f"\nFitted {fitted} (distance {fit.distance:.3f}, {len(fit.evaluations)} simulations)")
    console.print(f"Results in [bold]{escape(str(out))}[/]: scenario.calibrated.yaml, calibration.csv, charts/calibration.png")
    return 0


def _calibrated_into(
    out: Path, scenario: Scenario, real: LadeSummary, params: tuple[Param, ...], args: argparse.Namespace, console: Console
) -> Calibration:
    from ..experiments.calibrate import calibrate
    from ..presentation.plots import delivery_distributions

    fit = calibrate(
        scenario,
        real,
        params,
        variant=args.variant,
        budget=args.budget,
        progress=lambda row: console.print("  " + ", ".join(f"{k} {v:.4g}" for k, v in row.items())),
    )
    (out / "scenario.calibrated.yaml").write_text(fit.scenario.to_yaml(), encoding="utf-8")
    fit.comparison(real).to_csv(out / "calibration.csv", index=False)
    report = {
        "params": {p.path: {"low": p.low, "high": p.high, "fitted": fit.values[p.path]} for p in params},
        "distance": fit.distance,
        "evaluations": fit.evaluations,
    }
    (out / "calibration.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    (out / "charts").mkdir(exist_ok=True)
    assert fit.fitted is not None
    delivery_distributions({"data": real, "simulated (fitted)": fit.fitted}).savefig(out / "charts" / "calibration.png", dpi=110)
    return fit
