"""Fitting scenario parameters to a real delivery log's distributions (``parcelsim calibrate``).

The distance between the simulated and the real log is the sum over the distributions of
``sim.lade`` (parcels per courier-day, day span, gaps between deliveries, parcels per stop, hour
of delivery) of the Wasserstein distance between them, each divided by the real distribution's
standard deviation so that minutes and counts weigh alike, times its weight. Every candidate is
simulated with the same seed (common random numbers), so the distance changes only with the
parameters; scipy's bounded Powell method (one parameter: bounded Brent) searches within
``budget`` simulations.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..core.errors import ScenarioError
from ..model.run import simulate
from ..results.lade import DISTRIBUTIONS, LadeSummary, deliveries_of_run, summarize
from ..scenario.schema import Scenario

__all__ = ["DEFAULT_PARAMS", "Calibration", "Param", "calibrate", "distance", "parse_param"]


@dataclass(frozen=True)
class Param:
    """A scenario field to fit, within bounds."""

    path: str
    low: float
    high: float


DEFAULT_PARAMS = (Param("door.handover_median_s", 15.0, 240.0),)
_WEIGHTS = dict.fromkeys(DISTRIBUTIONS, 1.0)


def parse_param(text: str) -> Param:
    """``path=low:high``, e.g. ``door.handover_median_s=20:200``."""
    path, _, bounds = text.partition("=")
    low_text, _, high_text = bounds.partition(":")
    try:
        low, high = float(low_text), float(high_text)
    except ValueError:
        raise ScenarioError(f"--param {text!r}: expected path=low:high, e.g. door.handover_median_s=20:200") from None
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise ScenarioError(f"--param {text!r}: the bounds must be finite numbers with low < high")
    return Param(path.strip(), low, high)


def distance(simulated: LadeSummary, real: LadeSummary, weights: dict[str, float] | None = None) -> float:
    """Weighted sum of the scaled Wasserstein distances between matching distributions."""
    from scipy.stats import wasserstein_distance

    total = 0.0
    for name, weight in (weights or _WEIGHTS).items():
        ours, theirs = simulated.values[name], real.values[name]
        if len(theirs) == 0 or weight == 0:
            continue
        if len(ours) == 0:
            return math.inf
        scale = float(np.std(theirs)) or 1.0
        total += weight * wasserstein_distance(ours, theirs) / scale
    return total


@dataclass
class Calibration:
    """The fit: the values found, the scenario with them, the distance, and each evaluation."""

    params: tuple[Param, ...]
    values: dict[str, float]
    scenario: Scenario
    distance: float
    evaluations: list[dict[str, float]] = field(default_factory=list)
    fitted: LadeSummary | None = None

    def comparison(self, real: LadeSummary) -> pd.DataFrame:
        """Real against simulated statistics, distribution by distribution."""
        assert self.fitted is not None
        ours = self.fitted.statistics().set_index("distribution")
        theirs = real.statistics().set_index("distribution")
        return theirs.add_suffix("_real").join(ours.add_suffix("_simulated")).reset_index()


def simulated_summary(scenario: Scenario, variant: str) -> LadeSummary:
    """The distributions of one simulated run, taken as from a LaDe log (times to the second), without
    writing the log out as text and reading it back."""
    return summarize(deliveries_of_run(simulate(scenario, variant).events.to_pandas()))


def calibrate(
    scenario: Scenario,
    real: LadeSummary,
    params: tuple[Param, ...] = DEFAULT_PARAMS,
    *,
    variant: str | None = None,
    budget: int = 40,
    progress: Callable[[dict[str, float]], None] | None = None,
) -> Calibration:
    """Fit ``params`` so that ``variant``'s simulated distributions match ``real``'s."""
    from scipy.optimize import minimize, minimize_scalar

    variant = variant or next(iter(scenario.variants))
    scenario.resolved(variant)  # an unknown variant fails here, not after the first simulation
    for p in params:
        scenario.with_overrides({p.path: (p.low + p.high) / 2}, where="--param")  # the path exists and takes a number
    evaluations: list[dict[str, float]] = []
    best: dict[str, Any] = {"distance": math.inf}

    def objective(x: np.ndarray | float) -> float:
        values = {p.path: float(v) for p, v in zip(params, np.atleast_1d(x), strict=True)}
        candidate = scenario.with_overrides(values, where="calibrate")
        summary = simulated_summary(candidate, variant)
        d = distance(summary, real)
        row = {**values, "distance": d}
        evaluations.append(row)
        if progress is not None:
            progress(row)
        if d < best["distance"]:
            best.update(distance=d, values=values, scenario=candidate, summary=summary)
        return d

    if len(params) == 1:
        p = params[0]
        minimize_scalar(
            objective, bounds=(p.low, p.high), method="bounded", options={"maxiter": budget, "xatol": 1e-3 * (p.high - p.low)}
        )
    else:
        start = np.array([(p.low + p.high) / 2 for p in params])
        minimize(objective, start, method="Powell", bounds=[(p.low, p.high) for p in params], options={"maxfev": budget})
    return Calibration(params, best["values"], best["scenario"], best["distance"], evaluations, best["summary"])
