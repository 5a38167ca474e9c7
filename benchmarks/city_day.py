"""City scale, as a user runs it: a delivery day of 100 k, 1 M and 10 M parcels, both variants.

For each size it runs what the user types, ``parcelsim run SCENARIO --out DIR --jobs J`` (results
folder and charts included), in a fresh process, and prints:
- ``command s``: its wall time;
- ``runs s``: the time it spent running the simulations (``wall_time_s`` in the folder's
  ``meta.json``: every station area simulated, reduced to its partial KPIs and its tables streamed
  to disk), and the ratio of the two -- what start-up, the results folder and the charts add;
- peak memory of the command's whole process tree (main process and workers, sampled every 0.2 s);
- parcels per second of the command (parcels x variants / command s), per core (÷ ``--jobs``),
  and that per-core rate as a share of the SimPy bound measured in the same run
  (``simpy_bound.py``: bare courier processes, one timeout per stop);
- whether the tracking log and the KPIs written with ``--jobs 1`` and with ``--jobs J`` are
  byte-identical (``--identical-at``, 1 M by default: one process at 10 M takes twice as long).

Issue #14's targets: city_1m command <= 40 s and <= 1.5 x its simulation, <= 2 GiB; city_10m
<= 6 min with --jobs 2 and <= 4 GiB.

Run: python benchmarks/city_day.py [--parcels 100000 1000000 10000000] [--jobs 2] [--identical-at 1000000]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
from simpy_bound import LABEL, bound_parcels_per_s

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = {1_000_000: ROOT / "scenarios" / "city_1m.yaml", 10_000_000: ROOT / "scenarios" / "city_10m.yaml"}
PER_STATION = 16_667


def scenario_args(parcels: int) -> list[str]:
    """The scenario file and ``--set`` overrides for a city of about ``parcels`` parcels a day."""
    if parcels in SCENARIOS:
        return [str(SCENARIOS[parcels])]
    stations = max(1, round(parcels / PER_STATION))
    return [str(SCENARIOS[1_000_000]), "--set", f"stations.count={stations}"]


def measured(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident memory (GiB, summed over the process tree) of a command."""
    started = time.perf_counter()
    proc = psutil.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            try:
                tree = [proc, *proc.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
            except psutil.Error:
                pass
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err.decode()[-2000:]}")
    return wall, peak / 2**30


def log_digest(folder: Path) -> str:
    """Of the tracking log's part files (names and bytes, in name order) and the KPIs."""
    h = hashlib.sha256()
    for part in [*sorted((folder / "events.parquet").glob("*.parquet")), folder / "kpis.csv"]:
        h.update(part.name.encode() + part.read_bytes())
    return h.hexdigest()[:16]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parcels", type=int, nargs="+", default=[100_000, 1_000_000, 10_000_000])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument(
        "--identical-at",
        type=int,
        nargs="*",
        default=[1_000_000],
        help="sizes at which to compare the --jobs 1 and --jobs J logs",
    )
    args = parser.parse_args()
    parcelsim = str(Path(sys.executable).with_name("parcelsim"))
    bound = bound_parcels_per_s()
    print(f"{LABEL}: {bound:,.0f} parcels/s on one core")
    print(
        f"{'parcels':>11} {'command s':>9} {'runs s':>6} {'ratio':>5} {'peak GiB':>8} {'parcels/s':>10} "
        f"{'per core':>9} {'of bound':>8}  sharded log"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.parcels:
            out = Path(tmp) / f"run{n}"
            wall, peak = measured([parcelsim, "run", *scenario_args(n), "--out", str(out), "--jobs", str(args.jobs)])
            runs_s = json.loads((out / "meta.json").read_text())["wall_time_s"]
            identical = "not checked"
            if n in args.identical_at:
                one = Path(tmp) / f"one{n}"
                measured([parcelsim, "run", *scenario_args(n), "--out", str(one), "--jobs", "1", "--no-charts"])
                identical = "identical" if log_digest(one) == log_digest(out) else "DIFFERS"
                shutil.rmtree(one)
            shutil.rmtree(out)
            rate = 2 * n / wall  # both variants
            per_core = rate / args.jobs
            print(
                f"{n:>11,} {wall:>9.1f} {runs_s:>6.1f} {wall / runs_s:>5.2f} {peak:>8.2f} {rate:>10,.0f} "
                f"{per_core:>9,.0f} {per_core / bound:>8.1%}  {identical}"
            )


if __name__ == "__main__":
    main()
