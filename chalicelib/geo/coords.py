"""WGS84 ⇄ GCJ-02 (the "Mars" offset every map in mainland China applies), and the bureau's
bounding box. Pure arithmetic, no library.

The forward transform is the published one (see the reference points cited in
tests/unit/test_geo_coords.py); the inverse is found by fixed-point iteration, which
converges to well under a centimetre in a few steps.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

_A = 6378245.0  # Krasovsky 1940 semi-major axis, as the transform defines it
_EE = 0.00669342162296594323


class Coord(StrEnum):
    WGS84 = "wgs84"
    GCJ02 = "gcj02"


_SPELLINGS = {
    "wgs84": Coord.WGS84,
    "wgs-84": Coord.WGS84,
    "epsg:4326": Coord.WGS84,
    "crs84": Coord.WGS84,
    "gps": Coord.WGS84,
    "gcj02": Coord.GCJ02,
    "gcj-02": Coord.GCJ02,
    "火星坐标": Coord.GCJ02,
    "国测局坐标": Coord.GCJ02,
}


def coord_system(value: str, default: Coord = Coord.WGS84) -> Coord | None:
    """The coordinate system a file names (blank: the default); None if we do not know it."""
    word = value.strip().casefold().replace("_", "-").replace(" ", "")
    return default if not word else _SPELLINGS.get(word)


@dataclass(frozen=True, slots=True)
class Bbox:
    west: float
    south: float
    east: float
    north: float

    def contains(self, lng: float, lat: float) -> bool:
        return self.west <= lng <= self.east and self.south <= lat <= self.north


# Bayannur, approximately (DOMAIN_NOTES §2): the default service area of the demo bureau.
BAYANNUR = Bbox(west=105.2, south=40.2, east=109.9, north=42.3)


def out_of_china(lng: float, lat: float) -> bool:
    return not (72.004 <= lng <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _offset(lng: float, lat: float) -> tuple[float, float]:
    x, y = lng - 105.0, lat - 35.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    dlat += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2 / 3
    dlat += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2 / 3
    dlat += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2 / 3
    dlng = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    dlng += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2 / 3
    dlng += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2 / 3
    dlng += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2 / 3
    rad = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad) ** 2
    sqrt_magic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    dlng = (dlng * 180.0) / (_A / sqrt_magic * math.cos(rad) * math.pi)
    return dlng, dlat


def wgs84_to_gcj02(lng: float, lat: float) -> tuple[float, float]:
    if out_of_china(lng, lat):
        return lng, lat
    dlng, dlat = _offset(lng, lat)
    return lng + dlng, lat + dlat


def gcj02_to_wgs84(lng: float, lat: float) -> tuple[float, float]:
    if out_of_china(lng, lat):
        return lng, lat
    wlng, wlat = lng, lat
    for _ in range(30):
        glng, glat = wgs84_to_gcj02(wlng, wlat)
        dlng, dlat = glng - lng, glat - lat
        wlng, wlat = wlng - dlng, wlat - dlat
        if abs(dlng) < 1e-9 and abs(dlat) < 1e-9:
            break
    return wlng, wlat


def to_wgs84(lng: float, lat: float, coord: Coord) -> tuple[float, float]:
    return gcj02_to_wgs84(lng, lat) if coord is Coord.GCJ02 else (lng, lat)
