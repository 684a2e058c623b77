"""Dispatch (派单): a submitted ticket → the dispatched ticket, committed once.

`dispatched` is pure: status, assignee, escalation level 1, the grid's area class, the
clocks of SERVICE_STANDARDS.md and the next due clock, plus the timeline event. `Dispatcher`
gathers what it needs (cached topology; open-ticket counts only when the grid's manager is
off duty) and commits through `TicketStore.commit`: ONE conditional transaction on the
ticket's version and status. A redelivered INSERT loses that condition, finds the ticket no
longer `submitted`, and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from chalicelib.dispatch.assignment import (
    Assignment,
    Workload,
    assign,
    on_duty,
    peers_on_duty,
    tied_for_fewest,
)
from chalicelib.domain.calendar import WorkCalendar
from chalicelib.domain.org import AreaClass, Grid, Staff
from chalicelib.domain.policy import ServicePolicy
from chalicelib.domain.records import Ticket, TimelineEvent
from chalicelib.domain.tickets import Action, Status
from chalicelib.lifecycle.timing import restamp
from chalicelib.store.org import OrgStore
from chalicelib.store.tickets import Source, StaleTicket, TicketFilter, TicketStore

ROUTE_NOTES = {
    "grid_manager": "派单给网格经理{name}",
    "mutual_aid": "网格经理离岗，派单给互助组{name}",
    "station_chief": "网格经理及互助组均离岗，派单给所长{name}",
}


class TopologyError(LookupError):
    """The ticket's grid (or everyone who could serve it) is missing from the org data."""


def dispatched(
    ticket: Ticket,
    grid: Grid,
    assignment: Assignment,
    *,
    policy: ServicePolicy,
    calendar: WorkCalendar,
    now: datetime,
) -> tuple[Ticket, TimelineEvent]:
    draft = replace(
        ticket,
        status=Status.DISPATCHED,
        assignee_id=assignment.assignee.staff_id,
        escalation_level=1,
        area_class=AreaClass(grid.area_class).value,
        clocks={**ticket.clocks, "dispatched_at": now},
        updated_at=now,
    )
    after = restamp(draft, policy, calendar)  # deadlines and next_due, as every action does
    event = TimelineEvent(
        ticket_id=ticket.ticket_id,
        at=now,
        action=Action.DISPATCH.value,
        actor="system",
        from_status=ticket.status,
        to_status=Status.DISPATCHED,
        version=ticket.version + 1,
        note=ROUTE_NOTES[assignment.route].format(name=assignment.assignee.name),
        data={"assignee_id": assignment.assignee.staff_id, "route": assignment.route.value},
    )
    return after, event


@dataclass
class Dispatcher:
    tickets: TicketStore
    org: OrgStore
    policy: ServicePolicy
    calendar: WorkCalendar
    clock: Callable[[], datetime]

    def dispatch(self, submitted: Ticket) -> Ticket | None:
        """The dispatched ticket, or None when there was nothing to do (already dispatched,
        cancelled meanwhile, or not a submitted ticket at all)."""
        for _ in range(2):  # the image, then (at most once) the stored ticket
            if submitted.status is not Status.SUBMITTED:
                return None
            now = self.clock()
            grid = self.org.grid(submitted.grid_id)
            if grid is None:
                raise TopologyError(f"grid {submitted.grid_id} not found")
            after, event = dispatched(
                submitted,
                grid,
                self.choose(submitted, grid, now),
                policy=self.policy,
                calendar=self.calendar,
                now=now,
            )
            try:
                return self.tickets.commit(submitted, after, event)
            except StaleTicket:
                stored = self.tickets.get(submitted.ticket_id)
                if stored is None:
                    return None
                submitted = stored
        return None

    def choose(self, ticket: Ticket, grid: Grid, now: datetime) -> Assignment:
        manager = self.org.staff(grid.manager_id)
        peers: list[Staff] = []
        workloads: dict[str, Workload] = {}
        if manager is None or not on_duty(manager, now):
            group = self.org.group(grid.mutual_aid_group_id)
            members = [self.org.staff(m) for m in (group.member_ids if group else ())]
            peers = peers_on_duty(grid.manager_id, [m for m in members if m], now)
            workloads = self.workloads(peers)
        chief = self.org.station_chief(grid.station_id)
        try:
            return assign(
                manager=manager,
                peers=peers,
                workloads=workloads,
                chief=chief,
                priority=ticket.priority,
                now=now,
            )
        except LookupError as error:
            raise TopologyError(str(error)) from None

    def workloads(self, peers: list[Staff]) -> dict[str, Workload]:
        """Open tickets per peer (one COUNT query each); for peers tied on the fewest, when
        they were last given a ticket: the newest ticket on their by_assignee index."""
        counts = {p.staff_id: self.tickets.count_open(p.staff_id) for p in peers}
        tied = tied_for_fewest(peers, counts)
        last: dict[str, datetime | None] = {}
        if len(tied) > 1:
            for peer in tied:
                page = self.tickets.page(
                    [Source("by_assignee", peer.staff_id)], TicketFilter(), 1, None
                )
                newest = page.items[0] if page.items else None
                last[peer.staff_id] = (
                    newest.clocks.get("dispatched_at", newest.created_at) if newest else None
                )
        return {sid: Workload(n, last.get(sid)) for sid, n in counts.items()}
