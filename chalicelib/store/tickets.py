"""TicketStore port, its vocabulary, and the in-memory fake that the contract tests hold to
the same behaviour as DynamoTicketStore (store/dynamo_tickets.py)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

from chalicelib.domain.dates import month_of
from chalicelib.domain.errors import Conflict
from chalicelib.domain.rounds import settles_at
from chalicelib.domain.tickets import Status, Ticket, TicketType, TimelineEvent
from chalicelib.store.keys import (
    Cursor,
    due_shard,
    iso,
    month_shard,
    months_between,
    settle_shard,
    shard_key,
)


@dataclass(frozen=True, slots=True)
class IdempotencyClaim:
    key: str  # "<caller>#<Idempotency-Key>"
    payload_hash: str
    expires_at: datetime


class DuplicateRequest(Exception):
    """The Idempotency-Key was already claimed, by the ticket named here."""

    def __init__(self, ticket_id: str, payload_hash: str) -> None:
        super().__init__(ticket_id)
        self.ticket_id = ticket_id
        self.payload_hash = payload_hash


class StaleTicket(Conflict):
    code = "concurrent_change"
    message = "工单状态已变化，请刷新后重试"


class StoreBusy(Conflict):
    """The write collided with another transaction on one of its items (DynamoDB's
    TransactionConflict) or was throttled: nothing was written and the ticket did not change,
    so the same write can simply be tried again. Not a StaleTicket: the dispatcher must not
    take it for "already dispatched"."""

    code = "concurrent_change"
    message = "系统繁忙，请稍后重试"


@dataclass(frozen=True, slots=True)
class Source:
    """One partition of a secondary index: ("by_grid", "G001"), ("by_month", "2026-11#03").
    Callers name a grid, station, branch, owner or assignee; shard keys come only from
    `month_partitions` and `settle_partitions` here."""

    index: str
    key: str


def month_partitions(start: datetime, end: datetime, shards: int) -> list[Source]:
    """Every by_month shard that can hold a ticket created in [start, end), oldest first."""
    return [
        Source("by_month", shard_key(month, n))
        for month in months_between(start, end)
        for n in range(shards)
    ]


def settle_partitions(start: datetime, until: datetime, shards: int) -> list[Source]:
    """The by_settle shards of tickets not yet final and of those settling in [start, until]'s
    months: with created_at before `start`, every ticket created earlier that may have a fact
    at or after `start` (domain.rounds.settles_at)."""
    months = months_between(start, until + timedelta(microseconds=1))
    if month_of(until) not in months:
        months.append(month_of(until))
    return [Source("by_settle", shard_key(m, n)) for m in ("open", *months) for n in range(shards)]


@dataclass(frozen=True, slots=True)
class TicketFilter:
    status: Status | None = None
    type: TicketType | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    any_status: frozenset[Status] = frozenset()  # `?status=a,b`: one of these
    mine: bool = False  # `?mine=1`: only tickets assigned to the caller
    number: str | None = None  # `?q=`: a search (domain.search)
    account_no: str | None = None
    phone_last4: str | None = None

    def admits(self, ticket: Ticket) -> bool:
        return (
            (self.number is None or ticket.number == self.number)
            and (self.account_no is None or ticket.account_no == self.account_no)
            and (self.phone_last4 is None or ticket.contact_phone.endswith(self.phone_last4))
            and (self.status is None or ticket.status is self.status)
            and (not self.any_status or ticket.status in self.any_status)
            and (self.type is None or ticket.type is self.type)
            and (self.created_from is None or ticket.created_at >= self.created_from)
            and (self.created_to is None or ticket.created_at <= self.created_to)
        )


@dataclass(frozen=True, slots=True)
class Page:
    items: list[Ticket]
    next_cursor: str | None


class TicketStore(Protocol):
    def create(self, ticket: Ticket, event: TimelineEvent, claim: IdempotencyClaim | None) -> None:
        """Write a new ticket and its first event atomically; DuplicateRequest if claimed."""
        ...

    def claimed(self, key: str) -> tuple[str, str] | None:
        """(ticket_id, payload_hash) an idempotency key already holds; None if it holds none."""
        ...

    def get(self, ticket_id: str) -> Ticket | None: ...
    def timeline(self, ticket_id: str) -> list[TimelineEvent]: ...
    def commit(
        self, before: Ticket, after: Ticket, event: TimelineEvent, *, stamp_ledger: bool = True
    ) -> Ticket:
        """Replace `before` with `after` (version + 1) and append `event`, atomically and only
        if the stored ticket still has before's version and status; else StaleTicket.
        `stamp_ledger`: whether a new assignee is stamped in the assignment ledger (see
        `ledger_entry`); the dispatcher says no for a grid manager's own grid."""
        ...

    def page(
        self, sources: Sequence[Source], filters: TicketFilter, limit: int, cursor: Cursor | None
    ) -> Page: ...
    def open_counts(self, station_id: str) -> dict[str, int]:
        """Open tickets per assignee among the station's tickets (every assignee a ticket can
        have, mutual-aid peers included, belongs to the ticket's station)."""
        ...

    def last_assigned(self, staff_ids: Sequence[str]) -> dict[str, datetime]:
        """When each of these staff was last given a ticket from outside their own grid
        (see `ledger_entry`); staff never stamped are absent. `commit` keeps this ledger."""
        ...

    def due(self, until: datetime, limit: int) -> Iterator[Ticket]:
        """At most `limit` tickets whose next clock falls due by `until`, earliest first,
        read lazily from every due shard the store writes (one Query per shard, never a
        Scan). A ticket committed while the walk goes on leaves the range behind it."""
        ...


def index_key(ticket: Ticket, index: str, *, due_shards: int, month_shards: int) -> str | None:
    """The partition a ticket falls in for an index (None: not in that sparse index)."""
    if index == "by_owner":
        return ticket.owner_id
    if index == "by_grid":
        return ticket.grid_id
    if index == "by_station":
        return ticket.station_id
    if index == "by_branch":
        return ticket.branch_id
    if index == "by_assignee":
        return ticket.assignee_id
    if index == "open_by_station":
        return ticket.station_id if ticket.is_open and ticket.assignee_id else None
    if index == "by_month":
        return month_shard(ticket.ticket_id, ticket.created_at, month_shards)
    if index == "by_due":
        return due_shard(ticket.ticket_id, due_shards) if ticket.next_due else None
    if index == "by_settle":
        return settle_shard(ticket.ticket_id, settles_at(ticket), month_shards)
    raise ValueError(f"unknown index {index}")


def ledger_entry(before: Ticket, after: Ticket, stamp_ledger: bool) -> str | None:
    """Whom a commit stamps in the assignment ledger: whoever it gives the ticket to, when the
    caller asks (mutual aid, transfer, level-2 reassignment, the station chief). The
    dispatcher does not ask for a grid manager taking their own grid's new ticket: that work
    shows in their open count, and stamping it would make every dispatch in a one-grid
    outage contend on one item from parallel stream shards."""
    if not stamp_ledger or after.assignee_id is None or after.assignee_id == before.assignee_id:
        return None
    return after.assignee_id


def newest_first(tickets: list[Ticket], limit: int, more: bool) -> Page:
    """Merge candidates from several partitions into one page with a cursor."""
    unique = {t.ticket_id: t for t in tickets}.values()
    ordered = sorted(unique, key=lambda t: (iso(t.created_at), t.ticket_id), reverse=True)
    page = ordered[:limit]
    has_more = more or len(ordered) > limit
    cursor = (
        Cursor(iso(page[-1].created_at), page[-1].ticket_id).encode() if page and has_more else None
    )
    return Page(items=page, next_cursor=cursor)


def _older_than(ticket: Ticket, cursor: Cursor | None) -> bool:
    return cursor is None or cursor.precedes(ticket.created_at, ticket.ticket_id)


class InMemoryTicketStore:
    def __init__(self, due_shards: int = 8, month_shards: int = 8) -> None:
        self.tickets: dict[str, Ticket] = {}
        self.events: dict[str, list[TimelineEvent]] = {}
        self.claims: dict[str, tuple[str, str]] = {}
        self.assigned: dict[str, datetime] = {}
        self.due_shards = due_shards
        self.month_shards = month_shards

    def create(self, ticket: Ticket, event: TimelineEvent, claim: IdempotencyClaim | None) -> None:
        if claim and claim.key in self.claims:
            raise DuplicateRequest(*self.claims[claim.key])
        if ticket.ticket_id in self.tickets:
            raise StaleTicket()
        self.tickets[ticket.ticket_id] = replace(ticket, version=1)
        self.events[ticket.ticket_id] = [event]
        if claim:
            self.claims[claim.key] = (ticket.ticket_id, claim.payload_hash)

    def claimed(self, key: str) -> tuple[str, str] | None:
        return self.claims.get(key)

    def get(self, ticket_id: str) -> Ticket | None:
        return self.tickets.get(ticket_id)

    def timeline(self, ticket_id: str) -> list[TimelineEvent]:
        return sorted(self.events.get(ticket_id, []), key=lambda e: (iso(e.at), e.version))

    def commit(
        self, before: Ticket, after: Ticket, event: TimelineEvent, *, stamp_ledger: bool = True
    ) -> Ticket:
        stored = self.tickets.get(before.ticket_id)
        if stored is None or stored.version != before.version or stored.status != before.status:
            raise StaleTicket()
        saved = replace(after, version=before.version + 1)
        self.tickets[saved.ticket_id] = saved
        self.events[saved.ticket_id].append(event)
        if stamped := ledger_entry(before, after, stamp_ledger):
            self.assigned[stamped] = event.at
        return saved

    def partition(self, ticket: Ticket, index: str) -> str | None:
        """The partition of `index` this store files the ticket under (None: not in it)."""
        return index_key(ticket, index, due_shards=self.due_shards, month_shards=self.month_shards)

    def page(
        self, sources: Sequence[Source], filters: TicketFilter, limit: int, cursor: Cursor | None
    ) -> Page:
        found = [
            t
            for t in self.tickets.values()
            if any(self.partition(t, s.index) == s.key for s in sources)
            and filters.admits(t)
            and _older_than(t, cursor)
        ]
        return newest_first(found, limit, more=False)

    def open_counts(self, station_id: str) -> dict[str, int]:
        return dict(
            Counter(
                str(t.assignee_id)
                for t in self.tickets.values()
                if self.partition(t, "open_by_station") == station_id
            )
        )

    def last_assigned(self, staff_ids: Sequence[str]) -> dict[str, datetime]:
        return {s: self.assigned[s] for s in staff_ids if s in self.assigned}

    def due(self, until: datetime, limit: int) -> Iterator[Ticket]:
        hits = [
            t
            for t in self.tickets.values()
            if t.next_due and t.next_due[1] <= until and self.partition(t, "by_due") is not None
        ]
        return iter(sorted(hits, key=lambda t: t.next_due[1] if t.next_due else until)[:limit])
