"""A run on the map, in files GIS and GPS tools read: GeoJSON, GPX and a trajectory table.

Positions are WGS-84 longitude and latitude. A real district (an OpenStreetMap extract or the
station's own lists) is placed by the scenario's ``station.lat``/``station.lon``; a synthetic
district has no place on Earth, so the caller gives one (``origin``) and the station is put there,
with the district's metres east and north of it (an azimuthal-equidistant projection: within a
few kilometres distances are off by well under 0.1%).

Every file covers one run (variant, replication) of station area 0, as the report's replay does.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

import numpy as np
import pandas as pd

from ..core.errors import ResultsError
from ..world.city import City
from .trajectory import courier_tracks, road_paths, sample_track

__all__ = ["Placed", "district_geojson", "place_district", "trajectory_table", "write_gpx"]


@dataclass(frozen=True)
class Placed:
    """A district placed on Earth: local metres to WGS-84."""

    projection: Any  # sim.world.coords.LocalProjection (pyproj, the geo extra)
    offset: tuple[float, float]  # the local (x, y) that stands at the projection's origin

    def lonlat(self, x: np.ndarray | float, y: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
        """WGS-84 longitude and latitude of local points (metres)."""
        return self.projection.lonlat(np.asarray(x) - self.offset[0], np.asarray(y) - self.offset[1])

    def place_lonlat(self, city: City) -> np.ndarray:
        """(places, 2) longitude, latitude of each place's road node."""
        lon, lat = self.lonlat(city.place_xy[:, 0], city.place_xy[:, 1])
        return np.column_stack([lon, lat])


def place_district(city: City, station: Any, origin: tuple[float, float] | None) -> Placed:
    """Where the district lies: a real district where its scenario put it; a synthetic one with its
    station at ``origin`` (lat, lon). A ``ResultsError`` names what is missing or conflicting."""
    try:
        from ..world.coords import LocalProjection, to_wgs84
    except ImportError as exc:  # pragma: no cover - the geo extra is part of every documented install
        raise ResultsError(f"positions need the geo extra (pip install -e '.[geo]'): {exc}") from None
    if city.map_frame is not None or station.lat is not None:
        if origin is not None:
            raise ResultsError(
                "this district is placed by its scenario (station.lat, station.lon); --origin is only for a synthetic district",
                param="origin",
            )
        if city.map_frame is not None:
            return Placed(LocalProjection(*city.map_frame.origin), (0.0, 0.0))
        given_lat, given_lon = to_wgs84(station.lat, station.lon, station.crs)
        return Placed(LocalProjection(float(given_lat), float(given_lon)), _station_xy(city))
    if origin is None:
        raise ResultsError(
            "a synthetic district has no place on Earth: give the station's position (lat, lon) as the origin, "
            "or set station.lat and station.lon in the scenario",
            param="origin",
        )
    lat, lon = origin
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ResultsError(f"origin {lat},{lon}: latitude must be within ±90 and longitude within ±180", param="origin")
    return Placed(LocalProjection(lat, lon), _station_xy(city))


# --- GeoJSON ----------------------------------------------------------------------------------


def district_geojson(
    city: City, placed: Placed, tours: pd.DataFrame, stops: pd.DataFrame, *, start: date, shelves: int
) -> dict[str, Any]:
    """The district and the run's tours as one GeoJSON FeatureCollection (RFC 7946): every feature
    has a ``layer`` property (road, station, compound, building, locker_bank, pickup_station, tour).
    ``shelves``: a 驿站's shelves where the district's list does not give them."""
    g = city.graph
    features: list[dict[str, Any]] = []

    def add(layer: str, geometry: dict[str, Any], **properties: Any) -> None:
        features.append({"type": "Feature", "geometry": geometry, "properties": {"layer": layer, **properties}})

    def coords(x: np.ndarray, y: np.ndarray) -> list[list[float]]:
        lon, lat = placed.lonlat(x, y)
        return np.round(np.column_stack([lon, lat]), 7).tolist()

    for u, v, d in g.edges(data=True):
        line = coords(np.array([g.nodes[u]["x"], g.nodes[v]["x"]]), np.array([g.nodes[u]["y"], g.nodes[v]["y"]]))
        add("road", {"type": "LineString", "coordinates": line}, kind=d.get("kind", ""), length_m=round(d["length_m"], 1))
    places = placed.place_lonlat(city).round(7).tolist()
    add("station", {"type": "Point", "coordinates": places[0]}, name="station")
    households = np.bincount(city.building_compound[city.household_building], minlength=city.n_compounds)
    rings = city.map_frame.compound_rings if city.map_frame is not None else ()
    for c in range(city.n_compounds):
        props = {"compound": c, "buildings": int((city.building_compound == c).sum()), "households": int(households[c])}
        if c < len(rings):
            add("compound", _polygon(coords(rings[c][:, 0], rings[c][:, 1])), **props)
        else:  # a synthetic compound has no outline: its gate
            add("compound", {"type": "Point", "coordinates": places[c + 1]}, **props)
    for b, ring in enumerate(city.map_frame.building_rings if city.map_frame is not None else ()):
        props = {"building": b, "floors": int(city.building_floors[b]), "lift": bool(city.building_elevator[b])}
        add("building", _polygon(coords(ring[:, 0], ring[:, 1])), **props)
    for i, place in enumerate(city.bank_place):
        s, m, big = (int(n) for n in city.locker_slots[i])
        add("locker_bank", {"type": "Point", "coordinates": places[int(place)]}, bank=i, S=s, M=m, L=big)
    for i, place in enumerate(city.pickup_place):
        own = int(city.pickup_shelves[i]) if len(city.pickup_shelves) > i else 0
        add("pickup_station", {"type": "Point", "coordinates": places[int(place)]}, station=i, shelves=own or shelves)
    path = road_paths(city)
    base = datetime.combine(start, datetime.min.time())
    for tour, sequence in _tour_places(tours, stops):
        ridden = np.concatenate([path(a, b) for a, b in itertools.pairwise(sequence)])
        add(
            "tour",
            {"type": "LineString", "coordinates": coords(ridden[:, 0], ridden[:, 1])},
            courier=int(tour.courier),
            day=int(tour.day),
            depart=(base + timedelta(seconds=float(tour.depart_s))).isoformat(timespec="seconds"),
            back=(base + timedelta(seconds=float(tour.return_s))).isoformat(timespec="seconds"),
            stops=len(sequence) - 2,
            parcels_out=int(tour.parcels_out),
            ride_m=round(float(tour.ride_m), 1),
        )
    notes = [] if city.map_frame is not None else ["a synthetic district: compounds are their gates, buildings are not drawn"]
    return {"type": "FeatureCollection", "name": "parcelsim district and tours", "notes": notes, "features": features}


def write_geojson(collection: dict[str, Any], path: Path) -> None:
    """Write a FeatureCollection as UTF-8 JSON (Chinese names kept as they are)."""
    path.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")


def _polygon(ring: list[list[float]]) -> dict[str, Any]:
    if ring and ring[0] != ring[-1]:
        ring = [*ring, ring[0]]  # GeoJSON rings are closed
    return {"type": "Polygon", "coordinates": [ring]}


def _tour_places(tours: pd.DataFrame, stops: pd.DataFrame) -> list[tuple[Any, list[int]]]:
    """Each tour with the places it rode through: the station, its stops in order, the station."""
    out = []
    by_courier = {int(c): s.sort_values("arrive_s") for c, s in stops.groupby("courier")}
    for tour in tours.sort_values(["courier", "start_s"]).itertuples(index=False):
        mine = by_courier.get(int(tour.courier), stops.iloc[:0])
        on_tour = mine[(mine["arrive_s"] >= tour.depart_s) & (mine["arrive_s"] <= tour.return_s)]
        out.append((tour, [0, *(int(p) for p in on_tour["place"]), 0]))
    return out


# --- GPS: a trajectory table and GPX ----------------------------------------------------------


def trajectory_table(
    city: City, placed: Placed, tours: pd.DataFrame, stops: pd.DataFrame, *, interval_s: float, start: date
) -> pd.DataFrame:
    """Every courier's position every ``interval_s`` seconds while out on a tour (LaDe records every
    20 s): courier, day, tour (its number in the courier's day), time_s, local time, x_m, y_m, lng, lat."""
    parts = []
    for track in courier_tracks(city, tours, stops):
        mine = tours[tours["courier"] == track.courier].sort_values("start_s")
        for k, tour in enumerate(mine.itertuples(index=False)):
            first = np.ceil(float(tour.depart_s) / interval_s) * interval_s
            part = sample_track(track, interval_s, first, float(tour.return_s))
            part.insert(0, "courier", track.courier)
            part.insert(1, "day", int(tour.day))
            part.insert(2, "tour", k)
            parts.append(part)
    columns = ["courier", "day", "tour", "time_s", "x_m", "y_m"]
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame({c: [] for c in columns})
    lon, lat = placed.lonlat(table["x_m"].to_numpy(float), table["y_m"].to_numpy(float))
    table["time"] = pd.Timestamp(start) + pd.to_timedelta(table["time_s"], unit="s")
    table["lng"], table["lat"] = np.round(lon, 7), np.round(lat, 7)
    return table


def write_gpx(table: pd.DataFrame, path: Path, *, utc_offset_h: float) -> None:
    """A ``trajectory_table`` as GPX 1.1: a track per courier, a segment per tour. GPX times are UTC:
    the simulation's clock is local time, ``utc_offset_h`` hours ahead of UTC (China: 8)."""
    shift = pd.Timedelta(hours=utc_offset_h)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<gpx version="1.1" creator="parcelsim" xmlns="http://www.topografix.com/GPX/1/1">',
    ]
    for courier, mine in table.groupby("courier", sort=True):
        lines.append(f"<trk><name>{xml_escape(f'courier {courier}')}</name>")
        for _, seg in mine.groupby(["day", "tour"], sort=True):
            lines.append("<trkseg>")
            stamps = (seg["time"] - shift).dt.strftime("%Y-%m-%dT%H:%M:%SZ")
            for lat, lon, stamp in zip(seg["lat"], seg["lng"], stamps, strict=True):
                lines.append(f'<trkpt lat="{lat:.7f}" lon="{lon:.7f}"><time>{stamp}</time></trkpt>')
            lines.append("</trkseg>")
        lines.append("</trk>")
    lines.append("</gpx>")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _station_xy(city: City) -> tuple[float, float]:
    return float(city.place_xy[0, 0]), float(city.place_xy[0, 1])
