"""parcelsim: discrete-event simulation of e-commerce last-mile logistics.

The public API::

    import sim
    scenario = sim.load_scenario("scenarios/door_vs_locker.yaml")
    runs = sim.run(scenario)          # every variant, CRN between them
    runs.kpis()                       # DataFrame: one row per variant
    sim.run(scenario, replications=20, jobs=2).differences()   # paired door − locker with CIs
    sim.breakeven(scenario)           # door fee at which door pays as well per hour as lockers
    sim.plan_tour(dist_matrix)        # the courier's tour heuristic
"""

from .breakeven import BreakevenResult, breakeven
from .errors import ConservationError, ParcelsimError, ResultsError, ScenarioError
from .metrics import HEADLINE_KPIS
from .model import RunResult, simulate
from .results import load_events, parcel_timeline, write_bundle
from .routing import plan_tour
from .runner import RunSet, compare, run
from .scenario import Scenario, load_scenario, scenario_from_dict
from .sweep import SweepResult, grid_points, sweep
from .tracking import Status

__all__ = [
    "HEADLINE_KPIS",
    "BreakevenResult",
    "ConservationError",
    "ParcelsimError",
    "ResultsError",
    "RunResult",
    "RunSet",
    "Scenario",
    "ScenarioError",
    "Status",
    "SweepResult",
    "breakeven",
    "compare",
    "grid_points",
    "load_events",
    "load_scenario",
    "parcel_timeline",
    "plan_tour",
    "run",
    "scenario_from_dict",
    "simulate",
    "sweep",
    "write_bundle",
]
