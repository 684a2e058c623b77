"""What a grid map says of each grid's manager: the name and the number as it is dialled."""

from __future__ import annotations

from chalicelib.geo.svg import MapGrid, render_svg

SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[107.30, 40.70], [107.31, 40.70], [107.31, 40.71], [107.30, 40.71], [107.30, 40.70]]
    ],
}


def test_a_grid_names_its_manager_and_the_11_digits_to_call() -> None:
    grids = [
        MapGrid("G1", "新华街网格", "网格经理1", "+8613910000001", SQUARE, (107.305, 40.705)),
        MapGrid("G2", "胜利路网格", "", "", SQUARE, (107.305, 40.705)),
    ]

    svg = render_svg("城关供电所 网格图", grids)

    assert ">网格经理1 13910000001</tspan>" in svg and "+86" not in svg
    assert ">（未指定网格经理）</tspan>" in svg
