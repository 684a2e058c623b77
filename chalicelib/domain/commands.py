"""What the use cases take and give back: plain values, no HTTP. `api/` decodes a request
into one of these commands and presents the result; a stream handler, a bench or an import
job builds them directly."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .details import TicketDetails
from .org import Customer, Grid, Role, Staff
from .tickets import Action, TicketType


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is asking, as the authorizer established it (not yet checked against the store)."""

    role: Role
    subject: str  # openid (customer) or staff_id (staff)
    session_id: str | None = None  # a device session: checked against logouts
    phone_key: str | None = None  # the staff phone at login, keyed: checked against the record


@dataclass(frozen=True, slots=True)
class NewTicket:
    """A customer's submission (POST /v1/tickets)."""

    type: TicketType
    account_no: str | None  # None: a fault seen in the street, routed by `location`
    description: str
    contact_phone: str
    details: TicketDetails  # the struct of `type` (domain.details.DETAILS)
    photos: tuple[str, ...] = ()
    location: dict[str, Any] | None = None  # lat, lng, address (WGS84)


@dataclass(frozen=True, slots=True)
class TicketActionCommand:
    """One customer or staff action on a ticket. Which fields an action needs is checked by
    the transition (arrive: location; resolve of a fault: cause; transfer: to_staff_id)."""

    action: Action
    note: str | None = None
    location: dict[str, Any] | None = None
    photos: tuple[str, ...] = ()
    cause: str | None = None
    to_staff_id: str | None = None
    rating: int | None = None
    comment: str | None = None
    outcome: str | None = None  # callback: "reached" | "unreachable"


@dataclass(frozen=True, slots=True)
class AccountCard:
    """A bound account with its grid and the grid manager (网格经理公示牌)."""

    customer: Customer
    grid: Grid | None
    manager: Staff | None


@dataclass(frozen=True, slots=True)
class StaffProfile:
    staff: Staff
    grids: tuple[Grid, ...]
