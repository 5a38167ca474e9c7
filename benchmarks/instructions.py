"""Instructions per station day, counted by valgrind's callgrind: a speed figure that does not move
with the load on a shared machine (wall times on the 2-core reference VM vary by 15% or more).

Counts the instructions of a process that builds the headline district and simulates one
variant ``1 + N`` times, and of one that simulates it once; the difference over ``N`` is one
station day's instructions, imports and district building excluded. Takes about a minute per
variant (callgrind runs programs about 50 times slower).

Run: python benchmarks/instructions.py [--variant door --variant locker] [--repeat 2] [--set path=value ...]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_CHILD = """
import sys, json
sys.path.insert(0, {root!r})  # this tree's sim, not whichever one is installed
from sim.model.run import simulate
from sim.scenario.load import load_scenario
scenario = load_scenario({headline!r}, json.loads({overrides!r}))
for _ in range(1 + {repeat}):
    simulate(scenario, {variant!r})
"""


def instructions(variant: str, repeat: int, overrides: dict[str, object]) -> int:
    """Instructions of a process that simulates ``variant`` ``1 + repeat`` times."""
    code = _CHILD.format(
        root=str(ROOT),
        headline=str(ROOT / "scenarios" / "door_vs_locker.yaml"),
        overrides=json.dumps(overrides),
        repeat=repeat,
        variant=variant,
    )
    with tempfile.NamedTemporaryFile("w", suffix=".py") as script:
        script.write(code)
        script.flush()
        done = subprocess.run(
            ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, script.name],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
    found = re.search(r"Collected\s*:\s*(\d+)", done.stderr)
    if found is None:
        raise SystemExit(f"callgrind printed no count:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", action="append", dest="variants")
    parser.add_argument("--repeat", type=int, default=2, help="extra simulations whose instructions are averaged")
    parser.add_argument("--set", action="append", default=[], metavar="PATH=VALUE", help="a scenario override")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    overrides: dict[str, object] = {"parcels.day_to_day_cv": 0.0}
    for item in args.set:
        path, _, value = item.partition("=")
        overrides[path] = json.loads(value) if value[:1].isdigit() or value in ("true", "false") else value
    for variant in args.variants or ["door", "locker"]:
        once, more = instructions(variant, 0, overrides), instructions(variant, args.repeat, overrides)
        print(f"{variant:>8}: {(more - once) / args.repeat / 1e6:,.1f} M instructions per station day")


if __name__ == "__main__":
    main()
