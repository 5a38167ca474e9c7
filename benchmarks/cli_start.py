"""How fast the command line starts: wall time of commands that do no simulation, each in a fresh process.

Issue #14's targets on the 2-core reference machine: ``parcelsim --help`` <= 0.5 s,
``parcelsim validate FILE`` <= 1.0 s. Each command runs ``--repeat`` times; the median is shown.
``python -X importtime -c "import sim"`` shows where start-up time goes.

Run: python benchmarks/cli_start.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PARCELSIM = str(Path(sys.executable).with_name("parcelsim"))
COMMANDS = {
    "parcelsim --help": [PARCELSIM, "--help"],
    "parcelsim --version": [PARCELSIM, "--version"],
    "parcelsim run --help": [PARCELSIM, "run", "--help"],
    "parcelsim validate scenarios/door_vs_locker.yaml": [PARCELSIM, "validate", str(ROOT / "scenarios" / "door_vs_locker.yaml")],
    "python -c 'import sim'": [sys.executable, "-c", "import sim"],
}
TARGETS = {"parcelsim --help": 0.5, "parcelsim validate scenarios/door_vs_locker.yaml": 1.0}


def wall(cmd: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    for name, cmd in COMMANDS.items():
        wall(cmd)  # warm the file cache: a user's second call, not the disk's first read
        median = statistics.median(wall(cmd) for _ in range(args.repeat))
        target = TARGETS.get(name)
        verdict = "" if target is None else f"  (target <= {target} s: {'met' if median <= target else 'MISSED'})"
        print(f"{name:<52} {median:6.2f} s{verdict}")


if __name__ == "__main__":
    main()
