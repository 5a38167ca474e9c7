"""Options and argument types shared by the commands; bad values are argparse errors (exit 2)."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from pathlib import Path

__all__ = [
    "Command",
    "at_most",
    "default_out",
    "executor_options",
    "iso_date",
    "max_memory_option",
    "memory_limit",
    "non_negative_int",
    "order_count",
    "overrides_of",
    "parcel_id",
    "port_number",
    "positive_float",
    "positive_int",
    "replication_count",
    "set_option",
    "share",
    "variant_pair",
]

Command = Callable[..., argparse.ArgumentParser]  # adds a (sub)command: command(name, help_text, of=..., prefix=...)


def max_memory_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--max-memory",
        type=positive_float,
        metavar="GIB",
        help="memory a station area's run may use (default: 80%% of this machine's)",
    )


def set_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="override a scenario field, e.g. --set couriers.count=30 (repeatable)",
    )


def variant_pair(text: str) -> tuple[str, str]:
    a, sep, b = text.partition(",")
    if not sep or not a.strip() or not b.strip() or "," in b:
        raise argparse.ArgumentTypeError(f"expected two variant names A,B, got {text!r}")
    return a.strip(), b.strip()


def at_most(limit: int, what: str, *, zero: bool = False):
    """A positive (or, with ``zero``, non-negative) integer of at most ``limit``: beyond it a run
    would not fit a machine's memory or a day, or an id would not fit 64 bits."""

    def parse(text: str) -> int:
        value = non_negative_int(text) if zero else positive_int(text)
        if value > limit:
            raise argparse.ArgumentTypeError(f"{value:,} {what}: at most {limit:,}")
        return value

    return parse


replication_count = at_most(10_000, "replications")


parcel_id = at_most(2**63 - 1, "is not a parcel id; ids", zero=True)


order_count = at_most(50_000_000, "orders")


def non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {value}")
    return value


def positive_int(text: str) -> int:
    value = non_negative_int(text)
    if value == 0:
        raise argparse.ArgumentTypeError("expected a positive integer, got 0")
    return value


def executor_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--jobs", type=positive_int, help="worker processes (default: all cores)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler tcp://HOST:PORT, or 'local' for a LocalCluster")


def share(text: str) -> float:
    value = positive_float(text)
    if value >= 1:
        raise argparse.ArgumentTypeError(f"expected a share between 0 and 1, got {value}")
    return value


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text}")
    return value


def default_out(name: str, kind: str = "") -> Path:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S-%f")  # to the microsecond: parallel runs do not collide
    return Path("results") / "-".join(part for part in (name, kind, stamp) if part)


def iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2024-03-01") from None


def port_number(text: str) -> int:
    value = positive_int(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"{text}: a port is 1-65535")
    return value


def memory_limit(args: argparse.Namespace) -> float | None:
    """--max-memory in bytes, or None for the machine's own limit."""
    return None if args.max_memory is None else args.max_memory * 2**30


def overrides_of(items: list[str]) -> dict:
    from ..scenario.load import parse_override

    return dict(parse_override(item) for item in items)
