"""Outages (API.md, "Outages"): the list for customers and staff, and staff actions. Thin:
decode, one call to the outage desk, present."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint
from chalice.app import Response

from chalicelib.api.docs import doc
from chalicelib.api.http import caller, decode, endpoint, page_limit, query_params, respond
from chalicelib.api.outage_schemas import (
    CallbackAnswer,
    CallbackReply,
    OutageActionBody,
    OutageList,
    OutageOut,
    PublishOutage,
)
from chalicelib.bootstrap import Services, services
from chalicelib.domain.errors import ValidationFailed
from chalicelib.usecases.scope import scope_of

if TYPE_CHECKING:
    from chalicelib.outages.desk import OutageDesk

# The outage desk, its rules and presenters load on the first outage request, not with
# `import app` (cold starts of every other route stay short: bench/bench_coldstart.py).

from .guard import protected

outages_api = Blueprint(__name__)


def desk(svc: Services) -> OutageDesk:
    from chalicelib.outages.desk import OutageDesk

    return OutageDesk(
        svc.outages, svc.customers, svc.org, svc.settings.bureau, svc.clock, svc.policy.outages
    )


@outages_api.route("/v1/outages", methods=["POST"], **protected())
@endpoint
@doc(
    "发布计划/临时检修停电公告（所长、分局、运营）：计划停电须提前 7 天，临时检修须提前 24 小时"
    "且已通知重要客户",
    body=PublishOutage,
    response=OutageOut,
    status=201,
    errors=(403,),
)
def publish_outage() -> Response:
    from chalicelib.api.present_outages import outage_out
    from chalicelib.domain.outage_vocabulary import OutageKind
    from chalicelib.outages.desk import PublishCommand, parse_moment

    request = outages_api.current_request
    svc = services()
    scope = scope_of(svc, caller(request))
    body = decode(request, PublishOutage)
    starts_at = parse_moment(body.starts_at, "starts_at")
    ends_at = parse_moment(body.ends_at, "ends_at")
    assert starts_at is not None and ends_at is not None  # required fields
    command = PublishCommand(
        kind=OutageKind(body.kind),
        starts_at=starts_at,
        ends_at=ends_at,
        cause=body.cause,
        publisher=body.publisher,
        contact_phone=body.contact_phone,
        transformer_area_ids=tuple(body.transformer_area_ids),
        line_id=body.line_id,
        important_notified=body.important_notified,
    )
    outage = desk(svc).publish(scope, command)
    return respond(outage_out(outage, now=svc.clock(), org=svc.org, timeline=True), 201)


@outages_api.route("/v1/outages", methods=["GET"], **protected())
@endpoint
@doc(
    "停电事件：客户按已绑定户号查询所在台区；员工按范围列出（新的在前）",
    response=OutageList,
    errors=(403, 404),
    query={
        "account_no": "户号（客户，须已绑定）",
        "station_id": "供电所（员工，须在范围内）",
        "state": "probable / confirmed / restored / cancelled",
        "kind": "fault / planned / temporary",
        "limit": "每页条数，默认 20，最多 100",
        "cursor": "上一页返回的 next_cursor",
    },
)
def list_outages() -> Response:
    from chalicelib.api.present_outages import outage_out
    from chalicelib.domain.outage_vocabulary import OutageKind, OutageState
    from chalicelib.outages.desk import OutageQuery

    request = outages_api.current_request
    svc = services()
    scope = scope_of(svc, caller(request))
    params = query_params(request)
    fields: dict[str, str] = {}
    limit = page_limit(params, fields)
    state, kind = params.get("state"), params.get("kind")
    if state is not None and state not in OutageState._value2member_map_:
        fields["state"] = "未知的状态"
    if kind is not None and kind not in OutageKind._value2member_map_:
        fields["kind"] = "未知的类型"
    if fields:
        raise ValidationFailed(fields=fields)
    query = OutageQuery(
        account_no=params.get("account_no"),
        station_id=params.get("station_id"),
        state=OutageState(state) if state else None,
        kind=OutageKind(kind) if kind else None,
        limit=limit,
        cursor=params.get("cursor"),
    )
    page = desk(svc).find(scope, query)
    now = svc.clock()
    items = [outage_out(o, now=now, org=svc.org) for o in page.items]
    return respond(OutageList(items=items, next_cursor=page.next_cursor))


@outages_api.route("/v1/outages/{outage_id}/actions", methods=["POST"], **protected())
@endpoint
@doc(
    "办理停电事件：确认 / 更新预计恢复时间 / 恢复供电 / 取消（范围内的员工）",
    body=OutageActionBody,
    response=OutageOut,
    errors=(403, 404, 409),
)
def act_on_outage(outage_id: str) -> Response:
    from chalicelib.api.present_outages import outage_out
    from chalicelib.domain.outage_vocabulary import OutageAction
    from chalicelib.outages.desk import OutageCommand, parse_moment

    request = outages_api.current_request
    svc = services()
    scope = scope_of(svc, caller(request))
    body = decode(request, OutageActionBody)
    command = OutageCommand(
        action=OutageAction(body.action), etr=parse_moment(body.etr, "etr"), note=body.note
    )
    outage = desk(svc).act(scope, outage_id, command)
    return respond(outage_out(outage, now=svc.clock(), org=svc.org, timeline=True))


@outages_api.route("/v1/outages/{outage_id}/callback", methods=["POST"], **protected())
@endpoint
@doc(
    "复电回访（客户）：回复 1 已恢复，2 仍停电（新建工单，关联本停电事件）",
    body=CallbackReply,
    response=CallbackAnswer,
    errors=(403, 404, 409),
)
def answer_callback(outage_id: str) -> Response:
    from chalicelib.domain.errors import NotFound
    from chalicelib.domain.org import Role
    from chalicelib.outages.callback import callback_desk

    request = outages_api.current_request
    who = caller(request, Role.CUSTOMER)
    svc = services()
    body = decode(request, CallbackReply)
    if svc.customers.bound_customer(who.subject, body.account_no) is None:
        raise NotFound("未找到该户号，请先绑定户号", code="account_not_found")
    ticket = callback_desk(svc).answer(outage_id, body.account_no, body.reply, who.subject)
    return respond(
        CallbackAnswer(
            reply=body.reply,
            ticket_id=ticket.ticket_id if ticket else None,
            number=ticket.number if ticket else None,
        )
    )
