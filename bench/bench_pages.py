"""The manager's list in the real browser: headless Chromium (Debian's) renders /m/ with 200
open tickets, against a floor measured in the same run — the same page, the same answered
API calls, an empty list. The API is answered in the browser (Playwright routes), so the
figure is the page's own work: parse, sort by deadline, build 200 cards, start the countdowns.
Also: the longest main-thread task while loading and over three seconds of ticking (a task
over 50 ms is what a user feels as jank)."""

from __future__ import annotations

import json
import statistics
from datetime import UTC, datetime, timedelta
from typing import Any

TICKETS = 200
RUNS = 7
CLOCKS = ("accept", "arrive", "resolve")
WATCH = """
window.__long = [];
new PerformanceObserver(l => l.getEntries().forEach(e => window.__long.push(e.duration)))
  .observe({type: "longtask", buffered: true});
new MutationObserver((_, obs) => {
  if (!document.querySelector("#app > section")) return;
  window.__shown = performance.now();
  obs.disconnect();
}).observe(document, {childList: true, subtree: true});
localStorage.setItem("yunge.staff.session", JSON.stringify({token: "bench", staff_id: "mgr-01",
  role: "manager", expires_at: Date.now() + 86400000}));
"""


def tickets(count: int, now: datetime) -> list[dict[str, Any]]:
    out = []
    for n in range(count):
        due = now + timedelta(minutes=(n * 37) % 600 - 60)  # some already late
        clock = CLOCKS[n % 3]
        out.append(
            {
                "ticket_id": f"01BENCH{n:06d}",
                "number": f"261206-B{n:05d}",
                "type": "fault_repair",
                "type_label": "故障报修",
                "status": ("dispatched", "accepted", "on_site")[n % 3],
                "status_label": ("已派单", "已接单", "已到达现场")[n % 3],
                "address": f"临河区新华街道幸福小区{n % 40}号楼{n % 6 + 1}单元{n % 30 + 101}",
                "escalation_level": 2 if n % 17 == 0 else 1,
                "assignee": {"staff_id": "mgr-01", "name": "姚霞", "phone": "13800000000"},
                "deadlines": [{"clock": clock, "due": due.isoformat(), "outcome": "pending"}],
            }
        )
    return out


def serve(items: list[dict[str, Any]]) -> Any:
    from chalicelib.web.serve import STATIC, render_page

    me = {"staff_id": "mgr-01", "name": "姚霞", "role": "manager", "grids": [], "on_duty": True}

    def handle(route: Any) -> None:
        path = route.request.url.split("://", 1)[1].split("/", 1)[1].split("?")[0]
        if path in ("m", "m/"):
            route.fulfill(body=render_page("m", ""), content_type="text/html; charset=utf-8")
        elif path.startswith("assets/"):
            name = path.removeprefix("assets/")
            kind = "text/css" if name.endswith(".css") else "text/javascript"
            route.fulfill(body=(STATIC / name).read_text(encoding="utf-8"), content_type=kind)
        elif path == "v1/staff/me":
            route.fulfill(json=me)
        elif path == "v1/tickets":
            route.fulfill(body=json.dumps({"items": items, "next_cursor": None}))
        else:
            route.fulfill(status=404, body="{}")

    return handle


def measure(browser: Any, items: list[dict[str, Any]]) -> tuple[float, float, int]:
    """(ms until the list is on screen, longest task while loading, cards shown)."""
    from infra.local.browser import PHONE

    context = browser.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.add_init_script(WATCH)
    context.route("**/*", serve(items))
    page = context.new_page()
    page.goto("http://yunge.bench/m/")
    page.wait_for_function("window.__shown !== undefined")
    shown = float(page.evaluate("window.__shown"))
    longest = float(page.evaluate("Math.max(0, ...window.__long)"))
    cards = int(page.evaluate("document.querySelectorAll('#tickets .ticket').length"))
    context.close()
    return shown, longest, cards


def ticking(browser: Any, items: list[dict[str, Any]]) -> float:
    """Longest main-thread task over three seconds of 200 live countdowns."""
    from infra.local.browser import PHONE

    context = browser.new_context(viewport=PHONE)
    context.add_init_script(WATCH)
    context.route("**/*", serve(items))
    page = context.new_page()
    page.goto("http://yunge.bench/m/")
    page.wait_for_function("window.__shown !== undefined")
    page.evaluate("window.__long = []")
    page.wait_for_timeout(3000)
    longest = float(page.evaluate("Math.max(0, ...window.__long)"))
    context.close()
    return longest


def main() -> None:
    from infra.local.browser import have_browser, launch

    if not have_browser():
        print("no Chromium (`make browser` as root installs Debian's package): skipped")
        return
    from playwright.sync_api import sync_playwright

    now = datetime.now(UTC)
    full, empty = tickets(TICKETS, now), tickets(0, now)
    with sync_playwright() as playwright:
        browser = launch(playwright)
        measure(browser, full)  # warm the browser's caches once
        rows: dict[str, list[tuple[float, float, int]]] = {"list": [], "floor": []}
        for _ in range(RUNS):  # interleaved, so a busy machine slows both alike
            rows["list"].append(measure(browser, full))
            rows["floor"].append(measure(browser, empty))
        tick = ticking(browser, full)
        browser.close()
    cards = rows["list"][0][2]
    shown = statistics.median(r[0] for r in rows["list"])
    floor = statistics.median(r[0] for r in rows["floor"])
    longest = statistics.median(r[1] for r in rows["list"])
    longest_floor = statistics.median(r[1] for r in rows["floor"])
    print(f"manager list, {cards} open tickets: on screen in {shown:.0f} ms (median of {RUNS})")
    print(f"floor (same page and calls, empty list): {floor:.0f} ms -> {shown / floor:.2f}x")
    print(
        f"longest main-thread task (median): loading {longest:.0f} ms "
        f"(floor {longest_floor:.0f} ms), ticking 3 s {tick:.0f} ms"
    )
    print("(a task over 50 ms is jank; 0 means none was long enough to be reported)")


if __name__ == "__main__":
    main()
