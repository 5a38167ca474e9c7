"""Coordinates: the Chinese map datums (GCJ-02, BD-09) to WGS-84, and a metric projection.

Coordinates copied from AMap or Tencent maps are GCJ-02 and from Baidu maps BD-09; OpenStreetMap and
GPS are WGS-84. The GCJ-02 offset is the published forward formula (Krasovsky 1940 ellipsoid);
its inverse has no closed form and is found by fixed-point iteration to well under a millimetre.
Outside China the offset is zero, as map apps apply it only inside the country's bounding box.
The BD-09 step is Baidu's published rotation-and-scale of GCJ-02. Pure numpy: no geo extra needed.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

__all__ = ["CRS", "LocalProjection", "bd09_to_gcj02", "gcj02_to_wgs84", "to_wgs84", "wgs84_to_gcj02"]

CRS = Literal["wgs84", "gcj02", "bd09"]

_A = 6378245.0  # semi-major axis of the Krasovsky 1940 ellipsoid used by GCJ-02 (m)
_EE = 0.00669342162296594323  # its first eccentricity squared
_X_PI = np.pi * 3000.0 / 180.0  # BD-09's rotation constant


def _in_china(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    return (lon >= 72.004) & (lon <= 137.8347) & (lat >= 0.8293) & (lat <= 55.8271)


def _offset(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 minus WGS-84 (degrees of latitude, longitude) at a WGS-84 point."""
    x, y = lon - 105.0, lat - 35.0
    wave = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x)) + wave
    dlat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x)) + wave
    dlon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    rad = np.radians(lat)
    magic = 1.0 - _EE * np.sin(rad) ** 2
    dlat = dlat * 180.0 / ((_A * (1.0 - _EE)) / (magic * np.sqrt(magic)) * np.pi)
    dlon = dlon * 180.0 / (_A / np.sqrt(magic) * np.cos(rad) * np.pi)
    inside = _in_china(lat, lon)
    return np.where(inside, dlat, 0.0), np.where(inside, dlon, 0.0)


def wgs84_to_gcj02(lat: np.ndarray | float, lon: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """WGS-84 to GCJ-02 (the forward formula)."""
    la, lo = np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64)
    dlat, dlon = _offset(la, lo)
    return la + dlat, lo + dlon


def gcj02_to_wgs84(lat: np.ndarray | float, lon: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 to WGS-84: the point whose forward conversion lands on the given one."""
    gla, glo = np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64)
    la, lo = gla.copy(), glo.copy()
    for _ in range(30):  # the offset changes slowly, so the iteration contracts fast (3-4 steps to 1e-9°)
        fla, flo = wgs84_to_gcj02(la, lo)
        la, lo = la - (fla - gla), lo - (flo - glo)
        if max(np.max(np.abs(fla - gla), initial=0.0), np.max(np.abs(flo - glo), initial=0.0)) < 1e-10:
            break
    return la, lo


def bd09_to_gcj02(lat: np.ndarray | float, lon: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """BD-09 (Baidu) to GCJ-02."""
    x = np.asarray(lon, dtype=np.float64) - 0.0065
    y = np.asarray(lat, dtype=np.float64) - 0.006
    z = np.hypot(x, y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    return z * np.sin(theta), z * np.cos(theta)


def to_wgs84(lat: np.ndarray | float, lon: np.ndarray | float, crs: CRS) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates in ``crs`` as WGS-84."""
    if crs == "wgs84":
        return np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64)
    if crs == "bd09":
        lat, lon = bd09_to_gcj02(lat, lon)
    return gcj02_to_wgs84(lat, lon)


class LocalProjection:
    """WGS-84 to metres east and north of an origin and back, with pyproj's azimuthal equidistant
    projection centred there: distances from the origin are exact, and within a district of a few
    kilometres every distance is off by well under 0.1%."""

    def __init__(self, lat: float, lon: float) -> None:
        from pyproj import Transformer

        self.origin = (float(lat), float(lon))
        proj = f"+proj=aeqd +lat_0={float(lat)!r} +lon_0={float(lon)!r} +datum=WGS84 +units=m"
        self._forward = Transformer.from_crs("EPSG:4326", proj, always_xy=True)
        self._back = Transformer.from_crs(proj, "EPSG:4326", always_xy=True)

    def __call__(self, lat: np.ndarray | float, lon: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
        """Metres east and north of the origin."""
        x, y = self._forward.transform(lon, lat)
        return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)

    def lonlat(self, x: np.ndarray | float, y: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
        """WGS-84 (lon, lat) of points ``x`` metres east and ``y`` north of the origin."""
        lon, lat = self._back.transform(x, y)
        return np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)

    def xy(self, lonlat: np.ndarray) -> np.ndarray:
        """An (n, 2) array of lon, lat as an (n, 2) array of x, y: the form ``shapely.transform`` wants."""
        x, y = self(lonlat[:, 1], lonlat[:, 0])
        return np.column_stack([x, y])
