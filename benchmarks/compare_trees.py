"""Function time of a station day in two source trees, measured in alternating rounds.

Wall times on the 2-core reference VM drift by 10% or more within minutes, so a ratio between two
trees measured one after the other means little. Here each round runs both trees, each in a fresh
process (best of ``--repeat`` calls of ``simulate`` after a warm-up), the order of the trees
alternating between rounds; the figure is the median of the rounds' ratios, with their range.

Run: python benchmarks/compare_trees.py 12c4c56 [HEAD] [--variant locker] [--rounds 12]
A revision is checked out into a temporary worktree; a path to a source tree is used as it is.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_CHILD = """
import sys, time
sys.path.insert(0, sys.argv[1])  # this tree's sim, not whichever one is installed
import sim
assert sim.__file__.startswith(sys.argv[1]), sim.__file__
from pathlib import Path
from sim.model.run import simulate
from sim.scenario.load import load_scenario
overrides = {"parcels.per_day": 5000, "parcels.day_to_day_cv": 0.0, "couriers.count": 25}
scenario = load_scenario(Path(sys.argv[1]) / "scenarios" / "door_vs_locker.yaml", overrides)
simulate(scenario, sys.argv[2])
best = float("inf")
for _ in range(int(sys.argv[3])):
    t0 = time.perf_counter()
    simulate(scenario, sys.argv[2])
    best = min(best, time.perf_counter() - t0)
print(best)
"""


def _tree(rev_or_path: str, stack: ExitStack) -> Path:
    """A source tree: the path itself, or the revision checked out into a temporary worktree."""
    path = Path(rev_or_path)
    if (path / "sim").is_dir():
        return path.resolve()
    where = Path(stack.enter_context(tempfile.TemporaryDirectory())) / "tree"
    git = ["git", "-C", str(ROOT), "worktree"]
    subprocess.run([*git, "add", "--detach", str(where), rev_or_path], check=True, capture_output=True)
    stack.callback(subprocess.run, [*git, "remove", "--force", str(where)], capture_output=True)
    return where


def _best_s(tree: Path, variant: str, repeat: int) -> float:
    command = [sys.executable, "-c", _CHILD, str(tree), variant, str(repeat)]
    return float(subprocess.run(command, capture_output=True, text=True, check=True).stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="the tree to compare against: a git revision or a path")
    parser.add_argument("tree", nargs="?", default=str(ROOT), help="the tree measured (default: this checkout)")
    parser.add_argument("--variant", action="append", help="variants of the headline (default: door, mixed, locker)")
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=5, help="simulate calls per process; the best counts")
    args = parser.parse_args()
    with ExitStack() as stack:
        base, tree = _tree(args.base, stack), _tree(args.tree, stack)
        for variant in args.variant or ["door", "mixed", "locker"]:
            times: dict[Path, list[float]] = {base: [], tree: []}
            for r in range(args.rounds):
                for t in (base, tree) if r % 2 == 0 else (tree, base):
                    times[t].append(_best_s(t, variant, args.repeat))
            ratios = [b / a for a, b in zip(times[base], times[tree], strict=True)]
            print(
                f"{variant:>8}: {min(times[base]):.4f} s -> {min(times[tree]):.4f} s (best of all rounds); "
                f"ratio {statistics.median(ratios):.3f} (median of {args.rounds} rounds, {min(ratios):.3f}-{max(ratios):.3f})"
            )


if __name__ == "__main__":
    main()
