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
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
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
