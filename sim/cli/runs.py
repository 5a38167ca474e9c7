"""Commands that run a scenario and work with its results folder: run, sweep, plot, report, track."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.errors import ResultsError, ScenarioError
from .options import (
    Command,
    default_out,
    executor_options,
    max_memory_option,
    memory_limit,
    non_negative_int,
    overrides_of,
    parcel_id,
    replication_count,
    set_option,
    share,
    variant_pair,
)
from .output import escape, print_kpis, print_verdict, print_warnings, print_week

if TYPE_CHECKING:
    from rich.console import Console

    from ..presentation.verdict import Verdict
    from ..results.runset import RunSet
    from ..scenario.schema import Scenario

__all__ = ["add_commands"]


def add_commands(command: Command) -> None:
    """Add this group's commands to the parser."""
    _add_run(command)
    _add_sweep(command)
    _add_plot(command)
    _add_report(command)
    _add_track(command)


def _add_run(command: Command) -> None:
    p = command("run", "run every variant of a scenario and write a results folder")
    p.add_argument("scenario", type=Path, help="scenario YAML file")
    p.add_argument("--out", type=Path, help="results folder (default: results/<name>-<UTC time>)")
    p.add_argument("--seed", type=non_negative_int, help="base seed (overrides the scenario's seed)")
    set_option(p)
    p.add_argument("--variant", dest="variants", action="append", metavar="NAME", help="run only this variant (repeatable)")
    p.add_argument("--force", action="store_true", help="replace the results in a non-empty --out folder")
    p.add_argument("--no-charts", action="store_true", help="skip the PNG charts")
    p.add_argument("--reps", type=replication_count, default=1, help="replications per variant (default 1)")
    p.add_argument(
        "--until-precision",
        type=share,
        metavar="SHARE",
        help="add replications until every headline KPI's 95%% half-width is within SHARE of its mean",
    )
    p.add_argument("--max-reps", type=replication_count, default=200, help="cap for --until-precision (default 200)")
    p.add_argument(
        "--diff",
        dest="pairs",
        action="append",
        type=variant_pair,
        metavar="A,B",
        help="paired differences A − B to report (repeatable; default: every pair, scenario order)",
    )
    max_memory_option(p)
    executor_options(p)
    p.set_defaults(handler=_cmd_run)


def _add_sweep(command: Command) -> None:
    p = command("sweep", "run a grid (or table) of scenario overrides x variants x replications")
    p.add_argument("scenario", type=Path, help="scenario YAML file")
    p.add_argument(
        "--grid",
        action="append",
        default=[],
        metavar="PATH=VALUES",
        help="a swept field: path=v1,v2,... or path=start:stop:step (repeatable; the product is run)",
    )
    p.add_argument("--table", type=Path, help="CSV of runs: a column per field path, a row per run")
    p.add_argument("--reps", type=replication_count, default=1, help="replications per point and variant")
    p.add_argument("--variant", dest="variants", action="append", metavar="NAME", help="only this variant (repeatable)")
    p.add_argument("--seed", type=non_negative_int, help="base seed (overrides the scenario's seed)")
    p.add_argument("--out", type=Path, help="sweep folder (default: results/<name>-sweep-<UTC time>); rerun to resume")
    p.add_argument("--force", action="store_true", help="replace a different sweep in --out")
    p.add_argument("--no-charts", action="store_true", help="skip the PNG charts")
    executor_options(p)
    p.set_defaults(handler=_cmd_sweep)


def _add_plot(command: Command) -> None:
    p = command("plot", "(re)draw every chart that applies to a results or sweep folder")
    p.add_argument("results", type=Path, help="results folder written by 'parcelsim run' or 'parcelsim sweep'")
    p.set_defaults(handler=_cmd_plot)


def _add_report(command: Command) -> None:
    p = command("report", "(re)write report.html: verdict, interactive charts, replay of the day, tracking lookup")
    p.add_argument("results", type=Path, help="results folder written by 'parcelsim run'")
    p.set_defaults(handler=_cmd_report)


def _add_track(command: Command) -> None:
    p = command("track", "print a parcel's tracking timeline from a results folder")
    p.add_argument("results", type=Path, help="results folder written by 'parcelsim run'")
    p.add_argument("parcel", type=parcel_id, help="parcel id (0, 1, ...)")
    p.set_defaults(handler=_cmd_track)


def _cmd_run(args: argparse.Namespace, console: Console) -> int:
    from ..results.outdir import writing
    from ..results.tables import check_disk_space
    from ..scenario.load import load_scenario
    from ..world.districts import check_feasible

    scenario = load_scenario(args.scenario, overrides_of(args.overrides), overrides_from="--set")
    check_feasible(scenario, memory_limit=memory_limit(args))
    out = args.out or default_out(scenario.name)
    # Fail before a long run, not after it: a disk too small, a folder that is not ours to fill.
    variants = len(args.variants or scenario.variants)
    first_reps = max(args.reps, 2) if args.until_precision else args.reps  # more may follow, one batch at a time
    check_disk_space(out, scenario.expected_parcels(), variants * first_reps)
    with writing(out, args.force) as folder:  # results appear in `out` whole, when everything is written
        runs, verdict, report = _run_into(args, scenario, folder)
    print_kpis(runs, console, args.pairs or None)
    print_week(runs, console)
    print_warnings(runs.warnings(), console)
    print_verdict(verdict, console)
    if runs.precision_reached is not None:
        state = "reached" if runs.precision_reached else f"NOT reached within --max-reps {args.max_reps}"
        share, n = f"{args.until_precision:.0%}", runs.replications
        console.print(f"\nPrecision {share} of the mean on every headline KPI: {state} ({n} replications)")
    console.print(f"\nResults in [bold]{escape(str(out))}[/]  ({runs.wall_time_s:.1f} s, seed {runs.scenario.seed})")
    if report is not None:
        console.print(f"Report: [bold]{escape(str(out / report.name))}[/]  (open it in a browser; it works offline)")
    return 0


def _run_into(args: argparse.Namespace, scenario: Scenario, out: Path) -> tuple[RunSet, Verdict | None, Path | None]:
    """Run the scenario and write every result into ``out``; returns the runs, their verdict and
    the report's path."""
    from ..experiments.runner import run
    from ..presentation.gallery import save_gallery
    from ..presentation.verdict import verdict_for
    from ..results.bundle import write_bundle

    runs = run(
        scenario,
        seed=args.seed,
        variants=args.variants,
        replications=args.reps,
        jobs=args.jobs,
        scheduler=args.scheduler,
        until_precision=args.until_precision,
        max_replications=args.max_reps,
        tables_to=out,  # streamed as each station area finishes: memory does not grow with the city
    )
    pairs = args.pairs or None
    if pairs is not None:
        runs.differences(pairs)  # checks the names before anything is written
    write_bundle(runs, out, pairs=pairs, command="parcelsim " + shlex.join(sys.argv[1:]))
    verdict, report = verdict_for(runs), None
    if not args.no_charts:
        from ..presentation.report import write_report
        from ..results.folder import Bundle

        bundle = Bundle(out)  # the charts and the report draw on the same curves
        for (variant, replication), summary in runs.summaries.items():
            if summary.curves is not None:  # worked out where the station areas ran: not read back
                bundle.keep_curves(variant, replication, summary.curves)
        save_gallery(out, bundle)
        report = write_report(out, None if verdict is None else verdict.breakeven, bundle)
    return runs, verdict, report


def _cmd_sweep(args: argparse.Namespace, console: Console) -> int:
    from ..experiments.sweep import grid_points, parse_grid, read_table, sweep
    from ..presentation.gallery import save_gallery
    from ..results.outdir import locked
    from ..scenario.load import load_scenario

    scenario = load_scenario(args.scenario)
    if bool(args.grid) == bool(args.table):
        raise ScenarioError("sweep: give --grid (one or more) or --table, not both and not neither")
    points = grid_points([parse_grid(g) for g in args.grid]) if args.grid else read_table(args.table)
    out = args.out or default_out(scenario.name, "sweep")
    with locked(out):  # resumable, so written in place (each run file atomically); one writer at a time
        result = sweep(
            scenario,
            points,
            replications=args.reps,
            variants=args.variants,
            seed=args.seed,
            out=out,
            force=args.force,
            jobs=args.jobs,
            scheduler=args.scheduler,
        )
        if not args.no_charts:
            save_gallery(out)
    console.print(
        f"{len(points)} points x {len(result.table) // max(len(points), 1)} runs each: ran {result.ran}, "
        f"skipped {result.skipped} finished runs ({result.wall_time_s:.1f} s)"
    )
    console.print(f"Table: [bold]{out / 'sweep.csv'}[/] ({len(result.table)} rows)")
    return 0


def _cmd_plot(args: argparse.Namespace, console: Console) -> int:
    from ..presentation.gallery import save_gallery

    if not args.results.is_dir():
        raise ResultsError(f"{args.results}: no such results folder")
    for path in save_gallery(args.results):
        console.print(str(path))
    return 0


def _cmd_report(args: argparse.Namespace, console: Console) -> int:
    from ..presentation.report import write_report

    if not args.results.is_dir():
        raise ResultsError(f"{args.results}: no such results folder")
    console.print(str(write_report(args.results)))
    return 0


def _cmd_track(args: argparse.Namespace, console: Console) -> int:
    from ..results.bundle import parcel_timeline

    for run_name, lines in parcel_timeline(args.results, args.parcel).items():
        console.print(f"[bold]parcel {args.parcel} — {run_name}[/]")
        for line in lines:
            console.print("  " + line)
    return 0
