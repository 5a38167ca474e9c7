"""Commands about scenario files: new (a few questions), validate, schema."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.errors import ScenarioError
from .options import (
    Command,
    max_memory_option,
    memory_limit,
    overrides_of,
    set_option,
)
from .output import escape

if TYPE_CHECKING:
    from rich.console import Console


__all__ = ["add_commands"]


def add_commands(command: Command) -> None:
    """Add this group's commands to the parser."""
    _add_new(command)
    _add_validate(command)
    _add_schema(command)


def _add_new(command: Command) -> None:
    p = command("new", "answer a few questions, get a commented scenario file with door and locker variants")
    p.add_argument("--out", type=Path, help="file to write (default: NAME.yaml in the current folder)")
    p.add_argument("--force", action="store_true", help="replace the file if it exists")
    p.set_defaults(handler=_cmd_new)


def _add_validate(command: Command) -> None:
    p = command("validate", "check a scenario file without running it")
    p.add_argument("scenario", type=Path, help="scenario YAML file")
    set_option(p)
    max_memory_option(p)
    p.set_defaults(handler=_cmd_validate)


def _add_schema(command: Command) -> None:
    p = command("schema", "print the JSON Schema of scenario files (for editors and CI checks)")
    p.add_argument("--out", type=Path, help="write to this file instead of printing")
    p.set_defaults(handler=_cmd_schema)


def _cmd_new(args: argparse.Namespace, console: Console) -> int:
    from .wizard import ask, scenario_text

    console.print("A scenario for your station: press Enter to take the value in brackets.\n")
    try:
        answers = ask(input, lambda text: console.print(escape(text)))
    except EOFError:
        raise ScenarioError("parcelsim new: the questions need answers (the input ended)") from None
    target = args.out or Path(f"{answers['name']}.yaml")
    if target.exists() and not args.force:
        raise ScenarioError(f"{target}: exists; choose another --out or add --force to replace it")
    try:
        target.write_text(scenario_text(answers), encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"{target}: cannot write ({exc.strerror})") from None
    console.print(f"\nWritten [bold]{escape(str(target))}[/]. Run it:  parcelsim run {escape(str(target))} --reps 10")
    return 0


def _cmd_validate(args: argparse.Namespace, console: Console) -> int:
    from ..scenario.load import load_scenario
    from ..scenario.sizing import estimate
    from ..world.districts import check_feasible

    scenario = load_scenario(args.scenario, overrides_of(args.overrides), overrides_from="--set")
    check_feasible(scenario, memory_limit=memory_limit(args))
    console.print(escape(f"{args.scenario}: valid scenario '{scenario.name}' with variants {', '.join(scenario.variants)}"))
    console.print(escape(f"  one replication of every variant: {estimate(scenario).text()}"))
    return 0


def _cmd_schema(args: argparse.Namespace, console: Console) -> int:
    from ..scenario.reference import json_schema_text

    text = json_schema_text()
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        console.print(f"JSON Schema written to {args.out}")
    else:
        sys.stdout.write(text)
    return 0
