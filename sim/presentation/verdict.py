"""The verdict: the answer to "should a courier take door-service parcels?" in one sentence, from a run.

Written from the numbers of the runs (paired replications with common random numbers), in English
and Chinese; it says when a difference is not significant and when one replication cannot give an
interval. The break-even fee comes from re-pricing the same runs (``sim.experiments.breakeven.breakeven_of_runs``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..core.stats import paired_difference
from ..experiments.breakeven import BreakevenResult, breakeven_of_runs

if TYPE_CHECKING:
    from ..results.runset import RunSet
    from ..scenario.schema import Scenario

__all__ = ["Difference", "Verdict", "breakeven_for", "pair_of", "verdict_of"]

_PER_HOUR = "income_per_courier_hour_yuan"
_PER_DAY = "income_per_courier_day_yuan"
_PARCELS = "parcels_per_courier_day"


@dataclass(frozen=True)
class Difference:
    """Mean of a − b over paired replications, with its 95% interval (NaN with one replication)."""

    mean: float
    low: float
    high: float
    n: int

    @property
    def significant(self) -> bool:
        return self.n >= 2 and not (self.low <= 0 <= self.high)

    def interval(self, digits: int = 1, zh: bool = False) -> str:
        """The interval in brackets, with a note when it holds 0 (empty with one replication)."""
        if self.n < 2:
            return ""
        low, high = f"{self.low:+.{digits}f}", f"{self.high:+.{digits}f}"
        if zh:
            return f"（95% 置信区间 {low} 至 {high}{'，差异不显著' if not self.significant else ''}）"
        return f" (95% CI {low} to {high}{', not significant' if not self.significant else ''})"


@dataclass(frozen=True)
class Verdict:
    """The door variant against the locker variant, in the numbers the sentence uses."""

    a: str
    b: str
    fee_gap_yuan: float  # door-service fee minus the locker fee
    parcels_a: float
    parcels_b: float
    parcels: Difference
    per_hour: Difference
    per_day: Difference
    breakeven: BreakevenResult | None

    def sentence(self) -> str:
        """The verdict in English."""
        fewer = self.parcels.mean < 0
        hour, day = self.per_hour, self.per_day
        text = (
            f"Door delivery of 音尊达 parcels ({self.a}) pays a courier {self.fee_gap_yuan:.1f} yuan more per parcel than "
            f"{self.b}, {'but' if fewer else 'and'} delivers {abs(self.parcels.mean):.0f} {'fewer' if fewer else 'more'} "
            f"parcels a day ({self.parcels_a:.0f} against {self.parcels_b:.0f}): {hour.mean:+.2f} yuan per hour worked"
            f"{hour.interval(2)}, {day.mean:+.1f} yuan over the day{day.interval()}"
        )
        if (day.mean > 0) != (hour.mean > 0):
            text += ", the days being of different length"
        text += f". {self._breakeven_en()}"
        if hour.n < 2:
            text += " One replication: no confidence intervals; run with --reps 10 for them."
        else:
            text += f" ({hour.n} paired replications.)"
        return text

    def sentence_zh(self) -> str:
        """The verdict in Chinese."""
        fewer = self.parcels.mean < 0
        hour, day = self.per_hour, self.per_day
        text = (
            f"音尊达送货上门每件多付 {self.fee_gap_yuan:.1f} 元，但快递员每天{'少' if fewer else '多'}派 "
            f"{abs(self.parcels.mean):.0f} 件（{self.parcels_a:.0f} 对 {self.parcels_b:.0f}）：时薪 {hour.mean:+.2f} 元"
            f"{hour.interval(2, zh=True)}，日收入 {day.mean:+.1f} 元{day.interval(zh=True)}。"
        )
        be = self.breakeven
        if be is not None and be.better_everywhere is not None:
            text += f"派费在 0–1000 元之间无法使时薪相等（{be.better_everywhere} 始终更高）。"
        elif be is not None:
            interval = "" if math.isnan(be.ci_low) else f"（95% 置信区间 {be.ci_low:.2f}–{be.ci_high:.2f} 元）"
            text += f"时薪持平的上门派费：{be.value:.2f} 元{interval}。"
        return text + ("单次重复，无置信区间。" if hour.n < 2 else f"（{hour.n} 次配对重复）")

    def _breakeven_en(self) -> str:
        be = self.breakeven
        if be is None:
            return "Break-even fee: `parcelsim breakeven SCENARIO` gives it (a report re-prices runs of up to 2 million parcels)."
        if be.better_everywhere is not None:
            better = be.better_everywhere
            return f"No door-service fee between 0 and 1,000 yuan evens out pay per hour: {better} pays more at every fee."
        interval = "" if math.isnan(be.ci_low) else f" (95% CI {be.ci_low:.2f}-{be.ci_high:.2f})"
        return f"Break-even door-service fee (equal pay per hour): {be.value:.2f} yuan{interval}."


def verdict_of(kpis: pd.DataFrame, scenario: Scenario, breakeven: BreakevenResult | None = None) -> Verdict | None:
    """The verdict for the door and locker variants (else the first two) from the per-run KPIs
    (``kpis.csv``, ``RunSet.runs()``), or None with one variant. ``breakeven`` from
    ``breakeven_for``, when the runs' summaries are at hand."""
    variants = list(dict.fromkeys(kpis["variant"]))
    if len(variants) < 2:
        return None
    a, b = pair_of(variants)

    def column(variant: str, kpi: str) -> np.ndarray:
        return kpis[kpis["variant"] == variant].sort_values("replication")[kpi].to_numpy(float)

    def difference(kpi: str) -> Difference:
        d = paired_difference(column(a, kpi), column(b, kpi))
        half = d["ci95"]
        return Difference(d["mean"], d["mean"] - half, d["mean"] + half, int(d["n"]))

    return Verdict(
        a=a,
        b=b,
        fee_gap_yuan=scenario.resolved(a).economics.door_service_fee_yuan - scenario.resolved(b).economics.locker_fee_yuan,
        parcels_a=float(np.mean(column(a, _PARCELS))),
        parcels_b=float(np.mean(column(b, _PARCELS))),
        parcels=difference(_PARCELS),
        per_hour=difference(_PER_HOUR),
        per_day=difference(_PER_DAY),
        breakeven=breakeven,
    )


def pair_of(variants: list[str]) -> tuple[str, str]:
    """The two variants a verdict compares: door and locker, else the first two."""
    return ("door", "locker") if {"door", "locker"} <= set(variants) else (variants[0], variants[1])


def breakeven_for(runs: RunSet) -> BreakevenResult | None:
    """The door-service fee that evens out pay per hour, re-pricing the runs (None with one variant)."""
    if len(runs.variants) < 2:
        return None
    a, b = pair_of(runs.variants)
    return breakeven_of_runs(runs, kpi=_PER_HOUR, a=a, b=b)
