"""Grid polygons: each geometry code from a crafted feature, and overlaps beyond tolerance."""

from __future__ import annotations

import pytest

from chalicelib.geo.coords import BAYANNUR, Coord, wgs84_to_gcj02
from chalicelib.imports.issues import Code
from chalicelib.imports.shapes import ShapeProblem, grid_shape, overlaps


def square(x: float, y: float, side: float = 0.01) -> list[list[float]]:
    return [[x, y], [x + side, y], [x + side, y + side], [x, y + side], [x, y]]


def poly(*rings: list[list[float]]) -> dict:
    return {"type": "Polygon", "coordinates": list(rings)}


def problem(geometry: object, coord: Coord | None = Coord.WGS84) -> Code:
    with pytest.raises(ShapeProblem) as caught:
        grid_shape(geometry, coord, BAYANNUR)
    assert caught.value.message  # a Chinese explanation, never empty
    return caught.value.code


def test_a_good_polygon_and_multipolygon_with_a_hole_pass() -> None:
    assert grid_shape(poly(square(107.3, 40.7)), Coord.WGS84, BAYANNUR).area > 0
    multi = {
        "type": "MultiPolygon",
        "coordinates": [[square(107.3, 40.7, 0.03), square(107.31, 40.71)], [square(107.4, 40.7)]],
    }
    shape = grid_shape(multi, Coord.WGS84, BAYANNUR)
    assert shape.geom_type == "MultiPolygon" and len(shape.geoms[0].interiors) == 1


@pytest.mark.parametrize(
    ("geometry", "code"),
    [
        (poly([[107.3, 40.7], [107.31, 40.71], [107.31, 40.7], [107.3, 40.71], [107.3, 40.7]]),
         Code.GEOM_INVALID),  # a bow tie: self-intersecting
        (poly(square(107.3, 40.7)[:-1]), Code.GEOM_INVALID),  # not closed
        (poly([[107.3, 40.7], [107.31, 40.7], [107.3, 40.7]]), Code.GEOM_INVALID),  # 2 points
        ({"type": "Point", "coordinates": [107.3, 40.7]}, Code.GEOM_INVALID),
        (None, Code.GEOM_INVALID),
        (poly(square(116.4, 39.9)), Code.OUT_OF_BBOX),  # Beijing
        (poly(square(11_950_000.0, 4_975_000.0, 500.0)), Code.COORD_SYSTEM_UNKNOWN),  # metres
    ],
)  # fmt: skip
def test_each_geometry_error_has_its_code(geometry: object, code: Code) -> None:
    assert problem(geometry) is code


def test_an_unknown_coordinate_system_is_refused() -> None:
    assert problem(poly(square(107.3, 40.7)), coord=None) is Code.COORD_SYSTEM_UNKNOWN


def test_gcj02_polygons_are_brought_back_to_wgs84() -> None:
    ring = [list(wgs84_to_gcj02(x, y)) for x, y in square(107.3, 40.7)]
    shape = grid_shape(poly(ring), Coord.GCJ02, BAYANNUR)
    minx, miny, _, _ = shape.bounds
    assert minx == pytest.approx(107.3, abs=1e-7) and miny == pytest.approx(40.7, abs=1e-7)


def test_overlap_beyond_tolerance_is_reported_once_on_the_later_row() -> None:
    a = grid_shape(poly(square(107.30, 40.7)), Coord.WGS84, BAYANNUR)
    touching = grid_shape(poly(square(107.31, 40.7)), Coord.WGS84, BAYANNUR)  # shares an edge
    sliver = grid_shape(poly(square(107.3195, 40.7)), Coord.WGS84, BAYANNUR)  # 5 % into b
    far = grid_shape(poly(square(107.5, 40.7)), Coord.WGS84, BAYANNUR)
    found = overlaps([(2, "G1", a), (3, "G2", touching), (4, "G3", sliver), (5, "G4", far)])
    assert [(o.row, o.grid_id, o.other_row) for o in found] == [(4, "G3", 3)]
    assert found[0].share == pytest.approx(0.05, rel=1e-3)
    assert "第 3 行" in found[0].message
    assert overlaps([(3, "G2", touching), (4, "G3", sliver)], tolerance=0.10) == []
