"""How long the OCEL 2.0 export of a 1-million-parcel run takes, and its peak memory (issue #17:
<= 60 s and <= 2 GiB each). Command times, from a fresh process, as a user types them.

Run: python benchmarks/ocel_export.py [RESULTS_DIR]   (without a folder: runs scenarios/city_1m.yaml first)
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from city_day import measured  # benchmarks/ is the script's folder, so its sibling imports

ROOT = Path(__file__).resolve().parents[1]
PARCELSIM = [sys.executable, "-m", "sim"]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tmp) / "city_1m"
        if len(sys.argv) <= 1:
            seconds, _ = measured(
                [*PARCELSIM, "run", str(ROOT / "scenarios" / "city_1m.yaml"), "--out", str(folder), "--jobs", "2", "--no-charts"]
            )
            print(f"city_1m run (no charts): {seconds:.1f} s")
        for fmt, suffix in (("ocel2-json", "json"), ("ocel2-sqlite", "sqlite")):
            out = Path(tmp) / f"log.{suffix}"
            seconds, peak = measured([*PARCELSIM, "export", str(folder), "--format", fmt, "--out", str(out), "--force"])
            print(f"{fmt:<13} {seconds:6.1f} s   peak {peak:.2f} GiB   {out.stat().st_size / 1e9:.2f} GB")


if __name__ == "__main__":
    main()
