"""The ticket as the domain sees it: its vocabulary (types, statuses, actions; API.md,
Tickets), the ticket itself and its timeline events. Stores map these to and from their
persistence models; clients get API schemas built from them, never the models."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from .org import AreaClass


class TicketType(StrEnum):
    FAULT_REPAIR = "fault_repair"  # 故障报修
    METER_SERVICE = "meter_service"  # 智能电表服务
    CONSULTATION = "consultation"  # 用电咨询
    NEW_CONNECTION = "new_connection"  # 报装


class Status(StrEnum):
    SUBMITTED = "submitted"
    DISPATCHED = "dispatched"
    ACCEPTED = "accepted"
    ON_SITE = "on_site"
    RESOLVED = "resolved"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class ClockName(StrEnum):
    """The clocks a ticket runs (SERVICE_STANDARDS.md): the three service clocks, plus the
    dispatch clock of a submitted ticket, the hold of a held one (its end: dispatch) and the
    callback clock of a resolved one, which only the watchdog watches."""

    DISPATCH = "dispatch"
    ACCEPT = "accept"
    ARRIVE = "arrive"
    RESOLVE = "resolve"
    CALLBACK = "callback"
    HOLD = "hold"  # a first "no power" report held for its neighbours (outages/clustering.py)


class Outcome(StrEnum):
    """How a clock went (`clocks.clock_report`)."""

    MET = "met"  # done by the due time
    MISSED = "missed"  # done late, or not done and past due
    PENDING = "pending"  # not done, not yet due
    STOPPED = "stopped"  # not done, and the ticket was cancelled before it fell due


OPEN_STATUSES = frozenset({Status.SUBMITTED, Status.DISPATCHED, Status.ACCEPTED, Status.ON_SITE})


class Action(StrEnum):
    # system
    SUBMIT = "submit"
    DISPATCH = "dispatch"
    ESCALATE = "escalate"
    AUTO_CLOSE = "auto_close"
    HOLD = "hold"  # a first report waits (briefly) for its 台区 to cluster before dispatch
    ATTACH_OUTAGE = "attach_outage"  # a report joined an outage: its own clocks stop
    DETACH_OUTAGE = "detach_outage"  # … that ended first: an ordinary ticket after all
    OUTAGE_RESTORED = "outage_restored"  # its outage restored: the report resolved with it
    # staff
    ACCEPT = "accept"
    ARRIVE = "arrive"
    RESOLVE = "resolve"
    TRANSFER = "transfer"
    CALLBACK = "callback"  # a phone callback to a customer who did not confirm
    # customer
    CANCEL = "cancel"
    CONFIRM = "confirm"
    REOPEN = "reopen"


@dataclass(frozen=True, slots=True)
class Ticket:
    ticket_id: str
    number: str
    type: TicketType
    status: Status
    owner_id: str
    account_no: str
    contact_phone: str
    description: str
    address: str
    ta_id: str
    grid_id: str
    station_id: str
    branch_id: str
    area_class: AreaClass | None  # the grid's, set at dispatch
    created_at: datetime
    updated_at: datetime
    channel: str = "miniprogram"
    priority: bool = False  # important or special customer
    photos: tuple[str, ...] = ()
    location: dict[str, Any] | None = None
    details: dict[str, Any] = field(default_factory=dict)
    assignee_id: str | None = None
    escalation_level: int = 0
    overdue: bool = False
    clocks: dict[str, datetime] = field(default_factory=dict)  # accept_due, dispatched_at, …
    next_due: tuple[ClockName, datetime] | None = None  # for the watchdog
    outcome: dict[str, Any] = field(default_factory=dict)  # cause, rating, comment, …
    outage_id: str | None = None  # attached to an outage: no dispatch and no clocks of its own
    version: int = 0

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    """One change on the ticket's timeline; build it with domain.transitions.timeline_event."""

    ticket_id: str
    at: datetime
    action: Action
    actor: str  # "customer", "staff:<id>", "system"
    from_status: Status | None  # None: the ticket's creation
    to_status: Status
    version: int  # the ticket version this event produced
    note: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
