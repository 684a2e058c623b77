"""DynamoTicketStore: tickets and their timeline in DynamoDB, every change one conditional
transaction (ticket + timeline event [+ idempotency claim])."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from chalicelib.domain.records import Ticket, TimelineEvent
from chalicelib.domain.tickets import Status, TicketType
from chalicelib.store.keys import Cursor, iso, parse_iso
from chalicelib.store.tickets import (
    DuplicateRequest,
    IdempotencyClaim,
    Page,
    Source,
    StaleTicket,
    TicketFilter,
    index_key,
    newest_first,
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
                tx.save(_event_item(event))
                if claim:
                    claimed = IdempotencyModel(
                        claim.key,
                        ticket_id=ticket.ticket_id,
                        payload_hash=claim.payload_hash,
                        expires_at=claim.expires_at,
                    )
                    tx.save(claimed, condition=IdempotencyModel.key.does_not_exist())
        except TransactWriteError as error:
            reasons = error.cancellation_reasons or []
            if (
                claim
                and len(reasons) > 2
                and reasons[2]
                and reasons[2].code == "ConditionalCheckFailed"
            ):
                existing = IdempotencyModel.get(claim.key)
                raise DuplicateRequest(existing.ticket_id, existing.payload_hash) from None
            raise StaleTicket() from error

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

    def commit(self, before: Ticket, after: Ticket, event: TimelineEvent) -> Ticket:
        from pynamodb.exceptions import TransactWriteError

        from chalicelib.store.models import TicketModel

        item = self._item(replace(after, version=before.version))
        try:
            with self._transaction() as tx:
                tx.save(item, condition=TicketModel.status == before.status.value)
                tx.save(_event_item(event))
        except TransactWriteError as error:
            raise StaleTicket() from error
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
                limit=limit + 1,
            )
            batch = [to_ticket(item) for item in results]
            if cursor:
                batch = [
                    t
                    for t in batch
                    if (iso(t.created_at), t.ticket_id) < (cursor.created_at, cursor.ticket_id)
                ]
            more = more or len(batch) > limit
            found.extend(batch)
        return newest_first(found, limit, more)

    def count_open(self, assignee_id: str) -> int:
        from chalicelib.store.models import TicketModel

        return int(TicketModel.open_by_assignee.count(assignee_id))

    def due(self, shard: str, until: datetime, limit: int) -> list[Ticket]:
        from chalicelib.store.models import TicketModel

        results = TicketModel.by_due.query(
            shard, range_key_condition=TicketModel.next_due_at <= iso(until), limit=limit
        )
        return [to_ticket(item) for item in results]

    def _item(self, ticket: Ticket) -> Any:
        return to_item(ticket, due_shards=self.due_shards, month_shards=self.month_shards)


def _filter(filters: TicketFilter) -> Any:
    from chalicelib.store.models import TicketModel

    condition = None
    if filters.status is not None:
        condition = TicketModel.status == filters.status.value
    if filters.type is not None:
        by_type = TicketModel.type == filters.type.value
        condition = by_type if condition is None else condition & by_type
    return condition


# ------------------------------------------------------------------ mapping
def to_item(ticket: Ticket, *, due_shards: int, month_shards: int) -> Any:
    from chalicelib.store.models import TicketModel

    def key(index: str) -> str | None:
        return index_key(ticket, index, due_shards=due_shards, month_shards=month_shards)

    item = TicketModel(
        ticket.ticket_id,
        number=ticket.number,
        type=ticket.type.value,
        status=ticket.status.value,
        channel=ticket.channel,
        owner_id=ticket.owner_id,
        account_no=ticket.account_no,
        contact_phone=ticket.contact_phone,
        description=ticket.description,
        photos=list(ticket.photos),
        location=ticket.location,
        details=ticket.details or None,
        address=ticket.address,
        ta_id=ticket.ta_id,
        grid_id=ticket.grid_id,
        station_id=ticket.station_id,
        branch_id=ticket.branch_id,
        area_class=ticket.area_class,
        priority=ticket.priority,
        assignee_id=ticket.assignee_id,
        open_assignee=key("open_by_assignee"),
        escalation_level=ticket.escalation_level,
        overdue=ticket.overdue,
        created_at=iso(ticket.created_at),
        updated_at=iso(ticket.updated_at),
        month_shard=key("by_month"),
        clocks={name: iso(at) for name, at in ticket.clocks.items()} or None,
        due_shard=key("by_due"),
        next_due_at=iso(ticket.next_due[1]) if ticket.next_due else None,
        next_due_clock=ticket.next_due[0] if ticket.next_due else None,
        outcome=ticket.outcome or None,
    )
    if ticket.version:  # unset for a new item: pynamodb then requires it not to exist
        item.version = ticket.version
    return item


def _plain(value: Any) -> Any:
    """pynamodb raw maps come back as MapAttribute objects and Decimals: make them JSON-able."""
    from decimal import Decimal

    if value is None:
        return None
    if hasattr(value, "as_dict"):
        value = value.as_dict()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def to_ticket(item: Any) -> Ticket:
    clocks = _plain(item.clocks) or {}
    return Ticket(
        ticket_id=item.ticket_id,
        number=item.number,
        type=TicketType(item.type),
        status=Status(item.status),
        channel=item.channel,
        owner_id=item.owner_id,
        account_no=item.account_no,
        contact_phone=item.contact_phone,
        description=item.description,
        photos=tuple(item.photos or ()),
        location=_plain(item.location),
        details=_plain(item.details) or {},
        address=item.address,
        ta_id=item.ta_id,
        grid_id=item.grid_id,
        station_id=item.station_id,
        branch_id=item.branch_id,
        area_class=item.area_class,
        priority=bool(item.priority),
        assignee_id=item.assignee_id,
        escalation_level=int(item.escalation_level or 0),
        overdue=bool(item.overdue),
        created_at=parse_iso(item.created_at),
        updated_at=parse_iso(item.updated_at),
        clocks={name: parse_iso(at) for name, at in clocks.items()},
        next_due=(item.next_due_clock, parse_iso(item.next_due_at)) if item.next_due_at else None,
        outcome=_plain(item.outcome) or {},
        version=int(item.version or 0),
    )


def _event_item(event: TimelineEvent) -> Any:
    from chalicelib.store.models import TicketEventModel

    return TicketEventModel(
        event.ticket_id,
        f"{iso(event.at)}#{event.version:06d}",
        at=event.at,
        action=event.action,
        actor=event.actor,
        from_status=event.from_status.value,
        to_status=event.to_status.value,
        note=event.note,
        data=event.data or None,
    )


def to_event(item: Any) -> TimelineEvent:
    return TimelineEvent(
        ticket_id=item.ticket_id,
        at=item.at,
        action=item.action,
        actor=item.actor,
        from_status=Status(item.from_status),
        to_status=Status(item.to_status),
        version=int(item.event_key.rsplit("#", 1)[1]),
        note=item.note,
        data=_plain(item.data) or {},
    )
