"""Tickets and timeline events ⇄ their pynamodb items (and stream images)."""

from __future__ import annotations

from typing import Any

from chalicelib.domain.org import AreaClass
from chalicelib.domain.tickets import Action, ClockName, Status, Ticket, TicketType, TimelineEvent
from chalicelib.store.keys import iso, parse_iso
from chalicelib.store.tickets import index_key


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
        area_class=str(ticket.area_class or ""),  # "" until dispatch
        priority=ticket.priority,
        assignee_id=ticket.assignee_id,
        open_station=key("open_by_station"),
        open_assignee=ticket.assignee_id if key("open_by_station") else None,
        escalation_level=ticket.escalation_level,
        overdue=ticket.overdue,
        created_at=iso(ticket.created_at),
        updated_at=iso(ticket.updated_at),
        month_shard=key("by_month"),
        settle_shard=key("by_settle"),
        clocks={name: iso(at) for name, at in ticket.clocks.items()} or None,
        due_shard=key("by_due"),
        next_due_at=iso(ticket.next_due[1]) if ticket.next_due else None,
        next_due_clock=ticket.next_due[0] if ticket.next_due else None,
        outcome=ticket.outcome or None,
        outage_id=ticket.outage_id,
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
        area_class=AreaClass(item.area_class) if item.area_class else None,
        priority=bool(item.priority),
        assignee_id=item.assignee_id,
        escalation_level=int(item.escalation_level or 0),
        overdue=bool(item.overdue),
        created_at=parse_iso(item.created_at),
        updated_at=parse_iso(item.updated_at),
        clocks={name: parse_iso(at) for name, at in clocks.items()},
        next_due=(ClockName(item.next_due_clock), parse_iso(item.next_due_at))
        if item.next_due_at
        else None,
        outcome=_plain(item.outcome) or {},
        outage_id=item.outage_id,
        version=int(item.version or 0),
    )


def event_item(event: TimelineEvent) -> Any:
    from chalicelib.store.models import TicketEventModel

    return TicketEventModel(
        event.ticket_id,
        f"{iso(event.at)}#{event.version:06d}",
        at=event.at,
        action=event.action,
        actor=event.actor,
        from_status=event.from_status.value if event.from_status else None,
        to_status=event.to_status.value,
        note=event.note,
        data=event.data or None,
    )


def to_event(item: Any) -> TimelineEvent:
    return TimelineEvent(
        ticket_id=item.ticket_id,
        at=item.at,
        action=Action(item.action),
        actor=item.actor,
        from_status=Status(item.from_status) if item.from_status else None,
        to_status=Status(item.to_status),
        version=int(item.event_key.rsplit("#", 1)[1]),
        note=item.note,
        data=_plain(item.data) or {},
    )


def ticket_from_image(image: dict[str, Any]) -> Ticket:
    """A stream image (DynamoDB JSON) → the domain ticket, through the one table model."""
    from chalicelib.store.models import TicketModel

    return to_ticket(TicketModel.from_raw_data(image))


def ticket_image(ticket: Ticket, *, due_shards: int, month_shards: int) -> dict[str, Any]:
    """The ticket as a stream image (DynamoDB JSON), as the table would hold it: for
    re-running a record the stream no longer has (infra/ops/replay.py)."""
    image: dict[str, Any] = to_item(ticket, due_shards=due_shards, month_shards=month_shards)
    return image.serialize()  # type: ignore[attr-defined]
