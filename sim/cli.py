"""The command line: a thin layer over the library API.

Exit codes: 0 success, 2 bad input (scenario, option, results folder), 1 an internal error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shlex
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from . import plots
from .errors import ParcelsimError, ScenarioError
from .metrics import HEADLINE_KPIS, UPSTREAM_KPIS
from .model import check_feasible
from .results import parcel_timeline, prepare_out_dir, runset_charts, write_bundle
from .runner import RunSet, run
from .scenario import load_scenario, parse_override
from .staffing import parse_target, plan_staff
from .theory import simulate_mmc

__all__ = ["main"]

EXIT_BAD_INPUT = 2


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``parcelsim`` and ``python -m sim``."""
    parser = _parser()
    args = parser.parse_args(argv)
    console = Console(highlight=False, soft_wrap=True)
    try:
        return args.handler(args, console)
    except ParcelsimError as exc:
        Console(stderr=True, highlight=False).print(f"[bold red]error:[/] {exc}", markup=True, soft_wrap=True)
        return EXIT_BAD_INPUT


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="parcelsim", description="Discrete-event simulation of last-mile parcel delivery: door vs locker."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("run", help="run every variant of a scenario and write a results folder")
    p.add_argument("scenario", type=Path, help="scenario YAML file")
    p.add_argument("--out", type=Path, help="results folder (default: results/<name>-<UTC time>)")
    p.add_argument("--seed", type=_non_negative_int, help="base seed (overrides the scenario's seed)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE",
                   help="override a scenario field, e.g. --set couriers.count=30 (repeatable)")  # fmt: skip
    p.add_argument("--variant", dest="variants", action="append", metavar="NAME", help="run only this variant (repeatable)")
    p.add_argument("--force", action="store_true", help="replace the results in a non-empty --out folder")
    p.add_argument("--no-charts", action="store_true", help="skip the PNG charts")
    p.set_defaults(handler=_cmd_run)

    p = sub.add_parser("plan-staff", help="smallest warehouse team that meets a KPI target (simulated, CRN)")
    p.add_argument("scenario", type=Path)
    p.add_argument("--variant", required=True, help="variant to staff, e.g. merchant")
    p.add_argument("--target", required=True, help="e.g. dispatched_within_24h_share=0.95 or dispatch_time_p90_h<=24")
    p.add_argument(
        "--field",
        default="upstream.warehouse.pickers",
        help="team field to search (default: pickers, with packers in proportion), e.g. upstream.warehouse.surge.pickers",
    )
    p.add_argument("--seed", type=_non_negative_int)
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE")
    p.set_defaults(handler=_cmd_plan_staff)

    p = sub.add_parser("theory", help="check the simulator against queueing theory")
    theory = p.add_subparsers(dest="model", required=True, metavar="MODEL")
    q = theory.add_parser("mmc", help="warehouse pickers as an M/M/c queue vs the Erlang C formula")
    q.add_argument("--arrivals-per-hour", type=_positive_float, required=True)
    q.add_argument("--service-per-hour", type=_positive_float, required=True, help="orders one picker serves per hour")
    q.add_argument("--servers", type=_positive_int, required=True)
    q.add_argument("--orders", type=_positive_int, default=200_000)
    q.add_argument("--seed", type=_non_negative_int, default=1)
    q.add_argument("--json", action="store_true", help="print JSON only")
    q.set_defaults(handler=_cmd_theory_mmc)

    p = sub.add_parser("validate", help="check a scenario file without running it")
    p.add_argument("scenario", type=Path)
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE")
    p.set_defaults(handler=_cmd_validate)

    p = sub.add_parser("track", help="print a parcel's tracking timeline from a results folder")
    p.add_argument("results", type=Path, help="results folder written by 'parcelsim run'")
    p.add_argument("parcel", type=_non_negative_int, help="parcel id (0, 1, ...)")
    p.set_defaults(handler=_cmd_track)
    return parser


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


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text}")
    return value


def _overrides(items: list[str]) -> dict:
    return dict(parse_override(item) for item in items)


def _cmd_run(args: argparse.Namespace, console: Console) -> int:
    scenario = load_scenario(args.scenario, _overrides(args.overrides))
    check_feasible(scenario)
    out = args.out or Path("results") / f"{scenario.name}-{dt.datetime.now(dt.UTC).strftime('%Y%m%d-%H%M%S')}"
    prepare_out_dir(out, args.force)  # fail before a long run, not after it
    with console.status(f"running {scenario.name} ..."):
        runs = run(scenario, seed=args.seed, variants=args.variants)
    write_bundle(runs, out, command="parcelsim " + shlex.join(sys.argv[1:]))
    if not args.no_charts:
        plots.save_charts(runset_charts(runs), out / "charts")
    _print_kpis(runs, console)
    console.print(f"\nResults in [bold]{out}[/]  ({runs.wall_time_s:.1f} s, seed {runs.scenario.seed})")
    return 0


def _print_kpis(runs: RunSet, console: Console) -> None:
    kpis = runs.kpis()
    table = Table(title=f"{runs.scenario.name}: KPIs per variant", title_justify="left")
    table.add_column("KPI")
    for variant in kpis.index:
        table.add_column(str(variant), justify="right")
    keys = [*HEADLINE_KPIS, *(UPSTREAM_KPIS if runs.scenario.upstream is not None else ())]
    for key in keys:
        table.add_row(key, *(_fmt(kpis.at[v, key]) for v in kpis.index))
    console.print(table)


def _fmt(x: float) -> str:
    if x != x:
        return "–"
    return f"{x:,.0f}" if abs(x) >= 1000 or float(x).is_integer() else f"{x:,.3g}" if abs(x) < 1 else f"{x:,.2f}"


def _cmd_plan_staff(args: argparse.Namespace, console: Console) -> int:
    scenario = load_scenario(args.scenario, _overrides(args.overrides))
    if args.seed is not None:
        scenario = scenario.model_copy(update={"seed": args.seed})
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
    try:
        result = simulate_mmc(args.arrivals_per_hour, args.service_per_hour, args.servers, args.orders, args.seed)
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


def _cmd_validate(args: argparse.Namespace, console: Console) -> int:
    scenario = load_scenario(args.scenario, _overrides(args.overrides))
    check_feasible(scenario)
    console.print(f"{args.scenario}: valid scenario '{scenario.name}' with variants {', '.join(scenario.variants)}")
    return 0


def _cmd_track(args: argparse.Namespace, console: Console) -> int:
    for run_name, lines in parcel_timeline(args.results, args.parcel).items():
        console.print(f"[bold]parcel {args.parcel} — {run_name}[/]")
        for line in lines:
            console.print("  " + line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
