"""The hold on first "no power" reports (storm rule set), under moto: reports go through the
real ticket_stream handler, the minute pass is the real sla_watchdog tick, time is injected.

新华1号台区 (T1) has 30 customers, so three accounts make an outage. Its station S1 has one
other 台区 (T2): the storm rule set is tuned here to two 台区 reporting, so a report from T2
puts the station in a storm and T1's first reports are held the whole window."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest

from chalicelib import bootstrap
from chalicelib.dispatch.stream import handle_ticket_stream
from chalicelib.domain.org import Customer
from chalicelib.domain.tickets import ClockName, Status, Ticket
from chalicelib.lifecycle.watchdog import TickLoads, TickReport, Watchdog
from tests import district
from tests.functional.lifecycle_support import act, staff_scope
from tests.functional.test_outage_clustering import NEIGHBOURS, OutageStack, gather_end
from tests.functional.test_ticket_stream import streamed_services

T2_CUSTOMER = Customer("0602100001", "赵六", "临河区胜利路阳光家园3号楼", "T2", phone="13700000001")
CHIEF = district.staff("C1").phone
MANAGER_PHONE = district.staff("M1").phone
WINDOW = timedelta(minutes=15)


class HoldStack(OutageStack):
    def storm_elsewhere(self) -> Ticket:
        """A "no power" report from the station's other 台区: the first, dispatched when its
        2-minute wait ends (and accepted, so that no escalation of it crosses M1's phone)."""
        self.svc.customers.bind("wx-t2", T2_CUSTOMER.account_no, self.svc.clock())
        from chalicelib.domain.commands import NewTicket
        from chalicelib.domain.details import FaultDetails
        from chalicelib.domain.tickets import TicketType
        from chalicelib.usecases.intake import submit_ticket

        request = NewTicket(
            type=TicketType.FAULT_REPAIR,
            account_no=T2_CUSTOMER.account_no,
            description="整片停电",
            contact_phone=T2_CUSTOMER.phone,
            details=FaultDetails(scope="area"),  # type: ignore[arg-type]
        )
        ticket, _ = submit_ticket(self.svc, "wx-t2", request, None)
        self.minutes(self.svc.clock, 3)
        accepted = act(
            self.svc, staff_scope(self.svc, "M2"), self.ticket(ticket.ticket_id), "accept"
        )
        self.pump()
        return accepted

    def chief_sms_about(self, ticket: Ticket) -> list[str]:
        return [
            s.sms.key for s in self.sms.sent if s.phone == CHIEF and ticket.number in s.sms.text
        ]


@pytest.fixture
def stack(settings, clock) -> Iterator[HoldStack]:  # type: ignore[no-untyped-def]
    customers = (*district.CUSTOMERS, *NEIGHBOURS, T2_CUSTOMER)
    with streamed_services(settings, clock, district.ORG, customers) as svc:
        svc.policy = replace(svc.policy, outages=replace(svc.policy.outages, storm_areas=2))
        yield HoldStack(svc)


def test_in_a_storm_three_neighbours_over_ten_minutes_make_one_outage_and_one_manager_sms(
    stack: HoldStack, clock
) -> None:  # type: ignore[no-untyped-def]
    stack.storm_elsewhere()
    first = stack.report(0)
    stack.pump()
    held = stack.ticket(first.ticket_id)
    assert held.status is Status.SUBMITTED and held.assignee_id is None
    assert held.next_due == (ClockName.HOLD, first.created_at + WINDOW)
    assert stack.manager_sms() == []

    stack.minutes(clock, 5)  # separate stream batches, the minute pass between them
    second = stack.report(1, "building")
    stack.minutes(clock, 5)
    third = stack.report(2, "area")
    stack.minutes(clock, 25)  # well past every hold

    (outage,) = stack.outages()
    assert outage.reports == 3
    assert stack.manager_sms() == ["outage_manager"]  # one SMS, not one per first report
    for report in (first, second, third):
        ticket = stack.ticket(report.ticket_id)
        assert ticket.outage_id == outage.outage_id and ticket.status is Status.SUBMITTED
        assert ticket.escalation_level == 0 and stack.chief_sms_about(ticket) == []
    actions = [e.action for e in stack.svc.tickets.timeline(first.ticket_id)]
    assert actions == ["submit", "hold", "attach_outage"]


def test_a_lone_report_is_dispatched_once_when_its_hold_ends(stack: HoldStack, clock) -> None:  # type: ignore[no-untyped-def]
    stack.storm_elsewhere()
    lone = stack.report(0)
    insert = stack.read()
    assert stack.deliver(insert) == []

    stack.minutes(clock, 14)  # held: no SMS, and no "still not dispatched" alarm to the chief
    assert stack.manager_sms() == [] and stack.chief_sms_about(lone) == []
    assert stack.ticket(lone.ticket_id).status is Status.SUBMITTED

    stack.minutes(clock, 2)  # the hold ended: the minute pass dispatched it
    dispatched = stack.ticket(lone.ticket_id)
    assert dispatched.status is Status.DISPATCHED and dispatched.assignee_id == "M1"
    assert dispatched.outage_id is None and stack.outages() == []
    assert stack.manager_sms() == ["dispatch_manager"]
    # the customer's clocks ran from the report, and the late dispatch is on record as such
    assert dispatched.clocks["arrive_due"] == lone.created_at + timedelta(minutes=45)
    assert dispatched.clocks["dispatched_at"] - lone.created_at > timedelta(minutes=5)

    assert stack.deliver(insert) == []  # Lambda redelivers the INSERT: nothing changes
    stack.minutes(clock, 5)
    assert stack.ticket(lone.ticket_id).version == dispatched.version
    assert stack.manager_sms() == ["dispatch_manager"]
    actions = [e.action for e in stack.svc.tickets.timeline(lone.ticket_id)]
    assert actions == ["submit", "hold", "dispatch"]


def test_a_redelivered_report_leaves_its_hold_as_it_was(stack: HoldStack, clock) -> None:  # type: ignore[no-untyped-def]
    stack.storm_elsewhere()
    report = stack.report(0)
    insert = stack.read()
    assert stack.deliver(insert) == []
    held = stack.ticket(report.ticket_id)
    clock.advance(minutes=3)

    assert stack.deliver(insert) == []

    assert stack.ticket(report.ticket_id) == held
    assert stack.manager_sms() == []


def test_with_the_normal_rule_set_a_lone_report_waits_two_minutes_within_the_dispatch_step(
    stack: HoldStack, clock
) -> None:  # type: ignore[no-untyped-def]
    lone = stack.report(0)  # no other 台区 of the station dark: the normal rule set
    stack.pump()
    assert stack.ticket(lone.ticket_id).next_due == (ClockName.HOLD, gather_end(lone))

    stack.minutes(clock, 1)
    assert stack.manager_sms() == []
    stack.minutes(clock, 2)

    dispatched = stack.ticket(lone.ticket_id)
    assert dispatched.status is Status.DISPATCHED and stack.manager_sms() == ["dispatch_manager"]
    waited = dispatched.clocks["dispatched_at"] - lone.created_at
    assert timedelta(minutes=2) <= waited < timedelta(minutes=5)  # the dispatch step is met
    assert stack.chief_sms_about(lone) == []


def test_a_bureau_that_sets_no_wait_has_a_lone_report_dispatched_at_once(settings, clock) -> None:  # type: ignore[no-untyped-def]
    no_wait = replace(settings, report_hold_seconds=0)
    with streamed_services(no_wait, clock, district.ORG, NEIGHBOURS) as svc:
        stack = HoldStack(svc)
        lone = stack.report(0)
        stack.pump()

        assert stack.ticket(lone.ticket_id).status is Status.DISPATCHED
        assert stack.manager_sms() == ["dispatch_manager"]


def test_a_held_report_its_outage_formed_without_joins_it_when_the_hold_ends(
    stack: HoldStack, clock
) -> None:  # type: ignore[no-untyped-def]
    stack.storm_elsewhere()
    first = stack.report(0)
    stack.pump()
    clock.advance(minutes=1)
    stack.report(0)  # the same customer again: his later report stands for him in the window
    stack.report(1)
    stack.report(2)
    stack.minutes(clock, 20)

    (outage,) = stack.outages()
    ticket = stack.ticket(first.ticket_id)
    assert ticket.outage_id == outage.outage_id and ticket.status is Status.SUBMITTED
    assert outage.reports == 4
    assert stack.manager_sms() == ["outage_manager"]  # not also a dispatch of the first report


class RacingTickets:
    """The ticket store of the shard forming the outage: on its `nth` read of `ticket_id`,
    the other Lambda (the minute pass) acts first — as if its hold expired just then."""

    def __init__(self, inner, ticket_id: str, nth: int, meanwhile) -> None:  # type: ignore[no-untyped-def]
        self.inner, self.ticket_id, self.nth, self.meanwhile = inner, ticket_id, nth, meanwhile
        self.reads = 0

    def get(self, ticket_id: str):  # type: ignore[no-untyped-def]
        found = self.inner.get(ticket_id)
        if ticket_id == self.ticket_id:
            self.reads += 1
            if self.reads == self.nth:
                self.meanwhile()
        return found

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self.inner, name)


@pytest.mark.parametrize("nth", [1, 2])
def test_a_hold_ending_while_the_outage_forms_dispatches_at_most_once(
    stack: HoldStack, settings, clock, nth: int
) -> None:  # type: ignore[no-untyped-def]
    stack.storm_elsewhere()
    first = stack.report(0)
    stack.pump()
    clock.advance(minutes=1)
    stack.report(1)
    stack.pump()
    clock.advance(minutes=13, seconds=30)
    stack.report(2)  # 14½ minutes after the first: the three cluster …
    records = stack.read()["Records"]
    clock.advance(minutes=1)  # … but the stream sees it a minute late: the first's hold ended

    # The minute pass dispatches the first report while the stream is forming the outage:
    # it reads the ticket (stale, `nth` = 1) or has read it for its link (`nth` = 2).
    forming = bootstrap.Services(settings, clock=clock)
    forming.sms, forming.notifications, forming.policy = (
        stack.sms,
        stack.svc.notifications,
        stack.svc.policy,
    )
    watchdog = Watchdog.from_services(stack.svc)
    forming.tickets = RacingTickets(  # type: ignore[assignment]
        stack.svc.tickets, first.ticket_id, nth, watchdog.tick
    )
    assert handle_ticket_stream({"Records": records}, None, forming)["batchItemFailures"] == []
    stack.minutes(clock, 5)

    (outage,) = stack.outages()
    ticket = stack.ticket(first.ticket_id)
    assert ticket.outage_id == outage.outage_id  # one of the outage's reports either way
    dispatched_alone = ticket.status is Status.DISPATCHED
    # before the outage's slot was claimed the minute pass dispatched it (once); after, the
    # outage took it while still submitted and nothing dispatched it
    assert dispatched_alone is (nth == 1)
    single = ["dispatch_manager"] if dispatched_alone else []
    assert sorted(stack.manager_sms()) == sorted(["outage_manager", *single])
    assert outage.dispatched_at is not None
    assert ticket.next_due is None  # its clocks stopped: the outage is the fault event


def test_the_minute_pass_leaves_a_held_report_its_outage_took(stack: HoldStack, clock) -> None:  # type: ignore[no-untyped-def]
    stack.storm_elsewhere()
    first = stack.report(0)
    stack.pump()
    clock.advance(minutes=14)
    stack.report(1)
    stack.report(2)
    records = stack.read()
    clock.advance(minutes=1, seconds=30)  # the first report's hold has ended
    watchdog = Watchdog.from_services(stack.svc)
    (due,) = [t for t in stack.svc.tickets.due(clock(), 10) if t.ticket_id == first.ticket_id]

    assert stack.deliver(records) == []  # the outage forms after the watchdog read the report
    stack.pump()
    report = TickReport(at=clock())
    watchdog.handle(due, clock(), report, TickLoads(stack.svc.tickets))
    assert report.committed["hold_released"] == 0  # found on the outage: nothing dispatched

    ticket = stack.ticket(first.ticket_id)
    assert ticket.outage_id is not None and ticket.status is Status.SUBMITTED
    assert stack.manager_sms() == ["outage_manager"]


class MemoryDesk:
    """The stream's INSERT step and the minute pass over the in-memory stores, every station
    in a storm (`storm_areas` 1): every first report is held."""

    def __init__(self, svc, clock) -> None:  # type: ignore[no-untyped-def]
        from chalicelib.dispatch.stream import TicketStreamProcessor

        svc.policy = replace(svc.policy, outages=replace(svc.policy.outages, storm_areas=1))
        svc.customers.put_customers(NEIGHBOURS)
        self.svc, self.clock = svc, clock
        self.processor = TicketStreamProcessor.from_services(svc)

    def report(self, n: int) -> Ticket:
        from chalicelib.domain.commands import NewTicket
        from chalicelib.domain.details import FaultDetails
        from chalicelib.domain.tickets import TicketType
        from chalicelib.usecases.intake import submit_ticket

        account = NEIGHBOURS[n].account_no
        self.svc.customers.bind(f"wx-{n}", account, self.clock())
        request = NewTicket(TicketType.FAULT_REPAIR, account, "没电了", NEIGHBOURS[n].phone,
                            FaultDetails(scope="household"))  # type: ignore[arg-type]  # fmt: skip
        ticket, _ = submit_ticket(self.svc, f"wx-{n}", request, None)
        clustering = self.processor.clustering
        assert clustering is not None
        for _ in range(2):  # the stream's INSERT, then Lambda redelivering it
            if clustering.on_report(ticket) is None:
                self.processor.dispatcher.dispatch(replace(ticket, outage_id=None))
        return ticket

    def minutes(self, count: int) -> None:
        for _ in range(count):
            self.clock.advance(minutes=1)
            Watchdog.from_services(self.svc).tick()

    def stored(self, ticket: Ticket) -> Ticket:
        found = self.svc.tickets.get(ticket.ticket_id)
        assert found is not None
        return found


def test_over_the_in_memory_stores_held_reports_join_the_outage_that_forms(
    memory_services, clock
) -> None:  # type: ignore[no-untyped-def]
    desk = MemoryDesk(memory_services, clock)
    first = desk.report(0)
    desk.minutes(6)
    desk.report(1)
    desk.minutes(6)
    desk.report(2)  # 12 minutes after the first, which is still held: the three cluster
    desk.minutes(20)

    (outage,) = memory_services.outages.since(clock() - timedelta(days=1))
    assert outage.reports == 3 and outage.dispatched_at is not None
    joined = desk.stored(first)
    assert joined.outage_id == outage.outage_id and joined.assignee_id is None
    sent = [s.sms.key for s in memory_services.sms.sent if s.phone == MANAGER_PHONE]
    assert sent == ["outage_manager"]


def test_over_the_in_memory_stores_a_lone_held_report_is_dispatched_once(
    memory_services, clock
) -> None:  # type: ignore[no-untyped-def]
    desk = MemoryDesk(memory_services, clock)
    lone = desk.report(0)
    desk.minutes(15)
    assert desk.stored(lone).status is Status.SUBMITTED

    desk.minutes(1)
    dispatched = desk.stored(lone)
    assert dispatched.status is Status.DISPATCHED and dispatched.assignee_id == "M1"
    desk.minutes(5)
    assert desk.stored(lone).version == dispatched.version
    assert memory_services.outages.since(clock() - timedelta(days=1)) == []
