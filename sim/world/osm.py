"""Reading an OpenStreetMap extract (``.osm`` XML or ``.osm.pbf``) offline, with pyosmium.

One pass over the file (two for areas, which osmium assembles from closed ways and multipolygon
relations) keeps only what a district needs, as plain arrays and shapely geometries in WGS-84:
road ways with their highway class, residential land-use areas, buildings with their tags, gate
and entrance nodes, and parcel lockers. Turning them into a district is ``sim.world.district``'s job.
Needs the ``geo`` extra (osmium, shapely, pyproj): ``pip install 'parcelsim[geo]'``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..core.errors import DistrictError

__all__ = ["Building", "OsmData", "read_osm"]


@dataclass(frozen=True)
class Building:
    """A building footprint (WGS-84) with the tags the district needs."""

    geometry: Any  # shapely Polygon or MultiPolygon, lon/lat
    kind: str  # the building=* value
    levels: str | None  # building:levels as written
    height: str | None  # height as written (m)
    elevator: str | None  # elevator=* as written


@dataclass
class OsmData:
    """What a district needs from an extract, before projection and clipping."""

    road_class: list[str] = field(default_factory=list)  # highway=* of each road way
    road_refs: list[np.ndarray] = field(default_factory=list)  # OSM node ids along each road way, -1 outside
    node_lat: dict[int, float] = field(default_factory=dict)  # positions of the road ways' nodes
    node_lon: dict[int, float] = field(default_factory=dict)
    residential: list[Any] = field(default_factory=list)  # landuse=residential areas (shapely, lon/lat)
    buildings: list[Building] = field(default_factory=list)
    gates: list[tuple[float, float]] = field(default_factory=list)  # (lat, lon) of barrier=gate and entrance=* nodes
    lockers: list[tuple[float, float]] = field(default_factory=list)  # (lat, lon) of parcel lockers
    pickup_stations: list[tuple[float, float]] = field(default_factory=list)  # (lat, lon) of pick-up shops (驿站)
    bounds: tuple[float, float, float, float] = (np.inf, np.inf, -np.inf, -np.inf)  # south, west, north, east
    broken_areas: int = 0  # residential or building areas osmium could not assemble (a self-intersecting ring)


def read_osm(path: Path, road_classes: frozenset[str]) -> OsmData:
    """Read the parts of the extract at ``path`` a district needs; only road ways whose highway class
    is in ``road_classes`` are kept. Raises ``DistrictError`` naming the file if it cannot be read as OSM."""
    import osmium
    import shapely

    data = OsmData()
    wkb = osmium.geom.WKBFactory()
    south, west, north, east = data.bounds

    class Handler(osmium.SimpleHandler):
        def node(self, n: Any) -> None:
            nonlocal south, west, north, east
            lat, lon = n.location.lat, n.location.lon
            south, north = min(south, lat), max(north, lat)
            west, east = min(west, lon), max(east, lon)
            tags = n.tags
            if tags.get("barrier") == "gate" or "entrance" in tags:
                data.gates.append((lat, lon))
            if tags.get("amenity") == "parcel_locker" or tags.get("vending") == "parcel_pickup":
                data.lockers.append((lat, lon))
            if tags.get("shop") == "outpost" or tags.get("post_office") == "post_partner":
                data.pickup_stations.append((lat, lon))

        def way(self, w: Any) -> None:
            highway = w.tags.get("highway")
            if highway not in road_classes or len(w.nodes) < 2:
                return
            # A node outside the extract has no position: it is -1, and no road segment touches it.
            refs = np.full(len(w.nodes), -1, dtype=np.int64)
            for i, nd in enumerate(w.nodes):
                if nd.location.valid():
                    refs[i] = nd.ref
                    data.node_lat[nd.ref] = nd.location.lat
                    data.node_lon[nd.ref] = nd.location.lon
            data.road_class.append(highway)
            data.road_refs.append(refs)

        def area(self, a: Any) -> None:
            tags = a.tags
            is_residential = tags.get("landuse") == "residential"
            kind = tags.get("building")
            if not is_residential and kind is None:
                return
            try:
                geometry = shapely.from_wkb(wkb.create_multipolygon(a))
            except RuntimeError:  # a broken ring in the extract: osmium cannot assemble it
                data.broken_areas += 1
                return
            if is_residential:
                data.residential.append(geometry)
            if kind is not None and kind != "no":
                data.buildings.append(
                    Building(geometry, kind, tags.get("building:levels"), tags.get("height"), tags.get("elevator"))
                )

    try:
        Handler().apply_file(str(path), locations=True)
    except RuntimeError as exc:  # osmium's parse errors (not XML, broken PBF blob, ...)
        raise DistrictError(f"{path}: not an OpenStreetMap file osmium can read ({exc})") from None
    data.bounds = (south, west, north, east)
    if not np.isfinite(south):
        raise DistrictError(f"{path}: holds no OpenStreetMap nodes (is it an .osm or .osm.pbf extract?)")
    return data
