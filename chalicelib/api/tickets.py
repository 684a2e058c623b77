"""Tickets: create, read, list (API.md, Tickets)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

import msgspec
from chalice import Blueprint
from chalice.app import Response

from chalicelib.api.docs import doc
from chalicelib.api.http import (
    caller,
    decode,
    endpoint,
    page_limit,
    query_params,
    respond,
)
from chalicelib.api.present import ticket_detail, ticket_out
from chalicelib.api.schemas import CreateTicket, PhotoList, PhotoOut, TicketList, TicketOut
from chalicelib.api.validation import all_field_errors, invalid_choice
from chalicelib.bootstrap import services
from chalicelib.domain.commands import NewTicket
from chalicelib.domain.dates import MAX_PERIOD_DAYS, SHANGHAI, parse_day
from chalicelib.domain.details import DETAILS
from chalicelib.domain.errors import ValidationFailed
from chalicelib.domain.org import Role
from chalicelib.domain.phone import contact_e164
from chalicelib.domain.search import SEARCH_DAYS, read_term
from chalicelib.domain.tickets import Status, TicketType
from chalicelib.observability import bind_ticket
from chalicelib.usecases.scope import scope_of

from .guard import protected

if TYPE_CHECKING:
    from chalicelib.store.tickets import TicketFilter

# Intake (with its rate limits, outage check and rules) and the ticket queries with their
# store load on their first request, not with `import app` (bench/bench_coldstart.py).

tickets_api = Blueprint(__name__)
PHONE_HINT = "应为大陆手机号或带区号的固定电话（如 13812345678、0478-8123456）"


@tickets_api.route("/v1/tickets", methods=["POST"], **protected())
@endpoint
@doc(
    "提交工单（客户）",
    body=CreateTicket,
    response=TicketOut,
    status=201,
    errors=(403, 404, 409),
    headers={"Idempotency-Key": "同一调用方重复提交时返回同一工单"},
)
def create_ticket() -> Response:
    from chalicelib.usecases.intake import submit_ticket

    request = tickets_api.current_request
    who = caller(request, Role.CUSTOMER)
    body = decode(request, CreateTicket, also=submission_errors)
    svc = services()
    command = new_ticket(body)
    ticket, _ = submit_ticket(svc, who.subject, command, request.headers.get("idempotency-key"))
    bind_ticket(ticket.ticket_id)
    out = ticket_out(ticket, now=svc.clock())
    if ticket.outage_id:  # joined an outage: answer with its notice at once
        from chalicelib.api.present_outages import notice

        outage = svc.outages.get(ticket.outage_id)
        out.outage_notice = notice(outage, svc.clock()) if outage else None
    return respond(out, 201)


def new_ticket(body: CreateTicket) -> NewTicket:
    """The submission as the use case takes it: `details` decoded into its type's struct, the
    contact phone in E.164. A 400 names every rule the body breaks."""
    errors = submission_errors(msgspec.to_builtins(body))
    if errors:
        raise ValidationFailed(fields=errors)
    return NewTicket(
        type=body.type,
        account_no=body.account_no,
        description=body.description,
        contact_phone=contact_e164(body.contact_phone) or body.contact_phone,
        details=msgspec.convert(body.details, type=DETAILS[body.type]),
        photos=tuple(body.photos),
        location=msgspec.to_builtins(body.location) if body.location else None,
    )


def submission_errors(plain: object) -> dict[str, str]:
    """What CreateTicket's Struct cannot say: a description of only spaces, a contact phone
    that is no real number, and `details` against its type's struct (when the type is valid)."""
    if not isinstance(plain, dict):
        return {}
    errors: dict[str, str] = {}
    phone = plain.get("contact_phone")
    if isinstance(phone, str) and contact_e164(phone) is None:
        errors["contact_phone"] = PHONE_HINT
    description = plain.get("description")
    if isinstance(description, str) and description and not description.strip():
        errors["description"] = "不能只有空白"
    kind, details = plain.get("type"), plain.get("details", {})
    if isinstance(kind, str) and kind in TicketType._value2member_map_:
        errors.update(all_field_errors(details, DETAILS[TicketType(kind)], "details"))
    return errors


@tickets_api.route("/v1/tickets/{ticket_id}", methods=["GET"], **protected())
@endpoint
@doc("查看工单及其处理时间线", response=TicketOut, errors=(403, 404))
def get_ticket(ticket_id: str) -> Response:
    from chalicelib.usecases.queries import visible_ticket

    svc = services()
    bind_ticket(ticket_id)
    scope = scope_of(svc, caller(tickets_api.current_request))
    return respond(ticket_detail(svc, visible_ticket(svc, scope, ticket_id)))


@tickets_api.route("/v1/tickets/{ticket_id}/photos", methods=["GET"], **protected())
@endpoint
@doc("工单照片的临时查看链接（10 分钟内有效）", response=PhotoList, errors=(403, 404))
def ticket_photo_links(ticket_id: str) -> Response:
    from chalicelib.usecases.photos import photo_links
    from chalicelib.usecases.queries import visible_ticket

    svc = services()
    scope = scope_of(svc, caller(tickets_api.current_request))
    ticket = visible_ticket(svc, scope, ticket_id)
    links = photo_links(svc.uploads, ticket)
    return respond(PhotoList(items=[PhotoOut(label, key, url) for label, key, url in links]))


@tickets_api.route("/v1/tickets", methods=["GET"], **protected())
@endpoint
@doc(
    "按角色范围列出工单（新的在前）",
    response=TicketList,
    query={
        "status": "状态；逗号分隔时为其中之一（如 dispatched,accepted,on_site）",
        "mine": "1：只列出指派给我的工单（员工）",
        "q": "查询：工单号、户号或客户手机尾号 4 位（未给日期时回看 31 天）",
        "type": "类型",
        "from": "起始日期 YYYY-MM-DD（含）",
        "to": "结束日期 YYYY-MM-DD（含）",
        "limit": "每页条数，默认 20，最多 100",
        "cursor": "上一页返回的 next_cursor",
    },
)
def list_my_tickets() -> Response:
    from chalicelib.usecases.queries import list_tickets

    request = tickets_api.current_request
    svc = services()
    scope = scope_of(svc, caller(request))
    params = query_params(request)
    now = svc.clock()
    filters, limit = parse_list_params(params, now)
    page = list_tickets(svc, scope, filters, limit, params.get("cursor"))
    items = [
        ticket_out(t, now=now, assignee=svc.org.staff(t.assignee_id) if t.assignee_id else None)
        for t in page.items
    ]
    return respond(TicketList(items=items, next_cursor=page.next_cursor))


def _day(value: str, field: str, end: bool) -> datetime:
    day = parse_day(value, field)
    start = datetime.combine(day, time.min, tzinfo=SHANGHAI)
    return start + timedelta(days=1) - timedelta(microseconds=1) if end else start


def parse_list_params(params: dict[str, str], now: datetime) -> tuple[TicketFilter, int]:
    from chalicelib.store.tickets import TicketFilter

    fields: dict[str, str] = {}
    statuses = params["status"].split(",") if "status" in params else []
    kind = params.get("type")
    if len(statuses) > len(Status) or any(s not in Status._value2member_map_ for s in statuses):
        fields["status"] = invalid_choice(Status)
    if params.get("mine", "1") not in ("0", "1"):
        fields["mine"] = "应为 0 或 1"
    if kind is not None and kind not in TicketType._value2member_map_:
        fields["type"] = invalid_choice(TicketType)
    limit = page_limit(params, fields)
    if fields:
        raise ValidationFailed(fields=fields)
    term = read_term(params["q"]) if "q" in params else None
    if "q" in params and term is None:
        raise ValidationFailed(fields={"q": "应为工单号、户号或手机尾号 4 位"})
    start = _day(params["from"], "from", end=False) if "from" in params else None
    end = _day(params["to"], "to", end=True) if "to" in params else None
    if term is not None and term.day is not None:  # a number names its own creation day
        start = _day(term.day.isoformat(), "q", end=False)
        end = _day(term.day.isoformat(), "q", end=True)
    elif term is not None and start is None:  # bounded: a search reads at most a month back
        start = (end or now) - timedelta(days=SEARCH_DAYS)
    if start and end and start > end:
        raise ValidationFailed(fields={"from": "起始日期不能晚于结束日期"})
    if start and (end or now) - start >= timedelta(days=MAX_PERIOD_DAYS):
        # one call reads at most a year of month partitions (API.md: bounded cost)
        message = f"查询区间最长 {MAX_PERIOD_DAYS} 天（未给结束日期时算到今天）"
        raise ValidationFailed(fields={"to" if end else "from": message})
    return (
        TicketFilter(
            status=Status(statuses[0]) if len(statuses) == 1 else None,
            any_status=frozenset(Status(s) for s in statuses) if len(statuses) > 1 else frozenset(),
            mine=params.get("mine") == "1",
            number=term.value if term and term.kind == "number" else None,
            account_no=term.value if term and term.kind == "account_no" else None,
            phone_last4=term.value if term and term.kind == "phone_last4" else None,
            type=TicketType(kind) if kind else None,
            created_from=start,
            created_to=end,
        ),
        limit,
    )
