"""POST /v1/tickets/{ticket_id}/actions: one action by a customer or staff member.

Read the ticket (1 GetItem), check who may ask (visible_ticket: 404 for a customer who does
not own it, 403 for staff out of scope; then domain.lifecycle.authorize), apply the action
(domain.transitions, pure) and commit it with its timeline event in one conditional transaction
on the version and status read. Anything that changed in between → 409 concurrent_change.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.bootstrap import Services
from chalicelib.domain.actors import CUSTOMER, staff_actor
from chalicelib.domain.assignment import on_duty
from chalicelib.domain.commands import TicketActionCommand
from chalicelib.domain.errors import Conflict, ValidationFailed
from chalicelib.domain.lifecycle import authorize
from chalicelib.domain.org import Role, Scope, Staff
from chalicelib.domain.tickets import Action, Ticket, TimelineEvent
from chalicelib.domain.transitions import apply_action
from chalicelib.usecases.photos import check_photos
from chalicelib.usecases.queries import visible_ticket

TRANSFER_ROLES = frozenset({Role.MANAGER})


@dataclass(frozen=True, slots=True)
class ActionResult:
    ticket: Ticket
    event: TimelineEvent


def actor_of(scope: Scope) -> str:
    """How the timeline names who acted: "customer" or "staff:<id>"."""
    return CUSTOMER if scope.role is Role.CUSTOMER else staff_actor(scope.subject)


def act_on_ticket(
    svc: Services, scope: Scope, ticket_id: str, request: TicketActionCommand
) -> ActionResult:
    ticket = visible_ticket(svc, scope, ticket_id)
    authorize(
        request.action,
        role=scope.role,
        is_owner=scope.role is Role.CUSTOMER and ticket.owner_id == scope.subject,
        is_assignee=ticket.assignee_id is not None and ticket.assignee_id == scope.subject,
        in_scope=scope.covers(
            grid_id=ticket.grid_id, station_id=ticket.station_id, branch_id=ticket.branch_id
        ),
    )
    check_photos(svc.uploads, scope.subject, request.photos)
    now = svc.clock()
    after, event = apply_action(
        ticket,
        request,
        actor=actor_of(scope),
        now=now,
        policy=svc.policy,
        calendar=svc.calendar,
    )
    if request.action is Action.TRANSFER:
        check_transfer_target(svc, ticket, request.to_staff_id)
    saved = svc.tickets.commit(ticket, after, event)
    return ActionResult(saved, event)


def check_transfer_target(svc: Services, ticket: Ticket, staff_id: str | None) -> Staff:
    """A transfer goes to another grid manager of the ticket's station who is on duty now."""
    target = svc.org.staff(staff_id) if staff_id else None
    if (
        target is None
        or target.role not in TRANSFER_ROLES
        or target.station_id != ticket.station_id
    ):
        raise ValidationFailed(fields={"to_staff_id": "只能转派给本供电所的网格经理"})
    if target.staff_id == ticket.assignee_id:
        raise ValidationFailed(fields={"to_staff_id": "接收人已是当前处理人"})
    if not on_duty(target, svc.clock()):
        raise Conflict(f"{target.name}当前不在岗，请转派给在岗人员", code="staff_off_duty")
    return target
