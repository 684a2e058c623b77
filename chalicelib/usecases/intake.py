"""Ticket intake (POST /v1/tickets): validate, locate to the grid, store once."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

import msgspec

from chalicelib.bootstrap import Services
from chalicelib.domain.commands import NewTicket
from chalicelib.domain.details import DETAILS
from chalicelib.domain.errors import Conflict, NotFound, RateLimited, ValidationFailed
from chalicelib.domain.ids import new_ulid, ticket_number
from chalicelib.domain.limits import ticket_limits
from chalicelib.domain.outages import counts_toward_outage
from chalicelib.domain.tickets import Status, Ticket, TicketType
from chalicelib.domain.transitions import creation_event
from chalicelib.observability import logger, metrics
from chalicelib.store.tickets import DuplicateRequest, IdempotencyClaim
from chalicelib.usecases.limits import enforce
from chalicelib.usecases.photos import check_photos

TOO_MANY_TICKETS = "提交工单过于频繁，请稍后再试；紧急情况请拨打 95598"
IDEMPOTENCY_TTL = timedelta(hours=24)
MAX_IDEMPOTENCY_KEY = 128


def _payload_hash(request: NewTicket) -> str:
    return hashlib.sha256(msgspec.json.encode(request)).hexdigest()


@dataclass(frozen=True, slots=True)
class Place:
    """Where a ticket is routed: a bound account's 台区, or the grid containing a point."""

    account_no: str
    address: str
    ta_id: str
    grid_id: str
    station_id: str
    branch_id: str
    priority: bool = False


def _by_account(svc: Services, owner_id: str, account_no: str) -> Place:
    customer = svc.customers.bound_customer(owner_id, account_no)
    if customer is None:
        raise NotFound("未找到该户号，请先绑定户号", code="account_not_found")
    area = svc.org.transformer_area(customer.ta_id)
    if area is None:
        raise NotFound("该户号尚未划入服务网格，请拨打 95598", code="location_unknown")
    return Place(
        customer.account_no,
        customer.address,
        area.ta_id,
        area.grid_id,
        area.station_id,
        area.branch_id,
        customer.important or customer.special,
    )


def _by_point(svc: Services, location: dict[str, Any] | None) -> Place:
    """A fault seen in the street: no 户号, so the grid containing the point takes it."""
    from chalicelib.usecases.locate import locate

    if location is None:
        raise ValidationFailed(fields={"account_no": "请填写户号，或提供故障位置 location"})
    found = locate(svc, float(location["lat"]), float(location["lng"]), "wgs84")
    address = str(location.get("address") or "") or f"位置 {location['lat']}, {location['lng']}"
    grid = found.grid
    return Place("", address, "", grid.grid_id, grid.station_id, grid.branch_id)


def _replayed(
    svc: Services, owner_id: str, request: NewTicket, idempotency_key: str | None
) -> Ticket | None:
    """The ticket an earlier request with this Idempotency-Key and body made, if any (read
    only once the caller is over a limit: the normal path pays nothing for it)."""
    if idempotency_key is None:
        return None
    found = svc.tickets.claimed(f"{owner_id}#{idempotency_key}")
    if found is None or found[1] != _payload_hash(request):
        return None
    return svc.tickets.get(found[0])


def submit_ticket(
    svc: Services, owner_id: str, request: NewTicket, idempotency_key: str | None
) -> tuple[Ticket, bool]:
    """Returns (ticket, created). A repeated Idempotency-Key returns the first ticket."""
    if not isinstance(request.details, DETAILS[request.type]):
        raise ValidationFailed(fields={"details": "与工单类型不符"})
    if idempotency_key is not None and not 0 < len(idempotency_key) <= MAX_IDEMPOTENCY_KEY:
        raise ValidationFailed(fields={"Idempotency-Key": "长度应为 1–128 个字符"})

    check_photos(svc.uploads, owner_id, request.photos)
    limits = ticket_limits(svc.settings.tickets_per_hour, svc.settings.tickets_per_day)
    try:
        enforce(svc.counters, limits, owner_id, int(svc.clock().timestamp()), TOO_MANY_TICKETS)
    except RateLimited:
        replayed = _replayed(svc, owner_id, request, idempotency_key)
        if replayed is None:
            raise
        return replayed, False  # a retry of a ticket already made is not a new one
    place = _by_account(svc, owner_id, request.account_no) if request.account_no else None
    if place is None:
        place = _by_point(svc, request.location)

    details = msgspec.to_builtins(request.details)
    if request.type is TicketType.METER_SERVICE and place.account_no:
        from chalicelib.usage.meter_fast import usage_attachment, wants_usage

        if wants_usage(request.details):  # one Query: the usage the manager will need
            details["usage"] = usage_attachment(svc.usage_reader.view(place.account_no))

    now = svc.clock()
    ticket_id = new_ulid(now)
    ticket = Ticket(
        ticket_id=ticket_id,
        number=ticket_number(ticket_id, now),
        type=request.type,
        status=Status.SUBMITTED,
        owner_id=owner_id,
        account_no=place.account_no,
        contact_phone=request.contact_phone,
        description=request.description.strip(),
        address=place.address,
        ta_id=place.ta_id,
        grid_id=place.grid_id,
        station_id=place.station_id,
        branch_id=place.branch_id,
        area_class=None,  # set at dispatch, from the grid
        created_at=now,
        updated_at=now,
        priority=place.priority,
        photos=tuple(request.photos),
        location=request.location,
        details=details,
    )
    if ticket.ta_id and counts_toward_outage(ticket.type.value, ticket.details):
        # the 台区 is already out — a published notice's window, or a fault outage: the
        # report joins that outage (the stream adds it) instead of being dispatched
        area = svc.outages.area(ticket.ta_id, now)
        notice = area.notice_at(now)
        ticket = replace(ticket, outage_id=notice.outage_id if notice else area.open_id)
    event = creation_event(ticket)
    claim = None
    if idempotency_key is not None:
        claim = IdempotencyClaim(
            key=f"{owner_id}#{idempotency_key}",
            payload_hash=_payload_hash(request),
            expires_at=now + IDEMPOTENCY_TTL,
        )
    try:
        svc.tickets.create(ticket, event, claim)
    except DuplicateRequest as duplicate:
        if claim is None or duplicate.payload_hash != claim.payload_hash:
            raise Conflict(
                "该 Idempotency-Key 已用于另一个不同的请求", code="idempotency_key_reused"
            ) from None
        existing = svc.tickets.get(duplicate.ticket_id)
        if existing is None:  # claimed but not visible yet: the same transaction, so retry
            raise Conflict("请求正在处理中，请稍后重试", code="request_in_progress") from None
        logger.info("repeated Idempotency-Key: returning the first ticket")
        return existing, False
    metrics.add_metric(name="TicketSubmitted", unit="Count", value=1)
    logger.info("ticket submitted", extra={"type": ticket.type.value, "grid_id": ticket.grid_id})
    return ticket, True
