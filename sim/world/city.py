"""A synthetic district: a street grid in metres with residential compounds, lockers and a station.

Places are the points couriers stop at (``sim.places.Place``: the station and each compound's
gate). Road distances between all places are computed once, with scipy's Dijkstra on
the sparse road graph, and kept as a table; the event loop never calls networkx.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from ..core.errors import DistrictError
from ..core.streams import Streams
from ..scenario.schema import CityConfig, StationConfig
from .places import Place

__all__ = [
    "City",
    "MapFrame",
    "banks_of_compounds",
    "count_compounds",
    "generate_city",
    "grid_draws",
    "grid_station_node",
    "grid_streets",
    "households_of",
    "pickup_stations_of_compounds",
    "slots_per_bank",
]


@dataclass(frozen=True, eq=False)
class MapFrame:
    """Where a real district lies on Earth, and the outlines its maps draw (local metres)."""

    origin: tuple[float, float]  # WGS-84 (lat, lon) of x = y = 0, the station's given position
    compound_rings: tuple[np.ndarray, ...]  # (n, 2) outline of each compound
    building_rings: tuple[np.ndarray, ...]  # (n, 2) footprint of each building


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: cities are cached
class City:
    """The static world of one station area (arrays indexed by compound, building, household, locker)."""

    graph: nx.Graph  # nodes carry x, y (m); edges carry length_m and kind (arterial/local/access)
    station_node: int
    place_node: np.ndarray  # graph node of each place
    place_xy: np.ndarray  # (places, 2) metres: the position of each place's road node
    place_dist_m: np.ndarray  # (places, places) road distances
    compound_bank: np.ndarray  # locker bank a compound's recipients use, -1 for none (use the station)
    building_compound: np.ndarray
    building_floors: np.ndarray
    building_elevator: np.ndarray  # bool
    building_walk_m: np.ndarray  # walk from the compound gate to the building entrance
    household_building: np.ndarray
    household_floor: np.ndarray  # 1 = ground floor
    bank_place: np.ndarray  # place where each locker bank stands
    locker_slots: np.ndarray  # (banks, 3) slots of size S, M, L
    # Seconds to ride between places when road classes have their own speeds (a real district);
    # None: the courier rides every road at its own speed.
    # Community pick-up stations (驿站): where each stands, its shelves where a list gives them
    # (0: the scenario's pickup_station.shelves), and the one each compound's recipients use (-1: none).
    pickup_place: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    pickup_shelves: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    compound_pickup: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    place_ride_s: np.ndarray | None = None
    map_frame: MapFrame | None = None  # outlines and the WGS-84 origin of a real district, for maps
    imported: dict[str, int] = field(default_factory=dict)  # counts from the import, for the run's metadata
    notes: tuple[str, ...] = ()  # what the import assumed where data was missing, said as warnings
    place_bank: np.ndarray = field(init=False)  # locker bank standing at each place, -1 for none
    place_pickup: np.ndarray = field(init=False)  # 驿站 standing at each place, -1 for none

    def __post_init__(self) -> None:
        place_bank = np.full(len(self.place_node), -1, dtype=np.int64)
        place_bank[self.bank_place] = np.arange(len(self.bank_place))
        object.__setattr__(self, "place_bank", place_bank)
        if len(self.compound_pickup) != self.n_compounds:  # a district without 驿站
            object.__setattr__(self, "compound_pickup", np.full(self.n_compounds, -1, dtype=np.int64))
        place_pickup = np.full(len(self.place_node), -1, dtype=np.int64)
        place_pickup[self.pickup_place] = np.arange(len(self.pickup_place))
        object.__setattr__(self, "place_pickup", place_pickup)

    @property
    def route_weight(self) -> str:
        """The edge attribute tours are routed by: riding time in a real district, else metres."""
        return "length_m" if self.place_ride_s is None else "ride_s"

    def ride_seconds(self, places: list[int], speed_mps: float) -> np.ndarray:
        """Riding times (s) between ``places``: by road class in a real district, else at ``speed_mps``."""
        index = np.ix_(places, places)
        if self.place_ride_s is not None:
            return self.place_ride_s[index]
        return self.place_dist_m[index] / speed_mps

    @property
    def n_compounds(self) -> int:
        return len(self.place_node) - 1

    @property
    def n_households(self) -> int:
        return len(self.household_building)

    def summary(self) -> dict[str, Any]:
        """Headline sizes, for run metadata and sanity checks; a real district adds its import's
        counts and notes (what it had to assume)."""
        notes = {"notes": list(self.notes)} if self.notes else {}
        return {
            "road_nodes": self.graph.number_of_nodes(),
            "road_km": round(sum(d["length_m"] for _, _, d in self.graph.edges(data=True)) / 1000, 3),
            "compounds": self.n_compounds,
            "buildings": len(self.building_floors),
            "households": self.n_households,
            "elevator_buildings": int(self.building_elevator.sum()),
            "locker_banks": len(self.bank_place),
            "locker_slots": int(self.locker_slots.sum()),
            "pickup_stations": len(self.pickup_place),
            **self.imported,
            **notes,
        }


def _grid_draws(cfg: CityConfig, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The city's first draws: each street corner's shift, and which blocks hold a compound."""
    jitter = cfg.node_jitter_share * cfg.block_m
    shifts = rng.uniform(-jitter, jitter, size=((cfg.blocks_x + 1) * (cfg.blocks_y + 1), 2))
    return shifts, rng.random(cfg.blocks_x * cfg.blocks_y) < cfg.compound_share


def count_compounds(cfg: CityConfig, streams: Streams) -> int:
    """How many compounds ``generate_city`` would build with these streams, without building the
    city: a cheap check that a scenario's districts can be built for its couriers."""
    return int(_grid_draws(cfg, streams.generator("city"))[1].sum())


def generate_city(cfg: CityConfig, station: StationConfig, streams: Streams) -> City:
    """Build the district from its configuration; the same seed always gives the same city."""
    rng = streams.generator("city")
    nx_, ny_ = cfg.blocks_x + 1, cfg.blocks_y + 1
    shifts, has_compound = _grid_draws(cfg, rng)
    g = grid_streets(cfg, shifts)

    def node(i: int, j: int) -> int:
        return j * nx_ + i

    # Residential compounds: one per chosen block, entered by a gate on one of the block's sides.
    sides = rng.integers(0, 4, size=cfg.blocks_x * cfg.blocks_y)
    fractions = rng.uniform(0.3, 0.7, size=cfg.blocks_x * cfg.blocks_y)
    gate_nodes: list[int] = []
    next_node = nx_ * ny_
    for b in np.flatnonzero(has_compound):
        bi, bj = int(b % cfg.blocks_x), int(b // cfg.blocks_x)
        corners = [node(bi, bj), node(bi + 1, bj), node(bi + 1, bj + 1), node(bi, bj + 1)]
        a, c = corners[sides[b]], corners[(sides[b] + 1) % 4]
        f = fractions[b]
        g.add_node(
            next_node,
            x=(1 - f) * g.nodes[a]["x"] + f * g.nodes[c]["x"],
            y=(1 - f) * g.nodes[a]["y"] + f * g.nodes[c]["y"],
            compound=len(gate_nodes),
        )
        _add_road(g, a, next_node, "access")
        _add_road(g, next_node, c, "access")
        gate_nodes.append(next_node)
        next_node += 1
    n_compounds = len(gate_nodes)
    if n_compounds == 0:
        raise DistrictError("the city has no residential compound: raise city.compound_share or the number of blocks")

    station_node = _station_node(nx_, ny_, station.location, node)
    place_node = np.asarray([station_node, *gate_nodes], dtype=np.int64)
    place_xy = np.asarray([[g.nodes[v]["x"], g.nodes[v]["y"]] for v in place_node])
    place_dist = _place_distances(g, place_node)

    # Buildings, floors and households.
    n_buildings = rng.integers(cfg.buildings_min, cfg.buildings_max + 1, size=n_compounds)
    building_compound = np.repeat(np.arange(n_compounds), n_buildings)
    nb = len(building_compound)
    elevator = rng.random(nb) < cfg.elevator_share
    highrise_floors = rng.integers(cfg.highrise_floors_min, cfg.highrise_floors_max + 1, size=nb)
    floors = np.where(elevator, highrise_floors, cfg.walkup_floors)
    walk_m = rng.uniform(cfg.building_walk_m_min, cfg.building_walk_m_max, size=nb)
    household_building, household_floor = households_of(floors * cfg.households_per_floor, floors)

    # Locker banks at some gates; compounds without one use the nearest bank within reach.
    locker_compounds = np.flatnonzero(rng.random(n_compounds) < cfg.locker_share)
    bank_place = Place.of_compound(locker_compounds)
    locker_slots = np.tile(slots_per_bank(cfg), (len(bank_place), 1))
    compound_bank = banks_of_compounds(place_dist, bank_place, cfg.locker_reach_m)
    # 驿站 in or beside some compounds (at their gates), drawn from their own stream so that adding
    # them left the streets, buildings and lockers of every district as they were.
    hosts = np.flatnonzero(streams.generator("pickup_stations").random(n_compounds) < cfg.pickup_station_share)
    pickup_place = Place.of_compound(hosts).astype(np.int64)

    return City(
        graph=g,
        station_node=station_node,
        place_node=place_node,
        place_xy=place_xy,
        place_dist_m=place_dist,
        compound_bank=compound_bank,
        building_compound=building_compound,
        building_floors=floors.astype(np.int64),
        building_elevator=elevator,
        building_walk_m=walk_m,
        household_building=household_building,
        household_floor=household_floor,
        bank_place=bank_place.astype(np.int64),
        locker_slots=locker_slots,
        pickup_place=pickup_place,
        pickup_shelves=np.zeros(len(pickup_place), dtype=np.int64),
        compound_pickup=pickup_stations_of_compounds(place_dist, pickup_place, cfg.pickup_station_reach_m),
    )


def grid_streets(cfg: CityConfig, shifts: np.ndarray) -> nx.Graph:
    """The street grid: corner ``(i, j)`` is node ``j * (blocks_x + 1) + i``, shifted by ``shifts``."""
    nx_, ny_ = cfg.blocks_x + 1, cfg.blocks_y + 1
    g = nx.Graph()

    def node(i: int, j: int) -> int:
        return j * nx_ + i

    for j in range(ny_):
        for i in range(nx_):
            dx, dy = shifts[node(i, j)]
            g.add_node(node(i, j), x=i * cfg.block_m + dx, y=j * cfg.block_m + dy)
    for j in range(ny_):
        for i in range(nx_):
            if i + 1 < nx_:  # east-west street number j
                _add_road(g, node(i, j), node(i + 1, j), "arterial" if j % cfg.arterial_every == 0 else "local")
            if j + 1 < ny_:  # north-south street number i
                _add_road(g, node(i, j), node(i, j + 1), "arterial" if i % cfg.arterial_every == 0 else "local")
    return g


def grid_station_node(cfg: CityConfig, station: StationConfig) -> int:
    """The street corner where the station stands on the grid."""
    nx_, ny_ = cfg.blocks_x + 1, cfg.blocks_y + 1
    return _station_node(nx_, ny_, station.location, lambda i, j: j * nx_ + i)


def grid_draws(cfg: CityConfig, rng: np.random.Generator) -> np.ndarray:
    """The street corners' shifts, drawn as ``generate_city`` draws them."""
    return _grid_draws(cfg, rng)[0]


def households_of(per_building: np.ndarray, floors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The building and floor (1 = ground) of every household, given how many households each
    building holds and its floors: households fill the floors evenly from the ground up."""
    per_building = np.asarray(per_building, dtype=np.int64)
    household_building = np.repeat(np.arange(len(per_building)), per_building)
    starts = np.cumsum(per_building) - per_building
    index_in_building = np.arange(len(household_building)) - np.repeat(starts, per_building)
    floor = index_in_building * np.repeat(floors, per_building) // np.repeat(per_building, per_building) + 1
    return household_building, floor.astype(np.int64)


def slots_per_bank(cfg: CityConfig) -> np.ndarray:
    """The S, M, L slots of a locker bank whose size is not known otherwise."""
    return np.array([cfg.locker_slots.S, cfg.locker_slots.M, cfg.locker_slots.L], dtype=np.int64)


def banks_of_compounds(place_dist: np.ndarray, bank_place: np.ndarray, reach_m: float) -> np.ndarray:
    """The locker bank (or 驿站: ``pickup_stations_of_compounds``) each compound's recipients use:
    the one at its gate, else the nearest by road within ``reach_m``, else -1 (none)."""
    n_compounds = len(place_dist) - 1
    compound_bank = np.full(n_compounds, -1, dtype=np.int64)
    if len(bank_place):
        d = place_dist[np.ix_(Place.of_compound(np.arange(n_compounds)), bank_place)]
        nearest = np.argmin(d, axis=1)
        within = d[np.arange(n_compounds), nearest] <= reach_m
        compound_bank = np.where(within, nearest, -1)
        at_gate = Place.is_compound(bank_place)
        compound_bank[Place.compound(bank_place[at_gate])] = np.flatnonzero(at_gate)
    return compound_bank


pickup_stations_of_compounds = banks_of_compounds  # the same rule: the one at the gate, else the nearest in reach


def _add_road(g: nx.Graph, a: int, b: int, kind: str) -> None:
    ax, ay, bx, by = g.nodes[a]["x"], g.nodes[a]["y"], g.nodes[b]["x"], g.nodes[b]["y"]
    g.add_edge(a, b, length_m=float(np.hypot(ax - bx, ay - by)), kind=kind)


def _station_node(nx_: int, ny_: int, location: str, node) -> int:
    if location == "centre":
        return node(nx_ // 2, ny_ // 2)
    return node(0, ny_ // 2)


def edge_matrix(n: int, u: np.ndarray, v: np.ndarray, w: np.ndarray) -> csr_matrix:
    """The sparse matrix of an undirected road network of ``n`` nodes (edges u-v of weight w), for
    scipy's shortest paths."""
    return csr_matrix((np.concatenate([w, w]), (np.concatenate([u, v]), np.concatenate([v, u]))), shape=(n, n))


def road_matrix(g: nx.Graph, weight: str = "length_m") -> csr_matrix:
    """``edge_matrix`` of a road graph whose nodes are numbered 0..n-1, by the edge attribute ``weight``."""
    edges = np.array([(u, v, d[weight]) for u, v, d in g.edges(data=True)])
    return edge_matrix(g.number_of_nodes(), edges[:, 0].astype(np.int64), edges[:, 1].astype(np.int64), edges[:, 2])


def _place_distances(g: nx.Graph, place_node: np.ndarray) -> np.ndarray:
    """All-pairs road distances between places (metres), via scipy's Dijkstra from each place."""
    dist = dijkstra(road_matrix(g), directed=True, indices=place_node)[:, place_node]
    if not np.all(np.isfinite(dist)):
        raise DistrictError("the road graph is not connected")
    # Average the tiny asymmetry that floating-point summation can leave.
    return (dist + dist.T) / 2
