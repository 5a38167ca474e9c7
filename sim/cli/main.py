"""The command line: a thin layer over the library API.

Exit codes: 0 success, 2 bad input (scenario, option, results folder), 1 an internal error.
Library errors name the function parameter they are about; ``main`` shows the flag instead.
"""

from __future__ import annotations

import argparse
import signal
import threading
from typing import TYPE_CHECKING, Any

from ..core.errors import ParcelsimError
from ..core.version import package_version
from . import answers, data, designs, runs, scenarios
from .examples import epilog
from .output import escape

if TYPE_CHECKING:
    pass

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
    "origin": "--origin",
    "out": "--out",
    "overrides": "--set",
    "pair": "--a / --b",
    "replication": "--replication",
    "variant": "--variant",
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
        errors.print(f"[bold red]error:[/] {escape(_for_cli(exc))}")  # user text is never markup
        return EXIT_BAD_INPUT
    except OSError as exc:  # a read-only or full disk, a folder that is a file, ...
        where = f"{exc.filename}: " if exc.filename else ""
        errors.print(f"[bold red]error:[/] {escape(where + (exc.strerror or str(exc)))}")
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
        errors.print(f"[bold red]error:[/] a results file cannot be read ({escape(str(exc))}); was it written completely?")
        return EXIT_BAD_INPUT
    finally:
        if in_main:
            signal.signal(signal.SIGTERM, previous)


class _Terminated(BaseException):
    """SIGTERM, raised where the program is, so that results folders and worker pools are cleaned up."""


def _terminated(signum: int, frame: Any) -> None:
    raise _Terminated


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


class _ExamplesFormatter(argparse.HelpFormatter):
    """argparse's help, with the examples block kept one command to a line (descriptions still wrap)."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if text.startswith("examples:"):
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)


def _build() -> tuple[argparse.ArgumentParser, list[tuple[str, argparse.ArgumentParser]]]:
    """The parser, and each (sub)command's own parser by its full name."""
    parser = argparse.ArgumentParser(
        prog="parcelsim", description="Discrete-event simulation of last-mile parcel delivery: door vs locker."
    )
    parser.add_argument("--version", action="version", version=f"parcelsim {package_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", help="what to do (parcelsim COMMAND --help for more)")
    commands: list[tuple[str, argparse.ArgumentParser]] = []

    def command(name: str, help_text: str, of: Any = sub, prefix: str = "") -> argparse.ArgumentParser:
        p = of.add_parser(
            name,
            help=help_text,
            description=help_text[:1].upper() + help_text[1:] + ".",
            epilog=epilog(prefix + name),
            formatter_class=_ExamplesFormatter,
        )
        commands.append((prefix + name, p))
        return p

    for group in (runs, answers, designs, data, scenarios):
        group.add_commands(command)
    return parser, commands


if __name__ == "__main__":
    raise SystemExit(main())
