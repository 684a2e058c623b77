"""A station's grid map rendered the way a person sees it: headless Chromium screenshots the
SVG, and the pixels show each grid in its own colour, the hole of a MultiPolygon empty and
the space outside the grids blank. Skips only where the machine has no Chromium (CI has)."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from chalicelib.geo.svg import PALETTE, MapGrid, Projection, render_svg

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")


def square(x: float, y: float, side: float = 0.01) -> list[list[float]]:
    return [[x, y], [x + side, y], [x + side, y + side], [x, y + side], [x, y]]


def decode_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and the rows of an 8-bit RGB/RGBA PNG (what Chromium writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    at, idat, width, height, channels = 8, b"", 0, 0, 0
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind, body = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        at += 12 + length
    raw, stride, rows, previous = (
        zlib.decompress(idat),
        width * channels,
        [],
        bytearray(width * channels),
    )
    for y in range(height):
        kind, line = (
            raw[y * (stride + 1)],
            bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)]),
        )
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, corner = previous[i], previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                pred = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[i] = (line[i] + pred) & 0xFF
        rows.append(bytes(line))
        previous = line
    return (
        width,
        height,
        [bytes(r) for r in rows]
        if channels == 3
        else [b"".join(r[i : i + 3] for i in range(0, len(r), 4)) for r in rows],
    )


def hex_rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


@pytest.mark.skipif(
    BROWSER is None and not os.environ.get("CI"),
    reason="no headless Chromium on this machine (`make browser` installs it as root)",
)
def test_chromium_draws_each_grid_in_its_colour_and_leaves_the_hole_empty(tmp_path: Path) -> None:
    assert BROWSER is not None
    g1 = {
        "type": "MultiPolygon",
        "coordinates": [
            [square(107.30, 40.70, 0.03), square(107.31, 40.71)[::-1]],
            [square(107.40, 40.70)],
        ],
    }
    g2 = {"type": "Polygon", "coordinates": [square(107.33, 40.70)]}
    grids = [
        MapGrid("G1", "新华街网格", "网格经理1", "13910000001", g1, (107.305, 40.725)),
        MapGrid("G2", "胜利路网格", "网格经理2", "13910000002", g2, (107.335, 40.705)),
    ]
    page = tmp_path / "S1.svg"
    page.write_text(render_svg("城关供电所 网格图", grids), encoding="utf-8")
    project = Projection.fit(grids)
    shot = tmp_path / "S1.png"
    subprocess.run(
        [
            str(BROWSER),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--window-size={project.width},{project.height + 40}",
            f"--screenshot={shot}",
            page.as_uri(),
        ],
        capture_output=True,
        timeout=60,
        check=True,
    )
    width, height, rows = decode_png(shot.read_bytes())
    assert (width, height) == (project.width, project.height + 40)

    def pixel(lng: float, lat: float) -> tuple[int, int, int]:
        x, y = project.xy(lng, lat)
        row = rows[int(y)]
        return row[int(x) * 3], row[int(x) * 3 + 1], row[int(x) * 3 + 2]

    assert pixel(107.302, 40.702) == hex_rgb(PALETTE[0])  # G1, first part
    assert pixel(107.408, 40.708) == hex_rgb(PALETTE[0])  # G1, second part
    assert pixel(107.338, 40.702) == hex_rgb(PALETTE[1])  # G2
    assert pixel(107.312, 40.712) == (255, 255, 255)  # G1's hole
    assert pixel(107.37, 40.72) == (255, 255, 255)  # between the grids
