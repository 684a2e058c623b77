"""Helpers for the lifecycle tests: a ticket submitted by a bound customer and dispatched by
the real dispatcher, so every test starts where a customer's ticket really does."""

from __future__ import annotations

from typing import Any

from chalicelib.bootstrap import Services
from chalicelib.dispatch.dispatcher import Dispatcher
from chalicelib.domain.commands import NewTicket, TicketActionCommand
from chalicelib.domain.details import (
    ConsultationDetails,
    FaultDetails,
    MeterDetails,
    NewConnectionDetails,
    TicketDetails,
)
from chalicelib.domain.org import Role, Scope
from chalicelib.domain.tickets import Action, Ticket, TicketType
from chalicelib.usecases.actions import act_on_ticket
from chalicelib.usecases.intake import submit_ticket

WANG = ("wx-wang", Role.CUSTOMER)  # account 0601000001, grid G1 (urban, station S1)
LOCATION = {"lat": 40.75, "lng": 107.39, "address": "幸福小区1号楼"}
DETAILS: dict[TicketType, TicketDetails] = {
    TicketType.FAULT_REPAIR: FaultDetails(scope="building"),
    TicketType.METER_SERVICE: MeterDetails(service="accuracy_test"),
    TicketType.CONSULTATION: ConsultationDetails(topic="billing"),
    TicketType.NEW_CONNECTION: NewConnectionDetails(category="residential", capacity_kw=8),
}


def submit(
    svc: Services,
    ticket_type: TicketType = TicketType.FAULT_REPAIR,
    *,
    owner: str = "wx-wang",
    account_no: str = "0601000001",
) -> Ticket:
    svc.customers.bind(owner, account_no, svc.clock())
    request = NewTicket(
        type=ticket_type,
        account_no=account_no,
        description="家里停电了",
        contact_phone="13812345678",
        details=DETAILS[ticket_type],
    )
    ticket, _ = submit_ticket(svc, owner, request, None)
    return ticket


def dispatch(svc: Services, ticket: Ticket) -> Ticket:
    done = Dispatcher(svc.tickets, svc.org, svc.policy, svc.calendar, svc.clock).dispatch(ticket)
    assert done is not None
    return done


def open_ticket(
    svc: Services, ticket_type: TicketType = TicketType.FAULT_REPAIR, **kw: Any
) -> Ticket:
    return dispatch(svc, submit(svc, ticket_type, **kw))


def staff_scope(svc: Services, staff_id: str) -> Scope:
    staff = svc.org.staff(staff_id)
    assert staff is not None
    return Scope(
        role=staff.role,
        subject=staff_id,
        grid_ids=frozenset(staff.grid_ids),
        station_id=staff.station_id,
        branch_id=staff.branch_id,
    )


def customer_scope(owner: str = "wx-wang") -> Scope:
    return Scope(role=Role.CUSTOMER, subject=owner)


def act(svc: Services, scope: Scope, ticket: Ticket, action: str, **fields: Any) -> Ticket:
    """One action through the use case (no HTTP), returning the saved ticket."""
    command = TicketActionCommand(Action(action), **fields)
    return act_on_ticket(svc, scope, ticket.ticket_id, command).ticket
