"""Where a station day's time goes: each part of the model's share, sampled by py-spy.

A speed-up of a part can save at most that part's share (Amdahl's law): before moving a part to
compiled code, or drawing it in arrays, see how much of the day it is. A child process simulates
the day again and again under ``py-spy record``; the samples taken inside the measured calls (not
the warm-up, which builds the district) are counted by the model's functions on their stack:

* **inclusive**: the share of samples with the function anywhere on the stack (it and all it
  calls; the rows overlap, a locker drop inside a stop counts in both);
* **lines**: the share of samples whose innermost frame of the model is that line (the flat end
  of the profile: no line is a large share of a day that is already written for speed).

Run: python benchmarks/where_time_goes.py [--variant door] [--city] [--seconds 15]
``--city`` takes one station area of ``scenarios/city_1m.yaml`` (16,667 parcels, 75 couriers)
instead of the headline day (5,000 parcels, 25 couriers). Needs py-spy (the dev extra).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_CHILD = """
import sys, time
sys.path.insert(0, {root!r})  # this tree's sim, not whichever one is installed
from sim.model.run import simulate
from sim.scenario.load import load_scenario
scenario = load_scenario({scenario!r}, {overrides!r})

def warm_up():
    simulate(scenario, {variant!r})

def measured(until):
    while time.perf_counter() < until:
        simulate(scenario, {variant!r})

warm_up()
measured(time.perf_counter() + {seconds})
"""
HEADLINE = ("scenarios/door_vs_locker.yaml", {"parcels.per_day": 5000, "parcels.day_to_day_cv": 0.0, "couriers.count": 25})
CITY_AREA = ("scenarios/city_1m.yaml", {"stations.count": 1})
# The parts of a day worth knowing the size of, by the function that does each.
PARTS = {
    "Courier._door_round": "the door round: buildings, lifts, households, handovers",
    "Courier._at_bank": "locker sessions (a bank, its slots, a full bank's next steps)",
    "Courier._to_pickup_stations": "驿站 hand-ins",
    "PickupNetwork.leave": "leaving a parcel at any pick-up point (the point, its log)",
    "PickupPoint._advance": "pick-up points catching up with other networks' parcels",
    "PickupNetwork.finish": "pick-up points caught up to the run's end",
    "StationArea.__init__": "setting up the station area (other networks' parcels, presence, chances)",
    "PickupNetwork._add_other_networks": "other networks' parcels drawn",
    "Station.take_load": "loading a tricycle",
    "Courier._route": "planning a tour",
    "Streams.": "counter-based draws (splitmix64 in Python)",
    "Households.is_home": "is anybody home",
    "EventLog.": "the tracking log",
    "Ledger.activity": "the activity tables",
    "station_partial": "the area's partial KPIs",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", default="door")
    parser.add_argument("--city", action="store_true", help="a city_1m station area instead of the headline day")
    parser.add_argument("--seconds", type=float, default=15.0, help="how long to sample")
    parser.add_argument("--rate", type=int, default=250, help="samples a second")
    args = parser.parse_args()
    if shutil.which("py-spy") is None:
        sys.exit("py-spy is not installed: pip install py-spy (it comes with the dev extra)")
    scenario, overrides = CITY_AREA if args.city else HEADLINE
    child = _CHILD.format(
        root=str(ROOT), scenario=str(ROOT / scenario), overrides=overrides, variant=args.variant, seconds=args.seconds
    )
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "samples.txt"
        command = ["py-spy", "record", "--rate", str(args.rate), "--format", "raw", "--output", str(raw)]
        subprocess.run([*command, "--", sys.executable, "-c", child], check=True, capture_output=True)
        stacks = _read(raw)
    total = sum(stacks.values())
    what = f"{scenario} {overrides}, variant {args.variant}"
    print(f"{what}: {total:,} samples in the measured calls of simulate ({args.rate} a second)")
    print("\ninclusive (a function and all it calls; the rows overlap):")
    inclusive = Counter({name: sum(n for frames, n in stacks.items() if any(name in f for f in frames)) for name in PARTS})
    for name, n in inclusive.most_common():
        print(f"  {n / total:6.1%}  {name:36s} {PARTS[name]}")
    print("\nlargest single lines (innermost frame of the model):")
    lines: Counter[str] = Counter()
    for frames, n in stacks.items():
        own = [f for f in frames if " (sim/" in f]
        if own:
            lines[own[-1]] += n
    for line, n in lines.most_common(10):
        print(f"  {n / total:6.1%}  {line}")


def _read(raw: Path) -> Counter[tuple[str, ...]]:
    """py-spy's raw output, one ``frame;frame;... count`` a line, kept where a measured call is on the stack."""
    stacks: Counter[tuple[str, ...]] = Counter()
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        if any(f.startswith("measured ") for f in frames):
            stacks[tuple(re.sub(r" \((?:.*/)?(sim/.*)\)$", r" (\1)", f) for f in frames)] += int(count)
    return stacks


if __name__ == "__main__":
    main()
