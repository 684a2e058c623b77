"""Reading tickets with role scoping: who may see which ticket, and which index partitions
a caller's list is read from (never a Scan)."""

from __future__ import annotations

from datetime import timedelta

from chalicelib.bootstrap import Services
from chalicelib.domain.errors import Forbidden, TicketNotFound
from chalicelib.domain.org import Role, Scope
from chalicelib.domain.tickets import Ticket
from chalicelib.store.keys import Cursor
from chalicelib.store.tickets import Page, Source, TicketFilter, month_partitions

BUREAU_WIDE_DEFAULT = timedelta(days=90)


def may_see(scope: Scope, ticket: Ticket) -> bool:
    if scope.role is Role.CUSTOMER:
        return ticket.owner_id == scope.subject
    if ticket.assignee_id == scope.subject:
        return True
    return scope.covers(
        grid_id=ticket.grid_id, station_id=ticket.station_id, branch_id=ticket.branch_id
    )


def visible_ticket(svc: Services, scope: Scope, ticket_id: str) -> Ticket:
    """The ticket, or 404 for customers who don't own it (and unknown ids), 403 for staff."""
    ticket = svc.tickets.get(ticket_id)
    if ticket is None:
        raise TicketNotFound()
    if not may_see(scope, ticket):
        if scope.role is Role.CUSTOMER:
            raise TicketNotFound()
        raise Forbidden("该工单不在您的服务范围内")
    return ticket


def sources_for(svc: Services, scope: Scope, filters: TicketFilter) -> list[Source]:
    if scope.role is Role.CUSTOMER:
        return [Source("by_owner", scope.subject)]
    if filters.mine:
        return [Source("by_assignee", scope.subject)]
    if scope.role is Role.MANAGER:
        grids = [Source("by_grid", g) for g in sorted(scope.grid_ids)]
        return [Source("by_assignee", scope.subject), *grids]
    if scope.role is Role.CHIEF and scope.station_id:
        return [Source("by_station", scope.station_id)]
    if scope.role is Role.BRANCH and scope.branch_id:
        return [Source("by_branch", scope.branch_id)]
    if scope.bureau_wide:
        end = filters.created_to or svc.clock()
        start = filters.created_from or end - BUREAU_WIDE_DEFAULT
        # created_to is inclusive; the partitions cover [start, end)
        return month_partitions(start, end + timedelta(microseconds=1), svc.settings.month_shards)
    return []


def list_tickets(
    svc: Services, scope: Scope, filters: TicketFilter, limit: int, cursor: str | None
) -> Page:
    sources = sources_for(svc, scope, filters)
    position = Cursor.decode(cursor) if cursor else None
    return svc.tickets.page(sources, filters, limit, position)
