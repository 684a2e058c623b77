"""WGS84 ⇄ GCJ-02 against published reference points.

Sources (public repositories, read through the project's code search):
- googollee/eviltransform, go/transform_test.go: Shanghai, Shenzhen and Beijing pairs
  (wgs lat, wgs lng) → (gcj lat, gcj lng), checked there to 5 decimals, and the inverse to
  within 0.5 m ("exact" variant);
- wandergis/coordtransform, test/app.js: wgs84togcj02(116.404, 39.915) →
  [116.41024449916938, 39.91640428150164] (lng, lat).
"""

from __future__ import annotations

import math

import pytest

from chalicelib.geo.coords import BAYANNUR, Coord, coord_system, gcj02_to_wgs84, wgs84_to_gcj02

# (wgs lat, wgs lng, gcj lat, gcj lng): eviltransform go/transform_test.go
EVILTRANSFORM = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),  # Shanghai
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),  # Shenzhen
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),  # Beijing
]


def metres(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    k = math.pi / 180
    x = (lng2 - lng1) * k * math.cos((lat1 + lat2) / 2 * k)
    return math.hypot(x, (lat2 - lat1) * k) * 6_371_000


@pytest.mark.parametrize(("wlat", "wlng", "glat", "glng"), EVILTRANSFORM)
def test_wgs84_to_gcj02_matches_the_published_pairs(wlat, wlng, glat, glng) -> None:
    lng, lat = wgs84_to_gcj02(wlng, wlat)
    assert (round(lat, 5), round(lng, 5)) == (round(glat, 5), round(glng, 5))
    assert metres(lng, lat, glng, glat) < 0.01


@pytest.mark.parametrize(("wlat", "wlng", "glat", "glng"), EVILTRANSFORM)
def test_gcj02_to_wgs84_lands_within_half_a_metre_of_the_published_wgs84(
    wlat, wlng, glat, glng
) -> None:
    lng, lat = gcj02_to_wgs84(glng, glat)
    assert metres(lng, lat, wlng, wlat) < 0.5


def test_coordtransform_reference_point_in_beijing() -> None:
    lng, lat = wgs84_to_gcj02(116.404, 39.915)
    assert lng == pytest.approx(116.41024449916938, abs=1e-9)
    assert lat == pytest.approx(39.91640428150164, abs=1e-9)


def test_a_point_in_linhe_survives_the_round_trip() -> None:
    wgs = (107.364, 40.751)
    gcj = wgs84_to_gcj02(*wgs)
    assert metres(*gcj, *wgs) > 100  # the offset is real: hundreds of metres
    assert metres(*gcj02_to_wgs84(*gcj), *wgs) < 0.01


def test_outside_china_nothing_moves() -> None:
    assert wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)
    assert gcj02_to_wgs84(2.35, 48.85) == (2.35, 48.85)


def test_coordinate_system_names_a_file_may_use() -> None:
    assert coord_system("") is Coord.WGS84
    assert coord_system("", default=Coord.GCJ02) is Coord.GCJ02
    assert coord_system("GCJ-02") is Coord.GCJ02
    assert coord_system("WGS84") is Coord.WGS84
    assert coord_system("bd09") is None
    assert BAYANNUR.contains(107.364, 40.751) and not BAYANNUR.contains(116.4, 39.9)
