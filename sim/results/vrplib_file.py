"""One courier-day as a VRPLIB instance, with the tours the simulation rode as its solution.

Routing researchers can then solve the same instance with PyVRP, LKH or HGS and compare. The
instance is a capacitated VRP (``TYPE: CVRP``): node 1 is the station (the depot), then one node
per stop the courier made that day in the order made (a place visited on two tours is two nodes,
0 m apart, so that every node is visited once); demands are the parcels handled at the stop;
``CAPACITY`` is the e-tricycle's parcels; edge weights are road distances in whole metres
(``EXPLICIT``, ``FULL_MATRIX``: the quickest paths' lengths in a real district). ``NODE_COORD_SECTION``
gives each node's local metres, for plots only.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..core.errors import ResultsError
from ..world.city import City

__all__ = ["CourierDay", "courier_day"]


@dataclass(frozen=True)
class CourierDay:
    """The texts of an instance (``.vrp``) and of its solution (``.sol``), and what they hold."""

    instance: str
    solution: str
    stops: int
    tours: int
    parcels: int
    cost_m: int


def courier_day(
    city: City, tours: pd.DataFrame, stops: pd.DataFrame, *, courier: int, day: int, capacity: int, name: str
) -> CourierDay:
    """Courier ``courier``'s stops on ``day`` (station area 0's tables) as a VRPLIB instance and solution."""
    mine = tours[(tours["courier"] == courier) & (tours["day"] == day)].sort_values("start_s")
    if mine.empty:
        have = sorted({(int(c), int(d)) for c, d in zip(tours["courier"], tours["day"], strict=True)})
        shown = ", ".join(f"{c}/{d}" for c, d in have[:8]) + (" …" if len(have) > 8 else "")
        raise ResultsError(f"courier {courier} rode no tour on day {day}; courier/day pairs with tours: {shown}")
    places, demand, routes = [0], [0], []
    ours = stops[stops["courier"] == courier].sort_values("arrive_s")
    for tour in mine.itertuples(index=False):
        on_tour = ours[(ours["arrive_s"] >= tour.depart_s) & (ours["arrive_s"] <= tour.return_s)]
        if on_tour.empty:
            continue
        routes.append(list(range(len(places), len(places) + len(on_tour))))
        places += [int(p) for p in on_tour["place"]]
        demand += [int(n) for n in on_tour["attempts"]]
    dist = np.rint(city.place_dist_m[np.ix_(places, places)]).astype(np.int64)
    xy = city.place_xy[places].tolist()
    n = len(places)
    lines = [
        f"NAME : {name}",
        f"COMMENT : parcelsim courier {courier}, day {day}: {n - 1} stops on {len(routes)} tours, road metres",
        "TYPE : CVRP",
        f"DIMENSION : {n}",
        "EDGE_WEIGHT_TYPE : EXPLICIT",
        "EDGE_WEIGHT_FORMAT : FULL_MATRIX",
        f"CAPACITY : {capacity}",
        "NODE_COORD_SECTION",
        *(f"{i + 1} {x:.1f} {y:.1f}" for i, (x, y) in enumerate(xy)),
        "EDGE_WEIGHT_SECTION",
        *(" ".join(str(v) for v in row) for row in dist.tolist()),
        "DEMAND_SECTION",
        *(f"{i + 1} {d}" for i, d in enumerate(demand)),
        "DEPOT_SECTION",
        "1",
        "-1",
        "EOF",
    ]
    # VRPLIB solutions number customers from 1 (the depot, 0, is left out of each route).
    cost = sum(int(dist[0, r[0]] + dist[r[-1], 0] + sum(dist[a, b] for a, b in itertools.pairwise(r))) for r in routes)
    solution = [f"Route #{k + 1}: " + " ".join(str(i) for i in route) for k, route in enumerate(routes)]
    solution.append(f"Cost {cost}")
    return CourierDay(
        instance="\n".join(lines) + "\n",
        solution="\n".join(solution) + "\n",
        stops=n - 1,
        tours=len(routes),
        parcels=int(sum(demand)),
        cost_m=cost,
    )
