"""Confidence intervals over replications, and paired differences between variants (CRN)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["json_number", "mean_ci", "paired_difference", "t_half_width"]


def t_half_width(values: np.ndarray, level: float = 0.95) -> float:
    """Half-width of the Student-t confidence interval of the mean (NaN for fewer than 2 values)."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if len(x) < 2:
        return math.nan
    return float(_t_quantile(0.5 + level / 2, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x)))


def mean_ci(values: np.ndarray, level: float = 0.95) -> tuple[float, float, int]:
    """(mean, CI half-width, n) over the non-NaN values."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if len(x) == 0:
        return math.nan, math.nan, 0
    return float(x.mean()), t_half_width(x, level), len(x)


def paired_difference(a: np.ndarray, b: np.ndarray, level: float = 0.95) -> dict[str, float]:
    """Mean of a − b with its paired CI (replication i of a against replication i of b, which share
    their random numbers) and, for comparison, the unpaired (Welch) CI that ignores the pairing."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    ok = ~(np.isnan(a) | np.isnan(b))
    a, b = a[ok], b[ok]
    n = len(a)
    if n == 0:
        return {"mean": math.nan, "ci95": math.nan, "n": 0, "unpaired_ci95": math.nan}
    d = a - b
    unpaired = math.nan
    if n >= 2:
        va, vb = a.var(ddof=1) / n, b.var(ddof=1) / n
        se = math.sqrt(va + vb)
        if se > 0:
            dof = (va + vb) ** 2 / ((va**2 + vb**2) / (n - 1)) if va + vb > 0 and va * vb >= 0 else n - 1
            unpaired = float(_t_quantile(0.5 + level / 2, max(dof, 1.0)) * se)
        else:
            unpaired = 0.0
    return {"mean": float(d.mean()), "ci95": t_half_width(d, level), "n": n, "unpaired_ci95": unpaired}


def _t_quantile(p: float, dof: float) -> float:
    """The Student-t quantile (scipy.special, which loads in a fraction of scipy.stats' time)."""
    from scipy.special import stdtrit

    return float(stdtrit(dof, p))


def json_number(x: Any) -> float | int | None:
    """A number for JSON: NaN becomes null, whole numbers stay ints."""
    x = float(x)
    if x != x:
        return None
    return int(x) if x.is_integer() and abs(x) < 2**53 else x
