"""A tour's route as it is ridden: the places still ahead, in order, and what is for each.

The route is planned once, when the courier leaves the station (``plan_tour`` over the load's
stops). On the way a parcel may need a place the plan did not have: a 驿站 that takes what a full
locker bank could not, or what a recipient asked for on the phone. That place joins the route
where it adds the least riding (cheapest insertion), or the parcel rides along to it if the
route passes there anyway.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import numpy as np

from ...world.places import Place
from ...world.routing import plan_tour
from ..tracking import Detail

if TYPE_CHECKING:
    from ...world import City

__all__ = ["Route"]


class Route:
    """The places a tour still visits, and its parcels, return pick-ups and 驿站 hand-ins by place."""

    def __init__(
        self,
        city: City,
        stops: dict[int, list[int]],
        returns: dict[int, list[int]],
        first: frozenset[int] | set[int] = frozenset(),
        cost: np.ndarray | None = None,
    ) -> None:
        self._city = city
        # What tours are planned on: the given place-to-place costs (riding times at the hour the tour
        # leaves, in rush hours), else riding times in a real district and metres in a synthetic one.
        self._cost = cost if cost is not None else (city.place_dist_m if city.place_ride_s is None else city.place_ride_s)
        self.parcels = stops
        self.returns = returns
        self.hand_ins: dict[int, list[tuple[int, Detail]]] = {}  # parcels for a 驿站 met on the way
        places = sorted(set(stops) | set(returns))
        early = [p for p in places if p in first]  # visited before the others (音尊达 first)
        self.ahead = self._plan(Place.STATION, early) if early else []
        rest = [p for p in places if p not in first]
        self.ahead += self._plan(self.ahead[-1] if self.ahead else Place.STATION, rest)

    def _plan(self, start: int, places: list[int]) -> list[int]:
        """The places in the order of a short tour from ``start`` (``plan_tour``; the way back is
        counted as if it returned to ``start``)."""
        if len(places) <= 2:
            return list(places)  # one or two places: either way round is the same tour
        nodes = [start, *places]
        order = plan_tour(self._cost[np.ix_(nodes, nodes)], start=0)
        return [nodes[k] for k in order[1:]]

    def __bool__(self) -> bool:
        return bool(self.ahead)

    def next_stop(self) -> int:
        return self.ahead.pop(0)

    def hand_in_later(self, place: int, parcel: int, detail: Detail, here: int) -> None:
        """Take ``parcel`` to the 驿站 at ``place`` on this tour: at its stop if the route passes
        there, else at a stop added where it costs least (``here``: where the courier is now)."""
        self.hand_ins.setdefault(place, []).append((parcel, detail))
        if place in self.ahead:
            return
        path = [here, *self.ahead, Place.STATION]
        added = [self._cost[a, place] + self._cost[place, b] - self._cost[a, b] for a, b in itertools.pairwise(path)]
        self.ahead.insert(int(np.argmin(added)), place)

    def rest(self) -> tuple[list[int], list[int]]:
        """The parcels (planned and handed in later) and return pick-ups of the places still ahead:
        what goes back to the station when the day ends before they are reached."""
        parcels = [p for place in self.ahead for p in self.parcels.get(place, [])]
        parcels += [p for place in self.ahead for p, _ in self.hand_ins.get(place, [])]
        returns = [r for place in self.ahead for r in self.returns.get(place, [])]
        return parcels, returns
