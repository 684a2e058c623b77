"""Exactly-once SMS delivery over the in-memory log and the recording sender."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.dispatch.messages import Outgoing
from chalicelib.dispatch.outbox import MAX_ATTEMPTS, Outbox, RetryLater
from chalicelib.domain.notices import Recipient
from chalicelib.domain.phone import phone_hash
from chalicelib.notify.fakes import RecordingSmsSender
from chalicelib.notify.log import InMemoryNotificationLog
from chalicelib.notify.status import SmsStatus
from chalicelib.notify.templates import TemplateKey
from tests.keys import PHONE_KEY

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
PHONE = "13910000001"


def hash_phone(phone: str) -> str:
    return phone_hash(phone, PHONE_KEY)


class Metrics:
    def __init__(self) -> None:
        self.added: list[tuple[str, float]] = []

    def add_metric(self, name: str, unit: str, value: float) -> None:
        self.added.append((name, value))


def message(key: str = "T1#v2#customer#resolved_customer", phone: str = PHONE) -> Outgoing:
    return Outgoing(
        key, "T1", Recipient.CUSTOMER, phone, TemplateKey.RESOLVED_CUSTOMER,
        {"number": "241100001", "auto_close_days": 3},
    )  # fmt: skip


@pytest.fixture
def parts() -> tuple[Outbox, InMemoryNotificationLog, RecordingSmsSender, Metrics]:
    log, sender, metrics = InMemoryNotificationLog(), RecordingSmsSender(), Metrics()
    outbox = Outbox(
        log, sender, metrics, "【云格供电】", "bayannur", clock=lambda: NOW, hash_phone=hash_phone
    )
    return outbox, log, sender, metrics


def test_a_first_delivery_sends_and_logs_it_sent(parts) -> None:  # type: ignore[no-untyped-def]
    outbox, log, sender, _ = parts

    outbox.deliver([message()])

    record = log.get("T1#v2#customer#resolved_customer")
    assert sender.keys() == [(PHONE, "resolved_customer")]
    assert record is not None
    assert (record.status, record.attempts, record.provider_message_id) == ("sent", 1, "fake-0001")
    assert record.recipient_masked == "139****0001" and PHONE not in str(record)
    assert record.recipient_hash == phone_hash(PHONE, PHONE_KEY)  # keyed, findable by admins


def test_a_duplicate_delivery_sends_nothing(parts) -> None:  # type: ignore[no-untyped-def]
    outbox, _, sender, _ = parts

    outbox.deliver([message()])
    report = outbox.deliver([message()])

    assert len(sender.sent) == 1
    assert report.skipped == ["T1#v2#customer#resolved_customer"]


def test_a_throttled_sms_is_retried_on_redelivery_and_sent_once(parts) -> None:  # type: ignore[no-untyped-def]
    outbox, log, sender, _ = parts
    sender.fail_transiently(1)
    other = message("T1#v2#assignee#x", phone="13910000002")

    with pytest.raises(RetryLater):
        outbox.deliver([message(), other])
    outbox.deliver([message(), other])

    assert sorted(sender.keys()) == [
        (PHONE, "resolved_customer"),
        ("13910000002", "resolved_customer"),
    ]
    record = log.get("T1#v2#customer#resolved_customer")
    assert record is not None and (record.status, record.attempts) == ("sent", 2)


def test_a_permanent_failure_is_parked_counted_and_never_retried(parts) -> None:  # type: ignore[no-untyped-def]
    outbox, log, sender, metrics = parts
    sender.reject(PHONE, code="OptedOut")

    outbox.deliver([message()])
    outbox.deliver([message()])

    record = log.get("T1#v2#customer#resolved_customer")
    assert record is not None
    assert (record.status, record.failed_bureau, record.attempts) == ("failed", "bayannur", 1)
    assert record.error is not None and "OptedOut" in record.error
    assert sender.attempts == 1
    assert metrics.added == [("SmsFailed", 1)]


def test_a_provider_that_keeps_throttling_is_given_up_on_after_the_cap(parts) -> None:  # type: ignore[no-untyped-def]
    outbox, log, sender, metrics = parts
    sender.fail_transiently(100)

    for _ in range(MAX_ATTEMPTS - 1):
        with pytest.raises(RetryLater):
            outbox.deliver([message()])
    outbox.deliver([message()])  # the last allowed attempt parks instead of failing the record
    outbox.deliver([message()])

    record = log.get("T1#v2#customer#resolved_customer")
    assert record is not None and record.status is SmsStatus.FAILED
    assert record.attempts == MAX_ATTEMPTS == sender.attempts
    assert metrics.added == [("SmsFailed", 1)]


def test_login_codes_and_phone_numbers_are_not_stored_in_params(parts) -> None:  # type: ignore[no-untyped-def]
    outbox, log, _, _ = parts
    code = Outgoing("otp#1", "-", Recipient.ASSIGNEE, PHONE, TemplateKey.STAFF_LOGIN_CODE,
                    {"code": "482913", "valid_minutes": 5})  # fmt: skip
    transfer = Outgoing("T1#v3#customer#reassigned", "T1", Recipient.CUSTOMER, PHONE,
                        TemplateKey.REASSIGNED_CUSTOMER,
                        {"number": "1", "manager_name": "网格经理1",
                         "manager_phone": "13700001111"})  # fmt: skip

    outbox.deliver([code, transfer])

    stored_code, stored_transfer = log.get("otp#1"), log.get("T1#v3#customer#reassigned")
    assert stored_code is not None and "code" not in stored_code.params
    assert stored_transfer is not None and stored_transfer.params["manager_phone"] == "137****1111"


def test_a_stale_customer_sms_is_dropped_as_superseded_once(parts) -> None:  # type: ignore[no-untyped-def]
    """ "Please confirm" reaching its turn after the customer already confirmed (the stream
    was behind, or the SMS was being retried): logged superseded, never sent, and a
    redelivery finds it final."""
    from dataclasses import replace

    from chalicelib.domain.notices import ASKS_TO_CONFIRM
    from chalicelib.domain.tickets import Status
    from tests.unit.test_dispatch_messages import submitted

    outbox, log, sender, _ = parts
    now = {"T1": replace(submitted(ticket_id="T1"), status=Status.CLOSED)}
    outbox.current = now.get
    stale = replace(message(), still_true=ASKS_TO_CONFIRM)

    report = outbox.deliver([stale])
    assert report.superseded == [stale.business_key] and sender.sent == []
    assert log.get(stale.business_key).status is SmsStatus.SUPERSEDED  # type: ignore[union-attr]
    outbox.deliver([stale])  # a redelivery
    assert sender.sent == [] and sender.attempts == 0

    now["T1"] = replace(now["T1"], status=Status.RESOLVED)  # still waiting: it goes out
    fresh = replace(stale, business_key="T1#v9#customer#resolved_customer")
    assert outbox.deliver([fresh]).sent == [fresh.business_key]
