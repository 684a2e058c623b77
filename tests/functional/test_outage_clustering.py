"""Clustering under moto: real tables and streams, the real stores, records fed to the
ticket_stream handler in Lambda's shape. SMS go to the recording sender.

新华1号台区 (T1) gets 30 customers here, so three accounts make an outage (two would in a
台区 of fewer than 30)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from chalicelib import bootstrap
from chalicelib.domain.commands import NewTicket
from chalicelib.domain.details import FaultDetails
from chalicelib.domain.org import Customer
from chalicelib.domain.outage_vocabulary import OutageKind
from chalicelib.domain.outages import Outage
from chalicelib.domain.tickets import ClockName, Status, Ticket, TicketType
from chalicelib.store.outages import OutageFilter, OutageSource
from chalicelib.usecases.intake import submit_ticket
from tests import district
from tests.functional.test_ticket_stream import Stack, streamed_services

NEIGHBOURS = tuple(
    Customer(
        f"06011000{n:02d}",
        f"住户{n}",
        f"临河区新华街道幸福小区{n}号",
        "T1",
        phone=f"1360000{n:04d}",
    )
    for n in range(30)
)
MANAGER = district.staff("M1").phone


class OutageStack(Stack):
    def report(self, n: int, scope: str = "household") -> Ticket:
        account = NEIGHBOURS[n].account_no
        openid = f"wx-n{n}"
        self.svc.customers.bind(openid, account, self.svc.clock())
        request = NewTicket(
            type=TicketType.FAULT_REPAIR,
            account_no=account,
            description="家里没电了",
            contact_phone=NEIGHBOURS[n].phone,
            details=FaultDetails(scope=scope),  # type: ignore[arg-type]
        )
        ticket, _ = submit_ticket(self.svc, openid, request, None)
        return ticket

    def outages(self) -> list[Outage]:
        page = self.svc.outages.page(OutageSource("station", "S1"), OutageFilter(), 100, None)
        return page.items

    def manager_sms(self) -> list[str]:
        return [key for phone, key in self.received() if phone == MANAGER]

    def minutes(self, clock, count: int) -> None:  # type: ignore[no-untyped-def]
        """`count` minutes: each the stream pumped, then the sla_watchdog's minute pass."""
        from chalicelib.lifecycle.watchdog import Watchdog

        for _ in range(count):
            clock.advance(minutes=1)
            self.pump()
            Watchdog.from_services(self.svc).tick()
            self.pump()


def gather_end(ticket: Ticket) -> datetime:
    """When a lone "no power" report's default 2-minute wait for its neighbours ends."""
    return ticket.created_at + timedelta(minutes=2)


@pytest.fixture
def stack(settings, clock) -> Iterator[OutageStack]:  # type: ignore[no-untyped-def]
    customers = (*district.CUSTOMERS, *NEIGHBOURS)
    with streamed_services(settings, clock, district.ORG, customers) as svc:
        yield OutageStack(svc)


def test_three_neighbours_within_ten_minutes_make_one_outage_and_one_manager_sms(
    stack: OutageStack, clock
) -> None:  # type: ignore[no-untyped-def]
    reports = [stack.report(0)]
    clock.advance(minutes=4)
    reports.append(stack.report(1, "building"))
    clock.advance(minutes=4)
    reports.append(stack.report(2, "area"))

    stack.pump()  # one batch, as Lambda delivers reports that arrive together

    (outage,) = stack.outages()
    assert (outage.kind, outage.state, outage.ta_ids) == (OutageKind.FAULT, "probable", ("T1",))
    assert (
        outage.reports == 3 and outage.customers_affected == 32
    )  # 30 neighbours + the district's two
    assert outage.manager_id == "M1" and outage.dispatched_at is not None
    assert outage.etr == outage.created_at + timedelta(minutes=45 + 180)  # urban commitments
    assert stack.manager_sms() == ["outage_manager"]
    text = next(s.sms.text for s in stack.sms.sent if s.phone == MANAGER)
    assert "新华1号台区" in text and "3户报修" in text
    for report in reports:
        ticket = stack.ticket(report.ticket_id)
        assert ticket.outage_id == outage.outage_id
        assert ticket.status is Status.SUBMITTED and ticket.next_due is None  # no clocks
        assert stack.svc.tickets.timeline(ticket.ticket_id)[-1].action == "attach_outage"
    assert [e.action for e in outage.timeline] == ["form", "dispatch", "notify"]


def test_a_fourth_report_attaches_at_once_without_a_dispatch(stack: OutageStack, clock) -> None:  # type: ignore[no-untyped-def]
    for n in range(3):
        stack.report(n)
    stack.pump()
    clock.advance(minutes=20)

    fourth = stack.report(3)
    stack.pump()

    (outage,) = stack.outages()
    assert fourth.outage_id == outage.outage_id  # POST /v1/tickets already says so
    assert outage.reports == 4
    assert stack.manager_sms() == ["outage_manager"]
    stored = stack.ticket(fourth.ticket_id)
    assert stored.status is Status.SUBMITTED and stored.assignee_id is None
    assert stored.next_due is None


def test_reports_of_a_tripped_area_in_separate_batches_make_one_manager_sms(
    stack: OutageStack, clock
) -> None:  # type: ignore[no-untyped-def]
    first = stack.report(0)
    stack.pump()  # alone in its batch: it waits 2 minutes for its neighbours, no SMS yet
    held = stack.ticket(first.ticket_id)
    assert held.status is Status.SUBMITTED and held.next_due == (ClockName.HOLD, gather_end(first))
    assert stack.manager_sms() == []

    stack.minutes(clock, 1)
    stack.report(1, "building")
    stack.report(2)
    stack.minutes(clock, 5)  # past the first report's hold and the 5-minute dispatch step

    (outage,) = stack.outages()
    assert outage.reports == 3
    assert stack.manager_sms() == ["outage_manager"]  # not a dispatch of the first as well
    assert stack.ticket(first.ticket_id).outage_id == outage.outage_id


def test_reports_handled_one_by_one_dispatch_until_the_third_forms_the_outage(
    stack: OutageStack, clock
) -> None:  # type: ignore[no-untyped-def]
    first = stack.report(0)
    stack.minutes(clock, 5)
    stack.report(1)
    stack.minutes(clock, 5)
    stack.report(2)
    stack.pump()

    (outage,) = stack.outages()
    assert stack.manager_sms() == ["dispatch_manager", "dispatch_manager", "outage_manager"]
    linked = stack.ticket(first.ticket_id)
    assert linked.outage_id == outage.outage_id
    assert linked.status is Status.DISPATCHED and linked.next_due is None  # clocks stopped
    waited = linked.clocks["dispatched_at"] - first.created_at
    assert timedelta(minutes=2) <= waited <= timedelta(minutes=3)  # within the 5-minute step


def test_a_lone_report_and_socket_reports_stay_ordinary_tickets(stack: OutageStack, clock) -> None:  # type: ignore[no-untyped-def]
    lone = stack.report(0)
    clock.advance(minutes=1)
    sockets = [stack.report(1, "socket"), stack.report(2, "socket")]
    stack.pump()
    assert stack.manager_sms() == ["dispatch_manager"] * 2  # a socket never waits

    stack.minutes(clock, 2)  # the lone whole-home report waited 2 minutes for neighbours

    assert stack.outages() == []
    for report in (lone, *sockets):
        ticket = stack.ticket(report.ticket_id)
        assert ticket.outage_id is None and ticket.status is Status.DISPATCHED
    assert stack.manager_sms() == ["dispatch_manager"] * 3
    assert stack.ticket(lone.ticket_id).clocks["dispatched_at"] - lone.created_at <= timedelta(
        minutes=3
    )


def test_reports_further_apart_than_the_window_do_not_cluster(stack: OutageStack, clock) -> None:  # type: ignore[no-untyped-def]
    stack.report(0)
    clock.advance(minutes=10)
    stack.report(1)
    clock.advance(minutes=10)  # the first is now 20 minutes old
    stack.report(2)
    stack.pump()

    assert stack.outages() == []


def test_the_same_account_reporting_twice_counts_once(stack: OutageStack, clock) -> None:  # type: ignore[no-untyped-def]
    stack.report(0)
    stack.report(0)
    stack.report(1)
    stack.pump()

    assert stack.outages() == []


class StaleSlots:
    """An outage store whose reads of the open slot are stale: as if this shard read it
    before the other shard's outage was written."""

    def __init__(self, inner) -> None:  # type: ignore[no-untyped-def]
        self.inner = inner

    def open_in_area(self, ta_id: str) -> None:
        return None

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self.inner, name)


def test_two_shards_that_both_see_the_third_report_make_one_outage(
    stack: OutageStack, settings, clock
) -> None:  # type: ignore[no-untyped-def]
    from chalicelib.dispatch.stream import handle_ticket_stream

    for n in range(4):
        stack.report(n)
    records = stack.read()["Records"]
    shard_b = bootstrap.Services(settings, clock=clock)
    shard_b.sms, shard_b.notifications = stack.svc.sms, stack.svc.notifications
    shard_b.outages = StaleSlots(stack.svc.outages)  # type: ignore[assignment]

    # Shard A has records 0-2 and forms the outage; shard B has 3 and, reading a stale
    # slot, counts four accounts and tries to form one too: its conditional write loses.
    a = handle_ticket_stream({"Records": records[:3]}, None, stack.svc)
    b = handle_ticket_stream({"Records": records[3:]}, None, shard_b)

    assert a["batchItemFailures"] == b["batchItemFailures"] == []
    (outage,) = stack.outages()
    assert outage.reports == 4
    assert stack.manager_sms() == ["outage_manager"]
    assert {stack.ticket(r["dynamodb"]["Keys"]["ticket_id"]["S"]).outage_id for r in records} == {
        outage.outage_id
    }
