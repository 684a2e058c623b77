"""The pages /m/ and /ops/ come from the same app as the API: HTML shells whose scripts are
separate files (a CSP without inline script), no referrer, no phone in any URL, assets small."""

from __future__ import annotations

import gzip
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUDGET_GZIPPED = 60 * 1024  # JS + CSS per page (issue 13)


def _get(api, path: str):  # type: ignore[no-untyped-def]
    response = api.client.http.get(path)
    return response.status_code, dict(response.headers), response.body.decode()


@pytest.mark.parametrize("path", ["/m", "/m/t/261127-7KQ2MX", "/ops"])
def test_each_page_is_html_with_a_strict_csp_and_no_referrer(api, path: str) -> None:  # type: ignore[no-untyped-def]
    # When a browser opens the page
    status, headers, html = _get(api, path)
    # Then it is HTML whose policy allows no inline script and sends no referrer
    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["Referrer-Policy"] == "no-referrer"
    # and every script is a file of ours (no inline code, no CDN)
    assert re.findall(r"<script>", html) == []
    sources = re.findall(r'<script src="([^"]+)"', html)
    assert sources and all(s.startswith("/assets/") for s in sources)
    assert "http" not in "".join(re.findall(r'(?:src|href)="([^"]+)"', html))


def test_assets_are_served_with_their_types_and_unknown_names_are_404(api) -> None:  # type: ignore[no-untyped-def]
    js, css = "text/javascript", "text/css"
    for name, kind in (
        ("m.js", js),
        ("ops.js", js),
        ("common.js", js),
        ("labels.js", js),
        ("app.css", css),
    ):
        status, headers, body = _get(api, f"/assets/{name}")
        assert (status, headers["Content-Type"].split(";")[0]) == (200, kind)
        assert body
    for bad in ("m.html", "..%2Fserve.py", "nope.js", "M.JS"):
        assert _get(api, f"/assets/{bad}")[0] == 404


@pytest.mark.parametrize("page", ["m", "ops"])
def test_each_page_ships_at_most_60_kb_of_gzipped_js_and_css(api, page: str) -> None:  # type: ignore[no-untyped-def]
    _, _, html = _get(api, f"/{page}")
    assets = re.findall(r'(?:src|href)="/assets/([^"]+\.(?:js|css))"', html)
    total = sum(len(gzip.compress(_get(api, f"/assets/{a}")[2].encode(), 9)) for a in assets)
    assert 0 < total <= BUDGET_GZIPPED, (page, total)


def test_the_customer_phone_appears_only_as_a_tel_link() -> None:
    # The pages build URLs from ticket ids and numbers only; the phone is never in a path,
    # a query or history, only in the tel: link a manager taps.
    static = ROOT / "chalicelib" / "web" / "static"
    uses = [
        line
        for script in static.glob("*.js")
        for line in script.read_text(encoding="utf-8").splitlines()
        if "contact_phone" in line
    ]
    assert uses and all("tel:" in line for line in uses), uses


def test_the_pages_are_not_loaded_by_a_cold_start() -> None:
    # Given a fresh interpreter importing the app (what every Lambda cold start does)
    probe = "import sys, app; print('chalicelib.web.serve' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=False
    )
    # Then the page code waits for the first page request
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_a_stage_prefix_reaches_the_asset_links() -> None:
    from chalicelib.web.serve import base_path, render_page

    assert base_path({"path": "/api/m/t/1", "resourcePath": "/m/t/{number}"}) == "/api"
    assert base_path({"path": "/m", "resourcePath": "/m"}) == ""
    assert '<script src="/api/assets/m.js">' in render_page("m", "/api")


def test_outside_the_local_stack_the_pages_are_https_only_and_call_no_loopback() -> None:
    from chalicelib.web.serve import security_headers

    prod, local = security_headers("prod"), security_headers("local")
    assert prod["Strict-Transport-Security"].startswith("max-age=")
    assert "127.0.0.1" not in prod["Content-Security-Policy"]
    assert "Strict-Transport-Security" not in local


def test_the_scripts_stay_within_es2017_for_wechats_browser() -> None:
    # WeChat's built-in browser runs ES2017: no optional chaining, nullish coalescing,
    # object spread, optional catch binding, class fields or modules in the pages' scripts.
    later = re.compile(r"\?\.(?!\d)|\?\?|\.\.\.|catch\s*\{|^\s*(?:import|export)\s|#\w+\s*=", re.M)
    for script in (ROOT / "chalicelib" / "web" / "static").glob("*.js"):
        code = re.sub(r"/\*.*?\*/|//[^\n]*|\"(?:[^\"\\\\]|\\\\.)*\"", '""', script.read_text())
        assert later.findall(code) == [], script.name


def test_the_pages_read_the_words_of_the_api_and_the_sms_and_spell_none_themselves(api) -> None:  # type: ignore[no-untyped-def]
    import json

    from chalicelib.domain.labels import (
        ACTION_LABELS,
        CLOCK_LABELS,
        OUTAGE_KIND_LABELS,
        OUTAGE_STATE_LABELS,
        STATUS_LABELS,
    )

    # Given the labels script the pages load before their own
    status, _, body = _get(api, "/assets/labels.js")
    words = json.loads(body.removeprefix("var YungeLabels = ").rstrip().removesuffix(";"))
    # Then it says what the API's status_label, the SMS and the reports say
    assert status == 200
    assert words["statuses"] == dict(STATUS_LABELS)
    assert words["actions"]["callback"] == ACTION_LABELS["callback"] == "电话回访"
    assert words["clocks"] == {str(k): v for k, v in CLOCK_LABELS.items()}
    assert words["outage_kinds"]["temporary"] == OUTAGE_KIND_LABELS["temporary"] == "临时检修"
    assert words["outage_states"] == dict(OUTAGE_STATE_LABELS)
    for page in ("m", "ops"):
        sources = re.findall(r'<script src="/assets/([^"]+)"', _get(api, f"/{page}")[2])
        assert sources.index("labels.js") < sources.index("common.js"), page
    # and no script of the pages spells a status, a clock or an outage kind again
    static = ROOT / "chalicelib" / "web" / "static"
    code = "".join(p.read_text(encoding="utf-8") for p in static.glob("*.js"))
    assert [w for w in ("已派单", "到达现场", "临时检修", "故障停电") if w in code] == []
