"""parcelsim: discrete-event simulation of e-commerce last-mile logistics.

The public API::

    import sim
    scenario = sim.load_scenario("scenarios/door_vs_locker.yaml")
    runs = sim.run(scenario)          # every variant, CRN between them
    runs.kpis()                       # DataFrame: one row per variant
    sim.plan_tour(dist_matrix)        # the courier's tour heuristic
"""

from .errors import ConservationError, ParcelsimError, ResultsError, ScenarioError
from .metrics import HEADLINE_KPIS
from .model import RunResult, simulate
from .results import load_events, parcel_timeline, write_bundle
from .routing import plan_tour
from .runner import RunSet, run
from .scenario import Scenario, load_scenario, scenario_from_dict
from .tracking import Status

__all__ = [
    "HEADLINE_KPIS",
    "ConservationError",
    "ParcelsimError",
    "ResultsError",
    "RunResult",
    "RunSet",
    "Scenario",
    "ScenarioError",
    "Status",
    "load_events",
    "load_scenario",
    "parcel_timeline",
    "plan_tour",
    "run",
    "scenario_from_dict",
    "simulate",
    "write_bundle",
]
