"""Headless Chromium (Debian's package, `make browser`) driven by Playwright, for the
browser tests, the README screenshots and the page bench. Never `playwright install`:
the browser is the system's own."""

from __future__ import annotations

import json
import re
import shutil
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 375, "height": 740}  # the manager's phone
DESK = {"width": 1366, "height": 900}  # an ops desk


def have_browser() -> bool:
    return Path(CHROMIUM).exists()


def launch(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)


def sms_lines(local_dir: Path) -> list[dict[str, Any]]:
    path = local_dir / "sms.jsonl"
    if not path.exists():
        return []
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def login_code(local_dir: Path, phone: str, skip: int, timeout: float = 15.0) -> str:
    """The six-digit code the local SMS sink 'sent' to `phone` after the first `skip` SMS."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for sms in sms_lines(local_dir)[skip:]:
            found = re.search(r"(?<!\d)\d{6}(?!\d)", sms["text"])
            if sms["to"] == phone and sms.get("template") == "staff_login_code" and found:
                return found[0]
        time.sleep(0.1)
    raise AssertionError(f"no login code for {phone} within {timeout}s")


RATE_WINDOW = 61.0  # a phone may ask for one code a minute (chalicelib/auth/otp.py)


def rest_of_minute(local_dir: Path, phone: str, now: datetime | None = None) -> float:
    """Seconds until `phone` may ask for a code again: RATE_WINDOW from the last code the
    sink sent it (its `at` has whole seconds, hence one more), at least 1."""
    sent = [
        datetime.fromisoformat(s["at"])
        for s in sms_lines(local_dir)
        if s["to"] == phone and s.get("template") == "staff_login_code"
    ]
    if not sent:
        return RATE_WINDOW
    elapsed = ((now or datetime.now(UTC)) - max(sent)).total_seconds()
    return min(RATE_WINDOW + 1, max(1.0, RATE_WINDOW + 1 - elapsed))


def log_in(page: Any, local_dir: Path, phone: str) -> None:
    """Through the page's own form: phone → 获取验证码 → the code from the SMS sink → 登录.
    When another test asked a code for the same phone within the minute, the page says so;
    wait out the rest of that minute (from the last code the SMS sink sent) and ask again, as
    a person would."""
    for attempt in range(3):
        skip = len(sms_lines(local_dir))
        page.fill("#login-phone", phone)
        page.click("#login-send")
        page.wait_for_function("() => document.querySelector('#login-msg').textContent !== ''")
        if "验证码已发送" in page.inner_text("#login-msg"):
            break
        if attempt == 2:
            raise AssertionError(page.inner_text("#login-msg"))
        page.wait_for_timeout(rest_of_minute(local_dir, phone) * 1000)
        page.reload()
        page.wait_for_selector("#login-phone")
    page.fill("#login-code", login_code(local_dir, phone, skip))
    page.click("#login-go")


def api(base_url: str, method: str, path: str, token: str, body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    request = urllib.request.Request(base_url + path, data, headers, method=method)
    with urllib.request.urlopen(request, timeout=30) as reply:
        return json.loads(reply.read() or b"null")
