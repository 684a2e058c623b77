"""One contract, two implementations: every store behaves the same in memory and in
DynamoDB (moto), so tests that use the fakes speak for production."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from moto import mock_aws

from chalicelib.domain.errors import Conflict
from chalicelib.domain.ids import new_ulid, ticket_number
from chalicelib.domain.org import Customer
from chalicelib.domain.phone import phone_hash
from chalicelib.domain.tickets import Status, Ticket, TicketType, TimelineEvent
from chalicelib.domain.transitions import creation_event
from chalicelib.store.customers import DynamoCustomerStore, InMemoryCustomerStore
from chalicelib.store.dynamo_tickets import DynamoTicketStore
from chalicelib.store.keys import due_shard
from chalicelib.store.org import DynamoOrgStore, InMemoryOrgStore
from chalicelib.store.tickets import (
    DuplicateRequest,
    IdempotencyClaim,
    InMemoryTicketStore,
    Source,
    TicketFilter,
)
from tests import district
from tests.keys import PHONE_KEY

T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", "dynamo"])
def stores(request) -> Iterator[tuple]:  # type: ignore[no-untyped-def]
    if request.param == "memory":
        yield (
            InMemoryTicketStore(),
            InMemoryOrgStore(district.ORG),
            InMemoryCustomerStore(district.CUSTOMERS),
        )
        return
    with mock_aws():
        from chalicelib.store.models import bind_tables, create_tables

        bind_tables("contract-", "us-east-1")
        create_tables()
        org = DynamoOrgStore("test", lambda phone: phone_hash(phone, PHONE_KEY))
        org.put_all(district.ORG)
        customers = DynamoCustomerStore()
        customers.put_customers(district.CUSTOMERS)
        yield DynamoTicketStore(), org, customers


def make_ticket(at: datetime, **overrides) -> Ticket:  # type: ignore[no-untyped-def]
    ticket_id = new_ulid(at)
    base = Ticket(
        ticket_id=ticket_id,
        number=ticket_number(ticket_id, at),
        type=TicketType.FAULT_REPAIR,
        status=Status.SUBMITTED,
        owner_id="wx-1",
        account_no="0601000001",
        contact_phone="13812345678",
        description="停电",
        address="新华街1号",
        ta_id="T1",
        grid_id="G1",
        station_id="S1",
        branch_id="B1",
        area_class=None,
        created_at=at,
        updated_at=at,
        location={"lat": 40.75, "lng": 107.4},
        details={"scope": "household", "hazard": False},
    )
    return replace(base, **overrides)


def first_event(ticket: Ticket) -> TimelineEvent:
    return creation_event(ticket)


def test_create_get_and_timeline_round_trip(stores) -> None:  # type: ignore[no-untyped-def]
    tickets, _, _ = stores
    ticket = make_ticket(T0)
    tickets.create(ticket, first_event(ticket), None)
    stored = tickets.get(ticket.ticket_id)
    assert stored == replace(ticket, version=1)
    assert tickets.timeline(ticket.ticket_id) == [first_event(ticket)]  # from_status None kept
    assert tickets.get("nope") is None


def test_idempotency_claim_is_taken_once(stores) -> None:  # type: ignore[no-untyped-def]
    tickets, _, _ = stores
    claim = IdempotencyClaim("wx-1#k", "hash-1", T0 + timedelta(days=1))
    first = make_ticket(T0)
    tickets.create(first, first_event(first), claim)
    second = make_ticket(T0 + timedelta(seconds=1))
    with pytest.raises(DuplicateRequest) as raised:
        tickets.create(second, first_event(second), claim)
    assert raised.value.ticket_id == first.ticket_id
    assert raised.value.payload_hash == "hash-1"
    assert tickets.claimed("wx-1#k") == (first.ticket_id, "hash-1")
    assert tickets.claimed("wx-1#other") is None
    assert tickets.get(second.ticket_id) is None


def stored_new_ticket(tickets) -> Ticket:  # type: ignore[no-untyped-def]
    """A submitted ticket as the store holds it (version 1)."""
    ticket = make_ticket(T0)
    tickets.create(ticket, first_event(ticket), None)
    stored = tickets.get(ticket.ticket_id)
    assert stored is not None
    return stored


def test_the_assignment_ledger_stamps_a_new_assignee_when_the_caller_asks(stores) -> None:  # type: ignore[no-untyped-def]
    tickets, _, _ = stores
    submitted = stored_new_ticket(tickets)
    ticket, at = submitted, T0 + timedelta(minutes=1)

    def event(action: str, version: int, **data: str) -> TimelineEvent:
        return TimelineEvent(
            ticket.ticket_id, at, action, "system", Status.SUBMITTED, Status.DISPATCHED, version,
            data=data,
        )  # fmt: skip

    own = replace(submitted, status=Status.DISPATCHED, assignee_id="M1", updated_at=at)
    own = tickets.commit(submitted, own, event("dispatch", 2), stamp_ledger=False)
    assert tickets.last_assigned(["M1"]) == {}  # the dispatcher's call: the own grid's manager

    at += timedelta(minutes=5)
    moved = tickets.commit(own, replace(own, assignee_id="M2"), event("transfer", 3))
    assert moved.assignee_id == "M2"
    assert tickets.last_assigned(["M1", "M2", "M5"]) == {"M2": at}


def test_commit_is_conditional_on_version_and_status(stores) -> None:  # type: ignore[no-untyped-def]
    tickets, _, _ = stores
    before = ticket = stored_new_ticket(tickets)
    at = T0 + timedelta(minutes=1)
    after = replace(
        before,
        status=Status.DISPATCHED,
        assignee_id="M1",
        escalation_level=1,
        clocks={"dispatched_at": at, "accept_due": at + timedelta(minutes=10)},
        next_due=("accept", at + timedelta(minutes=10)),
        updated_at=at,
    )
    event = TimelineEvent(
        ticket.ticket_id, at, "dispatch", "system", Status.SUBMITTED, Status.DISPATCHED, 2
    )
    saved = tickets.commit(before, after, event)
    assert saved.version == 2
    assert tickets.get(ticket.ticket_id) == saved
    with pytest.raises(Conflict):
        tickets.commit(before, after, event)  # same change again: stale version
    assert [e.action for e in tickets.timeline(ticket.ticket_id)] == ["submit", "dispatch"]
    assert tickets.open_counts("S1") == {"M1": 1}
    assert tickets.open_counts("S2") == {}
    assert tickets.last_assigned(["M1", "M2"]) == {"M1": at}
    assert [t.ticket_id for t in tickets.due(at + timedelta(minutes=11), 10)] == [ticket.ticket_id]
    assert list(tickets.due(at, 10)) == []


def test_due_walks_every_shard_the_store_writes_earliest_first_up_to_the_limit(stores) -> None:  # type: ignore[no-untyped-def]
    tickets = type(stores[0])(due_shards=3)  # not the default 8: the store walks its own
    until = T0 + timedelta(hours=1)
    due_at = {}
    for n in range(12):  # due 5, 10, … 60 minutes after T0, then three due later
        at = T0 + timedelta(minutes=5 * (n + 1)) + (timedelta(hours=1) if n >= 9 else timedelta())
        ticket = make_ticket(
            T0 + timedelta(seconds=n), ticket_id=f"T{n:02d}", next_due=("accept", at)
        )
        tickets.create(ticket, first_event(ticket), None)
        due_at[ticket.ticket_id] = at
    in_time = sorted((at, tid) for tid, at in due_at.items() if at <= until)
    assert len({due_shard(tid, 3) for _, tid in in_time}) == 3  # due in every shard
    assert [t.ticket_id for t in tickets.due(until, 100)] == [tid for _, tid in in_time]
    assert [t.ticket_id for t in tickets.due(until, 4)] == [tid for _, tid in in_time[:4]]
    assert list(tickets.due(until, 0)) == []


def test_lists_merge_sources_newest_first_with_filters(stores) -> None:  # type: ignore[no-untyped-def]
    tickets, _, _ = stores
    made = []
    for n, grid in enumerate(["G1", "G2", "G1", "G3"]):
        t = make_ticket(T0 + timedelta(minutes=n), grid_id=grid)
        tickets.create(t, first_event(t), None)
        made.append(t)
    sources = [Source("by_grid", "G1"), Source("by_grid", "G2")]
    page = tickets.page(sources, TicketFilter(), 2, None)
    assert [t.ticket_id for t in page.items] == [made[2].ticket_id, made[1].ticket_id]
    assert page.next_cursor is not None
    from chalicelib.store.keys import Cursor

    rest = tickets.page(sources, TicketFilter(), 2, Cursor.decode(page.next_cursor))
    assert [t.ticket_id for t in rest.items] == [made[0].ticket_id]
    assert rest.next_cursor is None
    only_late = TicketFilter(created_from=T0 + timedelta(minutes=2))
    assert [t.grid_id for t in tickets.page(sources, only_late, 10, None).items] == ["G1"]
    no_match = TicketFilter(status=Status.CLOSED)
    assert tickets.page(sources, no_match, 10, None).items == []
    open_ones = TicketFilter(any_status=frozenset({Status.CLOSED, made[0].status}))
    assert len(tickets.page(sources, open_ones, 10, None).items) == 3
    assert (
        tickets.page(sources, TicketFilter(any_status=frozenset({Status.CLOSED})), 10, None).items
        == []
    )


def test_org_lookups_and_duty(stores) -> None:  # type: ignore[no-untyped-def]
    _, org, _ = stores
    assert org.transformer_area("T3").grid_id == "G3"
    assert org.grid("G4").area_class.value == "remote"
    assert org.group("A1").member_ids == ("M1", "M2", "M5")
    assert [m.staff_id for m in org.members("A1")] == ["M1", "M2", "M5"]
    assert org.members("A1")[1] == org.staff("M2")
    assert org.members("nope") == []
    assert org.staff_by_phone("13910000002").staff_id == "M2"
    assert org.staff_by_phone("13800000000") is None
    until = T0 + timedelta(hours=8)
    off = org.set_duty("M1", False, until)
    assert (off.on_duty, off.duty_until) == (False, until)
    assert org.staff("M1").on_duty is False
    assert org.staff("nobody") is None
    assert org.members("A1")[0].on_duty is False


def test_the_org_cache_keeps_duty_changes_and_members_for_30_seconds(stores) -> None:  # type: ignore[no-untyped-def]
    from chalicelib.store.org import CachedOrgStore

    _, org, _ = stores
    now = [T0]
    cached = CachedOrgStore(org, lambda: now[0])
    assert cached.members("A1")[0].on_duty is True
    cached.set_duty("M1", False, None)  # through the cache: seen at once
    assert cached.members("A1")[0].on_duty is False
    org.set_duty("M2", False, None)  # behind its back (another Lambda container)
    assert cached.members("A1")[1].on_duty is True
    now[0] += timedelta(seconds=30)
    assert [m.on_duty for m in cached.members("A1")] == [False, False, True]


def test_customer_binding(stores) -> None:  # type: ignore[no-untyped-def]
    _, _, customers = stores
    assert customers.bound_customer("wx-1", "0601000001") is None
    customers.bind("wx-1", "0601000001", T0)
    customers.bind("wx-1", "0601000001", T0)
    customers.bind("wx-1", "0601000005", T0)
    assert customers.bound_customer("wx-1", "0601000001").holder_name == "王建国"
    assert [c.account_no for c in customers.accounts_of("wx-1")] == ["0601000001", "0601000005"]
    assert customers.accounts_of("wx-2") == []
    assert customers.get("0601000005").important is True


def test_a_transaction_conflict_is_busy_not_stale_for_create_and_commit(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """DynamoDB cancels a transaction that collides with another: nothing changed, so the
    caller may simply try again (StoreBusy), unlike a failed condition (StaleTicket)."""
    from botocore.client import BaseClient
    from botocore.exceptions import ClientError

    from chalicelib.store.tickets import StoreBusy

    def conflicting(self: BaseClient, operation: str, params: dict) -> dict:  # type: ignore[type-arg]
        reasons = [{"Code": "TransactionConflict"}, {"Code": "None"}, {"Code": "None"}]
        error = {"Code": "TransactionCanceledException", "Message": "conflict"}
        raise ClientError({"Error": error, "CancellationReasons": reasons}, operation)

    with mock_aws():
        from chalicelib.store.models import bind_tables, create_tables

        bind_tables("busy-", "us-east-1")
        create_tables()
        tickets = DynamoTicketStore()
        stored = stored_new_ticket(tickets)
        ticket = make_ticket(T0 + timedelta(seconds=1))
        claim = IdempotencyClaim("wx-1#k", "hash-1", T0 + timedelta(days=1))
        monkeypatch.setattr(BaseClient, "_make_api_call", conflicting)

        with pytest.raises(StoreBusy):
            tickets.create(ticket, first_event(ticket), claim)
        with pytest.raises(StoreBusy):
            tickets.commit(stored, replace(stored, assignee_id="M1"), first_event(stored))


def test_lists_filter_by_a_search_term(stores) -> None:  # type: ignore[no-untyped-def]
    tickets, _, _ = stores
    a = make_ticket(T0, contact_phone="13800005678")
    b = make_ticket(T0 + timedelta(minutes=1), account_no="0601000002", contact_phone="13856781234")
    for t in (a, b):
        tickets.create(t, first_event(t), None)
    sources = [Source("by_grid", "G1")]

    def ids(**term: str) -> list[str]:
        return [t.ticket_id for t in tickets.page(sources, TicketFilter(**term), 10, None).items]

    assert ids(number=a.number) == [a.ticket_id]
    assert ids(account_no="0601000002") == [b.ticket_id]
    assert ids(phone_last4="5678") == [a.ticket_id]  # b holds 5678 too, but not at its end


def test_customers_read_back_in_bulk_as_written(stores) -> None:  # type: ignore[no-untyped-def]
    """An import writes and compares customers by the hundred: what get_many returns is what
    put_customers wrote (a phone or none), only for numbers that exist, over more than one
    BatchGetItem's worth of keys."""
    _, _, customers = stores
    written = [
        Customer(f"07{n:08d}", f"户{n}", f"地址{n}", "T1", n % 3 == 0, n % 5 == 0, "")
        for n in range(150)
    ]
    written[7] = replace(written[7], phone="13900000007")
    customers.put_customers(written)
    asked = [c.account_no for c in written] + ["0799999999", written[0].account_no]
    found = customers.get_many(asked)
    assert found == {c.account_no: c for c in written}
    assert customers.get(written[7].account_no) == written[7]
