"""parcelsim: discrete-event simulation of e-commerce last-mile logistics.

The public API::

    import sim
    scenario = sim.load_scenario("scenarios/door_vs_locker.yaml")
    runs = sim.run(scenario)          # every variant, CRN between them
    runs.kpis()                       # DataFrame: one row per variant
    sim.run(scenario, replications=20, jobs=2).differences([("door", "locker")])   # paired, with CIs
    sim.breakeven(scenario)           # door fee at which door pays as well per hour as lockers
    sim.load_results("results/demo")  # a results folder read back as the RunSet a run returns
    sim.plan_tour(dist_matrix)        # the courier's tour heuristic

Names are loaded on first use, so that ``import sim`` (and the command line) starts at once.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

# Policies are imported at once: importing them registers the built-in delivery and compliance
# policies, which the scenario schema checks names against.
from . import policies

# Each public name and the module it lives in.
_PUBLIC = {
    "HEADLINE_KPIS": "metrics",
    "BreakevenResult": "breakeven",
    "ConservationError": "errors",
    "EventTable": "tracking",
    "ParcelsimError": "errors",
    "ResultsError": "errors",
    "RunResult": "model",
    "RunSet": "runner",
    "Scenario": "scenario",
    "ScenarioError": "errors",
    "StaffPlan": "staffing",
    "Status": "tracking",
    "SweepResult": "sweep",
    "Target": "staffing",
    "TimeWeighted": "monitor",
    "breakeven": "breakeven",
    "capacity": "capacity",
    "compare": "runner",
    "dispatch_times_h": "metrics",
    "grid_points": "sweep",
    "lead_times_h": "metrics",
    "load_events": "results",
    "load_results": "results",
    "load_scenario": "scenario",
    "parcel_timeline": "results",
    "parse_target": "staffing",
    "plan_couriers": "staffing",
    "plan_staff": "staffing",
    "plan_tour": "routing",
    "run": "runner",
    "scenario_from_dict": "scenario",
    "simulate": "model",
    "sweep": "sweep",
    "write_bundle": "results",
}

__all__ = [
    "HEADLINE_KPIS",
    "BreakevenResult",
    "ConservationError",
    "EventTable",
    "ParcelsimError",
    "ResultsError",
    "RunResult",
    "RunSet",
    "Scenario",
    "ScenarioError",
    "StaffPlan",
    "Status",
    "SweepResult",
    "Target",
    "TimeWeighted",
    "breakeven",
    "capacity",
    "compare",
    "dispatch_times_h",
    "grid_points",
    "lead_times_h",
    "load_events",
    "load_results",
    "load_scenario",
    "parcel_timeline",
    "parse_target",
    "plan_couriers",
    "plan_staff",
    "plan_tour",
    "policies",
    "run",
    "scenario_from_dict",
    "simulate",
    "sweep",
    "write_bundle",
]


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # later look-ups find it directly
    return value


def __dir__() -> list[str]:
    return __all__


class _Package(types.ModuleType):
    """Keeps ``sim.sweep`` (and the like) the function when its module of the same name is imported.

    Importing a submodule binds it on the package; three public functions share their module's
    name, and a user who types ``sim.sweep(...)`` means the function.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and _PUBLIC.get(name) == name:
            return  # leave the name to __getattr__, which returns the function
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


if TYPE_CHECKING:  # what type checkers and editors see
    from .breakeven import BreakevenResult, breakeven
    from .capacity import capacity
    from .errors import ConservationError, ParcelsimError, ResultsError, ScenarioError
    from .metrics import HEADLINE_KPIS, dispatch_times_h, lead_times_h
    from .model import RunResult, simulate
    from .monitor import TimeWeighted
    from .results import load_events, load_results, parcel_timeline, write_bundle
    from .routing import plan_tour
    from .runner import RunSet, compare, run
    from .scenario import Scenario, load_scenario, scenario_from_dict
    from .staffing import StaffPlan, Target, parse_target, plan_couriers, plan_staff
    from .sweep import SweepResult, grid_points, sweep
    from .tracking import EventTable, Status
