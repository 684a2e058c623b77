"""How one ticket counts towards the KPIs of a period (SERVICE_STANDARDS.md). Pure.

Computed from the ticket's `clocks` and `outcome`, which record each step's time and result
in the same transaction as the timeline event that took it, so a month is judged in one
streaming pass without reading any timeline.

* A clock counts in the period it falls due in, once it has fallen due by `as_of`: done by its
  due time → met; done late, or not done (an open ticket past its clock at the end of the
  period included) → missed; a ticket cancelled before the clock fell due is not counted.
* A fault ticket that never saw a crew has no stored resolve clock (it runs from arrival): it
  is judged against the earliest it could have been due, arrive clock + resolve clock, so a
  ticket still waiting for its crew fails fault-fix timeliness too instead of vanishing.
* Flow compliance looks at closed tickets only; each failed step is named.
* A reopen starts a new round (lifecycle/steps.py): every clock restarts from `reopened_at`,
  so the clocks and steps judged are the last round's, timed from `reopened_at`; the reopen
  itself shows in the reopen rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.domain.clocks import ARRIVE, RESOLVE, Deadlines, Outcome, clock_report
from chalicelib.domain.org import AreaClass
from chalicelib.domain.policy import ServicePolicy
from chalicelib.domain.records import Ticket
from chalicelib.domain.tickets import Status, TicketType

VISIT_TYPES = frozenset(
    {TicketType.FAULT_REPAIR, TicketType.METER_SERVICE, TicketType.NEW_CONNECTION}
)


@dataclass(frozen=True, slots=True)
class Window:
    start: datetime  # inclusive
    end: datetime  # exclusive
    as_of: datetime  # open clocks are judged at this moment

    def created_in(self, ticket: Ticket) -> bool:
        return self.start <= ticket.created_at < self.end

    def counts(self, due: datetime | None) -> bool:
        return due is not None and self.start <= due < self.end and due <= self.as_of


@dataclass(frozen=True, slots=True)
class Check:
    in_period: bool  # created in the period (every figure but the two clock rates needs it)
    arrive: Outcome | None  # fault arrive clock, when it fell due in the period
    resolve: Outcome | None  # fault resolve clock, likewise
    arrival_minutes: float | None  # submission → arrival, for a counted arrive clock
    commitment_minutes: float | None  # the arrive clock that ticket ran against
    flow_failures: tuple[str, ...] | None  # None: not closed, so not judged
    missed: tuple[str, ...]  # every clock missed by as_of (the overdue list)


def arrival_location(ticket: Ticket) -> object:
    """Where the crew said it was on arrival (the `arrive` action requires a location)."""
    return ticket.outcome.get("arrive_location")


def submitted_at(ticket: Ticket) -> datetime:
    """Where the current round's submission-based clocks start."""
    return ticket.clocks.get("reopened_at", ticket.created_at)


def _minutes(delta: timedelta) -> float:
    return delta.total_seconds() / 60


def fault_deadlines(ticket: Ticket, policy: ServicePolicy, area_class: str) -> Deadlines:
    """Stored fault clocks, completed from the policy where the ticket never got them."""
    c = ticket.clocks
    area = AreaClass(area_class) if area_class in AreaClass._value2member_map_ else None
    arrive_due = c.get("arrive_due")
    if arrive_due is None and area is not None:
        clock = policy.arrive_clock(TicketType.FAULT_REPAIR, area)
        arrive_due = submitted_at(ticket) + clock if isinstance(clock, timedelta) else None
    resolve_due = c.get("resolve_due")
    start = c.get("arrived_at") or arrive_due
    if resolve_due is None and area is not None and start is not None and "cancelled_at" not in c:
        clock = policy.resolve_clock(TicketType.FAULT_REPAIR, area_class=area)
        resolve_due = start + clock if isinstance(clock, timedelta) else None
    return Deadlines(c.get("accept_due"), arrive_due, resolve_due)


def flow_failures(ticket: Ticket, policy: ServicePolicy) -> tuple[str, ...] | None:
    if ticket.status is not Status.CLOSED:
        return None
    c, failed = ticket.clocks, []
    dispatched = c.get("dispatched_at")
    if dispatched is None or dispatched - submitted_at(ticket) > policy.dispatch_target:
        failed.append("dispatch")
    accepted, accept_due = c.get("accepted_at"), c.get("accept_due")
    if accepted is None or accept_due is None or accepted > accept_due:
        failed.append("accept")
    if ticket.type in VISIT_TYPES and (c.get("arrived_at") is None or not arrival_location(ticket)):
        failed.append("arrive")
    if ticket.type is TicketType.FAULT_REPAIR and not ticket.outcome.get("cause"):
        failed.append("resolve_cause")
    if ticket.outcome.get("no_callback"):
        failed.append("callback")
    return tuple(failed)


def check(ticket: Ticket, window: Window, policy: ServicePolicy, area_class: str) -> Check:
    c = ticket.clocks
    states = clock_report(
        fault_deadlines(ticket, policy, area_class)
        if ticket.type is TicketType.FAULT_REPAIR
        else Deadlines(c.get("accept_due"), c.get("arrive_due"), c.get("resolve_due")),
        accepted_at=c.get("accepted_at"),
        arrived_at=c.get("arrived_at"),
        resolved_at=c.get("resolved_at"),
        cancelled_at=c.get("cancelled_at"),
        now=window.as_of,
    )
    outcomes: dict[str, Outcome] = {}
    arrival = commitment = None
    if ticket.type is TicketType.FAULT_REPAIR:
        for state in states:
            if state.clock in (ARRIVE, RESOLVE) and window.counts(state.due):
                if state.outcome in (Outcome.MET, Outcome.MISSED):
                    outcomes[state.clock] = state.outcome
                if state.clock == ARRIVE and state.done_at is not None:
                    arrival = _minutes(state.done_at - submitted_at(ticket))
                    commitment = _minutes(state.due - submitted_at(ticket))
    in_period = window.created_in(ticket)
    return Check(
        in_period=in_period,
        arrive=outcomes.get(ARRIVE),
        resolve=outcomes.get(RESOLVE),
        arrival_minutes=arrival,
        commitment_minutes=commitment,
        flow_failures=flow_failures(ticket, policy) if in_period else None,
        missed=tuple(s.clock for s in states if s.outcome is Outcome.MISSED),
    )
