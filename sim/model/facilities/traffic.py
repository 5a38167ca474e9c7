"""Riding times by hour of day: rush hours slow the roads, each road kind by its own share.

A stretch of the day with a travel-time factor F (cars' travel time ÷ free flow) makes a road of
kind k take ``1 + (F − 1) × share[k]`` times its free-flow time for an e-tricycle, which weaves
through queues and is slowed less than a car (``traffic.tricycle_share_of_delay``, A43). A ride
takes the times of the hour it starts in; a tour is planned on the times of the hour it leaves
(``traffic.plan_on: departure_hour``) or on free-flow times. The place-to-place times of each
distinct factor are computed once (Dijkstra over the road graph) and kept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ...core.units import SECONDS_PER_DAY, SECONDS_PER_HOUR

if TYPE_CHECKING:
    from ...scenario.schema import TrafficConfig
    from ...world import City

__all__ = ["Traffic"]


class Traffic:
    """Place-to-place riding seconds at any time of day for one station area's district."""

    def __init__(self, city: City, config: TrafficConfig, speed_mps: float) -> None:
        self.city, self.config, self.speed_mps = city, config, speed_mps
        self.free_flow = city.place_ride_s if city.place_ride_s is not None else city.place_dist_m / speed_mps
        self.on = bool(config.peaks)
        self._by_factor: dict[float, np.ndarray] = {1.0: self.free_flow}

    def factor(self, time_s: float) -> float:
        """Cars' travel-time factor at ``time_s``."""
        hour = (time_s % SECONDS_PER_DAY) / SECONDS_PER_HOUR
        return self.config.factor_at(self.config.peaks, hour)

    def matrix(self, time_s: float) -> np.ndarray:
        """Riding seconds between places for rides starting at ``time_s``."""
        f = self.factor(time_s)
        if f not in self._by_factor:
            self._by_factor[f] = self._times(f)
        return self._by_factor[f]

    def ride_s(self, a: int, b: int, time_s: float) -> float:
        """Seconds to ride from place ``a`` to ``b``, leaving at ``time_s``."""
        return float(self.matrix(time_s)[a, b])

    def plan_matrix(self, time_s: float) -> np.ndarray | None:
        """What a tour leaving at ``time_s`` is planned on: the riding times of that hour where the
        roads are slowed then, else None, the district's own free-flow cost (metres in a synthetic
        district), so that free flow plans exactly as without traffic."""
        if self.config.plan_on == "free_flow" or self.factor(time_s) == 1.0:
            return None
        return self.matrix(time_s)

    def _times(self, factor: float) -> np.ndarray:
        from scipy.sparse.csgraph import dijkstra

        from ...world.city import edge_matrix

        g, shares = self.city.graph, self.config.tricycle_share_of_delay
        rows = []
        for u, v, d in g.edges(data=True):
            free = d["ride_s"] if "ride_s" in d else d["length_m"] / self.speed_mps
            share = shares.get(str(d.get("kind", "other")), shares["other"])
            rows.append((u, v, free * (1.0 + (factor - 1.0) * share)))
        edges = np.array(rows, dtype=np.float64)
        matrix = edge_matrix(g.number_of_nodes(), edges[:, 0].astype(np.int64), edges[:, 1].astype(np.int64), edges[:, 2])
        nodes = self.city.place_node
        seconds = dijkstra(matrix, directed=False, indices=nodes)[:, nodes]
        return (seconds + seconds.T) / 2  # the tiny asymmetry float sums leave, as the district's own times
