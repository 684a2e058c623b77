"""DynamoTicketStore: tickets and their timeline in DynamoDB, every change one conditional
transaction (ticket + timeline event [+ idempotency claim on create] [+ assignment ledger
stamp when a commit hands the ticket to a helper from outside the grid])."""

from __future__ import annotations

import heapq
import itertools
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain.tickets import Ticket, TimelineEvent
from chalicelib.store.keys import Cursor, iso, parse_iso, shard_key
from chalicelib.store.ticket_items import event_item, to_event, to_item, to_ticket
from chalicelib.store.tickets import (
    DuplicateRequest,
    IdempotencyClaim,
    Page,
    Source,
    StaleTicket,
    StoreBusy,
    TicketFilter,
    ledger_entry,
    newest_first,
)

LEDGER_KEEPS = timedelta(days=90)  # assigned longer ago than this counts as never
DUE_PAGE = 100  # items per Query page of one due shard


def _ledger_key(staff_id: str) -> str:
    return f"assigned#{staff_id}"


def _condition_failed(error: Any, item: int) -> bool:
    """Whether a cancelled transaction failed the condition on its `item`-th write (rather
    than colliding with another transaction or being throttled)."""
    reasons = error.cancellation_reasons or []
    return (
        len(reasons) > item
        and reasons[item] is not None
        and (reasons[item].code == "ConditionalCheckFailed")
    )


class DynamoTicketStore:
    def __init__(self, due_shards: int = 8, month_shards: int = 8) -> None:
        self.due_shards = due_shards
        self.month_shards = month_shards

    def _transaction(self) -> Any:
        from pynamodb.transactions import TransactWrite

        from chalicelib.store.models import TicketModel

        # Reuse the model's connection: a new Connection builds a new botocore client,
        # ~200 ms each under moto and tens of ms in Lambda, on every commit.
        return TransactWrite(connection=TicketModel._get_connection().connection)

    def create(self, ticket: Ticket, event: TimelineEvent, claim: IdempotencyClaim | None) -> None:
        from pynamodb.exceptions import TransactWriteError

        from chalicelib.store.models import IdempotencyModel, TicketModel

        try:
            with self._transaction() as tx:
                tx.save(
                    self._item(replace(ticket, version=0)),
                    condition=TicketModel.ticket_id.does_not_exist(),
                )
                tx.save(event_item(event))
                if claim:
                    claimed = IdempotencyModel(
                        claim.key,
                        ticket_id=ticket.ticket_id,
                        payload_hash=claim.payload_hash,
                        expires_at=claim.expires_at,
                    )
                    tx.save(claimed, condition=IdempotencyModel.key.does_not_exist())
        except TransactWriteError as error:
            if claim and _condition_failed(error, 2):
                existing = IdempotencyModel.get(claim.key)
                raise DuplicateRequest(existing.ticket_id, existing.payload_hash) from None
            if _condition_failed(error, 0):
                raise StaleTicket() from error
            raise StoreBusy() from error  # conflict or throttling: nothing written, retry

    def claimed(self, key: str) -> tuple[str, str] | None:
        from pynamodb.exceptions import DoesNotExist

        from chalicelib.store.models import IdempotencyModel

        try:
            found = IdempotencyModel.get(key, consistent_read=True)
        except DoesNotExist:
            return None
        return str(found.ticket_id), str(found.payload_hash)

    def get(self, ticket_id: str) -> Ticket | None:
        from pynamodb.exceptions import DoesNotExist

        from chalicelib.store.models import TicketModel

        try:
            return to_ticket(TicketModel.get(ticket_id, consistent_read=True))
        except DoesNotExist:
            return None

    def timeline(self, ticket_id: str) -> list[TimelineEvent]:
        from chalicelib.store.models import TicketEventModel

        return [to_event(item) for item in TicketEventModel.query(ticket_id, consistent_read=True)]

    def commit(
        self, before: Ticket, after: Ticket, event: TimelineEvent, *, stamp_ledger: bool = True
    ) -> Ticket:
        from pynamodb.exceptions import TransactWriteError

        from chalicelib.store.models import CounterModel, TicketModel

        item = self._item(replace(after, version=before.version))
        try:
            with self._transaction() as tx:
                tx.save(item, condition=TicketModel.status == before.status.value)
                tx.save(event_item(event))
                if stamped := ledger_entry(before, after, stamp_ledger):
                    ledger = CounterModel(
                        _ledger_key(stamped),
                        assigned_at=iso(event.at),
                        expires_at=event.at + LEDGER_KEEPS,
                    )
                    tx.save(ledger)
        except TransactWriteError as error:
            if _condition_failed(error, 0):
                raise StaleTicket() from error
            raise StoreBusy() from error  # conflict or throttling: nothing written, retry
        return replace(after, version=before.version + 1)

    def page(
        self, sources: Sequence[Source], filters: TicketFilter, limit: int, cursor: Cursor | None
    ) -> Page:
        from chalicelib.store.models import TicketModel

        found: list[Ticket] = []
        more = False
        for source in sources:
            index = getattr(TicketModel, source.index)
            condition: Any = None
            upper = cursor.created_at if cursor else None
            if filters.created_to is not None:
                bound = iso(filters.created_to)
                upper = min(upper, bound + "~") if upper else bound + "~"
            if upper is not None and filters.created_from is not None:
                condition = TicketModel.created_at.between(iso(filters.created_from), upper)
            elif upper is not None:
                condition = TicketModel.created_at <= upper
            elif filters.created_from is not None:
                condition = TicketModel.created_at >= iso(filters.created_from)
            results = index.query(
                source.key,
                range_key_condition=condition,
                filter_condition=_filter(filters),
                scan_index_forward=False,
                page_size=limit + 2,
            )
            admitted = (t for t in map(to_ticket, results) if filters.admits(t))
            batch = _newest_older_than(cursor, admitted, limit + 1)
            more = more or len(batch) > limit
            found.extend(batch)
        return newest_first(found, limit, more)

    def open_counts(self, station_id: str) -> dict[str, int]:
        from chalicelib.store.models import TicketModel

        keys = TicketModel.open_by_station.query(
            station_id, attributes_to_get=[TicketModel.open_assignee.attr_name]
        )
        return dict(Counter(str(item.open_assignee) for item in keys))

    def last_assigned(self, staff_ids: Sequence[str]) -> dict[str, datetime]:
        from chalicelib.store.models import CounterModel

        found = CounterModel.batch_get(
            [_ledger_key(s) for s in dict.fromkeys(staff_ids)], consistent_read=True
        )
        prefix = len(_ledger_key(""))
        return {
            item.key[prefix:]: parse_iso(item.assigned_at) for item in found if item.assigned_at
        }

    def due(self, until: datetime, limit: int) -> Iterator[Ticket]:
        """Each due shard's Query in next_due order, merged: pages are read only as the
        caller gets that far, so `limit` bounds the reads as well as the answer."""
        from chalicelib.store.models import TicketModel

        def shard(n: int) -> Iterator[Ticket]:
            results = TicketModel.by_due.query(
                shard_key("due", n),
                range_key_condition=TicketModel.next_due_at <= iso(until),
                page_size=min(limit, DUE_PAGE),
            )
            return (to_ticket(item) for item in results)

        if limit <= 0:
            return iter(())
        merged = heapq.merge(*(shard(n) for n in range(self.due_shards)), key=_due_at)
        return itertools.islice(merged, limit)

    def _item(self, ticket: Ticket) -> Any:
        return to_item(ticket, due_shards=self.due_shards, month_shards=self.month_shards)


def _due_at(ticket: Ticket) -> datetime:
    """An item of the by_due index always has a next clock."""
    return ticket.next_due[1] if ticket.next_due else ticket.created_at


def _newest_older_than(
    cursor: Cursor | None, newest_first: Iterator[Ticket], count: int
) -> list[Ticket]:
    """The first `count` tickets strictly older than the cursor, read lazily from one
    partition's newest-first query, plus any that share the last one's `created_at` (an index
    does not order equal sort keys by id, and the page merge does). Rows at the cursor's own
    instant are skipped without counting, so they never cut a page short."""
    taken: list[Ticket] = []
    for ticket in newest_first:
        if len(taken) >= count and ticket.created_at != taken[-1].created_at:
            break
        if cursor is None or cursor.precedes(ticket.created_at, ticket.ticket_id):
            taken.append(ticket)
    return taken


def _filter(filters: TicketFilter) -> Any:
    from chalicelib.store.models import TicketModel

    condition: Any = None
    if filters.status is not None:
        condition = TicketModel.status == filters.status.value
    if filters.any_status:
        one_of = TicketModel.status.is_in(*sorted(s.value for s in filters.any_status))
        condition = one_of if condition is None else condition & one_of
    if filters.type is not None:
        by_type = TicketModel.type == filters.type.value
        condition = by_type if condition is None else condition & by_type
    searched = (
        TicketModel.number == filters.number if filters.number else None,
        TicketModel.account_no == filters.account_no if filters.account_no else None,
        TicketModel.contact_phone.contains(filters.phone_last4) if filters.phone_last4 else None,
    )
    for term in searched:
        if term is not None:
            condition = term if condition is None else condition & term
    return condition
