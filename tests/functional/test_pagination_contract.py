"""Walking a list's cursor returns every visible item exactly once, newest first: for every
role's sources, any page size and any status filter, in memory and in DynamoDB (moto).

Creation times are drawn from a few instants (ties, broken by id) spread over three
Shanghai months, so the bureau-wide list merges several month shards."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.domain.tickets import Status, Ticket, TicketType
from chalicelib.domain.transitions import creation_event
from chalicelib.notify.log import (
    InMemoryNotificationLog,
    LogCursor,
    LogQuery,
    NotificationLog,
    NotificationRecord,
    SmsStatus,
)
from chalicelib.store.dynamo_tickets import DynamoTicketStore
from chalicelib.store.keys import Cursor, iso
from chalicelib.store.tickets import InMemoryTicketStore, Source, TicketFilter, TicketStore

MONTH_SHARDS = 2
INSTANTS = [  # Shanghai months 2026-10, -11 (both ends) and -12
    datetime(2026, 10, 31, 15, 59, 59, 999999, tzinfo=UTC),
    datetime(2026, 10, 31, 16, 0, tzinfo=UTC),
    datetime(2026, 11, 15, 2, 0, tzinfo=UTC),
    datetime(2026, 11, 30, 15, 59, tzinfo=UTC),
    datetime(2026, 12, 1, 1, 0, tzinfo=UTC),
]
MANAGER, MANAGER_GRIDS = "M1", ("G1", "G2")


@dataclass(frozen=True)
class Role:
    name: str
    sources: list[Source]
    sees: Callable[[Ticket], bool]


ROLES = [
    Role("customer", [Source("by_owner", "wx-1")], lambda t: t.owner_id == "wx-1"),
    Role(
        "manager",
        [Source("by_assignee", MANAGER), *(Source("by_grid", g) for g in MANAGER_GRIDS)],
        lambda t: t.assignee_id == MANAGER or t.grid_id in MANAGER_GRIDS,
    ),
    Role("chief", [Source("by_station", "S1")], lambda t: t.station_id == "S1"),
    Role("branch", [Source("by_branch", "B1")], lambda t: t.branch_id == "B1"),
    Role(
        "ops",
        [
            Source("by_month", f"{month}#{n:02d}")
            for month in ("2026-12", "2026-11", "2026-10")
            for n in range(MONTH_SHARDS)
        ],
        lambda t: True,
    ),
]


def ticket(
    n: int, at: datetime, owner: str, grid: str, station: str, assignee: str | None, status: Status
) -> Ticket:
    ticket_id = f"01JT{n:022d}"
    return Ticket(
        ticket_id=ticket_id,
        number=f"261101-{ticket_id[-6:]}",
        type=TicketType.FAULT_REPAIR,
        status=status,
        owner_id=owner,
        account_no="0601000001",
        contact_phone="13812345678",
        description="停电",
        address="新华街1号",
        ta_id="T1",
        grid_id=grid,
        station_id=station,
        branch_id="B1" if station != "S9" else "B2",
        area_class=None,
        created_at=at,
        updated_at=at,
        assignee_id=assignee,
        location={"lat": 40.75, "lng": 107.4},
        details={"scope": "household", "hazard": False},
    )


tickets_drawn = st.lists(
    st.tuples(
        st.sampled_from(INSTANTS),
        st.sampled_from(["wx-1", "wx-2"]),
        st.sampled_from(["G1", "G2", "G3"]),
        st.sampled_from(["S1", "S2", "S9"]),
        st.sampled_from([None, MANAGER, "M2"]),
        st.sampled_from([Status.SUBMITTED, Status.ACCEPTED]),
    ),
    max_size=14,
).map(lambda rows: [ticket(n, *row) for n, row in enumerate(rows)])


@pytest.fixture(params=["memory", "dynamo"])
def fresh_tickets(request: pytest.FixtureRequest) -> Iterator[Callable[[], TicketStore]]:
    """A factory of empty ticket stores (each hypothesis example starts from nothing)."""
    if request.param == "memory":
        yield lambda: InMemoryTicketStore(month_shards=MONTH_SHARDS)
        return
    from moto import mock_aws

    with mock_aws():
        from chalicelib.store.models import TicketModel, bind_tables, create_tables

        bind_tables("paging-", "us-east-1")
        create_tables()

        def empty() -> TicketStore:
            for item in TicketModel.scan():
                item.delete()
            return DynamoTicketStore(month_shards=MONTH_SHARDS)

        yield empty


def walk(store: TicketStore, role: Role, filters: TicketFilter, limit: int) -> list[str]:
    seen: list[str] = []
    cursor: Cursor | None = None
    for _ in range(100):
        page = store.page(role.sources, filters, limit, cursor)
        assert len(page.items) <= limit
        seen += [t.ticket_id for t in page.items]
        if page.next_cursor is None:
            return seen
        cursor = Cursor.decode(page.next_cursor)
    raise AssertionError("the cursor never ends")


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    made=tickets_drawn,
    limit=st.integers(1, 6),
    status=st.sampled_from([None, Status.SUBMITTED]),
)
def test_walking_the_cursor_returns_every_visible_ticket_once_newest_first(
    fresh_tickets: Callable[[], TicketStore], made: list[Ticket], limit: int, status: Status | None
) -> None:
    store = fresh_tickets()
    for t in made:
        store.create(t, creation_event(t), None)
    filters = TicketFilter(status=status)
    for role in ROLES:
        visible = [t for t in made if role.sees(t) and filters.admits(t)]
        expected = sorted(visible, key=lambda t: (iso(t.created_at), t.ticket_id), reverse=True)

        assert walk(store, role, filters, limit) == [t.ticket_id for t in expected], role.name


def sms(n: int, at: datetime, who: str, status: SmsStatus) -> NotificationRecord:
    return NotificationRecord(
        business_key=f"T{n:03d}#v1#customer#dispatched",
        ticket_id="T1" if n % 2 else "T2",
        recipient_role="customer",
        recipient_masked="137****1111",
        recipient_hash=who,
        template_id="SMS_YG_0002",
        template_key="dispatched_customer",
        created_at=at,
        status=status,
        failed_bureau="bayannur" if status is SmsStatus.FAILED else None,
    )


@pytest.fixture(params=["memory", "dynamo"])
def fresh_log(request: pytest.FixtureRequest) -> Iterator[Callable[[], NotificationLog]]:
    if request.param == "memory":
        yield InMemoryNotificationLog
        return
    from moto import mock_aws

    with mock_aws():
        from chalicelib.store.models import NotificationModel, bind_tables, create_tables
        from chalicelib.store.notifications import DynamoNotificationLog

        bind_tables("paging-", "us-east-1")
        create_tables()

        def empty() -> NotificationLog:
            for item in NotificationModel.scan():
                item.delete()
            return DynamoNotificationLog()

        yield empty


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(INSTANTS[:3]),
            st.sampled_from(["h1", "h2"]),
            st.sampled_from([SmsStatus.SENT, SmsStatus.FAILED]),
        ),
        max_size=12,
    ),
    limit=st.integers(1, 5),
    status=st.sampled_from([None, SmsStatus.FAILED]),
)
def test_walking_the_sms_log_returns_every_record_once_newest_first(
    fresh_log: Callable[[], NotificationLog],
    rows: list[tuple[datetime, str, SmsStatus]],
    limit: int,
    status: SmsStatus | None,
) -> None:
    log = fresh_log()
    made = [sms(n, *row) for n, row in enumerate(rows)]
    for r in made:
        log.claim(r)
    for by, key, sees in [
        ("ticket", "T1", lambda r: r.ticket_id == "T1"),
        ("recipient", "h1", lambda r: r.recipient_hash == "h1"),
        ("failed", "bayannur", lambda r: r.failed_bureau == "bayannur"),
    ]:
        expected = sorted(
            (r for r in made if sees(r) and status in (None, r.status)),
            key=lambda r: (iso(r.created_at), r.business_key),
            reverse=True,
        )
        seen: list[str] = []
        cursor: LogCursor | None = None
        for _ in range(100):
            page = log.query(LogQuery(by, key, status, limit, cursor))
            assert len(page.items) <= limit
            seen += [r.business_key for r in page.items]
            if page.next_cursor is None:
                break
            cursor = LogCursor.decode(page.next_cursor)

        assert seen == [r.business_key for r in expected], by
