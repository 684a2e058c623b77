"""`python -m infra.local.screenshots`: the README's screenshots of the pages, made by the
same headless Chromium as the browser tests, against a fresh local stack on free ports
(three tickets dispatched to one grid manager, then the manager's list and one ticket on a
375 px phone, and the ops console on a desk). Writes docs/screenshots/*.png."""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from infra.local.browser import DESK, PHONE, api, have_browser, launch, log_in
from infra.local.process import StackProcess

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "screenshots"
KINDS = (
    ("fault_repair", "家中突然停电，邻居家有电", {"scope": "household"}),
    ("fault_repair", "整栋楼停电，楼道有焦糊味", {"scope": "building", "hazard": True}),
    ("meter_service", "电表走字偏快，申请校验", {"service": "accuracy_test"}),
)


def post(base: str, path: str, body: Any, token: str | None = None) -> Any:
    return api(base, "POST", path, token or "", body)


def dispatched_tickets(base: str, demo: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """Three tickets of one customer, once the stream has dispatched them to his manager."""
    customer = post(base, "/v1/auth/wechat", {"code": "dev:readme-screens"})["token"]
    account = demo["customers"][3]
    bind = {"account_no": account["account_no"], "holder_name": account["holder_name"]}
    post(base, "/v1/me/accounts", bind, customer)
    ids = []
    for kind, text, details in KINDS:
        body = {
            "type": kind,
            "account_no": account["account_no"],
            "description": text,
            "contact_phone": "13812345678",
            "details": details,
        }
        ids.append(post(base, "/v1/tickets", body, customer)["ticket_id"])
    tickets = []
    for ticket_id in ids:
        for _ in range(100):
            ticket = api(base, "GET", f"/v1/tickets/{ticket_id}", customer)
            if ticket["status"] == "dispatched":
                break
            time.sleep(0.2)
        tickets.append(ticket)
    return tickets[0]["assignee"]["staff_id"], tickets


def shoot(stack: StackProcess, demo: dict[str, Any]) -> list[Path]:
    from playwright.sync_api import sync_playwright

    manager_id, tickets = dispatched_tickets(stack.base_url, demo)
    phone_of = {s["staff_id"]: s["phone"] for s in demo["staff"]}
    ops = next(s for s in demo["staff"] if s["role"] == "ops")
    OUT.mkdir(parents=True, exist_ok=True)
    made = []
    with sync_playwright() as playwright:
        browser = launch(playwright)
        zh = {"locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
        phone = browser.new_context(viewport=PHONE, device_scale_factor=2, **zh)
        page = phone.new_page()
        page.goto(f"{stack.base_url}/m/")
        page.wait_for_selector("#login-phone")
        made.append(_save(page, "m-login.png"))
        log_in(page, stack.local_dir, phone_of[manager_id])
        page.wait_for_selector("#tickets .ticket")
        made.append(_save(page, "m-list.png"))
        page.click(f".ticket[data-id='{tickets[1]['ticket_id']}']")
        page.wait_for_selector("#detail")
        made.append(_save(page, "m-ticket.png"))
        desk = browser.new_context(viewport=DESK, **zh)
        page = desk.new_page()
        page.goto(f"{stack.base_url}/ops/")
        log_in(page, stack.local_dir, ops["phone"])
        page.wait_for_selector("#kpis")
        made.append(_save(page, "ops.png", full_page=True))
        browser.close()
    return made


def _save(page: Any, name: str, full_page: bool = False) -> Path:
    page.wait_for_timeout(300)  # one countdown tick
    path = OUT / name
    page.screenshot(path=str(path), full_page=full_page)
    return path


def main() -> int:
    if not have_browser():
        print("no Chromium: `make browser` (as root) installs Debian's package")
        return 1
    with tempfile.TemporaryDirectory(prefix="yunge-screens-") as tmp:
        stack = StackProcess.start(Path(tmp), YUNGE_DEMO_CUSTOMERS="500", YUNGE_DEMO_TICKETS="300")
        try:
            stack.wait_ready(300)
            demo = json.loads((Path(tmp) / "demo.json").read_text(encoding="utf-8"))
            for path in shoot(stack, demo):
                print(f"wrote {path.relative_to(ROOT)}")
        finally:
            stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
