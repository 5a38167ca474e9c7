"""Commands that answer a question with many runs: breakeven, capacity, plan-couriers, plan-staff,
theory, field (the replayed field studies), and the what-if app."""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.errors import ScenarioError
from .options import (
    Command,
    default_out,
    executor_options,
    non_negative_int,
    order_count,
    overrides_of,
    port_number,
    positive_float,
    positive_int,
    replication_count,
    set_option,
)
from .output import escape, fmt, print_warnings

if TYPE_CHECKING:
    from rich.console import Console


__all__ = ["add_commands"]


def add_commands(command: Command) -> None:
    """Add this group's commands to the parser."""
    _add_breakeven(command)
    _add_capacity(command)
    _add_plan_couriers(command)
    _add_plan_staff(command)
    _add_theory(command)
    _add_field(command)
    _add_app(command)


def _add_breakeven(command: Command) -> None:
    p = command("breakeven", "the door fee at which a KPI is equal for door and locker delivery")
    p.add_argument("scenario", type=Path, help="scenario YAML file")
    p.add_argument("--kpi", default="income_per_courier_hour_yuan", help="the KPI to equalise (default %(default)s)")
    p.add_argument(
        "--field", default="economics.door_service_fee_yuan", help="the value to solve for (default: the door-service fee)"
    )
    p.add_argument("--capacity", action="store_true", help="compare under saturated demand (couriers never run out of parcels)")
    p.add_argument("--a", default="door", help="variant a (default door)")
    p.add_argument("--b", default="locker", help="variant b (default locker)")
    p.add_argument("--reps", type=replication_count, default=10, help="paired replications (default 10)")
    p.add_argument("--seed", type=non_negative_int, help="base seed (overrides the scenario's seed)")
    set_option(p)
    p.add_argument("--json", action="store_true", help="print JSON only")
    executor_options(p)
    p.set_defaults(handler=_cmd_breakeven)


def _add_capacity(command: Command) -> None:
    p = command("capacity", "parcels a courier delivers in a working day when work never runs out, per variant")
    p.add_argument("scenario", type=Path, help="scenario YAML file")
    p.add_argument("--variant", dest="variants", action="append", metavar="NAME", help="only this variant (repeatable)")
    p.add_argument("--reps", type=replication_count, default=5, help="replications per variant (default 5)")
    p.add_argument("--seed", type=non_negative_int, help="base seed (overrides the scenario's seed)")
    set_option(p)
    p.add_argument(
        "--out",
        type=Path,
        help="folder for capacity.json, capacity.csv and charts/ (default: results/<name>-capacity-<UTC time>)",
    )
    p.add_argument("--force", action="store_true", help="replace the results in a non-empty --out folder")
    p.add_argument("--json", action="store_true", help="print JSON only")
    executor_options(p)
    p.set_defaults(handler=_cmd_capacity)


def _add_plan_couriers(command: Command) -> None:
    p = command("plan-couriers", "smallest courier fleet that meets a KPI target (simulated, CRN)")
    p.add_argument("scenario", type=Path, help="scenario YAML file")
    p.add_argument("--variant", required=True, help="variant to staff, e.g. door")
    p.add_argument("--target", required=True, help="e.g. same_day_delivery_share=0.95 or carried_over_parcels<=100")
    p.add_argument("--reps", type=replication_count, default=1, help="replications averaged for each fleet size (default 1)")
    p.add_argument("--seed", type=non_negative_int, help="base seed (overrides the scenario's seed)")
    set_option(p)
    p.add_argument("--json", action="store_true", help="print JSON only")
    p.set_defaults(handler=_cmd_plan_couriers)


def _add_plan_staff(command: Command) -> None:
    p = command("plan-staff", "smallest warehouse team that meets a KPI target (simulated, CRN)")
    p.add_argument("scenario", type=Path, help="scenario YAML file")
    p.add_argument("--variant", required=True, help="variant to staff, e.g. merchant")
    p.add_argument("--target", required=True, help="e.g. dispatched_within_24h_share=0.95 or dispatch_time_p90_h<=24")
    p.add_argument(
        "--field",
        default="upstream.warehouse.pickers",
        help="team field to search (default: pickers, with packers in proportion), e.g. upstream.warehouse.surge.pickers",
    )
    p.add_argument("--seed", type=non_negative_int, help="base seed (overrides the scenario's seed)")
    set_option(p)
    p.set_defaults(handler=_cmd_plan_staff)


def _add_theory(command: Command) -> None:
    p = command("theory", "check the simulator against queueing theory")
    theory = p.add_subparsers(dest="model", required=True, metavar="MODEL", help="the model to check")
    q = command("mmc", "warehouse pickers as an M/M/c queue vs the Erlang C formula", of=theory, prefix="theory ")
    q.add_argument("--arrivals-per-hour", type=positive_float, required=True, help="Poisson arrival rate of orders")
    q.add_argument("--service-per-hour", type=positive_float, required=True, help="orders one picker serves per hour")
    q.add_argument("--servers", type=positive_int, required=True, help="pickers working round the clock")
    q.add_argument("--orders", type=order_count, default=200_000, help="orders to simulate (default %(default)s)")
    q.add_argument("--seed", type=non_negative_int, default=1, help="seed (default 1)")
    q.add_argument("--json", action="store_true", help="print JSON only")
    q.set_defaults(handler=_cmd_theory_mmc)


def _add_field(command: Command) -> None:
    p = command("field", "replay the published field studies (scenarios/field/) and write the field-validation page")
    p.add_argument("--reps", type=replication_count, default=10, help="replications per study (default %(default)s)")
    p.add_argument("--jobs", type=positive_int, default=None, help="worker processes (default: all cores)")
    p.add_argument(
        "--out", type=Path, default=None, help="folder for field_validation.md and its chart (default: docs/background)"
    )
    p.set_defaults(handler=_cmd_field)


def _cmd_field(args: argparse.Namespace, console: Console) -> int:
    import os

    from ..experiments.field import studies_within
    from ..presentation.field_page import write_field_page

    if args.reps < 2:
        raise ScenarioError(f"field: --reps {args.reps}: at least 2 replications give a confidence interval")
    out = args.out or Path(__file__).resolve().parents[2] / "docs" / "background"
    page, results = write_field_page(out, args.reps, args.jobs or os.cpu_count() or 1)
    for r in results:
        s = r.study
        mark = "within" if r.within else "MISS  "
        role = " (calibration)" if s.calibration else ""
        console.print(
            f"  {mark} {escape(s.figure)}{role}: model {r.mean:.3g} ± {r.ci95:.2g}, published {escape(s.published_text)}"
        )
    held = [r for r in results if not r.study.calibration]
    whole, studies = studies_within(results)
    console.print(
        f"\nHeld out: {sum(r.within for r in held)} of {len(held)} within; studies with every figure within: "
        f"{whole} of {studies}; the page: [bold]{escape(str(page))}[/]"
    )
    return 0


def _add_app(command: Command) -> None:
    p = command("app", "serve a live what-if page (sliders: door fee, 音尊达 share, couriers, shift end, locker slots)")
    p.add_argument("scenario", type=Path, nargs="?", default=None, help="scenario YAML file (default: the headline scenario)")
    p.add_argument("--port", type=port_number, default=5006, help="port (default %(default)s)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default %(default)s: this machine only)")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser")
    p.set_defaults(handler=_cmd_app)


def _cmd_breakeven(args: argparse.Namespace, console: Console) -> int:
    from ..experiments.breakeven import breakeven
    from ..experiments.runner import check_variants
    from ..scenario.load import load_scenario

    scenario = load_scenario(args.scenario, overrides_of(args.overrides), overrides_from="--set")
    check_variants(scenario, [args.a, args.b])
    result = breakeven(
        scenario,
        kpi=args.kpi,
        field=args.field,
        a=args.a,
        b=args.b,
        replications=args.reps,
        seed=args.seed,
        jobs=args.jobs,
        scheduler=args.scheduler,
        at_capacity=args.capacity,
    )
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

    from ..experiments.capacity import CAPACITY_KPIS, capacity
    from ..model.bands import band_warnings
    from ..presentation.plots import capacity as capacity_chart
    from ..presentation.plots import save_charts
    from ..results.outdir import writing
    from ..scenario.load import load_scenario
    from ..world.districts import check_feasible

    scenario = load_scenario(args.scenario, overrides_of(args.overrides), overrides_from="--set")
    check_feasible(scenario)
    out = args.out or default_out(scenario.name, "capacity")
    with writing(out, args.force) as folder:
        result = capacity(
            scenario, variants=args.variants, replications=args.reps, seed=args.seed, jobs=args.jobs, scheduler=args.scheduler
        )
        summary = result.summary()
        (folder / "capacity.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
        result.runs.to_csv(folder / "capacity.csv", index=False, float_format="%.6g")
        save_charts({"capacity": capacity_chart(summary)}, folder / "charts")
    if args.json:
        print(json.dumps(summary))
        return 0
    table = Table(
        title=f"{scenario.name}: a courier's saturated working day (mean ± 95% CI, {args.reps} replications)",
        title_justify="left",
    )
    table.add_column("KPI", no_wrap=True)
    for variant in summary:
        table.add_column(variant, justify="right")
    for kpi in CAPACITY_KPIS:
        table.add_row(kpi, *(f"{fmt(c[kpi]['mean'])} ± {fmt(c[kpi]['ci95'])}" for c in summary.values()))
    console.print(table)
    for variant, cells in summary.items():
        console.print(f"{escape(variant)}: what binds the day: " + "; ".join(escape(b) for b in cells["binds"]))
    means = {v: {k: float(c[k]["mean"] or math.nan) for k in CAPACITY_KPIS} for v, c in summary.items()}
    bands = band_warnings(means)
    print_warnings(bands, console)
    if any("parcels_per_courier_day" in b and "above" in b for b in bands):
        console.print(
            "  (a saturated day measures what a courier's day allows; the band is what couriers deliver on real days, "
            "where their areas' demand, not their time, sets the volume: see what binds above)"
        )
    console.print(f"\nResults in [bold]{escape(str(out))}[/]  ({result.parcels_per_courier} parcels per courier offered)")
    return 0


def _cmd_plan_couriers(args: argparse.Namespace, console: Console) -> int:
    from ..experiments.runner import check_variants, prepare_scenario
    from ..experiments.staffing import parse_target, plan_couriers
    from ..scenario.load import load_scenario

    scenario = load_scenario(args.scenario, overrides_of(args.overrides), overrides_from="--set")
    scenario = prepare_scenario(scenario, args.seed, None)
    check_variants(scenario, [args.variant])
    target = parse_target(args.target)
    with console.status(f"searching couriers.count for {target} ..."):
        plan = plan_couriers(scenario, args.variant, target, replications=args.reps)
    if args.json:
        print(json.dumps({"couriers": plan.team, **plan.as_dict()}))
        return 0
    tried = ", ".join(f"{n}: {fmt(v)}" for n, v in plan.evaluations.items())
    console.print(f"{scenario.name} / {args.variant}: the smallest fleet meeting {target} is [bold]{plan.team}[/] couriers")
    console.print(f"  {target.kpi} = {fmt(plan.kpi_value)} with {plan.team}", end="")
    console.print(f"; {fmt(plan.below_value)} with {plan.team - 1}" if plan.below_value is not None else "")
    console.print(f"  fleet sizes simulated ({target.kpi}): {tried}")
    from ..model.bands import band_warnings

    k = plan.kpis
    console.print(
        f"  with {plan.team} couriers: {fmt(k['parcels_per_courier_day'])} parcels, {fmt(k['hours_per_courier_day'])} h on duty "
        f"({fmt(k['active_hours_per_courier_day'])} active), {fmt(k['income_per_courier_day_yuan'])} yuan a courier-day; "
        f"the station nets {fmt(k['station_net_yuan_per_day'])} yuan a day"
    )
    print_warnings(band_warnings({args.variant: k}), console)
    return 0


def _cmd_plan_staff(args: argparse.Namespace, console: Console) -> int:
    from ..experiments.runner import prepare_scenario
    from ..experiments.staffing import parse_target, plan_staff
    from ..scenario.load import load_scenario

    scenario = load_scenario(args.scenario, overrides_of(args.overrides), overrides_from="--set")
    scenario = prepare_scenario(scenario, args.seed, None)
    target = parse_target(args.target)
    with console.status(f"searching {args.field} for {target} ..."):
        plan = plan_staff(scenario, args.variant, target, field=args.field)
    tried = ", ".join(f"{n}: {fmt(v)}" for n, v in plan.evaluations.items())
    console.print(f"{scenario.name} / {args.variant}: smallest {plan.field} meeting {target} is [bold]{plan.team}[/]")
    console.print(f"  {target.kpi} = {fmt(plan.kpi_value)} with {plan.team}", end="")
    console.print(f"; {fmt(plan.below_value)} with {plan.team - 1}" if plan.below_value is not None else "")
    console.print(f"  simulated team sizes ({target.kpi}): {tried}")
    return 0


def _cmd_theory_mmc(args: argparse.Namespace, console: Console) -> int:
    from ..experiments.theory import simulate_mmc

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


def _cmd_app(args: argparse.Namespace, console: Console) -> int:
    from ..scenario.load import load_scenario

    try:
        import panel  # noqa: F401  (checked here: a clear message instead of an ImportError)

        from ..presentation.app import serve
    except ImportError:
        raise ScenarioError("parcelsim app needs the app extra: pip install 'parcelsim[app]' (make test installs it)") from None
    path = args.scenario or Path(__file__).resolve().parents[2] / "scenarios" / "door_vs_locker.yaml"
    scenario = load_scenario(path)
    if len(scenario.variants) < 2:
        raise ScenarioError(f"{path}: the app compares two variants (door and locker); this scenario has one")
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        console.print(f"[yellow]warning:[/] serving on {escape(args.host)}: anyone who can reach this address can use the page")
    console.print(f"What-if page for {escape(scenario.name)}: http://{escape(args.host)}:{args.port}/  (Ctrl-C stops it)")
    serve(scenario, host=args.host, port=args.port, open_browser=not args.no_browser)
    console.print("stopped")
    return 0
