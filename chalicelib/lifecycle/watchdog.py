"""sla_watchdog: every minute, act on every ticket whose next clock fell due.

`Watchdog(tickets, org, policy, calendar, clock)` is the service, shaped like
`dispatch.Dispatcher`: its ports are passed in, its rules are the domain's
(domain.escalation decides each step, domain.assignment the level-2 peer), and
`on_schedule` is the thin Lambda entry point app.py registers.

A tick reads the due index (`TicketStore.due`: the store walks its own shards, one Query per
shard, never a Scan; at most DUE_PER_TICK tickets, earliest due first), and for each ticket
found commits the escalation conditionally on the version it read. A stale index entry (the
ticket moved on since) or a concurrent action makes that commit fail; the ticket is skipped
and looked at again next minute if still due. Because each step marks its clock and moves
`next_due` on, a rerun on the same minute finds nothing and commits nothing, so the stream
handler has nothing new to notify. A backlog larger than DUE_PER_TICK is worked off over
the following ticks, earliest due first.

A held first report (outages/clustering.py: its 台区 may yet cluster) is due on its `hold`
clock: when that ends the tick joins it to its 台区's outage if one formed without it
(`OutageClustering.on_hold_end`), else dispatches it like the stream would have (Dispatcher: one
conditional commit on its version and `submitted` status, so a report its outage took
meanwhile is left alone, and a rerun finds it dispatched). If it cannot be dispatched (no
grid, nobody to serve it) it is escalated as a stuck dispatch: the station chief is told.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.dispatch.dispatcher import Dispatcher, TopologyError
from chalicelib.domain.assignment import least_loaded, peer_workloads, peers_on_duty
from chalicelib.domain.calendar import WorkCalendar
from chalicelib.domain.clocks import ACCEPT, HOLD
from chalicelib.domain.errors import Conflict
from chalicelib.domain.escalation import due_clock, escalate
from chalicelib.domain.org import Staff
from chalicelib.domain.policy import ServicePolicy
from chalicelib.domain.tickets import Ticket
from chalicelib.observability import logger
from chalicelib.store.org import OrgStore
from chalicelib.store.tickets import StaleTicket, StoreBusy, TicketStore

if TYPE_CHECKING:
    from chalicelib.bootstrap import Services
    from chalicelib.outages.clustering import OutageClustering

DUE_PER_TICK = 1000  # tickets one tick handles at most (~20 ms a commit; the Lambda has 55 s)


@dataclass
class TickReport:
    at: datetime
    found: int = 0  # index entries read
    committed: Counter[str] = field(default_factory=Counter)  # "level2", "level3", "auto_close"
    stale: int = 0  # commits refused: the ticket changed since read, or the store was busy
    skipped: int = 0  # entries whose ticket cannot take the step (logged)

    def as_dict(self) -> dict[str, object]:
        return {
            "at": self.at.isoformat(),
            "found": self.found,
            "committed": dict(self.committed),
            "stale": self.stale,
            "skipped": self.skipped,
        }


class TickLoads:
    """What the level-2 choice reads, once per tick and kept current by the tick's own
    reassignments: each station's open tickets per assignee (one Query per station) and the
    assignment ledger (one BatchGetItem for the staff not looked up yet)."""

    def __init__(self, tickets: TicketStore) -> None:
        self._tickets = tickets
        self._open: dict[str, dict[str, int]] = {}
        self._ledger: dict[str, datetime | None] = {}

    def open_counts(self, station_id: str) -> dict[str, int]:
        if station_id not in self._open:
            self._open[station_id] = self._tickets.open_counts(station_id)
        return self._open[station_id]

    def last_assigned(self, staff_ids: list[str]) -> dict[str, datetime]:
        unknown = [s for s in staff_ids if s not in self._ledger]
        if unknown:
            found = self._tickets.last_assigned(unknown)
            self._ledger.update({s: found.get(s) for s in unknown})
        return {s: at for s in staff_ids if (at := self._ledger[s]) is not None}

    def moved(self, ticket: Ticket, from_id: str, at: datetime) -> None:
        counts = self.open_counts(ticket.station_id)
        to_id = str(ticket.assignee_id)
        counts[from_id] = counts.get(from_id, 1) - 1
        counts[to_id] = counts.get(to_id, 0) + 1
        self._ledger[to_id] = at


@dataclass
class Watchdog:
    tickets: TicketStore
    org: OrgStore
    policy: ServicePolicy
    calendar: WorkCalendar
    clock: Callable[[], datetime]
    due_per_tick: int = DUE_PER_TICK
    dispatcher: Dispatcher | None = None  # held reports, when their hold ends
    clustering: OutageClustering | None = None  # … or their 台区's outage, formed without them

    def __post_init__(self) -> None:
        if self.dispatcher is None:
            self.dispatcher = Dispatcher(
                self.tickets, self.org, self.policy, self.calendar, self.clock
            )

    @classmethod
    def from_services(cls, svc: Services) -> Watchdog:
        from chalicelib.dispatch.stream import TicketStreamProcessor

        stream = TicketStreamProcessor.from_services(svc)
        return cls(
            svc.tickets,
            svc.org,
            svc.policy,
            svc.calendar,
            svc.clock,
            dispatcher=stream.dispatcher,
            clustering=stream.clustering,
        )

    def tick(self) -> TickReport:
        """One pass over what is due now."""
        now = self.clock()
        report = TickReport(at=now)
        loads = TickLoads(self.tickets)
        for ticket in self.tickets.due(now, self.due_per_tick):
            report.found += 1
            self.handle(ticket, now, report, loads)
        logger.info("sla_watchdog tick", extra=report.as_dict())
        return report

    def handle(self, ticket: Ticket, now: datetime, report: TickReport, loads: TickLoads) -> int:
        """Every step due on this ticket now, one commit each (a ticket 50 minutes past
        dispatch has missed accept and arrive: level 2, then level 3), so that a rerun finds
        nothing. Returns the number of commits."""
        committed = 0
        while (clock := due_clock(ticket, now)) is not None:
            if clock == HOLD:
                try:
                    joined = self.clustering.on_hold_end(ticket) if self.clustering else None
                except (StaleTicket, StoreBusy):
                    report.stale += 1
                    break
                if joined is not None:
                    report.committed["hold_joined"] += 1
                    committed += 1
                    break
                try:
                    released = self.release(ticket)
                except (StaleTicket, StoreBusy):  # due again next minute if still due
                    report.stale += 1
                    break
                except TopologyError as error:  # escalated below as a stuck dispatch
                    logger.warning("sla_watchdog: held %s: %s", ticket.ticket_id, error)
                else:
                    if released is None:  # its outage took it, or it moved on
                        break
                    report.committed["hold_released"] += 1
                    committed += 1
                    ticket = released
                    continue
            wants_peer = clock == ACCEPT and ticket.is_open
            peer = self.level2_peer(ticket, now, loads) if wants_peer else None
            try:
                step = escalate(
                    ticket, now=now, policy=self.policy, calendar=self.calendar, peer=peer
                )
            except Conflict as error:  # an index entry that contradicts its ticket: report it
                logger.warning("sla_watchdog skipped %s: %s", ticket.ticket_id, error.code)
                report.skipped += 1
                break
            if step is None:
                break
            after, event = step
            try:
                moved_from, ticket = ticket.assignee_id, self.tickets.commit(ticket, after, event)
            except (StaleTicket, StoreBusy):  # due again next minute if still due
                report.stale += 1
                break
            report.committed[_kind(event.action, event.data.get("level"))] += 1
            committed += 1
            if moved_from and ticket.assignee_id != moved_from:
                loads.moved(ticket, moved_from, event.at)
        return committed

    def release(self, ticket: Ticket) -> Ticket | None:
        """A held report whose hold ended, dispatched; None when there was nothing to
        dispatch (its outage took it, or it moved on). TopologyError when nobody can take it."""
        assert self.dispatcher is not None
        return self.dispatcher.dispatch(ticket)

    def level2_peer(self, ticket: Ticket, now: datetime, loads: TickLoads) -> Staff | None:
        """The on-duty mutual-aid peer of the ticket's grid with the fewest open tickets,
        other than the current assignee (domain.assignment's rule); None when nobody
        qualifies."""
        grid = self.org.grid(ticket.grid_id)
        members = self.org.members(grid.mutual_aid_group_id) if grid else []
        peers = peers_on_duty(ticket.assignee_id, members, now)
        if not peers:
            return None
        open_now = loads.open_counts(ticket.station_id)
        return least_loaded(peers, peer_workloads(peers, open_now, loads.last_assigned))


def run_tick(svc: Services) -> dict[str, object]:
    """The schedule's job over a container: calendar coverage, then one tick."""
    from chalicelib.lifecycle.calendar_watch import watch_calendar

    watch_calendar(svc.calendar, svc.clock())
    return Watchdog.from_services(svc).tick().as_dict()


def on_schedule(event: Any) -> dict[str, object]:
    """The Lambda entry point (app.py registers it as `sla_watchdog`)."""
    from chalicelib.bootstrap import services

    return run_tick(services())


def _kind(action: str, level: object) -> str:
    return action if level is None else f"level{level}"
