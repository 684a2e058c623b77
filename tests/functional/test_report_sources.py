"""Which tickets a month's report reads (SERVICE_STANDARDS.md, KPI periods; issue 17): every
ticket with a fact in the month, however long before it was created — the month's own from
the month shards, earlier ones from the by_settle index — over the in-memory store and
DynamoDB (moto) alike."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from typing import Any

import pytest
from moto import mock_aws

from chalicelib.domain import rounds
from chalicelib.domain.calendar import SHANGHAI
from chalicelib.domain.policy import DEFAULT_POLICY
from chalicelib.domain.tickets import Status, Ticket
from chalicelib.reports.build import compute, month_window
from chalicelib.store.reference_source import StaticReferenceSource
from chalicelib.store.report_files import InMemoryReportFiles
from chalicelib.store.ticket_source import InMemoryTicketSource
from chalicelib.store.tickets import InMemoryTicketStore
from tests.unit.test_kpi import FAULT, HERE, REFERENCE, H, M, steps, ticket

BUILT = datetime(2026, 12, 1, 1, 0, tzinfo=SHANGHAI)
SHARDS = 4


def day(month: int, d: int, hour: int = 9) -> datetime:
    return datetime(2026, month, d, hour, tzinfo=SHANGHAI)


def done(n: int, created: datetime, **kw: Any) -> Ticket:
    clocks = steps(
        created,
        dispatched_at=M,
        accept_due=11 * M,
        accepted_at=3 * M,
        arrive_due=45 * M,
        arrived_at=30 * M,
        resolve_due=30 * M + 3 * H,
        resolved_at=H,
        closed_at=2 * H,
    )
    outcome = {"cause": "线路老化", "no_callback": False, **HERE}
    return ticket(n, FAULT, created, clocks=clocks, outcome=outcome, **kw)


def reopened_in_november() -> Ticket:
    """Created on 1 October, resolved on 28 October, reopened on 2 November, closed the 3rd."""
    first = done(1, day(10, 1), status=Status.RESOLVED)
    first = replace(first, clocks={**first.clocks, "resolved_at": day(10, 28)})
    first = replace(first, clocks={k: v for k, v in first.clocks.items() if k != "closed_at"})
    again = day(11, 2)
    second = done(1, again)
    return replace(
        second,
        created_at=first.created_at,
        clocks={"reopened_at": again, **second.clocks},
        outcome={**rounds.reopened(first, again), **second.outcome},
    )


TICKETS = [
    reopened_in_november(),
    done(2, day(9, 1)),  # settled long before November: never read
    done(3, day(11, 10)),  # November's own
    done(4, day(10, 30, 23), status=Status.CLOSED),  # its clocks fall due on 31 October
]


class Ports:
    def __init__(self, source: Any) -> None:
        from chalicelib.store.outages import NO_OUTAGES

        self.source = source
        self.files = InMemoryReportFiles()
        self.reference = StaticReferenceSource(REFERENCE)
        self.month_shards = SHARDS
        self.outages = NO_OUTAGES


def november(source: Any) -> Any:
    return compute(Ports(source), month_window("2026-11", BUILT), DEFAULT_POLICY)  # type: ignore[arg-type]


@pytest.fixture(params=["memory", "dynamo"])
def source(request: pytest.FixtureRequest) -> Iterator[Any]:
    if request.param == "memory":
        store = InMemoryTicketStore(month_shards=SHARDS)
        store.tickets.update({t.ticket_id: t for t in TICKETS})
        yield InMemoryTicketSource(store)
        return
    with mock_aws():
        from chalicelib.store.models import bind_tables, create_tables
        from chalicelib.store.ticket_items import to_item
        from chalicelib.store.ticket_source import DynamoTicketSource

        bind_tables("sources-", "us-east-1")
        create_tables()
        for t in TICKETS:
            to_item(t, due_shards=SHARDS, month_shards=SHARDS).save()
        yield DynamoTicketSource("us-east-1")


def test_a_reopen_a_month_after_creation_is_judged_in_its_month(source: Any) -> None:
    total = november(source).total
    assert total.tickets == 1  # created in November: ticket 3
    assert (total.reopen.numerator, total.reopen.denominator) == (1, 2)  # 1's round 2, 3
    assert (total.flow.closed, total.fault_fix.denominator) == (2, 2)


def test_a_ticket_settles_a_while_after_its_last_moment() -> None:
    closed = done(5, day(10, 1))
    resolve_due = day(10, 1) + 30 * M + 3 * H  # its latest moment, after its closing
    assert rounds.settles_at(closed) == resolve_due + rounds.SETTLE_AFTER
    assert rounds.settles_at(replace(closed, status=Status.RESOLVED)) is None
    assert DEFAULT_POLICY.reopen_window < rounds.SETTLE_AFTER  # what the index relies on
