"""Clustering (stream-driven, exactly once): qualifying fault reports → one probable outage
per 台区, one dispatch SMS to its grid manager, later reports attached without a dispatch or
clocks of their own.

For each new ticket (the stream's INSERT), before the dispatcher sees it:
1. not a qualifying fault report (a single socket, not a fault) → None: an ordinary ticket;
2. attached at intake (`ticket.outage_id`), or the 台区 has an open outage → the report is
   added to it (one UpdateItem; sets, so a redelivery adds nothing) and not dispatched;
3. else the report is remembered per 户号 and the 台区's distinct accounts within the
   window are counted; below the policy's threshold the report is HELD (`Held`): its ticket
   records `held_until` (report time + the rule set's hold: `hold` normally — 2 minutes,
   for the next reports of a 台区 that tripped to arrive —, the whole window while its
   station is in a storm, i.e. `storm_areas` of its 台区 reporting), the due index names
   the `hold` clock, and no SMS goes.
   If the outage forms meanwhile the report joins it (step 4); when the hold ends the
   sla_watchdog's minute pass joins it to its 台区's open outage if one formed without it
   (`on_hold_end`), else dispatches it, as an ordinary ticket. Both are conditional
   writes on the ticket's version: whichever lands first decides whether the report was
   dispatched on its own (one SMS to its manager); either way an outage that forms around
   it in the window takes it as one of its reports, like any dispatched report of its 台区
   (its clocks stop, and the figures count the trip as one fault event). Important and
   special customers and hazards are never held; the customer's clocks run from the report
   regardless, and a hold longer than the dispatch step shows as a missed step in the figures;
4. at the threshold the outage forms: ONE conditional write claims the 台区's open slot, so
   two shards that both saw "the third report" make one outage — the loser attaches to the
   winner. The window's tickets are linked (their clocks stop) and the manager gets one SMS
   saying how many reports there are; `dispatched_at` records that, so a redelivery after a
   crash in between completes the formation instead of repeating it.
5. roll-up (domain/outages.py): a 台区 reaching the threshold whose line has an outage that
   went probable within the roll-up window (or is line-level and open) joins it instead —
   one transaction claims the 台区's slot and changes the outage on its version; no dispatch,
   its customers acknowledged. New outages claim the line's slot too, so two shards forming
   two 台区 of one line make one line outage: the loser (`LineTaken`) rolls up into the
   winner. A redelivery finds the 台区's slot taken by the line outage and only attaches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from chalicelib.dispatch.messages import Outgoing, Recipient
from chalicelib.dispatch.outbox import Outbox
from chalicelib.domain.actors import SYSTEM
from chalicelib.domain.assignment import Assignment
from chalicelib.domain.calendar import WorkCalendar
from chalicelib.domain.clocks import HELD_UNTIL, restamp
from chalicelib.domain.ids import new_ulid
from chalicelib.domain.org import AreaClass, Grid
from chalicelib.domain.outage_vocabulary import OutageKind
from chalicelib.domain.outages import (
    Outage,
    OutagePolicy,
    attaches,
    counts_toward_outage,
    densest_window,
    dispatched,
    formed,
    rolled_up,
    rolls_up,
    unacknowledged_areas,
)
from chalicelib.domain.policy import ServicePolicy
from chalicelib.domain.tickets import Action, Status, Ticket, TicketType
from chalicelib.domain.transitions import timeline_event
from chalicelib.notify.templates import TemplateKey
from chalicelib.observability import logger, metrics
from chalicelib.outages.notices import OutageNotifier
from chalicelib.store.customers import CustomerStore
from chalicelib.store.org import OrgStore
from chalicelib.store.outages import LineClaim, LineTaken, OutageExists, OutageStore, StaleOutage
from chalicelib.store.tickets import StaleTicket, TicketStore

REPORT_KEEP = timedelta(hours=2)  # a report item outlives any window it can count in
ROLLUP_TRIES = 5  # formation / roll-up attempts racing other shards before the record fails
# A station's partition of the area store: the latest qualifying report per 台区 (the storm
# signal: how many of its 台区 are reporting "no power" now).
STATION_KEY = "station#"


@dataclass(frozen=True, slots=True)
class Held:
    """A first report held for its neighbours until `until` (the watchdog dispatches it then,
    unless its 台区's outage forms first and it joins that)."""

    ticket_id: str
    until: datetime


@dataclass
class OutageClustering:
    outages: OutageStore
    tickets: TicketStore
    customers: CustomerStore
    org: OrgStore
    policy: ServicePolicy
    calendar: WorkCalendar
    outbox: Outbox
    notifier: OutageNotifier
    choose: Callable[[Ticket, Grid, datetime], Assignment]
    clock: Callable[[], datetime]
    new_id: Callable[[datetime], str] = new_ulid
    _recorded: set[str] = field(default_factory=set)

    # ------------------------------------------------------------ the stream's INSERT
    def prepare(self, tickets: Iterable[Ticket]) -> None:
        """Remember every qualifying report of a batch before any is handled, so reports
        that arrive together cluster together instead of the first being dispatched alone."""
        for ticket in tickets:
            if self._counts(ticket) and not ticket.outage_id:
                self._record(ticket)

    def on_report(self, ticket: Ticket) -> Outage | Held | None:
        """The outage the new ticket belongs to, or its hold (then it is not dispatched now),
        or None (dispatch it)."""
        if not self._counts(ticket):
            return None
        now = self.clock()
        window = self.rules.cluster_window
        if ticket.outage_id:  # attached at intake
            joined = self._attach(ticket, ticket.outage_id)
            if joined is not None:
                return self._joined(ticket, joined, now)
            self._detach(ticket, now)  # closed meanwhile: an ordinary ticket after all
            return None
        self._record(ticket)
        area = self.outages.area(ticket.ta_id, ticket.created_at - window)
        notice = area.notice_at(ticket.created_at)
        if notice is not None and (joined := self._attach(ticket, notice.outage_id)):
            self._link(ticket.ticket_id, joined, now)  # published since the report was made
            return joined
        if area.open_id is not None:
            joined = self._attach(ticket, area.open_id)
            if joined is not None and attaches(joined, now, self.rules):
                self._link(ticket.ticket_id, joined, now)
                return self._joined(ticket, joined, now)
        near = {a: at for a, (_, at) in area.reports.items() if at <= ticket.created_at + window}
        cluster = densest_window(near, window)
        if ticket.account_no not in cluster or len(cluster) < self.rules.small_area_min_accounts:
            return self._hold(ticket, now)
        customers = self.customers.count_in_area(ticket.ta_id)
        if len(cluster) < self.rules.accounts_needed(customers or None):
            return self._hold(ticket, now)
        reports = {a: area.reports[a][0] for a in sorted(cluster)}
        return self._form(ticket, reports, customers, now)

    def on_hold_end(self, ticket: Ticket) -> Outage | None:
        """A held report whose hold ended (the watchdog asks before dispatching it): the open
        outage of its 台区 it joined — its 台区 clustered without it (its 户号 reported again,
        so the later report stood for it, or it fell outside the densest window) — or None:
        dispatch it. The link is the same conditional write as at formation."""
        if ticket.outage_id or not self._counts(ticket):
            return None
        now = self.clock()
        open_id = self.outages.open_in_area(ticket.ta_id)
        if open_id is None:
            return None
        joined = self._attach(ticket, open_id)
        if joined is None or not attaches(joined, now, self.rules):
            return None
        self._link(ticket.ticket_id, joined, now)
        stored = self.tickets.get(ticket.ticket_id)
        if stored is None or stored.outage_id != joined.outage_id:
            return None  # it moved on meanwhile (dispatched): the dispatcher finds it so
        return self._joined(ticket, joined, now)

    # ------------------------------------------------------------ internals
    def _hold(self, ticket: Ticket, now: datetime) -> Held | None:
        """Hold a first report for its neighbours; None when it is to be dispatched now (a
        priority customer, a hazard, no hold in the rule set, or its hold already over). Once: a
        redelivered record finds the ticket held (or moved on) and changes nothing."""
        areas = self._areas_reporting(ticket, now)  # every first report is storm evidence
        if ticket.priority or ticket.details.get("hazard") or ticket.status is not Status.SUBMITTED:
            return None
        until = ticket.created_at + self.rules.hold_for(areas)
        if until <= now:
            return None
        for _ in range(2):  # the image, then (at most once) the stored ticket
            if (
                HELD_UNTIL in ticket.clocks
                or ticket.outage_id
                or ticket.status is not Status.SUBMITTED
            ):
                return Held(ticket.ticket_id, ticket.clocks.get(HELD_UNTIL, until))
            clocks = {**ticket.clocks, HELD_UNTIL: until}
            after = restamp(
                replace(ticket, clocks=clocks, updated_at=now), self.policy, self.calendar
            )
            minutes = round((until - ticket.created_at) / timedelta(minutes=1))
            note = f"暂缓派单{minutes}分钟，等待同台区报修汇聚为停电事件"
            data = {"held_until": until.isoformat(), "minutes": minutes}
            event = timeline_event(
                ticket, after, Action.HOLD, actor=SYSTEM, at=now, note=note, data=data
            )
            try:
                self.tickets.commit(ticket, after, event, stamp_ledger=False)
            except StaleTicket:
                stored = self.tickets.get(ticket.ticket_id)
                if stored is None:
                    return None
                ticket = stored
                continue
            metrics.add_metric(name="ReportHeld", unit="Count", value=1)
            return Held(ticket.ticket_id, until)
        return None  # still moving: the dispatcher's own conditions decide

    def _areas_reporting(self, ticket: Ticket, now: datetime) -> int:
        """The 台区 of the ticket's station with a qualifying report within the window, this
        one included (one PutItem, one Query; none when both rule sets hold alike)."""
        if self.rules.storm_hold == self.rules.hold:
            return 0
        station = f"{STATION_KEY}{ticket.station_id}"
        self.outages.record_report(
            station, ticket.ta_id, ticket.ticket_id, ticket.created_at, REPORT_KEEP
        )
        return len(self.outages.area(station, now - self.rules.cluster_window).reports)

    def _attach(self, ticket: Ticket, outage_id: str) -> Outage | None:
        return self.outages.attach(
            outage_id, ticket.ticket_id, ticket.account_no, ticket.contact_phone
        )

    def _joined(self, ticket: Ticket, outage: Outage, now: datetime) -> Outage:
        """A report joined `outage`: finish a formation a crash interrupted, or tell this
        reporter what the others were told. A published notice needs neither: the report
        was answered with the notice at once and is counted apart from faults."""
        if outage.kind is not OutageKind.FAULT:
            return outage
        if outage.dispatched_at is None or unacknowledged_areas(outage):
            return self._complete(outage, now)  # formed or rolled up, not finished
        self.notifier.tell_reporter(
            outage, ticket.account_no, ticket.contact_phone, ticket.priority, ticket.ta_id
        )
        return outage

    @property
    def rules(self) -> OutagePolicy:
        return self.policy.outages

    def _counts(self, ticket: Ticket) -> bool:
        """A 户号's report in a known 台区 (a fault seen in the street has neither)."""
        located = bool(ticket.ta_id and ticket.account_no)
        return located and counts_toward_outage(ticket.type.value, ticket.details)

    def _record(self, ticket: Ticket) -> None:
        if ticket.ticket_id in self._recorded:
            return
        self.outages.record_report(
            ticket.ta_id, ticket.account_no, ticket.ticket_id, ticket.created_at, REPORT_KEEP
        )
        self._recorded.add(ticket.ticket_id)

    def _form(
        self, ticket: Ticket, reports: dict[str, str], customers: int, now: datetime
    ) -> Outage:
        area = self.org.transformer_area(ticket.ta_id)
        line_id = (area.line_id or None) if area else None
        contacts = self._contacts(ticket, reports)
        for _ in range(ROLLUP_TRIES):
            on_line = self.outages.line_outage(line_id) if line_id else None
            current = self.outages.get(on_line) if on_line else None
            if current is not None and rolls_up(current, now, self.rules):
                joined = self._roll_up(current, ticket, reports, customers, contacts, now)
                if joined is not None:  # only the joining 台区's reports need linking
                    return self._finish(ticket, joined, now, {ticket.ticket_id, *reports.values()})
                continue  # it closed meanwhile: look again
            draft = self._draft(ticket, line_id, reports, customers, contacts, now)
            claim = LineClaim(line_id, replacing=on_line) if line_id else None
            try:
                outage: Outage | None = self.outages.open(draft, claim)
                metrics.add_metric(name="OutageFormed", unit="Count", value=1)
                logger.info("outage formed", extra={"ta_id": ticket.ta_id, "reports": len(reports)})
            except OutageExists as lost:  # another shard formed it first: join that one
                outage = self._attach(ticket, lost.outage_id) or self.outages.get(lost.outage_id)
            except LineTaken:  # another 台区 on the line went probable meanwhile: roll up
                continue
            if outage is not None:
                return self._finish(ticket, outage, now)
        raise StaleOutage()  # the stream record fails and comes back: nothing half-done

    def _draft(
        self,
        ticket: Ticket,
        line_id: str | None,
        reports: dict[str, str],
        customers: int,
        contacts: frozenset[str],
        now: datetime,
    ) -> Outage:
        grid = self.org.grid(ticket.grid_id)
        area_class = AreaClass(grid.area_class) if grid else AreaClass.URBAN
        return formed(
            outage_id=self.new_id(now),
            ta_id=ticket.ta_id,
            grid_id=ticket.grid_id,
            station_id=ticket.station_id,
            branch_id=ticket.branch_id,
            line_id=line_id,
            manager_id=grid.manager_id if grid else None,
            reports=reports,
            customers_affected=customers,
            etr=self._default_etr(area_class, now),
            now=now,
            contacts=contacts,
        )

    def _roll_up(
        self,
        outage: Outage,
        ticket: Ticket,
        reports: dict[str, str],
        customers: int,
        contacts: frozenset[str],
        now: datetime,
    ) -> Outage | None:
        """The 台区 joins its line's outage (one transaction: its open slot + the outage on
        its version); None when that outage closed or stopped rolling up meanwhile."""
        for _ in range(ROLLUP_TRIES):
            after = rolled_up(
                outage,
                ta_id=ticket.ta_id,
                reports=reports,
                customers_affected=customers,
                contacts=contacts,
                now=now,
            )
            try:
                joined = self.outages.roll_up(outage, after, ticket.ta_id)
                metrics.add_metric(name="OutageRolledUp", unit="Count", value=1)
                logger.info(
                    "outage rolled up", extra={"ta_id": ticket.ta_id, "line": outage.line_id}
                )
                return joined
            except OutageExists as lost:  # the 台区 joined already (another shard): attach
                return self._attach(ticket, lost.outage_id) or self.outages.get(lost.outage_id)
            except StaleOutage:  # told, dispatched or acted on meanwhile: read it again
                fresh = self.outages.get(outage.outage_id)
                if fresh is None or not rolls_up(fresh, now, self.rules):
                    return None
                outage = fresh
        raise StaleOutage()

    def _finish(
        self, ticket: Ticket, outage: Outage, now: datetime, link: set[str] | None = None
    ) -> Outage:
        if ticket.ticket_id not in outage.ticket_ids:
            # the report that formed it is not the window's latest of its 户号 (the same
            # customer reported again in this batch): it joins too, or it would be lost
            outage = self._attach(ticket, outage.outage_id) or outage
        return self._complete(outage, now, link)

    def _contacts(self, ticket: Ticket, reports: dict[str, str]) -> frozenset[str]:
        """ "<account_no>#<phone>" of the window's reporters (the phones they gave)."""
        found = {ticket.account_no: ticket.contact_phone}
        for account, ticket_id in reports.items():
            if account not in found and (other := self.tickets.get(ticket_id)) is not None:
                found[account] = other.contact_phone
        return frozenset(f"{a}#{p}" for a, p in found.items() if p and a in reports)

    def _default_etr(self, area_class: AreaClass, now: datetime) -> datetime:
        """Arrival commitment + restoration commitment for the area class."""
        arrive = self.policy.arrive_clock(TicketType.FAULT_REPAIR, area_class)
        resolve = self.policy.resolve_clock(TicketType.FAULT_REPAIR, area_class=area_class)
        total = timedelta()
        for clock in (arrive, resolve):
            if isinstance(clock, timedelta):
                total += clock
        return now + total

    def _complete(self, outage: Outage, now: datetime, link: set[str] | None = None) -> Outage:
        """Link the outage's tickets (or those of `link`), tell its manager once and its
        customers; idempotent."""
        for ticket_id in sorted(outage.ticket_ids if link is None else link):
            self._link(ticket_id, outage, now)
        if outage.dispatched_at is not None:
            return self.notifier.tell(outage)
        grid = self.org.grid(outage.grid_id or "")
        first = self.tickets.get(min(outage.ticket_ids)) if outage.ticket_ids else None
        if grid is None or first is None:
            logger.error("outage %s: no grid or ticket to dispatch from", outage.outage_id)
            return outage
        assignee = self.choose(first, grid, now).assignee
        area = self.org.transformer_area(outage.ta_ids[0])
        window = round(self.rules.cluster_window / timedelta(minutes=1))
        self.outbox.deliver(
            [
                Outgoing(
                    business_key=f"{outage.outage_id}#dispatch#{Recipient.ASSIGNEE}",
                    ticket_id=outage.outage_id,
                    recipient=Recipient.ASSIGNEE,
                    phone=assignee.phone,
                    template=TemplateKey.OUTAGE_MANAGER,
                    params={
                        "area": area.name if area else outage.ta_ids[0],
                        "minutes": window,
                        "reports": outage.reports,
                        "customers": outage.customers_affected,
                    },
                )
            ]
        )
        note = f"派单给{assignee.name}（{outage.reports}户报修）"
        for _ in range(ROLLUP_TRIES):
            try:
                outage = self.outages.commit(
                    outage, dispatched(outage, manager_id=assignee.staff_id, note=note, now=now)
                )
                break
            except StaleOutage:  # changed meanwhile (a roll-up, staff): record it on the new
                fresh = self.outages.get(outage.outage_id)
                if fresh is None or fresh.dispatched_at is not None:  # recorded elsewhere
                    logger.info("outage %s: dispatch already recorded", outage.outage_id)
                    outage = fresh or outage
                    break
                outage = fresh
        return self.notifier.tell(outage)

    def _link(self, ticket_id: str, outage: Outage, now: datetime) -> None:
        """Mark the ticket as the outage's report: its own clocks stop (no dispatch, no
        escalation); its timeline says so. A ticket already linked is left alone."""
        for _ in range(2):
            ticket = self.tickets.get(ticket_id)
            if ticket is None or ticket.outage_id:
                return
            if self._relink(ticket, outage.outage_id, now, "并入停电事件，统一抢修"):
                return

    def _detach(self, ticket: Ticket, now: datetime) -> None:
        """A report attached at intake to an outage that closed before the stream saw it."""
        stored = self.tickets.get(ticket.ticket_id)
        if stored is not None and stored.outage_id:
            self._relink(stored, None, now, "停电事件已结束，按普通工单派单")

    def _relink(self, ticket: Ticket, outage_id: str | None, now: datetime, note: str) -> bool:
        after = restamp(
            replace(ticket, outage_id=outage_id, updated_at=now), self.policy, self.calendar
        )
        action = Action.ATTACH_OUTAGE if outage_id else Action.DETACH_OUTAGE
        data = {"outage_id": outage_id or ticket.outage_id}
        event = timeline_event(ticket, after, action, actor=SYSTEM, at=now, note=note, data=data)
        try:
            self.tickets.commit(ticket, after, event, stamp_ledger=False)
        except StaleTicket:  # it moved meanwhile (a dispatch on another shard): read again
            return False
        return True
