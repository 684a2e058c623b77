"""Applying one client action to a ticket: the next status, the moments it records, the
clocks it restarts, and its timeline event. Pure (time comes in as `now`); who may ask is
checked before this (domain.lifecycle.authorize), the conditional commit after it.

Decisions:
* A request is validated before the state is: a missing `location` on `arrive` is a 400
  even on a ticket that could not arrive anyway.
* `transfer` re-dispatches to the new assignee: the accept clock restarts from
  `reassigned_at` and `accepted_at` is cleared, but the round's first `dispatched_at` stays
  (the dispatch step is judged on it) and an accept clock already missed stays missed
  (`accept_missed_at`, domain.rounds.transferred). The escalation level is kept.
* `reopen` starts a new round: the round so far — clocks, cause, location, rating, callback,
  holders and each clock's verdict — is archived in `outcome.rounds` (domain.rounds), and
  the ticket goes back to `dispatched` to the same assignee with every clock from now
  (`reopened_at`, `dispatched_at`). Nothing is reset: the escalation level, `overdue` and
  the timeline stay; `outcome.reopen_count` counts the rounds archived.
* Whoever holds the ticket when a step meets its clock is noted as that clock's holder.
* Every event carries the round it belongs to (`data.round`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from chalicelib.domain.actors import CUSTOMER, SYSTEM
from chalicelib.domain.assignment import Assignment, Route
from chalicelib.domain.calendar import WorkCalendar
from chalicelib.domain.clocks import restamp
from chalicelib.domain.commands import TicketActionCommand
from chalicelib.domain.errors import ValidationFailed
from chalicelib.domain.lifecycle import next_status
from chalicelib.domain.org import AreaClass, Grid
from chalicelib.domain.policy import ServicePolicy
from chalicelib.domain.rounds import held, reopened, round_number, transferred
from chalicelib.domain.tickets import Action, Status, Ticket, TicketType, TimelineEvent

STAFF_PHOTO_ACTIONS = frozenset({Action.ARRIVE, Action.RESOLVE})
ROUTE_NOTES = {
    Route.GRID_MANAGER: "派单给网格经理{name}",
    Route.MUTUAL_AID: "网格经理离岗，派单给互助组{name}",
    Route.STATION_CHIEF: "网格经理及互助组均离岗，派单给所长{name}",
}


def timeline_event(
    before: Ticket | None,
    after: Ticket,
    action: Action,
    *,
    actor: str,
    at: datetime,
    note: str | None = None,
    data: Mapping[str, Any] | None = None,
) -> TimelineEvent:
    """The timeline's record of one change, `before` → `after`; `before` None is the
    ticket's creation (from no status). The event is the ticket version the change produces
    and carries the round it belongs to (`data.round`: the round of `after`)."""
    return TimelineEvent(
        ticket_id=after.ticket_id,
        at=at,
        action=action,
        actor=actor,
        from_status=before.status if before is not None else None,
        to_status=after.status,
        version=(before.version if before is not None else 0) + 1,
        note=note,
        data={**(data or {}), "round": round_number(after)},
    )


def creation_event(ticket: Ticket, *, actor: str = CUSTOMER) -> TimelineEvent:
    """The first event of a new ticket: from no status to its initial one."""
    return timeline_event(None, ticket, Action.SUBMIT, actor=actor, at=ticket.created_at)


def dispatched(
    ticket: Ticket,
    grid: Grid,
    assignment: Assignment,
    *,
    policy: ServicePolicy,
    calendar: WorkCalendar,
    now: datetime,
) -> tuple[Ticket, TimelineEvent]:
    """A submitted ticket given to `assignment`: escalation level 1, the grid's area class,
    the clocks of SERVICE_STANDARDS.md and the next due clock, and its event."""
    draft = replace(
        ticket,
        status=Status.DISPATCHED,
        assignee_id=assignment.assignee.staff_id,
        escalation_level=1,
        area_class=AreaClass(grid.area_class),
        clocks={**ticket.clocks, "dispatched_at": now},
        updated_at=now,
    )
    after = restamp(draft, policy, calendar)  # deadlines and next_due, as every action does
    note = ROUTE_NOTES[assignment.route].format(name=assignment.assignee.name)
    data = {"assignee_id": assignment.assignee.staff_id, "route": assignment.route.value}
    event = timeline_event(
        ticket, after, Action.DISPATCH, actor=SYSTEM, at=now, note=note, data=data
    )
    return after, event


CALLBACK_OUTCOMES = ("reached", "unreachable")


def check_fields(request: TicketActionCommand, ticket_type: TicketType) -> None:
    """ValidationFailed naming every field the action needs and lacks, or must not carry."""
    a = request.action
    fields: dict[str, str] = {}
    if a is Action.ARRIVE and request.location is None:
        fields["location"] = "到达现场须上报定位"
    if a is Action.RESOLVE and ticket_type is TicketType.FAULT_REPAIR and not request.cause:
        fields["cause"] = "故障工单须填写故障原因"
    if a is Action.TRANSFER and not request.to_staff_id:
        fields["to_staff_id"] = "转派须指定接收人"
    if request.photos and a not in STAFF_PHOTO_ACTIONS:
        fields["photos"] = "仅到达现场和处理完成时可上传图片"
    reached = a is Action.CALLBACK and request.outcome == "reached"
    if (request.rating is not None or request.comment) and not (a is Action.CONFIRM or reached):
        fields["rating" if request.rating is not None else "comment"] = (
            "仅客户确认或电话回访联系上客户时可评价"
        )
    if a is Action.CALLBACK and request.outcome not in CALLBACK_OUTCOMES:
        fields["outcome"] = "电话回访须填写结果：reached（已联系上）或 unreachable（未接通）"
    if a is not Action.CALLBACK and request.outcome is not None:
        fields["outcome"] = "仅电话回访可填写结果"
    if fields:
        raise ValidationFailed(fields=fields)


def apply_action(
    ticket: Ticket,
    request: TicketActionCommand,
    *,
    actor: str,
    now: datetime,
    policy: ServicePolicy,
    calendar: WorkCalendar,
) -> tuple[Ticket, TimelineEvent]:
    """The ticket after `request` by `actor` ("customer" or "staff:<id>"; version unchanged:
    the store bumps it) and its event.
    Raises ValidationFailed (400) or Conflict (409, illegal for the status)."""
    check_fields(request, ticket.type)
    target = next_status(
        ticket.status,
        request.action,
        ticket_type=ticket.type,
        resolved_at=ticket.clocks.get("resolved_at"),
        now=now,
        reopen_window=policy.reopen_window,
    )
    if request.action is Action.CALLBACK and request.outcome == "unreachable":
        target = ticket.status  # the attempt is on record; the ticket waits for the next one
    after = _record(ticket, request, now)
    after = restamp(replace(after, status=target, updated_at=now), policy, calendar)
    data: dict[str, Any] = {}
    if request.photos:
        data["photos"] = list(request.photos)
    if request.action is Action.TRANSFER:
        data.update(from_staff_id=ticket.assignee_id, to_staff_id=request.to_staff_id)
    if request.action is Action.CALLBACK:
        data["outcome"] = request.outcome
        if request.rating is not None:
            data["rating"] = request.rating
    event = timeline_event(
        ticket, after, request.action, actor=actor, at=now, note=request.note, data=data
    )
    return after, event


def _record(ticket: Ticket, request: TicketActionCommand, now: datetime) -> Ticket:
    clocks = dict(ticket.clocks)
    outcome = dict(ticket.outcome)
    a = request.action
    if a is Action.ACCEPT:
        clocks["accepted_at"] = now
        outcome = held(outcome, "accept", ticket.assignee_id)
    elif a is Action.ARRIVE:
        clocks["arrived_at"] = now
        outcome = {
            **held(outcome, "arrive", ticket.assignee_id),
            "arrive_location": request.location,
        }
    elif a is Action.RESOLVE:
        clocks["resolved_at"] = now
        outcome = held(outcome, "resolve", ticket.assignee_id)
        if request.cause:
            outcome["cause"] = request.cause
    elif a is Action.CANCEL:
        clocks["cancelled_at"] = now
    elif a is Action.CONFIRM:
        clocks["closed_at"] = now
        outcome["no_callback"] = False
        if request.rating is not None:
            outcome["rating"] = request.rating
        if request.comment:
            outcome["comment"] = request.comment
    elif a is Action.CALLBACK and request.outcome == "reached":
        clocks["closed_at"] = now
        outcome["callback"] = "reached"
        if request.rating is not None:
            outcome["rating"] = request.rating
        if request.comment:
            outcome["comment"] = request.comment
    elif a is Action.TRANSFER:
        moved = transferred(clocks, now)
        return replace(ticket, clocks=moved, assignee_id=request.to_staff_id)
    elif a is Action.REOPEN:
        clocks = {"reopened_at": now, "dispatched_at": now}
        return replace(ticket, clocks=clocks, outcome=reopened(ticket, now))
    if request.photos:
        outcome["work_photos"] = [*outcome.get("work_photos", []), *request.photos]
    return replace(ticket, clocks=clocks, outcome=outcome)
