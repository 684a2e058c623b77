"""The outage's tickets follow it. Restored: each report still open is resolved with it
(cause: the outage's), and takes the ordinary road from there — the customer confirms, or it
closes itself after the callback window. Cancelled (no outage after all): each report is
released and a still-submitted one dispatched on its own. A notice's reports are resolved
when its window ends. Once per outage (`reports_settled_at`), from the minute pass."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from chalicelib.dispatch.dispatcher import Dispatcher
from chalicelib.domain.actors import SYSTEM
from chalicelib.domain.calendar import WorkCalendar
from chalicelib.domain.clocks import restamp
from chalicelib.domain.outage_vocabulary import OutageState
from chalicelib.domain.outages import Outage, settles_reports
from chalicelib.domain.policy import ServicePolicy
from chalicelib.domain.tickets import Action, Status, Ticket
from chalicelib.domain.transitions import timeline_event
from chalicelib.observability import logger
from chalicelib.store.outages import OutageStore, StaleOutage
from chalicelib.store.tickets import StaleTicket, TicketStore

RESTORED_CAUSE = "台区停电，已恢复供电"


@dataclass
class ReportSettler:
    outages: OutageStore
    tickets: TicketStore
    dispatcher: Dispatcher
    policy: ServicePolicy
    calendar: WorkCalendar
    clock: Callable[[], datetime]

    def settle(self, outage: Outage) -> int:
        """The number of tickets moved (0 when nothing is due)."""
        now = self.clock()
        if not settles_reports(outage, now):
            return 0
        moved = 0
        for ticket_id in sorted(outage.ticket_ids):
            ticket = self.tickets.get(ticket_id)
            if ticket is None or ticket.outage_id != outage.outage_id or not ticket.is_open:
                continue
            try:
                if outage.state is OutageState.CANCELLED:
                    self._release(ticket, now)
                else:
                    self._resolve(ticket, outage, now)
                moved += 1
            except StaleTicket:  # acted on meanwhile: the next pass looks again
                return moved
        try:
            self.outages.commit(outage, replace(outage, reports_settled_at=now, updated_at=now))
        except StaleOutage:
            logger.info("outage %s changed while settling its reports", outage.outage_id)
        return moved

    def _resolve(self, ticket: Ticket, outage: Outage, now: datetime) -> None:
        clocks = {**ticket.clocks, "resolved_at": now}
        outcome = {**ticket.outcome, "cause": outage.cause or RESTORED_CAUSE}
        after = restamp(
            replace(ticket, status=Status.RESOLVED, clocks=clocks, outcome=outcome, updated_at=now),
            self.policy,
            self.calendar,
        )
        event = timeline_event(
            ticket,
            after,
            Action.OUTAGE_RESTORED,
            actor=SYSTEM,
            at=now,
            note="所在台区已恢复供电，工单随停电事件办结，请确认评价",
            data={"outage_id": outage.outage_id},
        )
        self.tickets.commit(ticket, after, event, stamp_ledger=False)

    def _release(self, ticket: Ticket, now: datetime) -> None:
        after = restamp(replace(ticket, outage_id=None, updated_at=now), self.policy, self.calendar)
        event = timeline_event(
            ticket,
            after,
            Action.DETACH_OUTAGE,
            actor=SYSTEM,
            at=now,
            note="停电事件已取消，按普通工单处理",
            data={"outage_id": ticket.outage_id},
        )
        released = self.tickets.commit(ticket, after, event, stamp_ledger=False)
        if released.status is Status.SUBMITTED:
            self.dispatcher.dispatch(released)
