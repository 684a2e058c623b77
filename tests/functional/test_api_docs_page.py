"""/v1/docs: the API reference, rendered in the browser from this app's own OpenAPI document,
from files that ship with the app (no CDN), under the same CSP as the other pages."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from infra.local.browser import have_browser, launch
from tests.functional.api_client import Api


def test_the_reference_is_a_page_with_the_pages_csp(api: Api) -> None:
    # When a browser opens /v1/docs
    response = api.client.http.get("/v1/docs")
    html = response.body.decode()
    # Then it is HTML whose script is our own file, under a CSP with no inline script
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert re.findall(r"<script>", html) == []
    assert re.findall(r'<script src="([^"]+)"', html) == ["/assets/docs.js"]
    assert "http" not in "".join(re.findall(r'(?:src|href)="([^"]+)"', html))
    script = api.client.http.get("/assets/docs.js")
    assert script.status_code == 200 and b"/v1/openapi.json" in script.body


@pytest.fixture
def served(api: Api) -> Iterator[str]:
    """The app over real HTTP on a loopback port (each GET answered by the chalice client)."""

    class Bridge(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            answer = api.client.http.get(self.path)
            self.send_response(answer.status_code)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(answer.body)

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Bridge)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.skipif(
    not have_browser() and not os.environ.get("CI"),
    reason="no headless Chromium on this machine (`make browser` installs it as root)",
)
def test_a_real_browser_lists_the_ticket_endpoints(served: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page()
        refused: list[str] = []
        page.on("console", lambda m: refused.append(m.text) if m.type == "error" else None)
        # When a developer opens the reference
        page.goto(f"{served}/v1/docs")
        page.wait_for_selector("body[data-ready='1']", timeout=15_000)
        listed = page.eval_on_selector_all(
            "section.op", "els => els.map(e => e.dataset.method + ' ' + e.dataset.path)"
        )
        create = page.inner_text("section.op[data-method='POST'][data-path='/v1/tickets']")
        browser.close()
    # Then the ticket endpoints are there, with the body's per-type details and its errors
    assert {
        "POST /v1/tickets",
        "GET /v1/tickets",
        "GET /v1/tickets/{ticket_id}",
        "POST /v1/tickets/{ticket_id}/actions",
    } <= set(listed)
    assert "CreateTicket_fault_repair" in create and "FaultDetails" in create
    assert "contact_phone" in create and "必填 required" in create
    assert "400" in create and "请求参数有误" in create
    assert refused == []  # nothing blocked by the CSP, no script error
