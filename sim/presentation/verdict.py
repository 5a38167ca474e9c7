"""The verdict: "should the station accept 音尊达 parcels?" answered in the owner's words, from a run.

Written from the numbers of the runs (paired replications with common random numbers), in English
and Chinese: what accepting does to the station's net per day, to a courier's pay per day and per
active hour, to same-day delivery, to parcels carried over and to complaints, each with its paired
95% interval; the effective fee gap per parcel beside the nominal one (door-service parcels that end
up in a locker or a 驿站 are paid the locker fee); and the break-even fee. With one replication there
is no interval, and the verdict gives no direction: it says the direction is not yet known.
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

__all__ = ["Difference", "Verdict", "breakeven_for", "pair_of", "verdict_for", "verdict_of"]

_PER_HOUR = "income_per_courier_hour_yuan"
_PER_ACTIVE_HOUR = "income_per_active_hour_yuan"
_PER_DAY = "income_per_courier_day_yuan"
_PARCELS = "parcels_per_courier_day"
_STATION = "station_net_yuan_per_day"
_SAME_DAY = "same_day_delivery_share"
_CARRIED = "carried_over_parcels"
_COMPLAINTS = "complaints"
_SHARE = "door_service_parcel_share"
_SAME_SHARE = 0.01  # below this gap in 音尊达 share two variants do not pose the question
_FEE = "fee_yuan_per_parcel"
_COMPARED = (_PER_HOUR, _PER_ACTIVE_HOUR, _PER_DAY, _PARCELS, _STATION, _SAME_DAY, _CARRIED, _COMPLAINTS, _FEE)


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

    @property
    def known(self) -> bool:
        """Is the direction known: two or more replications, and an interval that excludes 0?"""
        return self.significant

    def interval(self, digits: int = 1, zh: bool = False) -> str:
        """The interval in brackets, with a note when it holds 0 (empty with one replication)."""
        if self.n < 2:
            return ""
        low, high = f"{self.low:+.{digits}f}", f"{self.high:+.{digits}f}"
        if zh:
            return f"（95% 置信区间 {low} 至 {high}{'，差异不显著' if not self.significant else ''}）"
        return f" (95% CI {low} to {high}{', not significant' if not self.significant else ''})"

    @property
    def none(self) -> bool:
        """The same in every replication (e.g. complaints where neither variant has any)."""
        return self.mean == self.low == self.high == 0

    def signed(self, digits: int = 1) -> str:
        """The difference with its sign, or, with one replication, its size only: no direction yet."""
        if self.n < 2:
            return f"{abs(self.mean):.{digits}f}"
        return f"{self.mean:+.{digits}f}"


@dataclass(frozen=True)
class Verdict:
    """The door variant (every parcel 音尊达: the station accepts) against the locker variant (it
    declines: buyers' choice), in the numbers the sentences use."""

    a: str
    b: str
    fee_gap_yuan: float  # nominal: door-service fee minus the locker fee
    effective_gap_yuan: float  # the fees actually paid per parcel, a minus b
    parcels_a: float
    parcels_b: float
    same_day_a: float
    same_day_b: float
    diffs: dict[str, Difference]
    breakeven: BreakevenResult | None

    @property
    def replications(self) -> int:
        return self.diffs[_PER_HOUR].n

    @property
    def parcels(self) -> Difference:
        return self.diffs[_PARCELS]

    @property
    def per_hour(self) -> Difference:
        return self.diffs[_PER_HOUR]

    @property
    def per_day(self) -> Difference:
        return self.diffs[_PER_DAY]

    def sentence(self) -> str:
        """The verdict in English."""
        d = self.diffs
        parcels, station = d[_PARCELS], d[_STATION]
        more_less = "fewer" if parcels.mean < 0 else "more"
        text = (
            f"Accepting 音尊达 parcels ({self.a} against {self.b}): the fee gap is {self.fee_gap_yuan:.1f} yuan a parcel "
            f"nominal, {self.effective_gap_yuan:.2f} yuan effective (door-service parcels that end up in a locker or a "
            f"驿站 earn the locker fee). A courier delivers {abs(parcels.mean):.0f} {more_less} parcels a day "
            f"({self.parcels_a:.0f} against {self.parcels_b:.0f}): "
            f"{d[_PER_DAY].signed()} yuan a day{d[_PER_DAY].interval()}, "
            f"{d[_PER_ACTIVE_HOUR].signed(2)} yuan per active hour{d[_PER_ACTIVE_HOUR].interval(2)}, "
            f"{d[_PER_HOUR].signed(2)} yuan per hour worked{d[_PER_HOUR].interval(2)}. "
            f"The station's net changes by {station.signed(0)} yuan a day{station.interval(0)}; same-day delivery "
            f"{self.same_day_a:.0%} against {self.same_day_b:.0%}; {d[_CARRIED].signed(0)} parcels carried over a day"
            f"{d[_CARRIED].interval(0)}; "
            + (
                "no difference in complaints. "
                if d[_COMPLAINTS].none
                else f"{d[_COMPLAINTS].signed(0)} complaints{d[_COMPLAINTS].interval(0)}. "
            )
            + self._breakeven_en()
        )
        if self.replications < 2:
            text += (
                " One replication: the direction of these differences is not yet known (no confidence intervals); "
                "run 10 replications (parcelsim run --reps 10) for them."
            )
        else:
            text += f" ({self.replications} paired replications.)"
        return text

    def sentence_zh(self) -> str:
        """The verdict in Chinese."""
        d = self.diffs
        parcels, station = d[_PARCELS], d[_STATION]
        text = (
            f"接受音尊达（{self.a} 对 {self.b}）：名义单件差价 {self.fee_gap_yuan:.1f} 元，"
            f"实际 {self.effective_gap_yuan:.2f} 元"
            f"（改投快递柜或驿站的音尊达件按投柜计费）。快递员每天{'少' if parcels.mean < 0 else '多'}派 "
            f"{abs(parcels.mean):.0f} 件（{self.parcels_a:.0f} 对 {self.parcels_b:.0f}）：日收入 {d[_PER_DAY].signed()} 元"
            f"{d[_PER_DAY].interval(zh=True)}，作业时薪 {d[_PER_ACTIVE_HOUR].signed(2)} 元"
            f"{d[_PER_ACTIVE_HOUR].interval(2, zh=True)}，"
            f"时薪 {d[_PER_HOUR].signed(2)} 元{d[_PER_HOUR].interval(2, zh=True)}。"
            f"网点日净收入 {station.signed(0)} 元{station.interval(0, zh=True)}；当日妥投率 {self.same_day_a:.0%} 对 "
            f"{self.same_day_b:.0%}；滞留件 {d[_CARRIED].signed(0)}{d[_CARRIED].interval(0, zh=True)}；"
            + (
                "投诉数无差异。"
                if d[_COMPLAINTS].none
                else f"投诉 {d[_COMPLAINTS].signed(0)}{d[_COMPLAINTS].interval(0, zh=True)}。"
            )
        )
        be = self.breakeven
        if be is not None and be.better_everywhere is not None:
            text += f"派费在 0–1000 元之间无法使时薪相等（{be.better_everywhere} 始终更高）。"
        elif be is not None:
            interval = "" if math.isnan(be.ci_low) else f"（95% 置信区间 {be.ci_low:.2f}–{be.ci_high:.2f} 元）"
            text += f"时薪持平的上门派费：{be.value:.2f} 元{interval}。"
        return text + (
            "单次重复：差异方向尚不可知，请运行 10 次重复。" if self.replications < 2 else f"（{self.replications} 次配对重复）"
        )

    def _breakeven_en(self) -> str:
        be = self.breakeven
        if be is None:
            return "Break-even fee: `parcelsim breakeven SCENARIO` gives it."
        if be.better_everywhere is not None:
            return (
                "No door-service fee between 0 and 1,000 yuan evens out pay per hour: "
                f"{be.better_everywhere} pays more at every fee."
            )
        interval = "" if math.isnan(be.ci_low) else f" (95% CI {be.ci_low:.2f}-{be.ci_high:.2f})"
        return f"Break-even door-service fee (equal pay per hour worked): {be.value:.2f} yuan{interval}."


def verdict_of(kpis: pd.DataFrame, scenario: Scenario, breakeven: BreakevenResult | None = None) -> Verdict | None:
    """The verdict for the door and locker variants (else the first two) from the per-run KPIs
    (``kpis.csv``, ``RunSet.runs()``); None with one variant, or where the two carry the same share
    of 音尊达 parcels (e.g. merchant against cloud warehouse: no question of accepting 音尊达 there).
    ``breakeven`` from ``breakeven_for``, when the runs' summaries are at hand."""
    variants = list(dict.fromkeys(kpis["variant"]))
    if len(variants) < 2:
        return None
    a, b = pair_of(variants)

    def column(variant: str, kpi: str) -> np.ndarray:
        if kpi not in kpis:
            return np.full(int((kpis["variant"] == variant).sum()), np.nan)
        return kpis[kpis["variant"] == variant].sort_values("replication")[kpi].to_numpy(float)

    if not _mean(column(a, _SHARE)) - _mean(column(b, _SHARE)) > _SAME_SHARE:
        return None

    def difference(kpi: str) -> Difference:
        d = paired_difference(column(a, kpi), column(b, kpi))
        half = d["ci95"]
        return Difference(d["mean"], d["mean"] - half, d["mean"] + half, int(d["n"]))

    return Verdict(
        a=a,
        b=b,
        fee_gap_yuan=scenario.resolved(a).economics.door_service_fee_yuan - scenario.resolved(b).economics.locker_fee_yuan,
        effective_gap_yuan=_mean(column(a, _FEE)) - _mean(column(b, _FEE)),
        parcels_a=_mean(column(a, _PARCELS)),
        parcels_b=_mean(column(b, _PARCELS)),
        same_day_a=_mean(column(a, _SAME_DAY)),
        same_day_b=_mean(column(b, _SAME_DAY)),
        diffs={kpi: difference(kpi) for kpi in _COMPARED},
        breakeven=breakeven,
    )


def _mean(values: np.ndarray) -> float:
    """The mean of the defined values (NaN, quietly, if there are none)."""
    values = values[~np.isnan(values)]
    return float(values.mean()) if len(values) else math.nan


def pair_of(variants: list[str]) -> tuple[str, str]:
    """The two variants a verdict compares: door and locker (or accept and decline), else the first two."""
    for a, b in (("door", "locker"), ("accept", "decline")):
        if {a, b} <= set(variants):
            return a, b
    return variants[0], variants[1]


def verdict_for(runs: RunSet) -> Verdict | None:
    """The verdict of a run set in memory, its break-even fee solved only where a verdict applies."""
    if verdict_of(runs.runs(), runs.scenario) is None:
        return None
    return verdict_of(runs.runs(), runs.scenario, breakeven_for(runs))


def breakeven_for(runs: RunSet) -> BreakevenResult | None:
    """The door-service fee that evens out pay per hour, re-pricing the runs (None with one variant)."""
    if len(runs.variants) < 2:
        return None
    a, b = pair_of(runs.variants)
    return breakeven_of_runs(runs, kpi=_PER_HOUR, a=a, b=b)
