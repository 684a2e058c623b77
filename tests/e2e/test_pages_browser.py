"""The pages in a real browser: headless Chromium (Debian's, `make browser`) driven by
Playwright against the local stack. A manager logs in with the code from the SMS sink, sees
his countdowns, accepts, arrives (browser geolocation) and resolves with a photo shrunk in
the browser; the API shows it. The ops console shows exactly /v1/stats' figures.
Screenshots land in .local/screens/. With CI set these never skip."""

from __future__ import annotations

import os
import re
import struct
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infra.local.browser import DESK, PHONE, have_browser, launch, log_in

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / ".local" / "screens"
WHERE = {"latitude": 40.7432, "longitude": 107.3871, "accuracy": 18}

if not have_browser():
    if os.environ.get("CI"):
        raise RuntimeError("CI must have Chromium: `make test` runs `make browser` first")
    pytest.skip(
        "no headless Chromium (`make browser` installs it as root)", allow_module_level=True
    )

from playwright.sync_api import sync_playwright  # noqa: E402


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def photo(path: Path, width: int = 2000, height: int = 1500) -> Path:
    """A noisy PNG far above 1600 px and 1 MB once decoded: the page must shrink it."""
    raw = b"".join(b"\x00" + os.urandom(width * 3) for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 1))
    path.write_bytes(png + chunk(b"IEND", b""))
    return path


@pytest.fixture(scope="module")
def work(stack) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Two fault tickets of one customer, dispatched to his grid manager."""
    customer = stack.customer_token("e2e-pages")
    account = stack.demo["customers"][2]
    bind = {"account_no": account["account_no"], "holder_name": account["holder_name"]}
    assert stack.request("POST", "/v1/me/accounts", bind, token=customer).status == 201
    ids = []
    for n in range(2):
        body = {
            "type": "fault_repair",
            "account_no": account["account_no"],
            "description": f"家中停电（浏览器测试 {n}）",
            "contact_phone": "13812345678",
            "details": {"scope": "household"},
        }
        created = stack.request("POST", "/v1/tickets", body, token=customer)
        assert created.status == 201, created.body
        ids.append(created.body["ticket_id"])
    tickets = [wait_dispatched(stack, tid, customer) for tid in ids]
    staff_id = tickets[0]["assignee"]["staff_id"]
    manager = next(s for s in stack.demo["staff"] if s["staff_id"] == staff_id)
    return {"tickets": tickets, "manager": manager, "customer": customer}


@pytest.fixture(scope="module")
def manager_session(stack, browser, work) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The manager logs in once through the page with the code from the SMS sink (a phone
    may ask for one code a minute); each test then opens the page with that browser state."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.goto(f"{stack.base_url}/m/")
    shot(page, "m-login")
    log_in(page, stack.local_dir, work["manager"]["phone"])
    page.wait_for_selector("#tickets .ticket")
    state = context.storage_state()
    session = page.evaluate("JSON.parse(localStorage.getItem('yunge.staff.session'))")
    assert session["staff_id"] == work["manager"]["staff_id"]
    share(stack, session)
    assert session["expires_at"] - time.time() * 1000 > 29 * 24 * 3600 * 1000  # 30-day session
    context.close()
    return dict(state)


def share(stack, session: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    """Later e2e tests reuse this login (a phone may ask for one code a minute)."""
    stack._staff_tokens.setdefault(session["staff_id"], session["token"])


def stored_object(stack, key: str) -> bytes:  # type: ignore[no-untyped-def]
    """The uploaded file as the local S3 (moto) holds it."""
    import boto3

    log = stack.log_path.read_text(encoding="utf-8")
    moto = re.search(r"moto\s+(http://127\.0\.0\.1:\d+)", log)
    assert moto, "the stack log names its moto endpoint"
    s3 = boto3.client(
        "s3",
        endpoint_url=moto[1],
        region_name="cn-north-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    return bytes(s3.get_object(Bucket="yunge-local-files", Key=key)["Body"].read())


def jpeg_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a JPEG's start-of-frame marker."""
    assert data[:2] == b"\xff\xd8", "a JPEG"
    at = 2
    while at < len(data):
        marker, length = data[at + 1], struct.unpack(">H", data[at + 2 : at + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return width, height
        at += 2 + length
    raise AssertionError("no frame header")


def wait_dispatched(stack, ticket_id: str, token: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 20
    while True:
        body = stack.request("GET", f"/v1/tickets/{ticket_id}", token=token).body
        if body["status"] == "dispatched" and body.get("assignee"):
            return body  # type: ignore[no-any-return]
        assert time.monotonic() < deadline, body["status"]
        time.sleep(0.2)  # the stream pump is asynchronous, as Lambda's trigger is


def test_a_manager_works_a_dispatched_ticket_from_the_page(  # type: ignore[no-untyped-def]
    stack, browser, work, manager_session, tmp_path
) -> None:
    ticket = work["tickets"][0]
    context = browser.new_context(
        storage_state=manager_session,
        viewport=PHONE,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        geolocation=WHERE,
        permissions=["geolocation"],
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    uploads: list[int] = []  # the sizes the page declared (S3 holds it to them: signed)
    page.on(
        "request",
        lambda r: (
            uploads.append(r.post_data_json["size"]) if r.url.endswith("/v1/uploads") else None
        ),
    )
    # Given the logged-in manager opens the address from his dispatch SMS
    page.goto(f"{stack.base_url}/m/t/{ticket['number']}")
    # Then the ticket opens, the customer's phone is a tel: link shown as its 11 digits
    # (not +86…), and never in the URL
    page.wait_for_selector("#detail[data-status=dispatched]")
    assert page.get_attribute("a.tel", "href") == f"tel:{ticket['contact_phone']}"
    assert page.inner_text("a.tel") == "13812345678" != ticket["contact_phone"]
    assert ticket["contact_phone"] not in page.url
    countdown = page.locator("#detail .countdown").first
    assert re.fullmatch(r"接单剩余 \d+分\d{2}秒", countdown.inner_text()), countdown.inner_text()
    shot(page, "m-detail")

    # When he taps 接单, 到达现场 (the browser's position) and 处理完成 with a photo
    page.click("#act-accept")
    page.wait_for_selector("#detail[data-status=accepted]")
    page.click("#act-arrive")
    page.wait_for_selector("#detail[data-status=on_site]")
    page.click("#act-resolve")
    page.select_option("#cause", "低压线路故障")
    page.fill("#resolve-note", "更换进户线")
    page.set_input_files("#photos", str(photo(tmp_path / "site.png")))
    page.click("#resolve-go")
    page.wait_for_selector("#detail[data-status=resolved]", timeout=30_000)
    # and the photo he took opens on the ticket (a short-lived link the page's CSP admits)
    page.click("#show-photos")
    page.wait_for_function("() => document.querySelector('#photo-box img')?.naturalWidth > 0")
    shot(page, "m-resolved")

    # Then the API shows the work, with the arrival's accuracy and a shrunk photo
    after = stack.request("GET", f"/v1/tickets/{ticket['ticket_id']}", token=work["customer"]).body
    assert after["status"] == "resolved"
    assert [e["action"] for e in after["timeline"]][-3:] == ["accept", "arrive", "resolve"]
    assert after["outcome"]["cause"] == "低压线路故障"
    assert after["outcome"]["arrive_location"]["accuracy"] == WHERE["accuracy"]
    assert len(after["outcome"]["work_photos"]) == 1
    assert len(uploads) == 1 and 0 < uploads[0] <= 1024 * 1024
    stored = stored_object(stack, after["outcome"]["work_photos"][0])
    assert len(stored) == uploads[0] and max(jpeg_size(stored)) <= 1600
    assert errors == []
    context.close()


def test_the_list_orders_by_deadline_and_counts_down(stack, browser, work, manager_session) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(
        storage_state=manager_session, viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    page = context.new_page()
    page.goto(f"{stack.base_url}/m/")
    page.wait_for_selector("#tickets .ticket")
    # The still-dispatched ticket is listed with its accept countdown, ticking every second
    card = page.locator(f".ticket[data-id='{work['tickets'][1]['ticket_id']}']")
    first = card.locator(".countdown").inner_text()
    assert re.fullmatch(r"(接单|到达现场|处理完成)(剩余|已超时) .+", first), first
    page.wait_for_function(
        "([sel, was]) => document.querySelector(sel).textContent !== was",
        arg=[f".ticket[data-id='{work['tickets'][1]['ticket_id']}'] .countdown", first],
        timeout=5_000,
    )
    dues = page.eval_on_selector_all(
        "#tickets .countdown", "nodes => nodes.map(n => Date.parse(n.dataset.due))"
    )
    assert dues == sorted(dues)
    shot(page, "m-list")
    # Opening a ticket from the list costs one API call (the list itself cost two)
    calls: list[str] = []
    page.on("request", lambda r: calls.append(r.url) if "/v1/" in r.url else None)
    card.click()
    page.wait_for_selector("#detail")
    assert len(calls) == 1, calls
    # Each ticket opens from its SMS address, open or not (the other test resolves one)
    number = work["tickets"][0]["number"]
    page.goto(f"{stack.base_url}/m/t/{number}")
    assert page.locator("#detail h2").inner_text().startswith(number)
    context.close()


def test_the_ops_console_shows_the_figures_of_the_stats_api(stack, browser, work) -> None:  # type: ignore[no-untyped-def]
    ops = next(s for s in stack.demo["staff"] if s["role"] == "ops")
    context = browser.new_context(viewport=DESK, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{stack.base_url}/ops/")
    log_in(page, stack.local_dir, ops["phone"])
    page.wait_for_selector("#kpis")
    session = page.evaluate("JSON.parse(localStorage.getItem('yunge.staff.session'))")
    share(stack, session)
    token = session["token"]
    month = stack.request("GET", "/v1/stats?group_by=station", token=token).body
    for element, ratio in (
        ("#kpi-month-fault-fix", month["total"]["fault_fix"]),
        ("#kpi-month-flow", month["total"]["flow"]),
    ):
        shown = page.locator(element)
        rate = ratio["rate"]
        assert shown.get_attribute("data-rate") == ("" if rate is None else str(rate))
        assert shown.inner_text() == ("—" if rate is None else f"{rate * 100:.2f}%")
    stations = [g for g in month["groups"] if g["kind"] == "station"]
    assert page.locator("#stations tbody tr").count() == len(stations) > 0
    # each heading stands over its column: the name on the left, the figures on the right
    align = "els => els.map(e => getComputedStyle(e).textAlign)"
    headings = page.eval_on_selector_all("#stations thead th", align)
    cells = page.eval_on_selector_all("#stations tbody tr:first-child td", align)
    assert headings == cells == ["left"] + ["right"] * 5
    assert page.locator("#per-hour rect").count() == 24
    assert page.locator("#duty-board tbody tr").count() > 0
    failed = stack.request("GET", "/v1/admin/notifications?status=failed&limit=50", token=token)
    parked = str(len(failed.body["items"])) + ("+" if failed.body["next_cursor"] else "")
    assert page.locator("#parked").get_attribute("data-count") == parked
    assert f"短信 {parked} 条" in page.inner_text("#parked")
    shot(page, "ops")
    # A ticket found by its number opens with its timeline
    number = work["tickets"][1]["number"]
    page.fill("#search-q", number)
    page.click("form.search button")
    page.click(f"#search-out button:has-text('{number}')")
    page.wait_for_selector(f"[id='ticket-{number}'] tbody tr")
    assert "派单" in page.inner_text(f"[id='ticket-{number}']")
    # and the outage and import screens are on the console too
    assert page.locator("h3:has-text('停电事件'), h3:has-text('导入任务')").count() == 2
    assert errors == []
    context.close()


def test_a_manager_hands_a_ticket_to_an_on_duty_peer(stack, browser, work, manager_session) -> None:  # type: ignore[no-untyped-def]
    ticket = work["tickets"][1]
    context = browser.new_context(
        storage_state=manager_session, viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    page = context.new_page()
    page.goto(f"{stack.base_url}/m/t/{ticket['number']}")
    page.wait_for_selector("#detail[data-status=dispatched]")
    # When he taps 转派, picks an on-duty member of his mutual-aid group and gives a reason
    page.click("#act-transfer")
    page.wait_for_selector("#peer")
    peer = page.eval_on_selector("#peer", "s => s.value")
    page.fill("#transfer-reason", "本人在处理另一起抢修")
    page.click("#transfer-go")
    page.wait_for_selector("#detail:not(:has(#act-transfer))")
    # Then the ticket is the peer's to accept, with the reason on its timeline
    after = stack.request("GET", f"/v1/tickets/{ticket['ticket_id']}", token=work["customer"]).body
    assert (after["status"], after["assignee"]["staff_id"]) == ("dispatched", peer)
    assert after["timeline"][-1]["action"] == "transfer"
    assert "另一起抢修" in (after["timeline"][-1].get("note") or "")
    context.close()
