"""``parcelsim design``: how many locker banks and 驿站, where, with which slots, chosen by simulation."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from .options import Command, default_out, executor_options, overrides_of, set_option
from .output import escape

if TYPE_CHECKING:
    from rich.console import Console

    from ..experiments.design import Design

__all__ = ["add_commands"]


def add_commands(command: Command) -> None:
    """Add this group's command to the parser."""
    p = command("design", "search a pick-up network design (locker slots, banks, 驿站) by simulation, then rank the best")
    p.add_argument("scenario", type=Path, help="scenario YAML file")
    p.add_argument("--space", type=Path, required=True, help="design file (YAML: space, costs, objective, constraints, budget)")
    p.add_argument("--budget", type=int, help="designs the optimiser evaluates (overrides the design file)")
    set_option(p)
    p.add_argument("--out", type=Path, help="folder to write (default: results/<name>-design-<UTC time>)")
    p.add_argument("--force", action="store_true", help="replace the folder's results if it is not empty")
    p.add_argument("--json", action="store_true", help="print the result as JSON only")
    executor_options(p)
    p.set_defaults(handler=_cmd_design)


def _cmd_design(args: argparse.Namespace, console: Console) -> int:
    from ..core.errors import ScenarioError
    from ..experiments.design import design_network
    from ..presentation.design_page import write_design
    from ..results.outdir import writing
    from ..scenario.design import load_design
    from ..scenario.load import load_scenario

    scenario = load_scenario(args.scenario, overrides_of(args.overrides), overrides_from="--set")
    spec = load_design(args.space)
    if args.budget is not None:
        if args.budget < 1:
            raise ScenarioError(f"must be at least 1 (got {args.budget})", param="budget")
        spec = spec.model_copy(update={"budget": args.budget})
    out = args.out or default_out(scenario.name, "design")
    quiet = args.json

    def progress(design: Design, best: Design | None) -> None:
        if quiet:
            return
        mark = "meets" if design.feasible else "misses"
        leader = f"; best so far: design {best.number}" if best is not None else ""
        value = design.kpis.get(spec.objective_kpi, float("nan"))
        console.print(
            f"  design {design.number:>3}: {escape(_values(design))} -> {spec.objective_kpi} {value:.4g}, "
            f"{mark} the constraints{leader}"
        )

    if not quiet:
        console.print(f"{escape(scenario.name)}: {spec.objective}, {spec.size():,} designs in the space, budget {spec.budget}")
    with writing(out, args.force) as folder:
        result = design_network(scenario, spec, jobs=args.jobs, scheduler=args.scheduler, progress=progress)
        write_design(result, folder)
    if args.json:
        print(json.dumps(result.as_dict(), default=float))
        return 0
    console.print(f"\nChosen: [bold]{escape(_values(result.chosen))}[/]")
    for line in (result.versus_runner_up, result.versus_own):
        if line is not None:
            console.print(
                f"  against design {line.b}: {line.mean:+,.4g} (95% CI ±{line.ci95:,.4g}) "
                + ("better" if line.better else "not significantly better")
            )
    console.print(f"\nResults in [bold]{escape(str(out))}[/]  (design.md, design.scenario.yaml, charts/design_pareto.png)")
    return 0


def _values(design: Design) -> str:
    from ..scenario.design import design_of

    return design_of(design.values)
