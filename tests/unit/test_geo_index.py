"""Locate: inside, outside, on a border, inside a MultiPolygon's hole."""

from __future__ import annotations

import shapely

from chalicelib.geo.index import GridIndex, to_wkb


def square(x: float, y: float, side: float = 0.01) -> shapely.Polygon:
    return shapely.box(x, y, x + side, y + side)


def index() -> GridIndex:
    with_hole = shapely.MultiPolygon(
        [
            shapely.Polygon(square(107.30, 40.70, 0.03).exterior, [square(107.31, 40.71).exterior]),
            square(107.40, 40.70),
        ]
    )
    return GridIndex.from_wkb(
        [
            ("G1", to_wkb(with_hole)),
            ("G2", to_wkb(square(107.33, 40.70))),  # shares G1's east edge
            ("G3", to_wkb(square(107.3125, 40.7125, 0.005))),  # an island inside G1's hole
        ]
    )


def test_a_point_inside_a_grid_is_in_it() -> None:
    assert index().locate(107.305, 40.705) == "G1"
    assert index().locate(107.405, 40.705) == "G1"  # the MultiPolygon's second part
    assert index().locate(107.335, 40.705) == "G2"


def test_a_point_outside_every_grid_is_nowhere() -> None:
    assert index().locate(107.0, 40.0) is None


def test_a_point_on_a_shared_border_goes_to_one_grid_always_the_same() -> None:
    assert index().locate(107.33, 40.705) == "G1"  # on G1's and G2's common edge
    assert index().locate(107.34, 40.705) == "G2"  # on G2's outer edge only


def test_a_point_in_a_multipolygons_hole_is_not_in_that_grid() -> None:
    assert index().locate(107.311, 40.711) is None  # in the hole, off the island
    assert index().locate(107.315, 40.715) == "G3"  # in the hole, on the island
