"""The replay's fallback after the stream's 24 hours: the tickets changed in a parked batch's
window, read through the month index (the report's ticket source) — those still `submitted`
become INSERT records for the handler (their dispatch runs as for a new report), the others
are named for review (their messages: GET /v1/admin/notifications)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from chalicelib.bootstrap import Services
from chalicelib.domain.tickets import Status, Ticket

LOOK_BACK = timedelta(days=35)  # a ticket changed in the window was created at most this early


def changed(svc: Services, start: datetime, end: datetime) -> Iterator[Ticket]:
    from chalicelib.store.tickets import month_partitions

    shards = svc.settings.month_shards
    partitions = month_partitions(start - LOOK_BACK, end, shards)
    for ticket in svc.reports.source.tickets(partitions, start - LOOK_BACK, end):
        if start <= ticket.updated_at <= end:
            yield ticket


def submitted_records(svc: Services, start: datetime, end: datetime) -> list[dict[str, Any]]:
    from chalicelib.store.ticket_items import ticket_image

    s = svc.settings
    return [
        {
            "eventID": f"replay-{t.ticket_id}-{t.version}",
            "eventName": "INSERT",
            "dynamodb": {
                "NewImage": ticket_image(t, due_shards=s.due_shards, month_shards=s.month_shards),
                "SequenceNumber": str(n),
                "StreamViewType": "NEW_AND_OLD_IMAGES",
            },
        }
        for n, t in enumerate(sorted(changed(svc, start, end), key=lambda t: t.created_at))
        if t.status is Status.SUBMITTED
    ]


def to_review(svc: Services, start: datetime, end: datetime) -> list[str]:
    return sorted(t.number for t in changed(svc, start, end) if t.status is not Status.SUBMITTED)
