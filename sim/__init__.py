"""parcelsim: discrete-event simulation of e-commerce last-mile logistics.

The public API::

    import sim
    scenario = sim.load_scenario("scenarios/door_vs_locker.yaml")
    runs = sim.run(scenario)          # every variant, CRN between them
    runs.kpis()                       # DataFrame: one row per variant
    sim.run(scenario, replications=20, jobs=2).differences([("door", "locker")])   # paired, with CIs
    sim.breakeven(scenario)           # door fee at which door pays as well per hour as lockers
    sim.load_results("results/demo")  # a results folder read back as the RunSet a run returns
    sim.plot_comparison(runs)         # a matplotlib Figure
    sim.plan_tour(dist_matrix)        # the courier's tour heuristic

The names are listed once, in ``sim/__init__.pyi``; each loads from its module on first use, so
that ``import sim`` (and the command line) starts at once.

The package is layered; a layer imports only the layers below it (``tests/test_architecture.py``
checks it): ``cli`` → ``presentation`` → ``experiments`` → ``results`` → ``model`` → ``world`` →
``scenario`` → ``core``.
"""

import lazy_loader

# Importing the policies registers the built-in delivery and compliance policies, which the
# scenario schema checks names against, so they are there before any scenario is read.
from .model import policies  # noqa: F401

__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
