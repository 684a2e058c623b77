"""A ticket's deadlines and its next due clock, recomputed from its recorded moments.

Pure. What `Ticket.clocks` holds (all UTC datetimes):

* anchors — `dispatched_at` (the round's first dispatch), `reassigned_at` (the latest
  transfer: the accept clock restarts from it), `reopened_at` (a reopen starts a new round
  and its submission-based clocks; absent: `created_at`), `accepted_at`, `arrived_at`,
  `resolved_at`, `closed_at`, `cancelled_at`; `accept_missed_at` (an accept clock missed
  before a transfer restarted it);
* deadlines — `accept_due`, `arrive_due`, `resolve_due` (domain.clocks.deadlines);
* escalation marks — `<clock>_escalated_at`: the watchdog escalated that clock once, so
  `next_due` moves past it (this is what makes a rerun on the same minute a no-op). An
  accept mark older than the accept clock's start (a transfer since) no longer counts.
  A reopen archives the round's clocks (domain.rounds) and starts from an empty set.

`Ticket.next_due` — what the sharded due index holds — is `(clock, due)`:
submitted tickets: `"dispatch"`, `policy.dispatch_target` after submission, until escalated
(dispatch stuck: the station chief is told); open tickets: the earliest running clock not
done and not escalated; resolved tickets: the `"callback"` clock, `resolved_at +
policy.callback_auto_close`, when the watchdog closes the ticket as "no callback";
everything else (closed, cancelled): None. A working-day clock that had to assume
Monday–Friday (the calendar does not know a day it crossed) marks the ticket
`outcome.calendar_assumed`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from chalicelib.domain.calendar import Consulted, WorkCalendar
from chalicelib.domain.clocks import CLOCK_NAMES, Deadlines, deadlines, next_due
from chalicelib.domain.org import AreaClass
from chalicelib.domain.policy import ServicePolicy
from chalicelib.domain.records import Ticket
from chalicelib.domain.tickets import Status

CALLBACK = "callback"
CALENDAR_ASSUMED = "calendar_assumed"
DISPATCH = "dispatch"
ESCALATION_CLOCKS = (DISPATCH, *CLOCK_NAMES)
DUE_FIELDS = tuple(f"{clock}_due" for clock in CLOCK_NAMES)


def escalated_key(clock: str) -> str:
    return f"{clock}_escalated_at"


def _escalated(clocks: dict[str, datetime], clock: str) -> bool:
    mark = clocks.get(escalated_key(clock))
    if mark is None:
        return False
    restarted = clocks.get("reassigned_at") if clock == "accept" else None
    return restarted is None or mark >= restarted


def escalated_clocks(ticket: Ticket) -> frozenset[str]:
    """The clocks escalated and not restarted since (a transfer restarts the accept clock)."""
    return frozenset(c for c in ESCALATION_CLOCKS if _escalated(ticket.clocks, c))


def stored_deadlines(clocks: dict[str, datetime]) -> Deadlines:
    return Deadlines(clocks.get("accept_due"), clocks.get("arrive_due"), clocks.get("resolve_due"))


def _fresh_deadlines(ticket: Ticket, policy: ServicePolicy, calendar: WorkCalendar) -> Deadlines:
    c = ticket.clocks
    return deadlines(
        policy,
        calendar,
        ticket_type=ticket.type,
        area_class=AreaClass(ticket.area_class),
        priority=ticket.priority,
        submitted_at=c.get("reopened_at", ticket.created_at),
        dispatched_at=c.get("reassigned_at", c.get("dispatched_at")),
        arrived_at=c.get("arrived_at"),
        details=ticket.details,
    )


def restamp(ticket: Ticket, policy: ServicePolicy, calendar: WorkCalendar) -> Ticket:
    """`ticket` with its deadlines (open tickets whose grid's area class is known) and its
    `next_due` brought up to date with its clocks and status."""
    clocks, outcome = dict(ticket.clocks), ticket.outcome
    if ticket.is_open and ticket.area_class in AreaClass._value2member_map_:
        seen = Consulted(calendar)
        fresh = _fresh_deadlines(ticket, policy, seen)
        for clock, name in zip(CLOCK_NAMES, DUE_FIELDS, strict=True):
            due = fresh.due(clock)
            if due is None:
                clocks.pop(name, None)
            else:
                clocks[name] = due
        if seen.assumed and not outcome.get(CALENDAR_ASSUMED):
            outcome = {**outcome, CALENDAR_ASSUMED: True}
    next_clock = _next_due(ticket, clocks, policy)
    return replace(ticket, clocks=clocks, outcome=outcome, next_due=next_clock)


def _next_due(
    ticket: Ticket, clocks: dict[str, datetime], policy: ServicePolicy
) -> tuple[str, datetime] | None:
    if ticket.status is Status.RESOLVED and "resolved_at" in clocks:
        return CALLBACK, clocks["resolved_at"] + policy.callback_auto_close
    if ticket.status is Status.SUBMITTED:
        if _escalated(clocks, DISPATCH):
            return None
        return DISPATCH, clocks.get("reopened_at", ticket.created_at) + policy.dispatch_target
    if not ticket.is_open:
        return None
    return next_due(
        stored_deadlines(clocks),
        accepted_at=clocks.get("accepted_at"),
        arrived_at=clocks.get("arrived_at"),
        resolved_at=clocks.get("resolved_at"),
        skip=[c for c in CLOCK_NAMES if _escalated(clocks, c)],
    )
