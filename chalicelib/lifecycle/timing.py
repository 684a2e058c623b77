"""A ticket's deadlines and its next due clock, recomputed from its recorded moments.

Pure. What `Ticket.clocks` holds (all UTC datetimes):

* anchors — `dispatched_at` (latest dispatch: transfer and reopen restart it),
  `reopened_at` (a reopen restarts the submission-based clocks; absent: `created_at`),
  `accepted_at`, `arrived_at`, `resolved_at`, `closed_at`, `cancelled_at`;
* deadlines — `accept_due`, `arrive_due`, `resolve_due` (domain.clocks.deadlines);
* escalation marks — `<clock>_escalated_at`: the watchdog escalated that clock once, so
  `next_due` moves past it (this is what makes a rerun on the same minute a no-op).

`Ticket.next_due` — what the sharded due index holds — is `(clock, due)`:
open tickets: the earliest running clock not done and not escalated; resolved tickets: the
`"callback"` clock, `resolved_at + policy.callback_auto_close`, when the watchdog closes the
ticket as "no callback"; everything else (submitted, closed, cancelled): None.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from chalicelib.domain.calendar import WorkCalendar
from chalicelib.domain.clocks import CLOCK_NAMES, Deadlines, deadlines, next_due
from chalicelib.domain.org import AreaClass
from chalicelib.domain.policy import ServicePolicy
from chalicelib.domain.records import Ticket
from chalicelib.domain.tickets import Status

CALLBACK = "callback"
DUE_FIELDS = tuple(f"{clock}_due" for clock in CLOCK_NAMES)


def escalated_key(clock: str) -> str:
    return f"{clock}_escalated_at"


def escalated_clocks(ticket: Ticket) -> frozenset[str]:
    return frozenset(c for c in CLOCK_NAMES if escalated_key(c) in ticket.clocks)


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
        dispatched_at=c.get("dispatched_at"),
        arrived_at=c.get("arrived_at"),
        details=ticket.details,
    )


def restamp(ticket: Ticket, policy: ServicePolicy, calendar: WorkCalendar) -> Ticket:
    """`ticket` with its deadlines (open tickets whose grid's area class is known) and its
    `next_due` brought up to date with its clocks and status."""
    clocks = dict(ticket.clocks)
    if ticket.is_open and ticket.area_class in AreaClass._value2member_map_:
        fresh = _fresh_deadlines(ticket, policy, calendar)
        for clock, name in zip(CLOCK_NAMES, DUE_FIELDS, strict=True):
            due = fresh.due(clock)
            if due is None:
                clocks.pop(name, None)
            else:
                clocks[name] = due
    return replace(ticket, clocks=clocks, next_due=_next_due(ticket, clocks, policy))


def _next_due(
    ticket: Ticket, clocks: dict[str, datetime], policy: ServicePolicy
) -> tuple[str, datetime] | None:
    if ticket.status is Status.RESOLVED and "resolved_at" in clocks:
        return CALLBACK, clocks["resolved_at"] + policy.callback_auto_close
    if not ticket.is_open or ticket.status is Status.SUBMITTED:
        return None
    return next_due(
        stored_deadlines(clocks),
        accepted_at=clocks.get("accepted_at"),
        arrived_at=clocks.get("arrived_at"),
        resolved_at=clocks.get("resolved_at"),
        skip=[c for c in CLOCK_NAMES if escalated_key(c) in clocks],
    )
