"""The recording fake and the local stack's sender, without any network."""

from __future__ import annotations

import io
import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from chalicelib.notify.fakes import RecordingSmsSender
from chalicelib.notify.local import LocalSmsSender
from chalicelib.notify.sender import PermanentSmsError, SmsSender, TransientSmsError
from chalicelib.notify.templates import render

CODE = render("staff_login_code", {"code": "482913", "valid_minutes": 5})
NOON = datetime(2026, 11, 27, 4, 0, tzinfo=UTC)
RESOLVED = render("resolved_customer", {"number": "261127-7KQ2MX", "auto_close_days": 3})


class SteppingClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        current = self.now
        self.now += timedelta(minutes=1)
        return current


def test_both_senders_satisfy_the_port(tmp_path: Path) -> None:
    assert isinstance(RecordingSmsSender(), SmsSender)
    local = LocalSmsSender(tmp_path / "sms.jsonl", lambda: NOON, io.StringIO())
    assert isinstance(local, SmsSender)


def test_fake_records_what_was_sent_with_deterministic_ids() -> None:
    fake = RecordingSmsSender()

    first = fake.send("13800001234", CODE)
    second = fake.send("13900005678", RESOLVED)

    assert (first, second) == ("fake-0001", "fake-0002")
    assert fake.keys() == [
        ("13800001234", "staff_login_code"),
        ("13900005678", "resolved_customer"),
    ]
    assert fake.to("13800001234") == [CODE]


def test_fake_fails_transiently_n_times_then_succeeds() -> None:
    fake = RecordingSmsSender()
    fake.fail_transiently(times=2)

    for _ in range(2):
        with pytest.raises(TransientSmsError) as caught:
            fake.send("13800001234", CODE)
        assert caught.value.retryable
    message_id = fake.send("13800001234", CODE)

    assert message_id == "fake-0001"
    assert fake.attempts == 3
    assert len(fake.sent) == 1


def test_fake_rejects_a_phone_permanently_and_still_serves_others() -> None:
    fake = RecordingSmsSender()
    fake.reject("13800001234")

    with pytest.raises(PermanentSmsError) as caught:
        fake.send("13800001234", CODE)
    fake.send("13900005678", CODE)

    assert caught.value.code == "OptedOut" and not caught.value.retryable
    assert fake.keys() == [("13900005678", "staff_login_code")]


def test_local_sender_appends_one_json_line_per_sms_in_order(tmp_path: Path) -> None:
    path = tmp_path / ".local" / "sms.jsonl"  # parent does not exist yet
    console = io.StringIO()
    clock = SteppingClock(datetime(2026, 11, 27, 2, 15, tzinfo=UTC))
    sender = LocalSmsSender(path, clock, console)

    ids = [sender.send("13800001234", CODE), sender.send("13900005678", RESOLVED)]

    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert ids == ["local-000001", "local-000002"]
    assert lines[0] == {
        "to": "13800001234",
        "text": CODE.text,
        "template": "staff_login_code",
        "at": "2026-11-27T10:15:00+08:00",
        "params": {"code": "482913", "valid_minutes": "5"},
    }
    assert (lines[1]["to"], lines[1]["template"]) == ("13900005678", "resolved_customer")
    assert lines[1]["at"] == "2026-11-27T10:16:00+08:00"
    assert "云格供电" in path.read_text(encoding="utf-8")  # ensure_ascii=False
    assert "13800001234" in console.getvalue() and CODE.text in console.getvalue()


def test_local_sender_keeps_lines_whole_under_concurrent_sends(tmp_path: Path) -> None:
    path = tmp_path / "sms.jsonl"
    sender = LocalSmsSender(path, lambda: datetime(2026, 11, 27, tzinfo=UTC), io.StringIO())
    phones = [f"138{i:08d}" for i in range(40)]
    threads = [threading.Thread(target=sender.send, args=(p, CODE)) for p in phones]

    for t in threads:
        t.start()
    for t in threads:
        t.join()

    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert sorted(line["to"] for line in lines) == sorted(phones)


def test_local_sender_refuses_what_a_provider_would(tmp_path: Path) -> None:
    sender = LocalSmsSender(tmp_path / "sms.jsonl", lambda: NOON, io.StringIO())
    with pytest.raises(PermanentSmsError):
        sender.send("12345", CODE)
    assert not (tmp_path / "sms.jsonl").exists()
