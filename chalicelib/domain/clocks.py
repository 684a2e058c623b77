"""A ticket's clocks: when each is due (from the policy and the calendar) and how it went.

Anchors (SERVICE_STANDARDS.md): accept runs from `dispatched_at` — the latest dispatch, so a
transfer or reopen that re-dispatches starts it again; arrive from `submitted_at`; resolve from
`arrived_at` for faults (unknown until arrival) and from `submitted_at` for the other types.
All datetimes are timezone-aware; working days are counted in Asia/Shanghai.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from .calendar import WorkCalendar
from .errors import ValidationFailed
from .org import AreaClass
from .policy import CATEGORIES, RESIDENTIAL, Clock, ServicePolicy
from .tickets import TicketType

ACCEPT, ARRIVE, RESOLVE = "accept", "arrive", "resolve"
CLOCK_NAMES = (ACCEPT, ARRIVE, RESOLVE)


@dataclass(frozen=True, slots=True)
class Deadlines:
    accept_due: datetime | None
    arrive_due: datetime | None
    resolve_due: datetime | None

    def due(self, clock: str) -> datetime | None:
        return {ACCEPT: self.accept_due, ARRIVE: self.arrive_due, RESOLVE: self.resolve_due}[clock]


class Outcome(StrEnum):
    MET = "met"  # done by the due time
    MISSED = "missed"  # done late, or not done and past due
    PENDING = "pending"  # not done, not yet due
    STOPPED = "stopped"  # not done, and the ticket was cancelled before it fell due


@dataclass(frozen=True, slots=True)
class ClockState:
    clock: str  # "accept" | "arrive" | "resolve"
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
    clock: str,
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
) -> tuple[str, datetime] | None:
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
