"""The ticket state machine: which action moves a ticket from which status to which, and who
may ask for it. Pure: the time comes in as `now`.

    submitted ─dispatch→ dispatched ─accept→ accepted ─arrive→ on_site ─resolve→ resolved
    resolved ─confirm / callback (reached) / auto_close→ closed
    submitted, dispatched ─cancel→ cancelled
    resolved, closed ─reopen (≤ 7 days after resolved_at)→ dispatched

Decisions the contract leaves open:
* `resolve` from `accepted` is allowed only for consultations, which need no visit.
* `transfer` is allowed from `dispatched` and `accepted` and returns the ticket to
  `dispatched` (the new assignee must accept). Not from `on_site`: whoever is on site
  resolves, so the arrival on record belongs to the person who finishes the job.
* `escalate` changes no status and is allowed on every open ticket.
* `callback` is staff's phone callback (回访) of a resolved ticket the customer has not
  confirmed: the assignee, a chief or branch officer of its scope, or ops (the callback desk)
  records it. Reaching the customer closes the ticket, as a confirmation would, and counts as
  the callback step; an unanswered call is recorded and leaves it resolved.
* `cancelled` is final. `closed` is final except `reopen` inside the window.
* `submit` is not a transition: a ticket is created `submitted` (its creation event goes
  from no status to `submitted`: domain.transitions.creation_event).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from .errors import Conflict, Forbidden, TicketNotFound
from .labels import ACTION_LABELS, STATUS_LABELS
from .org import Role
from .policy import DEFAULT_POLICY
from .tickets import OPEN_STATUSES, Action, Status, TicketType

SYSTEM_ACTIONS = frozenset({Action.SUBMIT, Action.DISPATCH, Action.ESCALATE, Action.AUTO_CLOSE})
CUSTOMER_ACTIONS = frozenset({Action.CANCEL, Action.CONFIRM, Action.REOPEN})
SCOPE_ROLES = frozenset({Role.CHIEF, Role.BRANCH})  # may act on any ticket in their scope
CALLBACK_ROLES = SCOPE_ROLES | {Role.OPS}  # the callback desk calls customers bureau-wide

_MOVES: Mapping[Action, Mapping[Status, Status]] = {
    Action.DISPATCH: {Status.SUBMITTED: Status.DISPATCHED},
    Action.ESCALATE: {status: status for status in OPEN_STATUSES},
    Action.AUTO_CLOSE: {Status.RESOLVED: Status.CLOSED},
    Action.ACCEPT: {Status.DISPATCHED: Status.ACCEPTED},
    Action.ARRIVE: {Status.ACCEPTED: Status.ON_SITE},
    Action.RESOLVE: {Status.ON_SITE: Status.RESOLVED, Status.ACCEPTED: Status.RESOLVED},
    Action.TRANSFER: {Status.DISPATCHED: Status.DISPATCHED, Status.ACCEPTED: Status.DISPATCHED},
    Action.CANCEL: {Status.SUBMITTED: Status.CANCELLED, Status.DISPATCHED: Status.CANCELLED},
    Action.CONFIRM: {Status.RESOLVED: Status.CLOSED},
    Action.CALLBACK: {Status.RESOLVED: Status.CLOSED},  # unreachable: stays (transitions)
    Action.REOPEN: {Status.RESOLVED: Status.DISPATCHED, Status.CLOSED: Status.DISPATCHED},
}

# Moves open to some ticket types only.
_TYPE_LIMITED: Mapping[tuple[Action, Status], frozenset[TicketType]] = {
    (Action.RESOLVE, Status.ACCEPTED): frozenset({TicketType.CONSULTATION}),
}


def _illegal(current: Status, action: Action) -> Conflict:
    return Conflict(
        f"工单当前状态为“{STATUS_LABELS[current]}”，不能执行“{ACTION_LABELS[action]}”",
        code="illegal_transition",
    )


def _describe(window: timedelta) -> str:
    if window % timedelta(days=1) == timedelta(0):
        return f"{window.days}天"
    if window % timedelta(hours=1) == timedelta(0):
        return f"{window // timedelta(hours=1)}小时"
    return f"{max(1, round(window / timedelta(minutes=1)))}分钟"


def next_status(
    current: Status,
    action: Action,
    *,
    ticket_type: TicketType,
    resolved_at: datetime | None,
    now: datetime,
    reopen_window: timedelta = DEFAULT_POLICY.reopen_window,
) -> Status:
    """The status `action` leads to from `current`.

    Raises Conflict `illegal_transition` when the action does not apply to the status (or the
    ticket type), and Conflict `reopen_window_closed` when a reopen comes more than
    `reopen_window` after `resolved_at` (exactly at the limit is still in time). A resolved or
    closed ticket without `resolved_at` is corrupt data: ValueError.
    """
    target = _MOVES.get(action, {}).get(current)
    allowed_types = _TYPE_LIMITED.get((action, current))
    if target is None or (allowed_types is not None and ticket_type not in allowed_types):
        raise _illegal(current, action)
    if action is Action.REOPEN:
        if resolved_at is None:
            raise ValueError(f"a {current} ticket must have resolved_at")
        if now - resolved_at > reopen_window:
            raise Conflict(
                f"处理完成已超过{_describe(reopen_window)}，不能重新打开；如仍有问题请重新报修",
                code="reopen_window_closed",
            )
    return target


def available_actions(
    current: Status,
    *,
    ticket_type: TicketType,
    resolved_at: datetime | None,
    now: datetime,
    reopen_window: timedelta = DEFAULT_POLICY.reopen_window,
) -> frozenset[Action]:
    """Every action `next_status` would accept now (for showing buttons), any role."""
    allowed = set()
    for action in Action:
        try:
            next_status(
                current,
                action,
                ticket_type=ticket_type,
                resolved_at=resolved_at,
                now=now,
                reopen_window=reopen_window,
            )
        except Conflict:
            continue
        allowed.add(action)
    return frozenset(allowed)


def authorize(
    action: Action, *, role: Role, is_owner: bool, is_assignee: bool, in_scope: bool
) -> None:
    """May this caller ask for `action` on this ticket? Check before `next_status`.

    A customer who does not own the ticket gets NotFound whatever the action, so the answer
    never reveals that the ticket exists. Otherwise: system actions are nobody's to request;
    customer actions are the owner's; staff actions belong to the assignee, or to a chief or
    branch duty officer whose scope covers the ticket. Everything else is Forbidden.
    """
    if role is Role.CUSTOMER and not is_owner:
        raise TicketNotFound()
    label = ACTION_LABELS[action]
    if action in SYSTEM_ACTIONS:
        raise Forbidden(f"“{label}”由系统自动执行，不能手动操作")
    if action in CUSTOMER_ACTIONS:
        if role is not Role.CUSTOMER:
            raise Forbidden(f"“{label}”只能由提交工单的客户本人操作")
        return
    if role is Role.CUSTOMER:
        raise Forbidden(f"“{label}”只能由供电服务人员操作")
    if is_assignee or (role in SCOPE_ROLES and in_scope):
        return
    if action is Action.CALLBACK and role in CALLBACK_ROLES and in_scope:
        return
    raise Forbidden(f"只有工单处理人或辖区负责人可以执行“{label}”")
