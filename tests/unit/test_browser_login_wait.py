"""A browser test that logs in with a phone another test used within the minute waits only
the rest of that minute, read from the SMS sink, not a whole minute more."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from infra.local.browser import RATE_WINDOW, rest_of_minute

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
PHONE = "13900000001"


def sink(tmp_path: Path, *sms: tuple[str, str, datetime]) -> Path:
    lines = [
        json.dumps({"to": to, "template": key, "text": "x", "at": at.isoformat()})
        for to, key, at in sms
    ]
    (tmp_path / "sms.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path


def test_the_wait_is_the_rest_of_the_minute_since_the_phone_s_last_code(tmp_path: Path) -> None:
    local = sink(
        tmp_path,
        (PHONE, "staff_login_code", NOW - timedelta(seconds=50)),
        (PHONE, "staff_login_code", NOW - timedelta(seconds=40)),  # the last code: 40 s ago
        (PHONE, "dispatch_manager", NOW - timedelta(seconds=1)),  # not a code
        ("13900000002", "staff_login_code", NOW),  # another phone
    )
    assert rest_of_minute(local, PHONE, NOW) == RATE_WINDOW + 1 - 40


def test_a_code_long_ago_still_waits_a_second_and_no_code_waits_the_whole_window(
    tmp_path: Path,
) -> None:
    old = sink(tmp_path, (PHONE, "staff_login_code", NOW - timedelta(minutes=5)))
    assert rest_of_minute(old, PHONE, NOW) == 1.0
    assert rest_of_minute(old, "13900000009", NOW) == RATE_WINDOW
