"""The design space of a pick-up network: what ``parcelsim design`` may change, what it costs, and
what it is asked to achieve (a YAML file beside the scenario).

A design is a set of scenario fields (dotted paths, as ``--set`` takes them) with the values each
may take: the slots of each size in a locker bank, the share of compounds with a bank, the share
with a 驿站, a 驿站's shelves. Its monthly cost comes from ``costs`` (assumption A41 where not
sourced); the search minimises or maximises an objective (``monthly_cost_yuan`` or any KPI)
subject to constraints on KPIs (``same_day_delivery_share>=0.95``).
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import Field, ValidationError, field_validator, model_validator

from ..core.errors import ScenarioError
from .base import Section

__all__ = ["COST_KPI", "Choice", "DesignCosts", "DesignSpec", "load_design", "parse_constraint"]

COST_KPI = "monthly_cost_yuan"  # the design's own cost: not a simulated KPI
_CONSTRAINT = re.compile(r"\s*([a-z0-9_]+)\s*(>=|<=)\s*([-+0-9.eE]+)\s*")


class Choice(Section):
    """The values one field may take: ``low``..``high`` in steps of ``step``, or a list of ``choices``."""

    low: float | None = Field(None, description="Smallest value")
    high: float | None = Field(None, description="Largest value")
    step: float | None = Field(None, gt=0, description="Step between values (default 1 for whole numbers)")
    choices: tuple[float, ...] | None = Field(None, min_length=1, description="The values, when not a range")

    @model_validator(mode="after")
    def _one_form(self) -> Choice:
        if self.choices is not None:
            if self.low is not None or self.high is not None:
                raise ValueError("give choices, or low and high, not both")
            return self
        if self.low is None or self.high is None:
            raise ValueError("give low and high (and optionally step), or choices")
        if self.high < self.low:
            raise ValueError(f"high {self.high:g} is below low {self.low:g}")
        return self

    def values(self) -> list[float]:
        """Every value the field may take, in increasing order."""
        if self.choices is not None:
            return sorted(set(self.choices))
        assert self.low is not None and self.high is not None  # checked above
        step = self.step if self.step is not None else 1.0
        n = math.floor((self.high - self.low) / step + 1e-9) + 1
        return [round(self.low + i * step, 10) for i in range(n)]


class DesignCosts(Section):
    """What a design costs a month (yuan). Defaults are assumptions (A41): a smart-locker column
    bought and written off over five years with its site, power and upkeep; a 驿站's rent and staff."""

    slot_per_month_yuan: dict[str, float] = Field(
        default_factory=lambda: {"S": 6.0, "M": 8.0, "L": 10.0},
        description="A locker slot of each size, a month (A41)",
    )
    bank_per_month_yuan: float = Field(300.0, ge=0, le=1e7, description="A locker bank's site, power and upkeep, a month (A41)")
    pickup_station_per_month_yuan: float = Field(4000.0, ge=0, le=1e7, description="A 驿站's rent and staff, a month (A41)")
    pickup_station_per_parcel_yuan: float = Field(
        0.0, ge=0, le=100, description="A 驿站's cost per parcel of ours, beyond what the station pays it (A41)"
    )
    days_per_month: float = Field(30.0, gt=0, le=31, description="Days a month, for per-parcel costs")

    @field_validator("slot_per_month_yuan")
    @classmethod
    def _sizes(cls, v: dict[str, float]) -> dict[str, float]:
        if set(v) != {"S", "M", "L"}:
            raise ValueError(f"give S, M and L, got {sorted(v)}")
        if any(not 0 <= x <= 1e5 for x in v.values()):
            raise ValueError("each slot cost must be within 0-100000 yuan a month")
        return v


class DesignSpec(Section):
    """A design search: the space, its costs, the objective and constraints, and the budget."""

    variant: str = Field("locker", min_length=1, description="The scenario's variant every design is run in")
    space: dict[str, Choice] = Field(description="Scenario fields (dotted paths) and the values each may take")
    costs: DesignCosts = Field(default_factory=lambda: DesignCosts(), description="Monthly costs of a design")
    objective: str = Field(
        f"minimise {COST_KPI}",
        pattern=r"^(minimise|maximise) [a-z0-9_]+$",
        description=f"'minimise KPI' or 'maximise KPI'; {COST_KPI} is the design's monthly cost",
    )
    constraints: tuple[str, ...] = Field((), description="KPI bounds every design must meet, e.g. same_day_delivery_share>=0.95")
    pareto: str = Field(
        "minimise hours_per_courier_day",
        pattern=r"^(minimise|maximise) [a-z0-9_]+$",
        description="The KPI drawn against the monthly cost (the Pareto chart), and which way is better",
    )
    budget: int = Field(30, ge=1, le=10_000, description="Designs the optimiser evaluates")
    replications: int = Field(3, ge=1, le=200, description="Replications per design (common random numbers)")
    finalists: int = Field(3, ge=2, le=20, description="Best feasible designs re-run to rank them")
    final_replications: int = Field(
        10, ge=2, le=500, description="Replications of each finalist and of the scenario's own layout"
    )
    seed: int = Field(1, ge=0, le=2**32 - 1, description="The optimiser's seed")

    @field_validator("space")
    @classmethod
    def _not_empty(cls, v: dict[str, Choice]) -> dict[str, Choice]:
        if not v:
            raise ValueError("name at least one scenario field and its values")
        return v

    @field_validator("constraints")
    @classmethod
    def _constraints(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for text in v:
            parse_constraint(text)
        return v

    @property
    def sense(self) -> str:
        return self.objective.split()[0]

    @property
    def objective_kpi(self) -> str:
        return self.objective.split()[1]

    def kpis_named(self) -> list[str]:
        """Every KPI the spec names (the objective, the constraints', the chart's), cost aside."""
        named = [self.objective_kpi, self.pareto.split()[1], *(parse_constraint(c)[0] for c in self.constraints)]
        return [k for k in dict.fromkeys(named) if k != COST_KPI]

    def size(self) -> int:
        """How many designs the space holds."""
        return math.prod(len(c.values()) for c in self.space.values())


def parse_constraint(text: str) -> tuple[str, str, float]:
    """``kpi>=value`` or ``kpi<=value``."""
    m = _CONSTRAINT.fullmatch(text)
    if not m:
        raise ValueError(f"{text!r}: expected kpi>=value or kpi<=value")
    return m.group(1), m.group(2), float(m.group(3))


def load_design(path: str | Path) -> DesignSpec:
    """A design file (YAML); a ``ScenarioError`` names the field, the value and what is allowed."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ScenarioError(f"{path}: cannot read the design ({exc})", param="space") from None
    if not isinstance(raw, dict):
        raise ScenarioError(f"{path}: a design is a mapping with at least 'space'", param="space")
    try:
        return DesignSpec.model_validate(raw)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "(top level)"
            message = err["msg"].removeprefix("Value error, ")
            value = err.get("input")
            shown = "" if isinstance(value, dict) or err["type"] == "missing" else f" (got {value!r})"
            lines.append(f"{where}: {message}{shown}")
        raise ScenarioError(f"{path}: " + "; ".join(lines), param="space") from None


def design_of(values: dict[str, Any]) -> str:
    """A design as one line: field=value, ..."""
    return ", ".join(f"{k}={_short(v)}" for k, v in values.items())


def _short(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)
