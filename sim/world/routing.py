"""Tour construction for couriers: nearest neighbour, then 2-opt and Or-opt local search.

The local search is *best improvement* over both neighbourhoods at once, evaluated for every
candidate move in one vectorised numpy expression per neighbourhood. That keeps a 100-stop tour
in a few milliseconds without a compiled extension (``benchmarks/routing.py`` measures the gap
to LKH and the time per tour).

Distances are assumed symmetric (a road graph without one-way streets); ``plan_tour`` refuses an
asymmetric matrix rather than silently optimising the wrong objective.
"""

from __future__ import annotations

import numpy as np

__all__ = ["nearest_neighbour_tour", "plan_tour", "tour_length"]

# Or-opt moves segments of 1..3 consecutive stops to another place in the tour (Or, 1976).
_OR_OPT_SEGMENT_LENGTHS = (1, 2, 3)
# Moves must improve by more than this to count, so floating-point noise cannot loop forever.
_EPS = 1e-9


def tour_length(dist: np.ndarray, order: list[int] | np.ndarray) -> float:
    """Length of the closed tour visiting ``order`` and returning to ``order[0]``."""
    t = np.asarray(order, dtype=np.intp)
    if len(t) < 2:
        return 0.0
    return float(dist[t, np.roll(t, -1)].sum())


def nearest_neighbour_tour(dist: np.ndarray, start: int = 0) -> list[int]:
    """Greedy tour: from ``start`` always go to the closest unvisited point."""
    d = _check_matrix(dist, start)
    n = len(d)
    visited = np.zeros(n, dtype=bool)
    order = [start]
    visited[start] = True
    current = start
    for _ in range(n - 1):
        row = np.where(visited, np.inf, d[current])
        current = int(np.argmin(row))
        visited[current] = True
        order.append(current)
    return order


def plan_tour(dist: np.ndarray, start: int = 0) -> list[int]:
    """Plan a short closed tour over all points of a symmetric distance matrix.

    Returns the visiting order as a list of indices that begins with ``start``; the courier
    returns to ``start`` after the last index. The result is never longer than the
    nearest-neighbour tour, and the same input always gives the same output.
    """
    d = _check_matrix(dist, start)
    n = len(d)
    if n <= 3:
        return [start] + [i for i in range(n) if i != start]
    tour = np.asarray(nearest_neighbour_tour(d, start), dtype=np.intp)
    tour = _local_search(d, tour)
    k = int(np.flatnonzero(tour == start)[0])
    return [int(i) for i in np.roll(tour, -k)]


def _check_matrix(dist: np.ndarray, start: int) -> np.ndarray:
    d = np.asarray(dist, dtype=np.float64)
    if d.ndim != 2 or d.shape[0] != d.shape[1]:
        raise ValueError(f"dist must be a square matrix, got shape {d.shape}")
    n = d.shape[0]
    if n == 0:
        raise ValueError("dist must hold at least one point")
    if not 0 <= start < n:
        raise ValueError(f"start must be an index in 0..{n - 1}, got {start}")
    low = d.min()
    if not (np.isfinite(low) and np.isfinite(d.max())) or low < 0:
        raise ValueError("dist must hold finite, non-negative distances")
    # Exact symmetry is the common case (road tables are symmetrised); allow float noise otherwise.
    if not np.array_equal(d, d.T) and not np.allclose(d, d.T, rtol=1e-9, atol=1e-6):
        raise ValueError("dist must be symmetric (plan_tour optimises undirected tours)")
    return d


def _local_search(d: np.ndarray, tour: np.ndarray) -> np.ndarray:
    n = len(tour)
    pos = np.arange(n)
    # ahead[k][i] = (i + k) mod n: ``x[ahead[k]]`` is ``np.roll(x, -k)`` along that axis, without
    # np.roll's own cost, which is most of a small tour's search.
    ahead = {k: (pos + k) % n for k in {-1, 1, *(L - 1 for L in _OR_OPT_SEGMENT_LENGTHS), *_OR_OPT_SEGMENT_LENGTHS}}
    # offset[i, j] = (j - i) mod n: how far edge j lies after position i along the tour.
    offset = (pos[None, :] - pos[:, None]) % n
    two_opt_valid = (offset >= 2) & (offset <= n - 2) & (pos[:, None] < pos[None, :])
    or_valid = {L: (offset >= L) & (offset <= n - 2) for L in _OR_OPT_SEGMENT_LENGTHS if n >= L + 3}
    while True:
        # dt[i, j] = distance between the stops at tour positions i and j.
        dt = d[np.ix_(tour, tour)]
        dt_next = dt[:, ahead[1]]  # dt_next[i, j] = d(t_i, t_{j+1})
        edge = np.diagonal(dt_next).copy()  # edge[j] = d(t_j, t_{j+1})

        # 2-opt: replace edges (i, i+1) and (j, j+1) by (i, j) and (i+1, j+1).
        two = dt + dt_next[ahead[1]] - edge[:, None] - edge[None, :]
        two = np.where(two_opt_valid, two, np.inf)
        best_kind, best_delta, best_args = "2opt", float(two.min()), np.unravel_index(two.argmin(), two.shape)

        # Or-opt: cut the segment t_i..t_{i+L-1} out and insert it, either way round, into edge j.
        for L, valid in or_valid.items():
            first, last = dt, dt[ahead[L - 1]]  # rows: segment's first / last stop
            gain = (
                edge[ahead[-1]]  # d(t_{i-1}, t_i)
                + edge[ahead[L - 1]]  # d(t_{i+L-1}, t_{i+L})
                - d[tour[ahead[-1]], tour[ahead[L]]]  # d(t_{i-1}, t_{i+L})
            )
            forward = first + last[:, ahead[1]] - edge[None, :]
            backward = last + first[:, ahead[1]] - edge[None, :]
            for kind, cost in (("or_fwd", forward), ("or_bwd", backward)):
                delta = np.where(valid, cost - gain[:, None], np.inf)
                k = int(delta.argmin())
                if delta.flat[k] < best_delta:
                    best_kind, best_delta = kind, float(delta.flat[k])
                    best_args = (np.int64(k // n), np.int64(k % n), np.int64(L))
        if best_delta >= -_EPS:
            return tour
        if best_kind == "2opt":
            i, j = int(best_args[0]), int(best_args[1])
            tour = np.concatenate([tour[: i + 1], tour[i + 1 : j + 1][::-1], tour[j + 1 :]])
        else:
            i, j, L = (int(a) for a in best_args)
            tour = _move_segment(tour, i, L, j, reverse=best_kind == "or_bwd")


def _move_segment(tour: np.ndarray, i: int, length: int, j: int, reverse: bool) -> np.ndarray:
    """Move the segment at positions i..i+length-1 so it follows the stop at position j."""
    after = tour[j]
    rotated = np.roll(tour, -i)
    segment, rest = rotated[:length], rotated[length:]
    if reverse:
        segment = segment[::-1]
    k = int(np.flatnonzero(rest == after)[0])
    return np.concatenate([rest[: k + 1], segment, rest[k + 1 :]])
