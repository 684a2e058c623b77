"""Dispatch (派单): a submitted ticket → the dispatched ticket, committed once.

`domain.transitions.dispatched` is pure: status, assignee, escalation level 1, the grid's
area class, the clocks of SERVICE_STANDARDS.md and the next due clock, plus the timeline
event. `Dispatcher`
gathers what it needs (cached topology; open-ticket counts and the assignment ledger only
when the grid's manager is off duty) and commits through `TicketStore.commit`: ONE
conditional transaction on the ticket's version and status (a mutual-aid or chief assignment
also stamps the assignee in the assignment ledger, `TicketStore.last_assigned`: the
dispatcher tells `commit` so with `stamp_ledger`). A redelivered INSERT
loses that condition, finds the ticket no longer `submitted`, and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.assignment import (
    Assignment,
    Route,
    Workload,
    assign,
    on_duty,
    peer_workloads,
    peers_on_duty,
)
from chalicelib.domain.calendar import WorkCalendar
from chalicelib.domain.org import Grid, Staff
from chalicelib.domain.policy import ServicePolicy
from chalicelib.domain.tickets import Status, Ticket
from chalicelib.domain.transitions import dispatched
from chalicelib.store.org import OrgStore
from chalicelib.store.tickets import StaleTicket, TicketStore


class TopologyError(LookupError):
    """The ticket's grid (or everyone who could serve it) is missing from the org data."""


@dataclass
class Dispatcher:
    tickets: TicketStore
    org: OrgStore
    policy: ServicePolicy
    calendar: WorkCalendar
    clock: Callable[[], datetime]

    def dispatch(self, submitted: Ticket) -> Ticket | None:
        """The dispatched ticket, or None when there was nothing to do (already dispatched,
        cancelled meanwhile, or not a submitted ticket at all). Raises StoreBusy (from the
        store) or StaleTicket (still submitted after two lost races) so the stream record is
        retried rather than dropped."""
        for _ in range(2):  # the image, then (at most once) the stored ticket
            if submitted.status is not Status.SUBMITTED or submitted.outage_id:
                return None  # an outage's report: the outage was dispatched, not the ticket
            now = self.clock()
            grid = self.org.grid(submitted.grid_id)
            if grid is None:
                raise TopologyError(f"grid {submitted.grid_id} not found")
            assignment = self.choose(submitted, grid, now)
            after, event = dispatched(
                submitted, grid, assignment, policy=self.policy, calendar=self.calendar, now=now
            )
            # a grid manager's own grid's ticket shows in their open count; stamping it
            # would make a one-grid outage's dispatches contend on one ledger item
            stamp = assignment.route is not Route.GRID_MANAGER
            try:
                return self.tickets.commit(submitted, after, event, stamp_ledger=stamp)
            except StaleTicket:
                stored = self.tickets.get(submitted.ticket_id)
                if stored is None:
                    return None
                submitted = stored
        if submitted.status is Status.SUBMITTED and not submitted.outage_id:
            raise StaleTicket()
        return None

    def choose(self, ticket: Ticket, grid: Grid, now: datetime) -> Assignment:
        manager = self.org.staff(grid.manager_id)
        peers: list[Staff] = []
        workloads: dict[str, Workload] = {}
        if manager is None or not on_duty(manager, now):
            members = self.org.members(grid.mutual_aid_group_id)
            peers = peers_on_duty(grid.manager_id, members, now)
            if peers:
                open_now = self.tickets.open_counts(grid.station_id)
                workloads = peer_workloads(peers, open_now, self.tickets.last_assigned)
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
