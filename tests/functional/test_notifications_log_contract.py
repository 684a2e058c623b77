"""One contract for every NotificationLog: the in-memory fake and DynamoDB (moto) agree."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.notify.log import (
    InMemoryNotificationLog,
    LogCursor,
    LogQuery,
    NotificationLog,
    NotificationRecord,
    SmsStatus,
)

T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def record(
    key: str, ticket_id: str = "T1", at: datetime = T0, who: str = "h1"
) -> NotificationRecord:
    return NotificationRecord(
        business_key=key,
        ticket_id=ticket_id,
        recipient_role="customer",
        recipient_masked="137****1111",
        recipient_hash=who,
        template_id="SMS_YG_0002",
        template_key="dispatched_customer",
        created_at=at,
        params={"number": "241100001"},
    )


@pytest.fixture(params=["memory", "dynamodb"])
def log(request: pytest.FixtureRequest) -> Iterator[NotificationLog]:
    if request.param == "memory":
        yield InMemoryNotificationLog()
        return
    from moto import mock_aws

    with mock_aws():
        from chalicelib.store.models import bind_tables, create_tables
        from chalicelib.store.notifications import DynamoNotificationLog

        bind_tables("contract-", "us-east-1")
        create_tables()
        yield DynamoNotificationLog()


class TestNotificationLogContract:
    def test_the_first_claim_wins_and_later_ones_see_it(self, log: NotificationLog) -> None:
        assert log.claim(record("k")) is None

        existing = log.claim(replace(record("k"), template_key="other"))

        assert existing is not None
        assert (existing.template_key, existing.status, existing.attempts) == (
            "dispatched_customer",
            SmsStatus.PENDING,
            1,
        )

    def test_sent_records_the_provider_id_and_time(self, log: NotificationLog) -> None:
        log.claim(record("k"))

        log.mark_sent("k", "msg-1", T0 + timedelta(seconds=2))

        stored = log.get("k")
        assert stored is not None
        assert (stored.status, stored.provider_message_id, stored.sent_at, stored.error) == (
            SmsStatus.SENT,
            "msg-1",
            T0 + timedelta(seconds=2),
            None,
        )

    def test_an_attempt_is_taken_only_from_the_count_seen(self, log: NotificationLog) -> None:
        log.claim(record("k"))
        log.mark_retryable("k", "Throttling")

        assert log.take_attempt("k", 1) is True
        assert log.take_attempt("k", 1) is False  # a racing redelivery loses
        stored = log.get("k")
        assert stored is not None and (stored.attempts, stored.error) == (2, "Throttling")

    def test_no_attempt_is_taken_once_sent(self, log: NotificationLog) -> None:
        log.claim(record("k"))
        log.mark_sent("k", "msg-1", T0)

        assert log.take_attempt("k", 1) is False

    def test_parked_records_are_listed_per_bureau_newest_first(self, log: NotificationLog) -> None:
        for i in range(3):
            log.claim(record(f"k{i}", at=T0 + timedelta(minutes=i)))
        log.mark_failed("k0", "OptedOut", "bayannur")
        log.mark_failed("k2", "OptedOut", "bayannur")

        page = log.query(LogQuery("failed", "bayannur"))

        assert [r.business_key for r in page.items] == ["k2", "k0"]
        assert all(
            r.status is SmsStatus.FAILED and r.failed_bureau == "bayannur" for r in page.items
        )
        assert log.query(LogQuery("failed", "elsewhere")).items == []

    def test_lists_by_ticket_and_recipient_page_with_a_cursor(self, log: NotificationLog) -> None:
        for i in range(5):
            log.claim(record(f"k{i}", ticket_id="T9", at=T0 + timedelta(minutes=i), who="h9"))
        log.claim(record("other", ticket_id="T8", who="h8"))

        first = log.query(LogQuery("ticket", "T9", limit=2))
        assert first.next_cursor is not None
        second = log.query(
            LogQuery("ticket", "T9", limit=2, cursor=LogCursor.decode(first.next_cursor))
        )
        third = log.query(LogQuery("recipient", "h9", limit=10))

        assert [r.business_key for r in first.items] == ["k4", "k3"]
        assert [r.business_key for r in second.items] == ["k2", "k1"]
        assert [r.business_key for r in third.items] == ["k4", "k3", "k2", "k1", "k0"]
        assert third.next_cursor is None

    def test_lists_filter_by_status(self, log: NotificationLog) -> None:
        log.claim(record("a"))
        log.claim(record("b", at=T0 + timedelta(seconds=1)))
        log.mark_sent("a", "msg-1", T0)

        page = log.query(LogQuery("ticket", "T1", status=SmsStatus.SENT))

        assert [r.business_key for r in page.items] == ["a"]
