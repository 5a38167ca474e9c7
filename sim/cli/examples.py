"""One or two examples per command, printed at the end of its ``--help`` (a test parses each)."""

from __future__ import annotations

__all__ = ["EXAMPLES", "epilog"]

_HEADLINE = "scenarios/door_vs_locker.yaml"

EXAMPLES: dict[str, tuple[str, ...]] = {
    "run": (
        f"parcelsim run {_HEADLINE} --out results/demo",
        f"parcelsim run {_HEADLINE} --reps 10 --jobs 2 --variant door --variant locker --set couriers.count=30",
    ),
    "sweep": (
        f"parcelsim sweep {_HEADLINE} --grid economics.door_fee_yuan=0.5:2.0:0.25 --reps 5 --out results/fee-sweep",
        f"parcelsim sweep {_HEADLINE} --grid variants.mixed.door_service_share=0,0.5,1 --variant mixed --reps 3",
    ),
    "plot": ("parcelsim plot results/demo",),
    "report": ("parcelsim report results/demo",),
    "track": ("parcelsim track results/demo 17",),
    "breakeven": (
        f"parcelsim breakeven {_HEADLINE} --reps 5 --jobs 2",
        f"parcelsim breakeven {_HEADLINE} --kpi income_per_courier_hour_yuan --capacity --json",
    ),
    "capacity": (
        f"parcelsim capacity {_HEADLINE} --reps 5 --jobs 2",
        f"parcelsim capacity {_HEADLINE} --variant locker --json",
    ),
    "plan-couriers": (
        f"parcelsim plan-couriers {_HEADLINE} --variant door --target same_day_delivery_share=0.95",
        f"parcelsim plan-couriers {_HEADLINE} --variant locker --target same_day_delivery_share=0.99 --json",
    ),
    "plan-staff": (
        "parcelsim plan-staff scenarios/flash_sale_10k_30min.yaml --variant merchant --target dispatched_within_24h_share=0.95",
    ),
    "theory": ("parcelsim theory mmc --arrivals-per-hour 90 --service-per-hour 10 --servers 10",),
    "theory mmc": ("parcelsim theory mmc --arrivals-per-hour 90 --service-per-hour 10 --servers 10 --json",),
    "field": ("parcelsim field", "parcelsim field --reps 4 --jobs 2 --out results/field.md"),
    "app": ("parcelsim app", f"parcelsim app {_HEADLINE} --port 5077 --no-browser"),
    "export": (
        "parcelsim export results/demo --format ocel2-json --out results/demo.ocel.json",
        "parcelsim export results/demo --format geojson --out results/demo.geojson",
        "parcelsim export results/demo --format gpx --interval 20 --out results/demo.gpx",
    ),
    "design": (
        f"parcelsim design {_HEADLINE} --space scenarios/design/lockers.yaml --jobs 2",
        f"parcelsim design {_HEADLINE} --space scenarios/design/lockers.yaml --budget 10 --out results/design",
    ),
    "import-lade": ("parcelsim import-lade delivery_sh.csv --out results/lade-sh",),
    "calibrate": (
        f"parcelsim calibrate {_HEADLINE} --variant door --data delivery_sh.csv "
        "--param door.handover_median_s=15:240 --budget 20",
    ),
    "new": ("parcelsim new --out my_station.yaml",),
    "validate": (f"parcelsim validate {_HEADLINE}", "parcelsim validate my_station.yaml --set couriers.count=18"),
    "schema": ("parcelsim schema --out scenario.schema.json",),
}


def epilog(command: str) -> str:
    """The examples block of ``command``'s help."""
    return "examples:\n" + "\n".join(f"  {line}" for line in EXAMPLES[command])
