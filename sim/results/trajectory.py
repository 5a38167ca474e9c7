"""Where each courier was: positions along the road paths of a run's tours, in local metres.

A tour's tables say when the courier left each place and reached the next (``stops``:
``arrive_s``, ``ride_s``, ``depart_s``; ``tours``: leaving and coming back to the station). Between
two places the courier rides the quickest road path (the one the tour was planned on) at an even
pace, so a position at any time is an interpolation along that path. The report's replay draws
these keyframes; the GPS exports sample them at a fixed interval.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..world.city import City

__all__ = ["Track", "courier_tracks", "road_paths", "sample_track"]


@dataclass(frozen=True)
class Track:
    """One courier's keyframes over a run: at ``t[i]`` (s) the courier was at ``(x[i], y[i])`` (m);
    in between, on the straight piece of road joining them. ``t`` never decreases."""

    courier: int
    t: np.ndarray
    x: np.ndarray
    y: np.ndarray


def road_paths(city: City) -> Callable[[int, int], np.ndarray]:
    """A function giving the road nodes' (x, y) from place ``a`` to place ``b`` along the quickest
    path by the district's route weight (the path tours are planned on)."""
    from scipy.sparse.csgraph import dijkstra

    from ..world.city import road_matrix

    g = city.graph
    xy = np.array([[g.nodes[i]["x"], g.nodes[i]["y"]] for i in range(g.number_of_nodes())])
    _, pred = dijkstra(road_matrix(g, city.route_weight), indices=city.place_node, return_predecessors=True)

    def path(a: int, b: int) -> np.ndarray:
        nodes, node = [], int(city.place_node[b])
        while node >= 0:
            nodes.append(node)
            if node == int(city.place_node[a]):
                break
            node = int(pred[a, node])
        return xy[nodes[::-1]]

    return path


def courier_tracks(city: City, tours: pd.DataFrame, stops: pd.DataFrame) -> list[Track]:
    """Keyframes of each courier in ``tours`` (one station area and run): still at the station and
    at stops, moving along the road path between places while riding."""
    path = road_paths(city)
    tracks = []
    stop_courier = stops["courier"].to_numpy()
    for courier in sorted(int(c) for c in tours["courier"].unique()):
        build = _TrackBuilder(city.place_xy, path)  # a place's position is its road node's: where paths end
        mine = stops[stop_courier == courier].sort_values("arrive_s")
        arrive = mine["arrive_s"].to_numpy(dtype=np.float64)
        columns = (mine["place"].astype(int).tolist(), arrive.tolist(), mine["ride_s"].tolist(), mine["depart_s"].tolist())
        rows = list(zip(*columns, strict=True))
        for tour in tours[tours["courier"] == courier].sort_values("start_s").itertuples(index=False):
            build.still(tour.start_s, 0)
            here, left = 0, tour.depart_s
            # The tour's stops: those it reached between leaving and coming back, a run of the sorted stops.
            first, last = np.searchsorted(arrive, tour.depart_s, "left"), np.searchsorted(arrive, tour.return_s, "right")
            for place, arrive_s, ride_s, depart_s in rows[first:last]:
                build.still(left, here)
                build.ride(max(left, arrive_s - ride_s), arrive_s, here, place)
                build.still(depart_s, place)
                here, left = place, depart_s
            build.ride(left, tour.return_s, here, 0)
            build.still(tour.end_s, 0)
        tracks.append(build.track(courier))
    return tracks


def sample_track(track: Track, interval_s: float, start_s: float, end_s: float) -> pd.DataFrame:
    """The courier's position every ``interval_s`` seconds from ``start_s`` to ``end_s`` (both
    included when they fall on the grid), as columns ``time_s``, ``x_m``, ``y_m``."""
    if interval_s <= 0:
        raise ValueError(f"interval_s must be above 0, got {interval_s!r}")
    times = start_s + interval_s * np.arange(int(np.floor((end_s - start_s) / interval_s)) + 1)
    return pd.DataFrame({"time_s": times, "x_m": _at(track, track.x, times), "y_m": _at(track, track.y, times)})


def _at(track: Track, values: np.ndarray, times: np.ndarray) -> np.ndarray:
    # Keyframes may share a time (a courier arrives and starts the next ride in the same second):
    # take the last of them, where the courier is after that instant.
    i = np.clip(np.searchsorted(track.t, times, side="right") - 1, 0, len(track.t) - 1)
    j = np.minimum(i + 1, len(track.t) - 1)
    span = track.t[j] - track.t[i]
    share = np.where(span > 0, (times - track.t[i]) / np.where(span > 0, span, 1.0), 0.0)
    share = np.clip(share, 0.0, 1.0)
    return values[i] + share * (values[j] - values[i])


class _TrackBuilder:
    """A courier's keyframes, built in time order."""

    def __init__(self, place_xy: np.ndarray, path: Callable[[int, int], np.ndarray]) -> None:
        self.place_xy, self.path = place_xy, path
        self.t: list[float] = []
        self.points: list[np.ndarray] = []

    def still(self, time: float, place: int) -> None:
        self.t.append(time)
        self.points.append(self.place_xy[place])

    def ride(self, start: float, end: float, a: int, b: int) -> None:
        """Along the road path from place a to place b, at an even pace."""
        line = self.path(a, b)
        seg = np.hypot(*np.diff(line, axis=0).T) if len(line) > 1 else np.zeros(0)
        share = np.concatenate([[0.0], np.cumsum(seg)]) / max(float(seg.sum()), 1e-9)
        self.t.extend(start + share * (end - start))
        self.points.extend(line)

    def track(self, courier: int) -> Track:
        points = np.asarray(self.points, dtype=np.float64).reshape(-1, 2)
        return Track(courier, np.asarray(self.t, dtype=np.float64), points[:, 0], points[:, 1])
