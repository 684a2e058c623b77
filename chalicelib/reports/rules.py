"""The rules that judge one round of a ticket (SERVICE_STANDARDS.md, "KPI definitions"):
its clocks' due times as the report reads them, its flow steps, a clock's verdict. Pure.
checks.py places the verdicts in periods; tickets.csv prints the same due times."""

from __future__ import annotations

from datetime import datetime, timedelta

from chalicelib.domain.org import AreaClass
from chalicelib.domain.policy import ServicePolicy
from chalicelib.domain.rounds import Round
from chalicelib.domain.tickets import Outcome, Ticket, TicketType

VISIT_TYPES = frozenset(
    {TicketType.FAULT_REPAIR, TicketType.METER_SERVICE, TicketType.NEW_CONNECTION}
)


def _area(area_class: str) -> AreaClass | None:
    return AreaClass(area_class) if area_class in AreaClass._value2member_map_ else None


def round_dues(
    ticket: Ticket, rnd: Round, policy: ServicePolicy, area_class: str
) -> tuple[datetime | None, datetime | None]:
    """(arrive due, resolve due) of a round as the report judges them."""
    c = rnd.clocks
    arrive_due, resolve_due = c.get("arrive_due"), c.get("resolve_due")
    area = _area(area_class)
    if ticket.type is not TicketType.FAULT_REPAIR or area is None:
        return arrive_due, resolve_due
    if arrive_due is None:
        clock = policy.arrive_clock(TicketType.FAULT_REPAIR, area)
        arrive_due = rnd.started_at + clock if isinstance(clock, timedelta) else None
    fix = policy.resolve_clock(TicketType.FAULT_REPAIR, area_class=area)
    if arrive_due is None or not isinstance(fix, timedelta):
        return arrive_due, resolve_due
    latest = arrive_due + fix  # the whole job's deadline without an arrival
    arrived = c.get("arrived_at")
    if arrived is not None and arrived <= latest:
        return arrive_due, resolve_due or arrived + fix
    return arrive_due, latest


def step_failures(ticket: Ticket, rnd: Round, policy: ServicePolicy) -> list[str]:
    """The flow steps this round failed (the callback step belongs to a closing)."""
    c, failed = rnd.clocks, []
    dispatched = c.get("dispatched_at")
    if (
        dispatched is None
        or dispatched - rnd.started_at > policy.dispatch_target
        or "dispatch_escalated_at" in c
    ):
        failed.append("dispatch")
    accepted, accept_due = c.get("accepted_at"), c.get("accept_due")
    if (
        accepted is None
        or accept_due is None
        or accepted > accept_due
        or "accept_missed_at" in c
        or "accept_escalated_at" in c
    ):
        failed.append("accept")
    if ticket.type in VISIT_TYPES and (c.get("arrived_at") is None or not rnd.located()):
        failed.append("arrive")
    if ticket.type is TicketType.FAULT_REPAIR and not rnd.outcome.get("cause"):
        failed.append("resolve_cause")
    return failed


def verdict(due: datetime, done: datetime | None, stop: datetime | None) -> Outcome | None:
    if done is not None and done <= due:
        return Outcome.MET
    if done is None and stop is not None and stop <= due:
        return None  # cancelled before it fell due
    return Outcome.MISSED
