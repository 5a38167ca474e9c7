"""Real-world bands that KPIs are checked against, each with its source, and the warnings a run gives.

A KPI outside its band is flagged, not hidden: ``band_warnings`` names the band and where it comes
from (docs/background/sources.md), so a user sees at once which results to read with care.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["BANDS", "Band", "band_warnings", "spill_warnings"]


@dataclass(frozen=True)
class Band:
    """A range a KPI has in the real world."""

    kpi: str
    low: float
    high: float
    what: str  # the band in words, with its unit
    source: str  # where in docs/background/sources.md, and the original source
    only_if: tuple[str, float] | None = None  # (kpi, minimum): the band applies only to such runs

    def applies(self, kpis: Mapping[str, float]) -> bool:
        if self.only_if is None:
            return True
        value = kpis.get(self.only_if[0], math.nan)
        return value == value and value >= self.only_if[1]

    def check(self, variant: str, kpis: Mapping[str, float]) -> str | None:
        """A warning if the KPI lies outside the band, else None."""
        value = kpis.get(self.kpi, math.nan)
        if value != value or not self.applies(kpis) or self.low <= value <= self.high:
            return None
        side = "below" if value < self.low else "above"
        return f"{variant}: {self.kpi} = {value:.3g} is {side} the real-world band of {self.what} ({self.source})"


BANDS: tuple[Band, ...] = (
    Band(
        "parcels_per_courier_day",
        150,
        300,
        "150-300 parcels per courier per day (efficient ≈200; door-heavy JD couriers ≈100)",
        "sources §2: Beijing postal administration via CRI 2019; ecns 2016; China Daily 2021; JD 2019",
    ),
    Band(
        "span_hours_per_courier_day",
        8,
        13,
        "8-13 h working days (31% of couriers work 8-10 h, about half 10-12 h, 21% more than 12 h)",
        "sources §2: survey of 5,279 couriers, ecns 2019-03-04",
    ),
    Band(
        "first_attempt_success_share",
        0.80,
        0.92,
        "8-20% failed first attempts at the door",
        "sources §3: Urban Freight Lab; Japan MLIT survey",
        only_if=("door_delivered_share", 0.9),  # a full locker is not a recipient who is out
    ),
    Band(
        "work_minutes_per_parcel",
        3,
        8,
        "≈5 min of work per parcel taken to the door",
        "sources §2: YTO courier, Shanghai Daily 2019-07-23",
        only_if=("door_delivered_share", 0.9),
    ),
)


def band_warnings(kpis_by_variant: Mapping[str, Mapping[str, float]]) -> list[str]:
    """Every KPI of every variant that falls outside its real-world band."""
    out = []
    for variant, kpis in kpis_by_variant.items():
        for band in BANDS:
            warning = band.check(variant, kpis)
            if warning:
                out.append(warning)
    return out


def _count(x: float) -> str:
    """A count, or a mean of counts over replications: 0.3 is not shown as 0."""
    return f"{x:,.0f}" if x >= 10 or x == round(x) else f"{x:.1f}"


def spill_warnings(kpis_by_variant: Mapping[str, Mapping[str, float]]) -> list[str]:
    """Work and parcels that spill past the measured days or the end of the run."""
    out = []
    for variant, k in kpis_by_variant.items():
        carried = k.get("carried_over_parcels", 0)
        if carried == carried and carried > 0:
            out.append(
                f"{variant}: {_count(carried)} parcels that arrived on measured days were not delivered by their day's end "
                "(carried over; their delivery is not in the measured days' courier KPIs)"
            )
        left = k.get("parcels_undelivered_end", 0)
        if left == left and left > 0:
            out.append(
                f"{variant}: {_count(left)} parcels were still at a station or on a tricycle when the run ended "
                "(add horizon.drain_days, or couriers)"
            )
        overtime = k.get("overtime_hours_per_courier_day", 0)
        if overtime == overtime and overtime > 0.25:
            out.append(f"{variant}: couriers worked {overtime:.2f} h a day past the working day's end (tours cut at the end)")
    return out
