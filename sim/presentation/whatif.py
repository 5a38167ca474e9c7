"""What-if answers for the live page (``parcelsim app``): the verdict and KPIs for a few settings.

Runs the door and locker variants with common random numbers, keeping only the runs' summaries.
Fees change nothing anyone does in the model, so a new fee re-prices the runs already made (no
simulation: the answer is instant); any other setting simulates again. Independent of the web
framework, so it is tested on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..experiments.breakeven import BreakevenResult, breakeven_of_runs
from ..experiments.runner import run
from ..model.metrics import kpis_of
from ..results.runset import RunSet
from ..scenario.schema import Scenario
from .verdict import Verdict, pair_of, verdict_of

__all__ = ["Settings", "WhatIf"]


@dataclass(frozen=True)
class Settings:
    """What the page's sliders set. ``None`` keeps the scenario's value."""

    door_fee_yuan: float | None = None
    door_service_share: float | None = None  # of the door variant's parcels
    couriers: int | None = None
    shift_end_h: float | None = None
    locker_slots: int | None = None  # per bank, split over sizes as in the scenario
    replications: int = 3

    def behaviour(self) -> tuple:
        """Everything but the fee: what needs a new simulation when it changes."""
        return (self.door_service_share, self.couriers, self.shift_end_h, self.locker_slots, self.replications)


@dataclass
class Answer:
    verdict: Verdict | None
    kpis: pd.DataFrame  # one row per run, priced at the settings' fee
    breakeven: BreakevenResult | None
    simulated: bool  # False when the runs were re-priced only


@dataclass
class WhatIf:
    """The scenario and the runs made for the last behaviour settings."""

    scenario: Scenario
    _runs: dict[tuple, RunSet] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.a, self.b = pair_of(list(self.scenario.variants))

    def needs_simulation(self, settings: Settings) -> bool:
        """Whether these settings change behaviour (else the last runs are re-priced)."""
        return settings.behaviour() not in self._runs

    def answer(self, settings: Settings) -> Answer:
        """The verdict and KPIs for these settings (simulating only if behaviour changed)."""
        key = settings.behaviour()
        simulated = key not in self._runs
        if simulated:
            self._runs = {key: self._simulate(settings)}  # keep one: memory stays flat as sliders move
        runs = self._runs[key]
        fee = self.scenario.economics.door_service_fee_yuan if settings.door_fee_yuan is None else settings.door_fee_yuan
        rows = []
        for (variant, rep), summary in sorted(runs.summaries.items()):
            economics = summary.scenario.economics.model_copy(update={"door_service_fee_yuan": fee})
            rows.append({"variant": variant, "replication": rep, **kpis_of(summary, economics)})
        kpis = pd.DataFrame(rows)
        priced = self.scenario.with_overrides({"economics.door_service_fee_yuan": fee}, where="app")
        breakeven = (
            breakeven_of_runs(runs, kpi="income_per_courier_hour_yuan", a=self.a, b=self.b)
            if settings.replications >= 2
            else None
        )
        return Answer(verdict_of(kpis, priced, breakeven), kpis, breakeven, simulated)

    def _simulate(self, settings: Settings) -> RunSet:
        overrides: dict[str, object] = {}
        if settings.couriers is not None:
            overrides["couriers.count"] = settings.couriers
        if settings.shift_end_h is not None:
            overrides["couriers.shift_end_h"] = settings.shift_end_h
        if settings.locker_slots is not None:
            slots = self.scenario.city.locker_slots
            total = max(slots.S + slots.M + slots.L, 1)
            s = round(settings.locker_slots * slots.S / total)
            m = round(settings.locker_slots * slots.M / total)
            overrides["city.locker_slots"] = {"S": s, "M": m, "L": max(settings.locker_slots - s - m, 0)}
        if settings.door_service_share is not None:
            overrides[f"variants.{self.a}.door_service_share"] = settings.door_service_share
        scenario = self.scenario.with_overrides(overrides, where="app") if overrides else self.scenario
        return run(scenario, variants=[self.a, self.b], replications=settings.replications, keep_results=False)
