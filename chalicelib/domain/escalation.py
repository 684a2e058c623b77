"""What the sla_watchdog does to one ticket whose next clock fell due. Pure.

* `dispatch` missed (still `submitted` policy.dispatch_target after submission: dispatch
  failed or stuck) → level 2: the stream handler SMSes the station chief.
* `accept` missed → level 2 (二级快响): reassign to the on-duty mutual-aid peer chosen by the
  caller (keep the assignee when there is none); the stream handler SMSes the station chief.
* `arrive` / `resolve` missed → level 3 (三级快响): flag `overdue`; the stream handler SMSes
  the branch duty officer.
* `hold` over and the report could not be dispatched (lifecycle/watchdog.py dispatches a
  held report whose hold ended) → as a missed `dispatch`: level 2, the station chief.
* `callback` due (resolved, not confirmed within policy.callback_auto_close) → closed,
  `outcome.no_callback` = True (回访 not done).

Each is one timeline event by "system" (domain.transitions.timeline_event); an escalation
keeps the status (same from/to). The
clock is marked `<clock>_escalated_at` and `next_due` moves on, so the same clock never
escalates twice and a rerun finds nothing. A clock is missed once `now` is past its due time
(at the due instant it is still on time), as in domain.clocks.clock_report. Whoever holds the
ticket when a clock is escalated is noted as that clock's holder (domain.rounds.held), and
every event carries the ticket's round.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from chalicelib.domain.actors import SYSTEM
from chalicelib.domain.calendar import WorkCalendar
from chalicelib.domain.clocks import CALLBACK, DISPATCH, HOLD, escalated_key, restamp
from chalicelib.domain.labels import CLOCK_LABELS
from chalicelib.domain.lifecycle import next_status
from chalicelib.domain.org import Staff
from chalicelib.domain.policy import ServicePolicy
from chalicelib.domain.rounds import LEVEL_OF_MARK, held
from chalicelib.domain.tickets import Action, ClockName, Ticket, TimelineEvent
from chalicelib.domain.transitions import timeline_event


def due_clock(ticket: Ticket, now: datetime) -> ClockName | None:
    """The clock the watchdog must act on now, if any."""
    if ticket.next_due is None:
        return None
    clock, due = ticket.next_due
    return clock if now > due else None


def escalate(
    ticket: Ticket,
    *,
    now: datetime,
    policy: ServicePolicy,
    calendar: WorkCalendar,
    peer: Staff | None = None,
) -> tuple[Ticket, TimelineEvent] | None:
    """The ticket after the watchdog's step and its event; None when nothing is due.
    `peer` is the level-2 reassignment target (accept clock only)."""
    clock = due_clock(ticket, now)
    if clock is None:
        return None
    if clock == CALLBACK:
        return _auto_close(ticket, now, policy, calendar)
    if clock == HOLD:  # held, and still not dispatchable when the hold ended
        clock = DISPATCH
    action = Action.ESCALATE
    next_status(ticket.status, action, ticket_type=ticket.type, resolved_at=None, now=now)
    level = LEVEL_OF_MARK[clock]
    clocks = {**ticket.clocks, escalated_key(clock): now}
    data: dict[str, Any] = {"level": level, "clock": clock.value}  # stored: plain values
    after = replace(
        ticket,
        clocks=clocks,
        outcome=held(ticket.outcome, clock.value, ticket.assignee_id),
        escalation_level=max(ticket.escalation_level, level),
        updated_at=now,
    )
    if clock == DISPATCH:
        minutes = round(policy.dispatch_target.total_seconds() / 60)
        note = f"提交{minutes}分钟仍未派单，二级快响：已通知供电所负责人"
    elif level == 2:
        data["from_staff_id"] = ticket.assignee_id
        if peer is not None and peer.staff_id != ticket.assignee_id:
            after = replace(after, assignee_id=peer.staff_id)
            data["to_staff_id"] = peer.staff_id
            note = f"超时未接单，二级快响：转派{peer.name}，已通知供电所负责人"
        else:
            note = "超时未接单，二级快响：暂无在岗互助组成员可转派，已通知供电所负责人"
    else:
        after = replace(after, overdue=True)
        note = f"{CLOCK_LABELS[clock]}超时，三级快响：已通知分局值班人员督办"
    after = restamp(after, policy, calendar)
    return after, timeline_event(ticket, after, action, actor=SYSTEM, at=now, note=note, data=data)


def _auto_close(
    ticket: Ticket, now: datetime, policy: ServicePolicy, calendar: WorkCalendar
) -> tuple[Ticket, TimelineEvent]:
    action = Action.AUTO_CLOSE
    status = next_status(
        ticket.status,
        action,
        ticket_type=ticket.type,
        resolved_at=ticket.clocks.get("resolved_at"),
        now=now,
    )
    after = replace(
        ticket,
        status=status,
        clocks={**ticket.clocks, "closed_at": now},
        outcome={**ticket.outcome, "no_callback": True},
        updated_at=now,
    )
    note = "客户未在规定期限内确认，系统自动归档（未回访）"
    after = restamp(after, policy, calendar)
    return after, timeline_event(ticket, after, action, actor=SYSTEM, at=now, note=note)
