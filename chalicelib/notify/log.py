"""The notification log: every SMS, claimed before it is sent, so each business event reaches
each recipient once (DESIGN.md, Events).

A record's `business_key` names the business event and the recipient ("<ticket>#v<version>#
<role>#<template>"). `claim` is a conditional insert: whoever claims first sends; a duplicate
delivery finds the claim and sends nothing. A `pending` record is one whose last send failed
transiently (or is in flight): a redelivery may take another attempt (`take_attempt`, guarded
on the attempt count it saw), never after `sent` or `failed`.

Recipients are stored masked and hashed, never in full; params are stored redacted (login
codes dropped, phone numbers masked). The Dynamo implementation is store/notifications.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Protocol

from chalicelib.domain.phone import mask_phones
from chalicelib.notify.status import SmsStatus
from chalicelib.store.keys import decode_position, encode_position, iso

SECRET_PARAMS = frozenset({"code"})  # never stored, whatever the template


@dataclass(frozen=True, slots=True)
class NotificationRecord:
    business_key: str
    ticket_id: str
    recipient_role: str
    recipient_masked: str
    recipient_hash: str
    template_id: str
    template_key: str
    created_at: datetime
    params: Mapping[str, str] = field(default_factory=dict)
    status: SmsStatus = SmsStatus.PENDING
    attempts: int = 1
    provider_message_id: str | None = None
    error: str | None = None
    sent_at: datetime | None = None
    failed_bureau: str | None = None  # set only when parked: the sparse admin-list index


def redacted(params: Mapping[str, str]) -> dict[str, str]:
    return {k: mask_phones(str(v)) for k, v in params.items() if k not in SECRET_PARAMS}


@dataclass(frozen=True, slots=True)
class LogCursor:
    """Position in a newest-first list: everything strictly older than (created_at, key)."""

    created_at: str
    business_key: str

    def encode(self) -> str:
        return encode_position(c=self.created_at, k=self.business_key)

    @classmethod
    def decode(cls, token: str) -> LogCursor:
        fields = decode_position(token, "c", "k")
        return cls(created_at=fields["c"], business_key=fields["k"])


@dataclass(frozen=True, slots=True)
class LogQuery:
    """One partition: ("ticket", id), ("recipient", hash) or ("failed", bureau)."""

    by: str
    key: str
    status: SmsStatus | None = None
    limit: int = 20
    cursor: LogCursor | None = None


@dataclass(frozen=True, slots=True)
class LogPage:
    items: list[NotificationRecord]
    next_cursor: str | None


class NotificationLog(Protocol):
    def claim(self, record: NotificationRecord) -> NotificationRecord | None:
        """Insert `record` unless its key exists; None when claimed, else the existing one."""
        ...

    def take_attempt(self, business_key: str, seen_attempts: int) -> bool:
        """attempts + 1 if still pending at `seen_attempts`; False if someone else moved it."""
        ...

    def mark_sent(self, business_key: str, message_id: str, at: datetime) -> None: ...
    def mark_retryable(self, business_key: str, error: str) -> None: ...
    def mark_failed(self, business_key: str, error: str, bureau: str) -> None: ...
    def mark_superseded(self, business_key: str, reason: str) -> None: ...
    def get(self, business_key: str) -> NotificationRecord | None: ...
    def query(self, query: LogQuery) -> LogPage: ...


def page_of(records: list[NotificationRecord], limit: int, has_more: bool) -> LogPage:
    items = records[:limit]
    more = has_more or len(records) > limit
    last = items[-1] if items else None
    cursor = LogCursor(iso(last.created_at), last.business_key).encode() if more and last else None
    return LogPage(items, cursor)


class InMemoryNotificationLog:
    def __init__(self) -> None:
        self.records: dict[str, NotificationRecord] = {}

    def claim(self, record: NotificationRecord) -> NotificationRecord | None:
        existing = self.records.get(record.business_key)
        if existing is None:
            self.records[record.business_key] = record
        return existing

    def take_attempt(self, business_key: str, seen_attempts: int) -> bool:
        record = self.records[business_key]
        if record.status is not SmsStatus.PENDING or record.attempts != seen_attempts:
            return False
        self.records[business_key] = replace(record, attempts=seen_attempts + 1)
        return True

    def mark_sent(self, business_key: str, message_id: str, at: datetime) -> None:
        record = self.records[business_key]
        self.records[business_key] = replace(
            record, status=SmsStatus.SENT, provider_message_id=message_id, sent_at=at, error=None
        )

    def mark_retryable(self, business_key: str, error: str) -> None:
        self.records[business_key] = replace(self.records[business_key], error=error)

    def mark_failed(self, business_key: str, error: str, bureau: str) -> None:
        record = self.records[business_key]
        self.records[business_key] = replace(
            record, status=SmsStatus.FAILED, error=error, failed_bureau=bureau
        )

    def mark_superseded(self, business_key: str, reason: str) -> None:
        record = self.records[business_key]
        self.records[business_key] = replace(record, status=SmsStatus.SUPERSEDED, error=reason)

    def get(self, business_key: str) -> NotificationRecord | None:
        return self.records.get(business_key)

    def query(self, query: LogQuery) -> LogPage:
        def in_partition(r: NotificationRecord) -> bool:
            if query.by == "ticket":
                return r.ticket_id == query.key
            if query.by == "recipient":
                return r.recipient_hash == query.key
            return r.failed_bureau == query.key

        cursor = query.cursor
        found = sorted(
            (
                r
                for r in self.records.values()
                if in_partition(r)
                and (query.status is None or r.status is query.status)
                and (
                    cursor is None
                    or (iso(r.created_at), r.business_key)
                    < (cursor.created_at, cursor.business_key)
                )
            ),
            key=lambda r: (iso(r.created_at), r.business_key),
            reverse=True,
        )
        return page_of(found, query.limit, has_more=False)
