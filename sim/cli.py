"""The command line: a thin layer over the library API.

Exit codes: 0 success, 2 bad input (scenario, option, results folder), 1 an internal error.
Library errors name the function parameter they are about; ``main`` shows the flag instead.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import math
import shlex
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ParcelsimError, ResultsError, ScenarioError
from .version import package_version

if TYPE_CHECKING:
    from rich.console import Console

    from .calibrate import Calibration, Param
    from .lade import LadeSummary
    from .runner import RunSet
    from .scenario import Scenario

# Each command imports what it needs when it runs, so that `parcelsim --help` starts at once.

__all__ = ["build_parser", "help_pages", "main"]

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130  # the shell's code for Ctrl-C (128 + SIGINT)
EXIT_TERMINATED = 143  # 128 + SIGTERM
_DRAWS = ("run", "sweep", "capacity", "plot", "report", "import-lade", "calibrate")  # commands that draw charts

# The flag that feeds each library parameter, for error messages.
_FLAGS = {
    "field": "--field",
    "grid": "--grid",
    "jobs": "--jobs",
    "kpi": "--kpi",
    "out": "--out",
    "overrides": "--set",
    "pairs": "--diff",
    "points": "--grid / --table",
    "replications": "--reps",
    "scheduler": "--scheduler",
    "seed": "--seed",
    "table": "--table",
    "target": "--target",
    "until_precision": "--until-precision",
    "variants": "--variant",
}


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``parcelsim`` and ``python -m sim``."""
    parser, _ = _build()
    args = parser.parse_args(argv)
    if args.command is None:  # bare `parcelsim`: show what it can do
        parser.print_help()
        return 0
    from rich.console import Console

    if args.command in _DRAWS:
        import matplotlib

        matplotlib.use("Agg")  # the command line writes files; it never opens windows
    console = Console(highlight=False, soft_wrap=True)
    errors = Console(stderr=True, highlight=False, soft_wrap=True)
    # A polite stop (SIGTERM) cleans up as Ctrl-C does; signal handlers belong to the main thread.
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminated) if in_main else None
    try:
        return args.handler(args, console)
    except _Terminated:
        errors.print("terminated")
        return EXIT_TERMINATED
    except ParcelsimError as exc:
        errors.print(f"[bold red]error:[/] {_escape(_for_cli(exc))}")  # user text is never markup
        return EXIT_BAD_INPUT
    except OSError as exc:  # a read-only or full disk, a folder that is a file, ...
        where = f"{exc.filename}: " if exc.filename else ""
        errors.print(f"[bold red]error:[/] {_escape(where + (exc.strerror or str(exc)))}")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        errors.print("interrupted")
        return EXIT_INTERRUPTED
    except MemoryError:
        errors.print(
            "[bold red]error:[/] out of memory: the run is larger than this machine holds; `parcelsim validate` "
            "estimates its size; use more station areas (stations.count), fewer parcels, or a larger machine"
        )
        return EXIT_BAD_INPUT
    except RecursionError:
        errors.print("[bold red]error:[/] the input is nested too deeply to read; simplify it")
        return EXIT_BAD_INPUT
    except ValueError as exc:  # pyarrow's ArrowInvalid: a results file cut short or not Parquet
        if not type(exc).__module__.startswith("pyarrow"):
            raise
        errors.print(f"[bold red]error:[/] a results file cannot be read ({_escape(str(exc))}); was it written completely?")
        return EXIT_BAD_INPUT
    finally:
        if in_main:
            signal.signal(signal.SIGTERM, previous)


class _Terminated(BaseException):
    """SIGTERM, raised where the program is, so that results folders and worker pools are cleaned up."""


def _terminated(signum: int, frame: Any) -> None:
    raise _Terminated


def _escape(text: str) -> str:
    """User text (file names, values, messages quoting them) printed as itself, never as rich markup."""
    from rich.markup import escape

    return escape(text)


def _for_cli(exc: ParcelsimError) -> str:
    """The error message with flags where the library named its parameters."""
    detail = exc.detail.replace("force=True", "--force")
    if exc.param is None:
        return detail
    return f"{_FLAGS.get(exc.param, exc.param)}: {detail}"


def build_parser() -> argparse.ArgumentParser:
    """The ``parcelsim`` argument parser."""
    return _build()[0]


def help_pages(width: int = 100) -> list[tuple[str, str]]:
    """(command, help text) for every command, as ``parcelsim COMMAND --help`` prints it at ``width`` columns."""
    import os

    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(width)  # argparse wraps help to the terminal: fix the width
    try:
        _, commands = _build()
        return [(name, sub.format_help().rstrip()) for name, sub in commands]
    finally:
        if old is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = old


def _build() -> tuple[argparse.ArgumentParser, list[tuple[str, argparse.ArgumentParser]]]:
    """The parser, and each (sub)command's own parser by its full name."""
    parser = argparse.ArgumentParser(
        prog="parcelsim", description="Discrete-event simulation of last-mile parcel delivery: door vs locker."
    )
    parser.add_argument("--version", action="version", version=f"parcelsim {package_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", help="what to do (parcelsim COMMAND --help for more)")
    commands: list[tuple[str, argparse.ArgumentParser]] = []

    def command(name: str, help_text: str, of=sub, prefix: str = "") -> argparse.ArgumentParser:
        p = of.add_parser(name, help=help_text, description=help_text[:1].upper() + help_text[1:] + ".")
        commands.append((prefix + name, p))
        return p

    p = command("run", "run every variant of a scenario and write a results folder")
    p.add_argument("scenario", type=Path, help="scenario YAML file")
    p.add_argument("--out", type=Path, help="results folder (default: results/<name>-<UTC time>)")
    p.add_argument("--seed", type=_non_negative_int, help="base seed (overrides the scenario's seed)")
    _set_option(p)
    p.add_argument("--variant", dest="variants", action="append", metavar="NAME", help="run only this variant (repeatable)")
    p.add_argument("--force", action="store_true", help="replace the results in a non-empty --out folder")
    p.add_argument("--no-charts", action="store_true", help="skip the PNG charts")
    p.add_argument("--reps", type=_replications, default=1, help="replications per variant (default 1)")
    p.add_argument("--until-precision", type=_share, metavar="SHARE",
                   help="add replications until every headline KPI's 95%% half-width is within SHARE of its mean")  # fmt: skip
    p.add_argument("--max-reps", type=_replications, default=200, help="cap for --until-precision (default 200)")
    p.add_argument("--diff", dest="pairs", action="append", type=_pair, metavar="A,B",
                   help="paired differences A − B to report (repeatable; default: every pair, scenario order)")  # fmt: skip
    _max_memory_option(p)
    _executor_options(p)
    p.set_defaults(handler=_cmd_run)

    p = command("sweep", "run a grid (or table) of scenario overrides x variants x replications")
    p.add_argument("scenario", type=Path, help="scenario YAML file")
    p.add_argument("--grid", action="append", default=[], metavar="PATH=VALUES",
                   help="a swept field: path=v1,v2,... or path=start:stop:step (repeatable; the product is run)")  # fmt: skip
    p.add_argument("--table", type=Path, help="CSV of runs: a column per field path, a row per run")
    p.add_argument("--reps", type=_replications, default=1, help="replications per point and variant")
    p.add_argument("--variant", dest="variants", action="append", metavar="NAME", help="only this variant (repeatable)")
    p.add_argument("--seed", type=_non_negative_int, help="base seed (overrides the scenario's seed)")
    p.add_argument("--out", type=Path, help="sweep folder (default: results/<name>-sweep-<UTC time>); rerun to resume")
    p.add_argument("--force", action="store_true", help="replace a different sweep in --out")
    p.add_argument("--no-charts", action="store_true", help="skip the PNG charts")
    _executor_options(p)
    p.set_defaults(handler=_cmd_sweep)

    p = command("breakeven", "the door fee at which a KPI is equal for door and locker delivery")
    p.add_argument("scenario", type=Path, help="scenario YAML file")
    p.add_argument("--kpi", default="income_per_courier_hour_yuan", help="the KPI to equalise (default %(default)s)")
    p.add_argument(
        "--field", default="economics.door_service_fee_yuan", help="the value to solve for (default: the door-service fee)"
    )
    p.add_argument("--capacity", action="store_true", help="compare under saturated demand (couriers never run out of parcels)")
    p.add_argument("--a", default="door", help="variant a (default door)")
    p.add_argument("--b", default="locker", help="variant b (default locker)")
    p.add_argument("--reps", type=_replications, default=10, help="paired replications (default 10)")
    p.add_argument("--seed", type=_non_negative_int, help="base seed (overrides the scenario's seed)")
    _set_option(p)
    p.add_argument("--json", action="store_true", help="print JSON only")
    _executor_options(p)
    p.set_defaults(handler=_cmd_breakeven)

    p = command("capacity", "parcels a courier delivers in a working day when work never runs out, per variant")
    p.add_argument("scenario", type=Path, help="scenario YAML file")
    p.add_argument("--variant", dest="variants", action="append", metavar="NAME", help="only this variant (repeatable)")
    p.add_argument("--reps", type=_replications, default=5, help="replications per variant (default 5)")
    p.add_argument("--seed", type=_non_negative_int, help="base seed (overrides the scenario's seed)")
    _set_option(p)
    p.add_argument(
        "--out",
        type=Path,
        help="folder for capacity.json, capacity.csv and charts/ (default: results/<name>-capacity-<UTC time>)",
    )
    p.add_argument("--force", action="store_true", help="replace the results in a non-empty --out folder")
    p.add_argument("--json", action="store_true", help="print JSON only")
    _executor_options(p)
    p.set_defaults(handler=_cmd_capacity)

    p = command("plan-couriers", "smallest courier fleet that meets a KPI target (simulated, CRN)")
    p.add_argument("scenario", type=Path, help="scenario YAML file")
    p.add_argument("--variant", required=True, help="variant to staff, e.g. door")
    p.add_argument("--target", required=True, help="e.g. same_day_delivery_share=0.95 or carried_over_parcels<=100")
    p.add_argument("--reps", type=_replications, default=1, help="replications averaged for each fleet size (default 1)")
    p.add_argument("--seed", type=_non_negative_int, help="base seed (overrides the scenario's seed)")
    _set_option(p)
    p.add_argument("--json", action="store_true", help="print JSON only")
    p.set_defaults(handler=_cmd_plan_couriers)

    p = command("plan-staff", "smallest warehouse team that meets a KPI target (simulated, CRN)")
    p.add_argument("scenario", type=Path, help="scenario YAML file")
    p.add_argument("--variant", required=True, help="variant to staff, e.g. merchant")
    p.add_argument("--target", required=True, help="e.g. dispatched_within_24h_share=0.95 or dispatch_time_p90_h<=24")
    p.add_argument(
        "--field",
        default="upstream.warehouse.pickers",
        help="team field to search (default: pickers, with packers in proportion), e.g. upstream.warehouse.surge.pickers",
    )
    p.add_argument("--seed", type=_non_negative_int, help="base seed (overrides the scenario's seed)")
    _set_option(p)
    p.set_defaults(handler=_cmd_plan_staff)

    p = command("theory", "check the simulator against queueing theory")
    theory = p.add_subparsers(dest="model", required=True, metavar="MODEL", help="the model to check")
    q = command("mmc", "warehouse pickers as an M/M/c queue vs the Erlang C formula", of=theory, prefix="theory ")
    q.add_argument("--arrivals-per-hour", type=_positive_float, required=True, help="Poisson arrival rate of orders")
    q.add_argument("--service-per-hour", type=_positive_float, required=True, help="orders one picker serves per hour")
    q.add_argument("--servers", type=_positive_int, required=True, help="pickers working round the clock")
    q.add_argument("--orders", type=_orders, default=200_000, help="orders to simulate (default %(default)s)")
    q.add_argument("--seed", type=_non_negative_int, default=1, help="seed (default 1)")
    q.add_argument("--json", action="store_true", help="print JSON only")
    q.set_defaults(handler=_cmd_theory_mmc)

    p = command("plot", "(re)draw every chart that applies to a results or sweep folder")
    p.add_argument("results", type=Path, help="results folder written by 'parcelsim run' or 'parcelsim sweep'")
    p.set_defaults(handler=_cmd_plot)

    p = command("new", "answer a few questions, get a commented scenario file with door and locker variants")
    p.add_argument("--out", type=Path, help="file to write (default: NAME.yaml in the current folder)")
    p.add_argument("--force", action="store_true", help="replace the file if it exists")
    p.set_defaults(handler=_cmd_new)

    p = command("app", "serve a live what-if page (sliders: door fee, 音尊达 share, couriers, shift end, locker slots)")
    p.add_argument("scenario", type=Path, nargs="?", default=None, help="scenario YAML file (default: the headline scenario)")
    p.add_argument("--port", type=_port, default=5006, help="port (default %(default)s)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default %(default)s: this machine only)")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser")
    p.set_defaults(handler=_cmd_app)

    p = command("export", "write one run's tracking log as OCEL 2.0 (JSON or SQLite), or its deliveries as a LaDe-D CSV")
    p.add_argument("results", type=Path, help="results folder written by 'parcelsim run'")
    p.add_argument(
        "--format", choices=("ocel2-json", "ocel2-sqlite", "lade-csv"), default="ocel2-json", help="(default %(default)s)"
    )
    p.add_argument("--out", type=Path, required=True, help="file to write (.json, .sqlite or .csv)")
    p.add_argument("--variant", help="the run's variant (default: the first)")
    p.add_argument("--replication", type=_non_negative_int, default=0, help="the run's replication (default 0)")
    p.add_argument("--start-date", type=_iso_date, default="2024-03-01", help="the date of day 0 (default %(default)s)")
    p.add_argument("--force", action="store_true", help="replace --out if it exists")
    p.set_defaults(handler=_cmd_export)

    p = command("import-lade", "summarise a LaDe-D delivery log (CSV): parcels per courier-day, gaps, stops, hours")
    p.add_argument("data", type=Path, help="LaDe-D CSV file (columns courier_id, aoi_id, delivery_time, ...)")
    p.add_argument("--mapping", type=Path, help="YAML {lade_column: your_column} for a file with other column names")
    p.add_argument("--out", type=Path, help="folder to write (default: results/lade-<file name>)")
    p.add_argument("--force", action="store_true", help="replace the folder's results if it is not empty")
    p.set_defaults(handler=_cmd_import_lade)

    p = command("calibrate", "fit scenario parameters to a delivery log's distributions (common random numbers)")
    p.add_argument("scenario", type=Path, help="scenario YAML file")
    p.add_argument("--data", type=Path, required=True, help="a LaDe-D CSV, or lade_summary.parquet from import-lade")
    p.add_argument("--param", action="append", default=[], metavar="PATH=LOW:HIGH",
                   help="a field to fit within bounds (repeatable; default door.handover_median_s=15:240)")  # fmt: skip
    p.add_argument("--variant", help="the variant simulated (default: the first)")
    p.add_argument("--budget", type=_positive_int, default=40, help="most simulations (default %(default)s)")
    _set_option(p)
    p.add_argument("--mapping", type=Path, help="YAML {lade_column: your_column} for a CSV with other column names")
    p.add_argument("--out", type=Path, help="folder to write (default: results/calibration-<scenario name>)")
    p.add_argument("--force", action="store_true", help="replace the folder's results if it is not empty")
    p.set_defaults(handler=_cmd_calibrate)

    p = command("report", "(re)write report.html: verdict, interactive charts, replay of the day, tracking lookup")
    p.add_argument("results", type=Path, help="results folder written by 'parcelsim run'")
    p.set_defaults(handler=_cmd_report)

    p = command("schema", "print the JSON Schema of scenario files (for editors and CI checks)")
    p.add_argument("--out", type=Path, help="write to this file instead of printing")
    p.set_defaults(handler=_cmd_schema)

    p = command("validate", "check a scenario file without running it")
    p.add_argument("scenario", type=Path, help="scenario YAML file")
    _set_option(p)
    _max_memory_option(p)
    p.set_defaults(handler=_cmd_validate)

    p = command("track", "print a parcel's tracking timeline from a results folder")
    p.add_argument("results", type=Path, help="results folder written by 'parcelsim run'")
    p.add_argument("parcel", type=_parcel_id, help="parcel id (0, 1, ...)")
    p.set_defaults(handler=_cmd_track)
    return parser, commands


def _max_memory_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--max-memory", type=_positive_float, metavar="GIB",
                   help="memory a station area's run may use (default: 80%% of this machine's)")  # fmt: skip


def _set_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE",
                   help="override a scenario field, e.g. --set couriers.count=30 (repeatable)")  # fmt: skip


def _pair(text: str) -> tuple[str, str]:
    a, sep, b = text.partition(",")
    if not sep or not a.strip() or not b.strip() or "," in b:
        raise argparse.ArgumentTypeError(f"expected two variant names A,B, got {text!r}")
    return a.strip(), b.strip()


def _at_most(limit: int, what: str, *, zero: bool = False):
    """A positive (or, with ``zero``, non-negative) integer of at most ``limit``: beyond it a run
    would not fit a machine's memory or a day, or an id would not fit 64 bits."""

    def parse(text: str) -> int:
        value = _non_negative_int(text) if zero else _positive_int(text)
        if value > limit:
            raise argparse.ArgumentTypeError(f"{value:,} {what}: at most {limit:,}")
        return value

    return parse


_replications = _at_most(10_000, "replications")
_parcel_id = _at_most(2**63 - 1, "is not a parcel id; ids", zero=True)
_orders = _at_most(50_000_000, "orders")


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {value}")
    return value


def _positive_int(text: str) -> int:
    value = _non_negative_int(text)
    if value == 0:
        raise argparse.ArgumentTypeError("expected a positive integer, got 0")
    return value


def _executor_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--jobs", type=_positive_int, help="worker processes (default: all cores)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler tcp://HOST:PORT, or 'local' for a LocalCluster")


def _share(text: str) -> float:
    value = _positive_float(text)
    if value >= 1:
        raise argparse.ArgumentTypeError(f"expected a share between 0 and 1, got {value}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text}")
    return value


def _default_out(name: str, kind: str = "") -> Path:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S-%f")  # to the microsecond: parallel runs do not collide
    return Path("results") / "-".join(part for part in (name, kind, stamp) if part)


def _iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2024-03-01") from None


def _port(text: str) -> int:
    value = _positive_int(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"{text}: a port is 1-65535")
    return value


def _limit(args: argparse.Namespace) -> float | None:
    """--max-memory in bytes, or None for the machine's own limit."""
    return None if args.max_memory is None else args.max_memory * 2**30


def _overrides(items: list[str]) -> dict:
    from .scenario import parse_override

    return dict(parse_override(item) for item in items)


def _cmd_run(args: argparse.Namespace, console: Console) -> int:
    from .districts import check_feasible
    from .outdir import writing
    from .scenario import load_scenario
    from .tables import check_disk_space

    scenario = load_scenario(args.scenario, _overrides(args.overrides), overrides_from="--set")
    check_feasible(scenario, memory_limit=_limit(args))
    out = args.out or _default_out(scenario.name)
    # Fail before a long run, not after it: a disk too small, a folder that is not ours to fill.
    variants = len(args.variants or scenario.variants)
    first_reps = max(args.reps, 2) if args.until_precision else args.reps  # more may follow, one batch at a time
    check_disk_space(out, scenario.expected_parcels(), variants * first_reps)
    with writing(out, args.force) as folder:  # results appear in `out` whole, when everything is written
        runs, report = _run_into(args, scenario, folder)
    _print_kpis(runs, console, args.pairs or None)
    _print_warnings(runs.warnings(), console)
    if runs.precision_reached is not None:
        state = "reached" if runs.precision_reached else f"NOT reached within --max-reps {args.max_reps}"
        share, n = f"{args.until_precision:.0%}", runs.replications
        console.print(f"\nPrecision {share} of the mean on every headline KPI: {state} ({n} replications)")
    console.print(f"\nResults in [bold]{_escape(str(out))}[/]  ({runs.wall_time_s:.1f} s, seed {runs.scenario.seed})")
    if report is not None:
        console.print(f"Report: [bold]{_escape(str(out / report.name))}[/]  (open it in a browser; it works offline)")
    return 0


def _run_into(args: argparse.Namespace, scenario: Scenario, out: Path) -> tuple[RunSet, Path | None]:
    """Run the scenario and write every result into ``out``; returns the runs and the report's path."""
    from .gallery import save_gallery
    from .results import write_bundle
    from .runner import run

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
    report = None
    if not args.no_charts:
        from .report import write_report
        from .verdict import breakeven_for

        save_gallery(out)
        report = write_report(out, breakeven_for(runs))
    return runs, report


def _print_kpis(runs: RunSet, console: Console, pairs: list[tuple[str, str]] | None = None) -> None:
    from .metrics import HEADLINE_KPIS, UPSTREAM_KPIS

    kpis = runs.kpis()
    reps = runs.replications
    ci = runs.ci() if reps > 1 else None
    title = f"{runs.scenario.name}: KPIs per variant" + (f" (mean ± 95% CI over {reps} replications)" if reps > 1 else "")
    keys = [*HEADLINE_KPIS, *(UPSTREAM_KPIS if runs.scenario.upstream is not None else ())]
    columns = [
        (str(v), [_fmt(kpis.at[v, key]) + (f" ± {_fmt(ci.at[v, key])}" if ci is not None else "") for key in keys])
        for v in kpis.index
    ]
    _print_fitting(console, title, keys, columns)
    if reps > 1 and len(runs.variants) > 1:
        diffs = runs.differences(pairs)
        columns = []
        for a, b in dict.fromkeys(zip(diffs["a"], diffs["b"], strict=True)):
            cells = []
            for key in keys:
                row = diffs[(diffs["a"] == a) & (diffs["b"] == b) & (diffs["kpi"] == key)].iloc[0]
                cells.append(f"{_fmt(row['mean'])} ± {_fmt(row['ci95'])}")
            columns.append((f"{a} − {b}", cells))
        _print_fitting(console, "Paired differences a − b (common random numbers), mean ± 95% CI", keys, columns)


def _print_fitting(console: Console, title: str, keys: list[str], columns: list[tuple[str, list[str]]]) -> None:
    """A KPI table (Chinese label and key, then a column per variant), split into as many tables of
    whole columns as it takes to fit the terminal's width (80 columns or more)."""
    from rich.cells import cell_len
    from rich.table import Table

    from .labels import KPI_ZH

    labels = [_kpi_cell(key) for key in keys]
    first = max(max(cell_len(key), cell_len(KPI_ZH.get(key, ""))) for key in keys) + 3
    widths = [max(cell_len(text) for text in [header, *cells]) + 3 for header, cells in columns]
    groups: list[list[int]] = [[]]
    used = first
    for i, width in enumerate(widths):
        if groups[-1] and used + width + 1 > console.width:
            groups.append([])
            used = first
        groups[-1].append(i)
        used += width
    for n, group in enumerate(groups):
        part = f" ({n + 1}/{len(groups)})" if len(groups) > 1 else ""
        table = Table(title=_escape(title) + part, title_justify="left")
        table.add_column("KPI 指标", no_wrap=True)
        for i in group:
            table.add_column(_escape(columns[i][0]), justify="right", no_wrap=True)
        for row, label in enumerate(labels):
            table.add_row(label, *(columns[i][1][row] for i in group))
        console.print(table)


def _kpi_cell(key: str) -> str:
    from .labels import KPI_ZH

    zh = KPI_ZH.get(key)
    return f"{zh}\n[dim]{key}[/]" if zh else key


def _print_warnings(warnings: list[str], console: Console) -> None:
    """Warnings follow the results they qualify: a KPI outside its real-world band, work spilling over."""

    for warning in warnings:
        console.print(f"[yellow]warning:[/] {_escape(warning)}")


def _fmt(x: float | None) -> str:
    if x is None or x != x:
        return "–"
    if abs(x) < 1e-9:
        x = 0.0  # floating-point noise, e.g. the CI of a KPI that is the same in every replication
    return f"{x:,.0f}" if abs(x) >= 1000 or float(x).is_integer() else f"{x:,.3g}" if abs(x) < 1 else f"{x:,.2f}"


def _cmd_sweep(args: argparse.Namespace, console: Console) -> int:
    from .gallery import save_gallery
    from .outdir import locked
    from .scenario import load_scenario
    from .sweep import grid_points, parse_grid, read_table, sweep

    scenario = load_scenario(args.scenario)
    if bool(args.grid) == bool(args.table):
        raise ScenarioError("sweep: give --grid (one or more) or --table, not both and not neither")
    points = grid_points([parse_grid(g) for g in args.grid]) if args.grid else read_table(args.table)
    out = args.out or _default_out(scenario.name, "sweep")
    with locked(out):  # resumable, so written in place (each run file atomically); one writer at a time
        result = sweep(scenario, points, replications=args.reps, variants=args.variants, seed=args.seed, out=out,
                       force=args.force, jobs=args.jobs, scheduler=args.scheduler)  # fmt: skip
        if not args.no_charts:
            save_gallery(out)
    console.print(
        f"{len(points)} points x {len(result.table) // max(len(points), 1)} runs each: ran {result.ran}, "
        f"skipped {result.skipped} finished runs ({result.wall_time_s:.1f} s)"
    )
    console.print(f"Table: [bold]{out / 'sweep.csv'}[/] ({len(result.table)} rows)")
    return 0


def _cmd_breakeven(args: argparse.Namespace, console: Console) -> int:
    from .breakeven import breakeven
    from .runner import check_variants
    from .scenario import load_scenario

    scenario = load_scenario(args.scenario, _overrides(args.overrides), overrides_from="--set")
    check_variants(scenario, [args.a, args.b])
    result = breakeven(scenario, kpi=args.kpi, field=args.field, a=args.a, b=args.b, replications=args.reps,
                       seed=args.seed, jobs=args.jobs, scheduler=args.scheduler, at_capacity=args.capacity)  # fmt: skip
    if args.json:
        print(json.dumps({k: (None if isinstance(v, float) and v != v else v) for k, v in dataclasses.asdict(result).items()}))
        return 0
    load = "under saturated demand" if result.at_capacity else "at the scenario's volume"
    console.print(
        f"Break-even {result.field} for {result.kpi} ({result.a} vs {result.b}, {load}, "
        f"{result.replications} paired replications):"
    )
    if result.better_everywhere is not None:
        console.print(f"  no break-even: {result.better_everywhere} is higher at every value from 0 to 1000")
    else:
        console.print(f"  [bold]{result.value:.3f}[/]  (95% CI {result.ci_low:.3f} to {result.ci_high:.3f})")
    console.print(f"  at the scenario's {result.current:g}: {result.a} − {result.b} = {result.difference_at_current:+.3f}")
    return 0


def _cmd_capacity(args: argparse.Namespace, console: Console) -> int:
    from rich.table import Table

    from .bands import band_warnings
    from .capacity import CAPACITY_KPIS, capacity
    from .districts import check_feasible
    from .outdir import writing
    from .plots import capacity as capacity_chart
    from .plots import save_charts
    from .scenario import load_scenario

    scenario = load_scenario(args.scenario, _overrides(args.overrides), overrides_from="--set")
    check_feasible(scenario)
    out = args.out or _default_out(scenario.name, "capacity")
    with writing(out, args.force) as folder:
        result = capacity(scenario, variants=args.variants, replications=args.reps, seed=args.seed, jobs=args.jobs,
                          scheduler=args.scheduler)  # fmt: skip
        summary = result.summary()
        (folder / "capacity.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
        result.runs.to_csv(folder / "capacity.csv", index=False, float_format="%.6g")
        save_charts({"capacity": capacity_chart(summary)}, folder / "charts")
    if args.json:
        print(json.dumps(summary))
        return 0
    table = Table(title=f"{scenario.name}: a courier's saturated working day (mean ± 95% CI, {args.reps} replications)",
                  title_justify="left")  # fmt: skip
    table.add_column("KPI", no_wrap=True)
    for variant in summary:
        table.add_column(variant, justify="right")
    for kpi in CAPACITY_KPIS:
        table.add_row(kpi, *(f"{_fmt(c[kpi]['mean'])} ± {_fmt(c[kpi]['ci95'])}" for c in summary.values()))
    console.print(table)
    means = {v: {k: float(c[k]["mean"] or math.nan) for k in c} for v, c in summary.items()}
    bands = band_warnings(means)
    _print_warnings(bands, console)
    console.print(f"\nResults in [bold]{_escape(str(out))}[/]  ({result.parcels_per_courier} parcels per courier offered)")
    return 0


def _cmd_plan_couriers(args: argparse.Namespace, console: Console) -> int:
    from .runner import check_variants, prepare_scenario
    from .scenario import load_scenario
    from .staffing import parse_target, plan_couriers

    scenario = load_scenario(args.scenario, _overrides(args.overrides), overrides_from="--set")
    scenario = prepare_scenario(scenario, args.seed, None)
    check_variants(scenario, [args.variant])
    target = parse_target(args.target)
    with console.status(f"searching couriers.count for {target} ..."):
        plan = plan_couriers(scenario, args.variant, target, replications=args.reps)
    if args.json:
        print(json.dumps({"couriers": plan.team, **plan.as_dict()}))
        return 0
    tried = ", ".join(f"{n}: {_fmt(v)}" for n, v in plan.evaluations.items())
    console.print(f"{scenario.name} / {args.variant}: the smallest fleet meeting {target} is [bold]{plan.team}[/] couriers")
    console.print(f"  {target.kpi} = {_fmt(plan.kpi_value)} with {plan.team}", end="")
    console.print(f"; {_fmt(plan.below_value)} with {plan.team - 1}" if plan.below_value is not None else "")
    console.print(f"  fleet sizes simulated ({target.kpi}): {tried}")
    return 0


def _cmd_plan_staff(args: argparse.Namespace, console: Console) -> int:
    from .runner import prepare_scenario
    from .scenario import load_scenario
    from .staffing import parse_target, plan_staff

    scenario = load_scenario(args.scenario, _overrides(args.overrides), overrides_from="--set")
    scenario = prepare_scenario(scenario, args.seed, None)
    target = parse_target(args.target)
    with console.status(f"searching {args.field} for {target} ..."):
        plan = plan_staff(scenario, args.variant, target, field=args.field)
    tried = ", ".join(f"{n}: {_fmt(v)}" for n, v in plan.evaluations.items())
    console.print(f"{scenario.name} / {args.variant}: smallest {plan.field} meeting {target} is [bold]{plan.team}[/]")
    console.print(f"  {target.kpi} = {_fmt(plan.kpi_value)} with {plan.team}", end="")
    console.print(f"; {_fmt(plan.below_value)} with {plan.team - 1}" if plan.below_value is not None else "")
    console.print(f"  simulated team sizes ({target.kpi}): {tried}")
    return 0


def _cmd_theory_mmc(args: argparse.Namespace, console: Console) -> int:
    from .theory import simulate_mmc

    try:
        result = simulate_mmc(args.arrivals_per_hour, args.service_per_hour, args.servers, orders=args.orders, seed=args.seed)
    except ValueError as exc:
        raise ScenarioError(f"theory mmc: {exc}") from None
    if args.json:
        out = {k: result.as_dict()[k] for k in ("simulated_wait_s", "ci95_s", "theory_wait_s")}
        print(json.dumps(out))
        return 0
    console.print(
        f"M/M/{args.servers}: λ = {args.arrivals_per_hour:g}/h, μ = {args.service_per_hour:g}/h per picker, "
        f"utilisation {result.utilisation:.3f}, {result.orders:,} orders"
    )
    console.print(
        f"  simulated mean wait in queue: {result.simulated_wait_s:.2f} s ± {result.ci95_s:.2f} s (95% CI, batch means)"
    )
    console.print(f"  Erlang C:                     {result.theory_wait_s:.2f} s")
    console.print("  agrees within the confidence interval" if result.agrees else "  outside the confidence interval")
    return 0


def _cmd_plot(args: argparse.Namespace, console: Console) -> int:
    from .gallery import save_gallery

    if not args.results.is_dir():
        raise ResultsError(f"{args.results}: no such results folder")
    for path in save_gallery(args.results):
        console.print(str(path))
    return 0


def _cmd_new(args: argparse.Namespace, console: Console) -> int:
    from .wizard import ask, scenario_text

    console.print("A scenario for your station: press Enter to take the value in brackets.\n")
    try:
        answers = ask(input, lambda text: console.print(_escape(text)))
    except EOFError:
        raise ScenarioError("parcelsim new: the questions need answers (the input ended)") from None
    target = args.out or Path(f"{answers['name']}.yaml")
    if target.exists() and not args.force:
        raise ScenarioError(f"{target}: exists; choose another --out or add --force to replace it")
    try:
        target.write_text(scenario_text(answers), encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"{target}: cannot write ({exc.strerror})") from None
    console.print(f"\nWritten [bold]{_escape(str(target))}[/]. Run it:  parcelsim run {_escape(str(target))} --reps 10")
    return 0


def _cmd_app(args: argparse.Namespace, console: Console) -> int:
    from .scenario import load_scenario

    try:
        import panel  # noqa: F401  (checked here: a clear message instead of an ImportError)

        from .app import serve
    except ImportError:
        raise ScenarioError("parcelsim app needs the app extra: pip install 'parcelsim[app]' (make test installs it)") from None
    path = args.scenario or Path(__file__).resolve().parents[1] / "scenarios" / "door_vs_locker.yaml"
    scenario = load_scenario(path)
    if len(scenario.variants) < 2:
        raise ScenarioError(f"{path}: the app compares two variants (door and locker); this scenario has one")
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        console.print(f"[yellow]warning:[/] serving on {_escape(args.host)}: anyone who can reach this address can use the page")
    console.print(f"What-if page for {_escape(scenario.name)}: http://{_escape(args.host)}:{args.port}/  (Ctrl-C stops it)")
    serve(scenario, host=args.host, port=args.port, open_browser=not args.no_browser)
    console.print("stopped")
    return 0


def _cmd_export(args: argparse.Namespace, console: Console) -> int:
    from .ocel import export_ocel

    if not args.results.is_dir():
        raise ResultsError(f"{args.results}: no such results folder")
    if args.format == "lade-csv":
        return _export_lade(args, console)
    summary = export_ocel(args.results, args.out, args.format, variant=args.variant, replication=args.replication,
                          start=args.start_date, force=args.force)  # fmt: skip
    objects = ", ".join(f"{n:,} {kind}s" for kind, n in summary.objects.items() if n)
    console.print(f"{_escape(str(summary.path))}: {summary.events:,} events; {objects}")
    return 0


def _export_lade(args: argparse.Namespace, console: Console) -> int:
    """The run's deliveries in LaDe-D columns: a sample to try import-lade and calibrate on."""
    from .gallery import Bundle
    from .lade import lade_from_run
    from .outdir import file_written_whole
    from .results import load_events

    bundle = Bundle(args.results)
    variant = args.variant or bundle.variants[0]
    bundle.event_parts(variant, args.replication)  # the run exists, or a message naming what does
    events = load_events(bundle.folder, variant, args.replication).to_pandas()
    lade = lade_from_run(events, start=args.start_date, city=bundle.scenario.name)
    with file_written_whole(args.out, args.force) as temporary:
        lade.to_csv(temporary, index=False)
    console.print(f"{_escape(str(args.out))}: {len(lade):,} deliveries in LaDe-D columns")
    return 0


def _lade_summary(path: Path, mapping: Path | None) -> LadeSummary:
    """A delivery log's distributions: from a LaDe-D CSV, or a summary written by import-lade."""
    import pandas as pd

    from .lade import LadeSummary, read_lade, summarize

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
    from .outdir import writing
    from .plots import delivery_distributions

    summary = _lade_summary(args.data, args.mapping)
    out = args.out or Path("results") / f"lade-{args.data.stem}"
    stats = summary.statistics()
    with writing(out, args.force) as folder:
        summary.table().to_parquet(folder / "lade_summary.parquet", index=False)
        stats.to_csv(folder / "lade_statistics.csv", index=False)
        (folder / "charts").mkdir()
        delivery_distributions({args.data.stem: summary}).savefig(folder / "charts" / "lade_distributions.png", dpi=110)
    console.print(stats.to_string(index=False, float_format=lambda x: f"{x:.3g}"))
    console.print(f"\nSummary in [bold]{_escape(str(out))}[/] (lade_summary.parquet is what calibrate --data reads)")
    return 0


def _cmd_calibrate(args: argparse.Namespace, console: Console) -> int:
    from .calibrate import DEFAULT_PARAMS, parse_param
    from .outdir import writing
    from .scenario import load_scenario

    scenario = load_scenario(args.scenario, _overrides(args.overrides), overrides_from="--set")
    real = _lade_summary(args.data, args.mapping)
    params = tuple(parse_param(p) for p in args.param) or DEFAULT_PARAMS
    out = args.out or Path("results") / f"calibration-{scenario.name}"
    with writing(out, args.force) as folder:
        fit = _calibrated_into(folder, scenario, real, params, args, console)
    fitted = ", ".join(f"{k} = {v:.4g}" for k, v in fit.values.items())
    console.print(f"\nFitted {fitted} (distance {fit.distance:.3f}, {len(fit.evaluations)} simulations)")
    console.print(f"Results in [bold]{_escape(str(out))}[/]: scenario.calibrated.yaml, calibration.csv, charts/calibration.png")
    return 0


def _calibrated_into(out: Path, scenario: Scenario, real: LadeSummary, params: tuple[Param, ...], args: argparse.Namespace,
                     console: Console) -> Calibration:  # fmt: skip
    from .calibrate import calibrate
    from .plots import delivery_distributions

    fit = calibrate(scenario, real, params, variant=args.variant, budget=args.budget,
                    progress=lambda row: console.print("  " + ", ".join(f"{k} {v:.4g}" for k, v in row.items())))  # fmt: skip
    (out / "scenario.calibrated.yaml").write_text(fit.scenario.to_yaml(), encoding="utf-8")
    fit.comparison(real).to_csv(out / "calibration.csv", index=False)
    report = {"params": {p.path: {"low": p.low, "high": p.high, "fitted": fit.values[p.path]} for p in params},
              "distance": fit.distance, "evaluations": fit.evaluations}  # fmt: skip
    (out / "calibration.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    (out / "charts").mkdir(exist_ok=True)
    assert fit.fitted is not None
    delivery_distributions({"data": real, "simulated (fitted)": fit.fitted}).savefig(out / "charts" / "calibration.png", dpi=110)
    return fit


def _cmd_report(args: argparse.Namespace, console: Console) -> int:
    from .report import write_report

    if not args.results.is_dir():
        raise ResultsError(f"{args.results}: no such results folder")
    console.print(str(write_report(args.results)))
    return 0


def _cmd_schema(args: argparse.Namespace, console: Console) -> int:
    from .reference import json_schema_text

    text = json_schema_text()
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        console.print(f"JSON Schema written to {args.out}")
    else:
        sys.stdout.write(text)
    return 0


def _cmd_validate(args: argparse.Namespace, console: Console) -> int:
    from .cost import estimate
    from .districts import check_feasible
    from .scenario import load_scenario

    scenario = load_scenario(args.scenario, _overrides(args.overrides), overrides_from="--set")
    check_feasible(scenario, memory_limit=_limit(args))
    console.print(_escape(f"{args.scenario}: valid scenario '{scenario.name}' with variants {', '.join(scenario.variants)}"))
    console.print(_escape(f"  one replication of every variant: {estimate(scenario).text()}"))
    return 0


def _cmd_track(args: argparse.Namespace, console: Console) -> int:
    from .results import parcel_timeline

    for run_name, lines in parcel_timeline(args.results, args.parcel).items():
        console.print(f"[bold]parcel {args.parcel} — {run_name}[/]")
        for line in lines:
            console.print("  " + line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
