"""GeoJSON, GPX, trajectory, VRPLIB and LaDe coordinates: each read back by a library that did not write it."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
import yaml
from pyproj import Geod

from sim.cli.main import main
from sim.world.districts import build_city

from .conftest import SMALL, small_scenario

ORIGIN = (30.274, 120.155)  # where the tests put the synthetic district's station (Hangzhou)
GEOD = Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("maps")
    path = folder / "small.yaml"
    path.write_text(yaml.safe_dump(SMALL), encoding="utf-8")
    assert main(["run", str(path), "--out", str(folder / "run"), "--no-charts"]) == 0
    return folder / "run"


def _export(run, fmt, out, *extra):
    return main(["export", str(run), "--format", fmt, "--out", str(out), "--origin", "30.274,120.155", *extra])


def _tables(run, name, variant="door"):
    table = pd.read_parquet(run / f"{name}.parquet")
    return table[(table["variant"] == variant) & (table["replication"] == 0) & (table["station"] == 0)]


def test_geojson_reads_back_with_geopandas_and_its_tours_are_as_long_as_ridden(run, tmp_path):
    import geopandas as gpd

    out = tmp_path / "district.geojson"
    assert _export(run, "geojson", out) == 0
    frame = gpd.read_file(out)
    assert frame.crs.to_epsg() == 4326
    city = build_city(small_scenario().city, small_scenario().station, small_scenario().seed, 0)
    counts = frame["layer"].value_counts()
    assert counts["road"] == city.graph.number_of_edges()
    assert counts["compound"] == city.n_compounds
    assert counts["locker_bank"] == len(city.bank_place)
    assert counts.get("pickup_station", 0) == len(city.pickup_place)
    station = frame[frame["layer"] == "station"].geometry.iloc[0]
    assert (station.y, station.x) == pytest.approx(ORIGIN, abs=1e-6)  # the station stands at the origin given
    tours = frame[frame["layer"] == "tour"]
    ridden = _tables(run, "tours")
    assert len(tours) == len(ridden)
    # Each tour's line, measured on the ellipsoid, is the road distance its table says it rode.
    for line, ride_m in zip(tours.geometry, tours["ride_m"], strict=True):
        lon, lat = np.asarray(line.coords).T
        assert GEOD.line_length(lon, lat) == pytest.approx(ride_m, rel=2e-3, abs=1.0)
    assert sorted(tours["ride_m"].round(1)) == sorted(ridden["ride_m"].round(1))


def test_gpx_reads_back_with_gpxpy_and_never_rides_faster_than_the_tricycle(run, tmp_path):
    import gpxpy

    out = tmp_path / "tracks.gpx"
    assert _export(run, "gpx", out, "--interval", "20") == 0
    gpx = gpxpy.parse(out.read_text(encoding="utf-8"))
    ridden = _tables(run, "tours")
    assert len(gpx.tracks) == ridden["courier"].nunique()
    assert sum(len(t.segments) for t in gpx.tracks) == len(ridden)
    speed = small_scenario().couriers.ride_speed_mps
    fastest = 0.0
    for track in gpx.tracks:
        for segment in track.segments:
            points = segment.points
            seconds = np.diff([p.time.timestamp() for p in points])
            assert np.allclose(seconds, 20.0)
            lon, lat = np.array([(p.longitude, p.latitude) for p in points]).T
            _, _, metres = GEOD.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])  # on the ellipsoid, not gpxpy's sphere
            fastest = max(fastest, float((metres / seconds).max(initial=0.0)))
    assert 0.5 * speed < fastest <= speed * 1.001  # a straight chord is never longer than the road ridden
    first = gpx.tracks[0].segments[0].points[0]
    assert first.time.tzinfo is not None and first.time.utcoffset().total_seconds() == 0  # GPX times are UTC


def test_trajectory_puts_the_courier_at_each_stop_while_it_is_there(run, tmp_path):
    out = tmp_path / "trajectory.parquet"
    assert _export(run, "trajectory-parquet", out, "--interval", "10") == 0
    table = pd.read_parquet(out)
    assert {"courier", "day", "tour", "time_s", "time", "x_m", "y_m", "lng", "lat"} <= set(table.columns)
    city = build_city(small_scenario().city, small_scenario().station, small_scenario().seed, 0)
    node_xy = np.array([[city.graph.nodes[int(n)]["x"], city.graph.nodes[int(n)]["y"]] for n in city.place_node])
    stops = _tables(run, "stops")
    checked = 0
    for stop in stops.itertuples(index=False):
        mine = table[(table["courier"] == stop.courier) & (table["time_s"] > stop.arrive_s) & (table["time_s"] < stop.depart_s)]
        if len(mine):
            assert np.allclose(mine[["x_m", "y_m"]].to_numpy(), node_xy[stop.place], atol=1e-6)
            checked += 1
    assert checked > len(stops) // 2


def test_vrplib_instance_and_solution_read_back_with_vrplib(run, tmp_path):
    import vrplib

    out = tmp_path / "day.vrp"
    assert main(["export", str(run), "--format", "vrplib", "--out", str(out), "--courier", "1", "--day", "0"]) == 0
    instance = vrplib.read_instance(str(out))
    solution = vrplib.read_solution(str(out.with_suffix(".sol")))
    tours = _tables(run, "tours")
    tours = tours[(tours["courier"] == 1) & (tours["day"] == 0)]
    stops = _tables(run, "stops")
    mine = stops[(stops["courier"] == 1) & stops["arrive_s"].between(tours["depart_s"].min(), tours["return_s"].max())]
    assert instance["dimension"] == len(mine) + 1 and list(instance["depot"]) == [0]
    assert int(instance["demand"].sum()) == int(mine["attempts"].sum())
    assert instance["capacity"] == small_scenario().couriers.capacity_parcels
    routes = solution["routes"]
    assert len(routes) == len(tours) and sorted(i for r in routes for i in r) == list(range(1, len(mine) + 1))
    matrix = instance["edge_weight"]
    cost = sum(matrix[0, r[0]] + matrix[r[-1], 0] + sum(matrix[a, b] for a, b in itertools.pairwise(r)) for r in routes)
    assert cost == solution["cost"]
    assert cost == pytest.approx(tours["ride_m"].sum(), abs=len(mine) + len(tours))  # whole metres per leg


def test_lade_coordinates_are_where_the_parcels_were_delivered(run, tmp_path):
    out = tmp_path / "lade.csv"
    assert _export(run, "lade-csv", out) == 0
    lade = pd.read_csv(out)
    assert lade[["lng", "lat", "delivery_gps_lng", "delivery_gps_lat"]].notna().all().all()
    assert (lade["lng"] == lade["delivery_gps_lng"]).all()
    # Every delivery lies within the district: a few kilometres of the station at the origin.
    _, _, dist = GEOD.inv(np.full(len(lade), ORIGIN[1]), np.full(len(lade), ORIGIN[0]), lade["lng"], lade["lat"])
    assert 0 < dist.max() < 5_000
    accepted = lade["accept_time"].notna()
    assert np.allclose(lade.loc[accepted, ["accept_gps_lat", "accept_gps_lng"]].to_numpy(), ORIGIN, atol=1e-6)


def test_a_synthetic_district_needs_an_origin(run, tmp_path, capsys):
    assert main(["export", str(run), "--format", "geojson", "--out", str(tmp_path / "x.geojson")]) == 2
    assert "--origin" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stop:  # argparse's own exit for a flag's bad value
        main(["export", str(run), "--format", "gpx", "--out", str(tmp_path / "x.gpx"), "--origin", "95,1"])
    assert stop.value.code == 2 and "latitude must be within ±90" in capsys.readouterr().err
