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
"""

# Policies first: importing them registers the built-in delivery policies, which the scenario
# schema checks names against.
from . import policies
from .breakeven import BreakevenResult, breakeven
from .errors import ConservationError, ParcelsimError, ResultsError, ScenarioError
from .metrics import HEADLINE_KPIS, dispatch_times_h, lead_times_h
from .model import RunResult, simulate
from .monitor import TimeWeighted
from .results import load_events, load_results, parcel_timeline, write_bundle
from .routing import plan_tour
from .runner import RunSet, compare, run
from .scenario import Scenario, load_scenario, scenario_from_dict
from .staffing import StaffPlan, Target, parse_target, plan_staff
from .sweep import SweepResult, grid_points, sweep
from .tracking import EventTable, Status

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
    "compare",
    "dispatch_times_h",
    "grid_points",
    "lead_times_h",
    "load_events",
    "load_results",
    "load_scenario",
    "parcel_timeline",
    "parse_target",
    "plan_staff",
    "plan_tour",
    "policies",
    "run",
    "scenario_from_dict",
    "simulate",
    "sweep",
    "write_bundle",
]
