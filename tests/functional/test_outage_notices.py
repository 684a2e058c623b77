"""Customers told, over the in-memory stores: the stream's clustering step is called the way
the ticket_stream handler calls it, the minute pass the way sla_watchdog does. Every SMS goes
through the real outbox and notification log (fakes), so "once" means what it does live."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from chalicelib.dispatch.stream import TicketStreamProcessor, outbox_of
from chalicelib.domain.commands import NewTicket
from chalicelib.domain.details import FaultDetails
from chalicelib.domain.org import Customer
from chalicelib.domain.outage_vocabulary import OutageAction
from chalicelib.domain.outages import act
from chalicelib.domain.tickets import Status, Ticket, TicketType
from chalicelib.outages.notices import notifier_of, watch_outages
from chalicelib.usecases.intake import submit_ticket
from tests import district

NEIGHBOURS = tuple(
    Customer(
        f"06011000{n:02d}",
        f"住户{n}",
        f"临河区新华街道幸福小区{n}号",
        "T1",
        important=n == 29,
        phone=f"1360000{n:04d}" if n < 28 else ("" if n == 28 else "13600000029"),
    )
    for n in range(30)
)  # 28 with a phone, one without, the last an important customer (a clinic)
REPORTER_PHONE = "13811112222"  # the phone reporters type in, not the imported one
MANAGER = district.staff("M1").phone


class Desk:
    def __init__(self, svc) -> None:  # type: ignore[no-untyped-def]
        self.svc = svc
        self.processor = TicketStreamProcessor.from_services(svc)

    def report(self, n: int, contact: str = REPORTER_PHONE) -> Ticket:
        account = NEIGHBOURS[n].account_no
        self.svc.customers.bind(f"wx-{n}", account, self.svc.clock())
        request = NewTicket(
            type=TicketType.FAULT_REPAIR,
            account_no=account,
            description="没电了",
            contact_phone=contact,
            details=FaultDetails(scope="building"),
        )
        ticket, _ = submit_ticket(self.svc, f"wx-{n}", request, None)
        return ticket

    def stream(self, *tickets: Ticket) -> None:
        """What the ticket_stream handler does with these INSERTs, in one batch."""
        clustering = self.processor.clustering
        assert clustering is not None
        clustering.prepare(tickets)
        for ticket in tickets:
            if clustering.on_report(ticket) is None:
                self.processor.dispatcher.dispatch(replace(ticket, outage_id=None))

    def minute(self) -> dict[str, int]:
        return watch_outages(notifier_of(self.svc, outbox_of(self.svc)), self.svc.outages)

    def outage(self):  # type: ignore[no-untyped-def]
        (only,) = self.svc.outages.since(self.svc.clock() - timedelta(days=1))
        return only

    def sent(self, template: str) -> list[str]:
        return [s.phone for s in self.svc.sms.sent if s.sms.key == template]


@pytest.fixture
def desk(memory_services) -> Desk:  # type: ignore[no-untyped-def]
    memory_services.customers.put_customers(NEIGHBOURS)
    return Desk(memory_services)


def test_three_reports_tell_the_manager_once_and_every_affected_customer_once(desk, clock) -> None:  # type: ignore[no-untyped-def]
    reports = [desk.report(0)]
    clock.advance(minutes=3)
    reports += [desk.report(1), desk.report(2)]

    desk.stream(*reports)

    assert desk.sent("outage_manager") == [MANAGER]
    ordinary = desk.sent("outage_ack_customer")
    priority = desk.sent("outage_ack_priority")
    assert priority == ["13600000029"]  # the important customer, told first, own template
    assert desk.svc.sms.keys()[1] == ("13600000029", "outage_ack_priority")
    # 28 imported phones, but the three reporters are told on the phone they reported with
    assert sorted(ordinary) == sorted(
        [REPORTER_PHONE] * 3 + [f"1360000{n:04d}" for n in range(3, 28)]
    )
    outage = desk.outage()
    assert outage.acked_at is not None and outage.timeline[-1].note.startswith("短信告知29户")


def test_a_reporter_who_gave_a_landline_is_told_on_the_phone_on_file(desk, clock) -> None:  # type: ignore[no-untyped-def]
    # Given three reports, one with a landline as its contact phone (stored in E.164)
    landline = "+864788123456"
    reports = [desk.report(0, contact=landline), desk.report(1), desk.report(2)]
    desk.stream(*reports)
    # Then no SMS goes to the landline; that account hears on the mobile imported for it
    assert landline not in [s.phone for s in desk.svc.sms.sent]
    assert "13600000000" in desk.sent("outage_ack_customer")
    # and a later landline reporter without a phone on file is not sent one either
    clock.advance(minutes=20)
    before = len(desk.svc.sms.sent)
    desk.stream(desk.report(28, contact=landline))
    assert desk.svc.sms.keys()[before:] == []


def test_nothing_is_sent_twice_when_the_stream_or_the_minute_pass_repeats(desk, clock) -> None:  # type: ignore[no-untyped-def]
    reports = [desk.report(n) for n in range(3)]
    desk.stream(*reports)
    before = len(desk.svc.sms.sent)

    desk.stream(*reports)  # Lambda redelivers the batch
    desk.minute()
    clock.advance(minutes=5)
    desk.minute()

    assert len(desk.svc.sms.sent) == before


def test_a_later_report_is_acknowledged_once_and_nobody_else_again(desk, clock) -> None:  # type: ignore[no-untyped-def]
    desk.stream(*[desk.report(n) for n in range(3)])
    before = len(desk.svc.sms.sent)
    clock.advance(minutes=20)

    already_told = desk.report(3)  # had an imported phone: acknowledged at formation
    fourth = desk.report(28)  # no imported phone: hears of it now, on the phone given
    desk.stream(already_told, fourth)
    desk.stream(fourth)

    assert fourth.outage_id == desk.outage().outage_id
    new = desk.svc.sms.keys()[before:]
    assert new == [(REPORTER_PHONE, "outage_ack_customer")]


def test_an_etr_moved_by_half_an_hour_is_told_at_most_once_an_hour(desk, clock) -> None:  # type: ignore[no-untyped-def]
    desk.stream(*[desk.report(n) for n in range(3)])
    outage = desk.outage()

    def move(minutes: int) -> None:
        current = desk.outage()
        etr = current.etr + timedelta(minutes=minutes)
        moved = act(current, OutageAction.SET_ETR, actor="staff:M1", now=clock(), etr=etr)
        desk.svc.outages.commit(current, moved)

    move(20)  # less than 30 minutes: not worth an SMS
    desk.minute()
    assert desk.sent("outage_etr_customer") == []
    move(25)  # 45 minutes from what customers heard, but within the hour since
    desk.minute()
    assert desk.sent("outage_etr_customer") == []

    clock.advance(minutes=61)
    desk.minute()
    desk.minute()
    told = desk.sent("outage_etr_customer")
    assert len(told) == 29 and len(set(told)) == 27  # the three reporters share a phone
    move(60)
    clock.advance(minutes=30)
    desk.minute()
    assert len(desk.sent("outage_etr_customer")) == 29  # the next one waits its hour
    clock.advance(minutes=31)
    desk.minute()
    assert len(desk.sent("outage_etr_customer")) == 58
    assert desk.outage().etr_updates == 2 and outage.etr_updates == 0


def test_restoration_is_told_once_to_everyone_who_heard_of_the_outage(desk, clock) -> None:  # type: ignore[no-untyped-def]
    desk.stream(*[desk.report(n) for n in range(3)])
    clock.advance(hours=2)
    current = desk.outage()
    desk.svc.outages.commit(
        current, act(current, OutageAction.RESTORE, actor="staff:M1", now=clock())
    )

    desk.minute()
    desk.minute()

    assert len(desk.sent("outage_restored_customer")) == 29
    assert desk.outage().restored_told_at == clock()
    assert [e.action for e in desk.outage().timeline][-2:] == ["restore", "notify"]


def test_a_restored_outage_resolves_its_reports_once_and_they_await_confirmation(
    desk, clock
) -> None:  # type: ignore[no-untyped-def]
    from chalicelib.domain.notices import changes
    from chalicelib.outages.notices import settler_of

    reports = [desk.report(n) for n in range(3)]
    desk.stream(*reports)
    clock.advance(hours=2)
    current = desk.outage()
    restored = act(current, OutageAction.RESTORE, actor="staff:M1", now=clock(), note="换保险")
    desk.svc.outages.commit(current, replace(restored, cause="台变低压熔丝熔断"))

    pass_ = watch_outages(
        notifier_of(desk.svc, outbox_of(desk.svc)), desk.svc.outages, settler_of(desk.svc)
    )
    again = watch_outages(
        notifier_of(desk.svc, outbox_of(desk.svc)), desk.svc.outages, settler_of(desk.svc)
    )

    assert (pass_["tickets_settled"], again["tickets_settled"]) == (3, 0)
    for report in reports:
        ticket = desk.svc.tickets.get(report.ticket_id)
        assert ticket.status is Status.RESOLVED and ticket.outcome["cause"] == "台变低压熔丝熔断"
        assert ticket.next_due is not None and ticket.next_due[0] == "callback"  # auto-close
        assert desk.svc.tickets.timeline(ticket.ticket_id)[-1].action == "outage_restored"
        assert changes(report, ticket) == []  # no per-ticket "resolved" SMS on top


def test_a_cancelled_outage_releases_its_reports_to_ordinary_dispatch(desk, clock) -> None:  # type: ignore[no-untyped-def]
    from chalicelib.outages.notices import settler_of

    reports = [desk.report(n) for n in range(3)]
    desk.stream(*reports)
    current = desk.outage()
    desk.svc.outages.commit(
        current, act(current, OutageAction.CANCEL, actor="staff:C1", now=clock())
    )

    watch_outages(
        notifier_of(desk.svc, outbox_of(desk.svc)), desk.svc.outages, settler_of(desk.svc)
    )

    for report in reports:
        ticket = desk.svc.tickets.get(report.ticket_id)
        assert ticket.outage_id is None and ticket.status is Status.DISPATCHED
        assert ticket.assignee_id == "M1" and ticket.next_due is not None
    assert desk.sent("outage_restored_customer") == []


def test_a_customer_reporting_twice_in_the_batch_that_forms_the_outage_loses_no_report(
    desk, clock
) -> None:  # type: ignore[no-untyped-def]
    # Found by bench_outage_storm: the report that formed the outage was not the latest of
    # its 户号 in the window, so neither the outage nor the dispatcher took it.
    first = desk.report(0)
    clock.advance(minutes=1)
    batch = [first, desk.report(1), desk.report(2), desk.report(0)]

    desk.stream(*batch)

    outage = desk.outage()
    for report in batch:
        ticket = desk.svc.tickets.get(report.ticket_id)
        assert ticket.outage_id == outage.outage_id, report.ticket_id
    assert outage.reports == 4 and len(outage.account_nos) == 3


SHENGLI = tuple(
    Customer(
        f"06012000{n:02d}",
        f"胜利住户{n}",
        f"临河区胜利路{n}号",
        "T2",
        important=n == 9,
        phone=f"1370000{n:04d}",
    )
    for n in range(10)
)  # 胜利2号台区 (T2), on the same line as T1 here; the last a clinic


def test_a_rolled_up_area_hears_once_by_its_own_name_and_every_later_notice_with_the_rest(
    desk, clock
) -> None:  # type: ignore[no-untyped-def]
    svc = desk.svc
    svc.org.put_all(replace(a, line_id="L1") for a in district.AREAS if a.ta_id in ("T1", "T2"))
    svc.customers.put_customers(SHENGLI)
    desk.stream(*[desk.report(n) for n in range(3)])
    before = len(svc.sms.sent)
    clock.advance(minutes=8)
    second = []
    for n in range(2):  # T2 has 11 customers: two reports make it probable
        svc.customers.bind(f"wx-s{n}", SHENGLI[n].account_no, clock())
        request = NewTicket(
            type=TicketType.FAULT_REPAIR,
            account_no=SHENGLI[n].account_no,
            description="没电了",
            contact_phone=SHENGLI[n].phone,
            details=FaultDetails(scope="area"),
        )
        second.append(submit_ticket(svc, f"wx-s{n}", request, None)[0])

    desk.stream(*second)
    desk.minute()

    outage = desk.outage()
    assert outage.ta_ids == ("T1", "T2") and outage.scope == "line"
    assert desk.sent("outage_manager") == [MANAGER]
    new = svc.sms.keys()[before:]  # T2's ten customers, once each, the clinic first
    assert new[0] == (SHENGLI[9].phone, "outage_ack_priority")
    assert sorted(new[1:]) == [(c.phone, "outage_ack_customer") for c in SHENGLI[:9]]
    texts = [s.sms.text for s in svc.sms.sent if s.phone == SHENGLI[3].phone]
    assert len(texts) == 1 and "胜利2号台区" in texts[0]

    clock.advance(hours=2)
    current = desk.outage()
    svc.outages.commit(current, act(current, OutageAction.RESTORE, actor="staff:M2", now=clock()))
    desk.minute()
    desk.minute()
    restored = desk.sent("outage_restored_customer")
    assert len(restored) == 29 + 10 and len(set(restored) & {c.phone for c in SHENGLI}) == 10
