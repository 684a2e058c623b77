"""A ticket's clocks: when each is due (from the policy and the calendar) and how it went.

Anchors (SERVICE_STANDARDS.md): accept runs from `dispatched_at` — the latest dispatch, so a
transfer or reopen that re-dispatches starts it again; arrive from `submitted_at`; resolve from
`arrived_at` for faults (unknown until arrival) and from `submitted_at` for the other types.
All datetimes are timezone-aware; working days are counted in Asia/Shanghai.

`restamp` keeps a ticket's deadlines and its next due clock current as it moves,
recomputed from its recorded moments. Pure. What `Ticket.clocks` holds (all UTC datetimes):

* anchors — `dispatched_at` (the round's first dispatch), `reassigned_at` (the latest
  transfer: the accept clock restarts from it), `reopened_at` (a reopen starts a new round
  and its submission-based clocks; absent: `created_at`), `accepted_at`, `arrived_at`,
  `resolved_at`, `closed_at`, `cancelled_at`; `accept_missed_at` (an accept clock missed
  before a transfer restarted it);
* deadlines — `accept_due`, `arrive_due`, `resolve_due` (`deadlines`);
* escalation marks — `<clock>_escalated_at`: the watchdog escalated that clock once, so
  `next_due` moves past it (this is what makes a rerun on the same minute a no-op). An
  accept mark older than the accept clock's start (a transfer since) no longer counts.
  A reopen archives the round's clocks (domain.rounds) and starts from an empty set.

`Ticket.next_due` — what the sharded due index holds — is `(clock, due)`:
submitted tickets: `"dispatch"`, `policy.dispatch_target` after submission, until escalated
(dispatch stuck: the station chief is told) — or, for a first fault report held for its
neighbours (`clocks["held_until"]`, outages/clustering.py), `"hold"` at the hold's end, when
the watchdog dispatches it; open tickets: the earliest running clock not
done and not escalated; resolved tickets: the `"callback"` clock, `resolved_at +
policy.callback_auto_close`, when the watchdog closes the ticket as "no callback";
everything else (closed, cancelled): None. A working-day clock that had to assume
Monday–Friday (the calendar does not know a day it crossed) marks the ticket
`outcome.calendar_assumed`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from .calendar import Consulted, WorkCalendar
from .errors import ValidationFailed
from .org import AreaClass
from .policy import CATEGORIES, RESIDENTIAL, Clock, ServicePolicy
from .tickets import ClockName, Outcome, Status, Ticket, TicketType

ACCEPT, ARRIVE, RESOLVE = ClockName.ACCEPT, ClockName.ARRIVE, ClockName.RESOLVE
CLOCK_NAMES = (ACCEPT, ARRIVE, RESOLVE)


@dataclass(frozen=True, slots=True)
class Deadlines:
    accept_due: datetime | None
    arrive_due: datetime | None
    resolve_due: datetime | None

    def due(self, clock: ClockName) -> datetime | None:
        return {ACCEPT: self.accept_due, ARRIVE: self.arrive_due, RESOLVE: self.resolve_due}[clock]


@dataclass(frozen=True, slots=True)
class ClockState:
    clock: ClockName  # ACCEPT, ARRIVE or RESOLVE
    due: datetime
    done_at: datetime | None
    outcome: Outcome


def category_of(details: Mapping[str, object]) -> str:
    """A new connection's category; residential unless the customer said otherwise."""
    category = details.get("category", RESIDENTIAL)
    if not isinstance(category, str) or category not in CATEGORIES:
        raise ValidationFailed(
            fields={
                "details.category": "报装类别须为 residential（居民）或 non_residential（非居民）"
            }
        )
    return category


def apply_clock(clock: Clock, start: datetime, calendar: WorkCalendar) -> datetime:
    if isinstance(clock, timedelta):
        return start + clock
    end = calendar.add_working_days(start, clock.days)
    return end if clock.scale == 1 else start + (end - start) * clock.scale


def deadlines(
    policy: ServicePolicy,
    calendar: WorkCalendar,
    *,
    ticket_type: TicketType,
    area_class: AreaClass,
    priority: bool,
    submitted_at: datetime,
    dispatched_at: datetime | None,
    arrived_at: datetime | None,
    details: Mapping[str, object],
) -> Deadlines:
    """Due times known so far. `priority` = important or special customer (accept halved)."""
    accept_due = None
    if dispatched_at is not None:
        accept_due = dispatched_at + policy.accept_clock(ticket_type, priority=priority)

    arrive_clock = policy.arrive_clock(ticket_type, area_class)
    arrive_due = None if arrive_clock is None else apply_clock(arrive_clock, submitted_at, calendar)

    category = category_of(details) if ticket_type is TicketType.NEW_CONNECTION else RESIDENTIAL
    resolve_clock = policy.resolve_clock(ticket_type, area_class=area_class, category=category)
    start = arrived_at if policy.clocks[ticket_type].resolve_after_arrival else submitted_at
    resolve_due = None
    if resolve_clock is not None and start is not None:
        resolve_due = apply_clock(resolve_clock, start, calendar)
    return Deadlines(accept_due, arrive_due, resolve_due)


def _done_at(
    clock: ClockName,
    accepted_at: datetime | None,
    arrived_at: datetime | None,
    resolved_at: datetime | None,
) -> datetime | None:
    return {ACCEPT: accepted_at, ARRIVE: arrived_at, RESOLVE: resolved_at}[clock]


def next_due(
    deadlines: Deadlines,
    *,
    accepted_at: datetime | None,
    arrived_at: datetime | None,
    resolved_at: datetime | None,
    skip: Collection[str] = (),
) -> tuple[ClockName, datetime] | None:
    """The earliest clock not yet done, and when it falls due; None when none is running.

    For open tickets only (a cancelled or closed ticket runs no clock). `skip` names clocks
    the watchdog has already escalated, so it can move on to the next one. Ties go to the
    earlier step (accept, then arrive, then resolve)."""
    running = [
        (due, index, clock)
        for index, clock in enumerate(CLOCK_NAMES)
        if clock not in skip
        and (due := deadlines.due(clock)) is not None
        and _done_at(clock, accepted_at, arrived_at, resolved_at) is None
    ]
    if not running:
        return None
    due, _, clock = min(running)
    return clock, due


def clock_report(
    deadlines: Deadlines,
    *,
    accepted_at: datetime | None,
    arrived_at: datetime | None,
    resolved_at: datetime | None,
    now: datetime,
    cancelled_at: datetime | None = None,
) -> tuple[ClockState, ...]:
    """Each clock the ticket has (in step order) with its due time and outcome at `now`.
    A clock without a due time (no such clock for the type, or fault resolve before arrival)
    is left out."""
    states = []
    for clock in CLOCK_NAMES:
        due = deadlines.due(clock)
        if due is None:
            continue
        done_at = _done_at(clock, accepted_at, arrived_at, resolved_at)
        states.append(ClockState(clock, due, done_at, _outcome(due, done_at, now, cancelled_at)))
    return tuple(states)


def _outcome(
    due: datetime, done_at: datetime | None, now: datetime, cancelled_at: datetime | None
) -> Outcome:
    if done_at is not None:
        return Outcome.MET if done_at <= due else Outcome.MISSED
    if cancelled_at is not None:
        return Outcome.MISSED if cancelled_at > due else Outcome.STOPPED
    return Outcome.MISSED if now > due else Outcome.PENDING


# ------------------------------------------------------------------ restamping a ticket
CALLBACK = ClockName.CALLBACK
HOLD = ClockName.HOLD
HELD_UNTIL = "held_until"  # a held report's hold ends (then the watchdog dispatches it)
CALENDAR_ASSUMED = "calendar_assumed"
DISPATCH = ClockName.DISPATCH
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


def _fresh_deadlines(
    ticket: Ticket, area: AreaClass, policy: ServicePolicy, calendar: WorkCalendar
) -> Deadlines:
    c = ticket.clocks
    return deadlines(
        policy,
        calendar,
        ticket_type=ticket.type,
        area_class=area,
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
    if ticket.is_open and ticket.area_class:
        seen = Consulted(calendar)
        fresh = _fresh_deadlines(ticket, AreaClass(ticket.area_class), policy, seen)
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
) -> tuple[ClockName, datetime] | None:
    if ticket.status is Status.RESOLVED and "resolved_at" in clocks:
        return CALLBACK, clocks["resolved_at"] + policy.callback_auto_close
    if ticket.outage_id and ticket.is_open:  # the outage is what is tracked
        return None
    if ticket.status is Status.SUBMITTED:
        if _escalated(clocks, DISPATCH):
            return None
        if (held := clocks.get(HELD_UNTIL)) is not None and "reopened_at" not in clocks:
            return HOLD, held
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
