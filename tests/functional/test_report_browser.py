"""The monthly report page in a real browser (headless Chromium, when the machine has it)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from chalicelib.reports.html_writer import render_report
from tests.unit.test_report_writers import build

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.mark.skipif(
    BROWSER is None and not os.environ.get("CI"),
    reason="no headless Chromium on this machine (`make browser` installs it as root)",
)
def test_a_real_browser_renders_the_charts(tmp_path: Path) -> None:
    """What ops see: the page loads offline in headless Chromium and its DOM holds the three
    drawn charts with their bars (the SVGs are not just text in the file). In CI it never
    skips: `make test` installs Chromium first."""
    assert BROWSER is not None, "CI must have Chromium: `make test` runs `make browser` first"
    page = tmp_path / "report.html"
    page.write_text(render_report(build(tmp_path)), encoding="utf-8")  # type: ignore[arg-type]
    flags = [
        *FLAGS,
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    dom = subprocess.run(
        [str(BROWSER), *flags, "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert dom.count("<svg") == 3
    assert dom.count("<rect") > 10  # bars were drawn, not just axes
    assert "故障消缺及时率" in dom
    assert "目标 100%" in dom  # the target as a drawn reference line


@pytest.mark.skipif(
    BROWSER is None and not os.environ.get("CI"),
    reason="no headless Chromium on this machine (`make browser` installs it as root)",
)
def test_the_report_page_as_a_screenshot(tmp_path: Path) -> None:
    """What management sees, as pixels: the page renders to a full-width PNG in which the
    cards' red/amber/green states and the charts are drawn (their colours are in the image),
    kept as `.local/screenshots/report.png` for a person to look at."""
    assert BROWSER is not None, "CI must have Chromium: `make test` runs `make browser` first"
    page = tmp_path / "report.html"
    page.write_text(render_report(build(tmp_path)), encoding="utf-8")  # type: ignore[arg-type]
    shot = Path(".local/screenshots/report.png")
    shot.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            str(BROWSER),
            *FLAGS,
            f"--user-data-dir={tmp_path / 'profile'}",
            "--hide-scrollbars",
            "--window-size=1000,1800",
            f"--screenshot={shot.resolve()}",
            page.as_uri(),
        ],
        capture_output=True,
        timeout=60,
        check=True,
    )
    width, height, pixels = read_png(shot.read_bytes())
    assert (width, height) == (1000, 1800)
    colours = set(pixels)
    assert len(colours) > 200  # text, charts and cards, not a blank page
    green, red = (0x2E, 0x7D, 0x32), (0xC6, 0x28, 0x28)  # the cards' state borders
    assert green in colours and red in colours


def read_png(data: bytes) -> tuple[int, int, list[tuple[int, int, int]]]:
    """The RGB pixels of an 8-bit, non-interlaced PNG (what Chromium writes)."""
    import struct
    import zlib

    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        header = body if kind == b"IHDR" else header
        idat += body if kind == b"IDAT" else b""
        pos += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and colour in (2, 6)
    channels = 3 if colour == 2 else 4
    stride, raw = width * channels, zlib.decompress(idat)
    previous, pixels = bytearray(stride), []
    for y in range(height):
        kind, line = (
            raw[y * (stride + 1)],
            bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)]),
        )
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = previous[i]
            c = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + a) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + b) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        pixels += [tuple(line[i : i + 3]) for i in range(0, stride, channels)]  # type: ignore[misc]
        previous = line
    return width, height, pixels
