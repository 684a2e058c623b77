"""Domain → response schemas. Handlers never build response dicts by hand."""

from __future__ import annotations

from datetime import datetime

from chalicelib.api.schemas import (
    AccountOut,
    Deadline,
    GridRef,
    ManagerCard,
    StaffCard,
    StaffMe,
    TicketOut,
    TimelineEntry,
)
from chalicelib.bootstrap import Services
from chalicelib.domain.commands import AccountCard, StaffProfile
from chalicelib.domain.dates import SHANGHAI
from chalicelib.domain.labels import STATUS_LABELS, TYPE_LABELS
from chalicelib.domain.org import Staff
from chalicelib.domain.phone import display_phone
from chalicelib.domain.tickets import Ticket, TimelineEvent


def local_time(moment: datetime) -> str:
    """API timestamps: ISO 8601 in Asia/Shanghai with its offset."""
    return moment.astimezone(SHANGHAI).isoformat(timespec="seconds")


def local_time_or_none(moment: datetime | None) -> str | None:
    """An optional API timestamp: `local_time`, or null when there is none."""
    return local_time(moment) if moment else None


def deadlines_of(ticket: Ticket, now: datetime) -> list[Deadline]:
    # the clock rules (policy, calendar) load with the first ticket shown, not with `import app`
    from chalicelib.domain.clocks import Deadlines, clock_report

    c = ticket.clocks
    states = clock_report(
        Deadlines(c.get("accept_due"), c.get("arrive_due"), c.get("resolve_due")),
        accepted_at=c.get("accepted_at"),
        arrived_at=c.get("arrived_at"),
        resolved_at=c.get("resolved_at"),
        cancelled_at=c.get("cancelled_at"),
        now=now,
    )
    return [
        Deadline(
            clock=s.clock,
            due=local_time(s.due),
            outcome=s.outcome,
            done_at=local_time_or_none(s.done_at),
        )
        for s in states
    ]


def ticket_out(
    ticket: Ticket,
    *,
    now: datetime,
    assignee: Staff | None = None,
    timeline: list[TimelineEvent] | None = None,
) -> TicketOut:
    return TicketOut(
        ticket_id=ticket.ticket_id,
        number=ticket.number,
        type=ticket.type,
        type_label=TYPE_LABELS[ticket.type],
        status=ticket.status,
        status_label=STATUS_LABELS[ticket.status],
        account_no=ticket.account_no,
        description=ticket.description,
        contact_phone=ticket.contact_phone,
        contact_phone_display=display_phone(ticket.contact_phone),
        address=ticket.address,
        grid_id=ticket.grid_id,
        station_id=ticket.station_id,
        created_at=local_time(ticket.created_at),
        updated_at=local_time(ticket.updated_at),
        escalation_level=ticket.escalation_level,
        overdue=ticket.overdue,
        photos=list(ticket.photos),
        location=ticket.location,
        details=ticket.details,
        assignee=StaffCard(assignee.staff_id, assignee.name, assignee.phone) if assignee else None,
        deadlines=deadlines_of(ticket, now),
        outcome=ticket.outcome,
        outage_id=ticket.outage_id,
        timeline=[timeline_entry(e) for e in timeline] if timeline is not None else None,
    )


def ticket_detail(svc: Services, ticket: Ticket) -> TicketOut:
    """The full view of one ticket: its assignee's card and its timeline."""
    assignee = svc.org.staff(ticket.assignee_id) if ticket.assignee_id else None
    timeline = svc.tickets.timeline(ticket.ticket_id)
    return ticket_out(ticket, now=svc.clock(), assignee=assignee, timeline=timeline)


def timeline_entry(event: TimelineEvent) -> TimelineEntry:
    return TimelineEntry(
        at=local_time(event.at),
        action=event.action,
        actor=event.actor,
        from_status=event.from_status,
        to_status=event.to_status,
        note=event.note,
    )


def account_out(card: AccountCard) -> AccountOut:
    grid, manager = card.grid, card.manager
    return AccountOut(
        account_no=card.customer.account_no,
        address=card.customer.address,
        grid=GridRef(grid.grid_id, grid.name) if grid else None,
        manager=ManagerCard(manager.name, manager.phone) if manager else None,
    )


def staff_me_out(profile: StaffProfile) -> StaffMe:
    staff = profile.staff
    return StaffMe(
        staff_id=staff.staff_id,
        name=staff.name,
        role=staff.role,
        grids=[GridRef(g.grid_id, g.name) for g in profile.grids],
        on_duty=staff.on_duty,
        duty_until=local_time_or_none(staff.duty_until),
    )
