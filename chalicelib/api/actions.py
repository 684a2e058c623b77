"""Ticket actions (API.md, Tickets → actions): accept, arrive, resolve, transfer, callback,
cancel, confirm, reopen. Thin: decode, one use case, present."""

from __future__ import annotations

import msgspec
from chalice import Blueprint
from chalice.app import Response

from chalicelib.api.docs import doc
from chalicelib.api.http import caller, decode, endpoint, respond
from chalicelib.api.present import ticket_detail
from chalicelib.api.schemas import TicketAction, TicketOut
from chalicelib.bootstrap import services
from chalicelib.domain.commands import TicketActionCommand
from chalicelib.domain.tickets import Action
from chalicelib.usecases.scope import scope_of

from .guard import protected

# `act_on_ticket` and the rules behind it (transitions, clocks, assignment) load on the
# first action, not with `import app` (bench/bench_coldstart.py).

actions_api = Blueprint(__name__)


@actions_api.route("/v1/tickets/{ticket_id}/actions", methods=["POST"], **protected())
@endpoint
@doc(
    "办理工单：接单/到达/处理完成/转派/电话回访（服务人员），撤销/确认评价/重新打开（客户）",
    body=TicketAction,
    response=TicketOut,
    errors=(403, 404, 409),
)
def act(ticket_id: str) -> Response:
    from chalicelib.usecases.actions import act_on_ticket

    request = actions_api.current_request
    svc = services()
    scope = scope_of(svc, caller(request))
    result = act_on_ticket(svc, scope, ticket_id, action_command(decode(request, TicketAction)))
    return respond(ticket_detail(svc, result.ticket))


def action_command(body: TicketAction) -> TicketActionCommand:
    return TicketActionCommand(
        action=Action(body.action),
        note=body.note,
        location=msgspec.to_builtins(body.location) if body.location else None,
        photos=tuple(body.photos),
        cause=body.cause,
        to_staff_id=body.to_staff_id,
        rating=body.rating,
        comment=body.comment,
        outcome=body.outcome,
    )
