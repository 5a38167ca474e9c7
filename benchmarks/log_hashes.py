"""Fingerprints of the model's output, for refactors that must not change behaviour.

Prints one SHA-256 prefix per (scenario, variant) over the tracking log, the tour, stop, pick-up
point and courier-day tables and the KPIs, for the headline scenario, the flash sale, the headline
with its pick-up points under strain and a 6-station city. Run it before and after a change that
should be a pure refactor; every line must be the same.

Run: python benchmarks/log_hashes.py [--out FILE]
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import numpy as np

from sim.model.metrics import kpis_of
from sim.model.run import simulate
from sim.scenario.load import load_scenario

ROOT = Path(__file__).resolve().parents[1] / "scenarios"
CASES = {
    "door_vs_locker": (ROOT / "door_vs_locker.yaml", {}),
    "flash_sale": (ROOT / "flash_sale_10k_30min.yaml", {}),
    # the pick-up points under strain: the counter a pick-up point, lockers emptied into 驿站 after 6 h, three days
    "pickup_strain": (
        ROOT / "door_vs_locker.yaml",
        {"station.counter.pickup": True, "locker.max_storage_h": 6, "horizon.days": 3, "parcels.per_day": 2000},
    ),
    "city6": (
        ROOT / "city_1m.yaml",
        {"stations.count": 6, "parcels.per_day": 400, "couriers.count": 4, "city.blocks_x": 4, "city.blocks_y": 4},
    ),
}


def fingerprint(result) -> dict[str, str]:
    """Hashes of one run's log, activity tables and KPIs."""

    def digest(arrays) -> str:
        h = hashlib.sha256()
        for a in arrays:
            h.update(np.ascontiguousarray(a).tobytes())
        return h.hexdigest()[:16]

    ev = result.events
    kpis = json.dumps(kpis_of(result), sort_keys=True, default=float)
    return {
        "events": digest(getattr(ev, c) for c in ("time_s", "parcel", "status", "courier", "place", "detail", "station")),
        "tours": digest(_sorted_columns(result.activity.tours)),
        "stops": digest(_sorted_columns(result.activity.stops)),
        # the pick-up points' days (peaks, refusals, other networks' parcels, collections) and the courier-days
        "points": digest(_sorted_columns(result.activity.pickup_days)),
        "days": digest(_sorted_columns(result.activity.days)),
        "kpis": hashlib.sha256(kpis.encode()).hexdigest()[:16],
    }


def _sorted_columns(table) -> list[np.ndarray]:
    """A table's columns in name order, as the hashes were first taken (from a dict of columns)."""
    columns = table.columns()
    return [columns[k] for k in sorted(columns)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="also write the fingerprints as JSON")
    args = parser.parse_args()
    out = {}
    for name, (path, overrides) in CASES.items():
        scenario = load_scenario(path, overrides)
        for variant in scenario.variants:
            out[f"{name}/{variant}"] = fp = fingerprint(simulate(scenario, variant))
            print(f"{name}/{variant:<10} " + " ".join(f"{k}={v}" for k, v in fp.items()))
    if args.out:
        args.out.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
