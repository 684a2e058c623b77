"""Roll-up to the line, under moto: real tables and streams, records fed to the ticket_stream
handler in Lambda's shape, SMS to the recording sender.

新华1号台区 (T1), 胜利2号台区 (T2) and 牧区4号台区 (T4) hang on line L1, 团结3号台区 (T3) on
L2. Each gets ten customers with a phone here, so two accounts make a 台区 probable (fewer
than 30 customers)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import msgspec
import pytest

from chalicelib import bootstrap
from chalicelib.api.present_outages import outage_out
from chalicelib.dispatch.stream import handle_ticket_stream, outbox_of
from chalicelib.domain.commands import NewTicket
from chalicelib.domain.details import FaultDetails
from chalicelib.domain.org import Customer
from chalicelib.domain.outage_vocabulary import OutageAction, OutageScope
from chalicelib.domain.outages import Outage, act
from chalicelib.domain.tickets import Status, Ticket, TicketType
from chalicelib.outages.notices import notifier_of, settler_of, watch_outages
from chalicelib.usecases.intake import submit_ticket
from tests import district
from tests.functional.test_ticket_stream import Stack, streamed_services

LINES = {"T1": "L1", "T2": "L1", "T3": "L2", "T4": "L1"}
AREAS = tuple(replace(a, line_id=LINES[a.ta_id]) for a in district.AREAS)
HOMES = {
    ta: tuple(
        Customer(
            f"060{k}2000{n:02d}", f"住户{ta}-{n}", f"{ta}第{n}户", ta, phone=f"137{k}000{n:04d}"
        )
        for n in range(10)
    )
    for k, ta in enumerate(LINES, start=1)
}
MOBILE = "13899990000"  # a reporter's own phone, not the one in the customer import
MANAGERS = {district.staff(m).phone: m for m in ("M1", "M2", "M3", "M4")}


class LineStack(Stack):
    def report(self, ta: str, n: int, contact: str = "") -> Ticket:
        home = HOMES[ta][n]
        openid = f"wx-{home.account_no}"
        self.svc.customers.bind(openid, home.account_no, self.svc.clock())
        request = NewTicket(
            type=TicketType.FAULT_REPAIR,
            account_no=home.account_no,
            description="整栋楼都没电了",
            contact_phone=contact or home.phone,
            details=FaultDetails(scope="building"),
        )
        ticket, _ = submit_ticket(self.svc, openid, request, None)
        return ticket

    def outages(self) -> list[Outage]:
        return sorted(
            self.svc.outages.since(self.svc.clock().replace(year=2000)),
            key=lambda o: o.created_at,
        )

    def manager_sms(self) -> list[tuple[str, str]]:
        return [(MANAGERS[phone], key) for phone, key in self.received() if phone in MANAGERS]

    def told(self, template: str) -> Counter[str]:
        return Counter(phone for phone, key in self.received() if key == template)

    def minute(self) -> dict[str, int]:
        svc = self.svc
        return watch_outages(notifier_of(svc, outbox_of(svc)), svc.outages, settler_of(svc))


@pytest.fixture
def stack(settings, clock) -> Iterator[LineStack]:  # type: ignore[no-untyped-def]
    homes = (c for h in HOMES.values() for c in h)
    with streamed_services(
        settings, clock, (*district.ORG, *AREAS), (*district.CUSTOMERS, *homes)
    ) as svc:
        yield LineStack(svc)


def phones(*tas: str) -> set[str]:
    return {c.phone for ta in tas for c in HOMES[ta]}


def test_two_areas_on_one_line_within_15_minutes_make_one_line_outage(
    stack: LineStack, clock
) -> None:  # type: ignore[no-untyped-def]
    first = [stack.report("T1", 0), stack.report("T1", 1)]
    stack.pump()
    clock.advance(minutes=10)
    second = [stack.report("T2", 0), stack.report("T2", 1, contact=MOBILE)]
    stack.pump()

    (outage,) = stack.outages()
    assert (outage.scope, outage.line_id, outage.ta_ids) == (OutageScope.LINE, "L1", ("T1", "T2"))
    assert outage.reports == 4 and outage.customers_affected == 12 + 11  # district's T1, T2 too
    assert [e.action for e in outage.timeline] == [
        "form",
        "dispatch",
        "notify",
        "roll_up",
        "notify",
    ]
    assert stack.manager_sms() == [("M1", "outage_manager")]  # none for the roll-up, none to M2
    # each once; the second reporter at the phone he reported with, not the one on file
    told = phones("T1", "T2") - {HOMES["T2"][1].phone} | {MOBILE}
    assert stack.told("outage_ack_customer") == Counter(told)
    text = next(s.sms.text for s in stack.sms.sent if s.phone == HOMES["T2"][5].phone)
    assert "胜利2号台区" in text  # told about their own 台区
    for report in (*first, *second):
        ticket = stack.ticket(report.ticket_id)
        assert ticket.outage_id == outage.outage_id and ticket.next_due is None
        assert ticket.assignee_id is None  # nobody dispatched on their own
    shown = msgspec.to_builtins(outage_out(outage, now=clock(), org=stack.svc.org))
    assert (shown["scope"], shown["line_id"], shown["transformer_area_ids"]) == (
        "line",
        "L1",
        ["T1", "T2"],
    )

    clock.advance(minutes=30)  # a later report in either 台区 attaches at once, to the line
    later = stack.report("T2", 2)
    stack.pump()
    assert later.outage_id == outage.outage_id
    assert stack.manager_sms() == [("M1", "outage_manager")]
    assert stack.told("outage_ack_customer")[HOMES["T2"][2].phone] == 1


def test_areas_on_different_lines_make_two_outages(stack: LineStack, clock) -> None:  # type: ignore[no-untyped-def]
    stack.report("T1", 0), stack.report("T1", 1)
    stack.report("T3", 0), stack.report("T3", 1)
    stack.pump()

    found = stack.outages()
    assert sorted(o.ta_ids for o in found) == [("T1",), ("T3",)]
    assert {o.scope for o in found} == {OutageScope.TRANSFORMER_AREA}
    assert sorted(stack.manager_sms()) == [("M1", "outage_manager"), ("M3", "outage_manager")]


def test_an_area_after_the_window_forms_its_own_and_later_ones_roll_up_into_it(
    stack: LineStack, clock
) -> None:  # type: ignore[no-untyped-def]
    stack.report("T1", 0), stack.report("T1", 1)
    stack.pump()
    clock.advance(minutes=20)  # T1's outage is too old to be the same fault
    stack.report("T2", 0), stack.report("T2", 1)
    stack.pump()
    clock.advance(minutes=5)
    stack.report("T4", 0), stack.report("T4", 1)
    stack.pump()

    older, newer = stack.outages()
    assert (older.scope, older.ta_ids) == (OutageScope.TRANSFORMER_AREA, ("T1",))
    assert (newer.scope, newer.ta_ids) == (OutageScope.LINE, ("T2", "T4"))
    assert stack.manager_sms() == [("M1", "outage_manager"), ("M2", "outage_manager")]
    assert stack.told("outage_ack_customer") == Counter(phones("T1", "T2", "T4"))


class StaleOnce:
    """An outage store whose first reads of the named methods answer as they would have
    before the other shard wrote: `stale` maps a method name to what it returns once."""

    def __init__(self, inner: Any, **stale: Any) -> None:
        self.inner = inner
        self.stale = stale

    def __getattr__(self, name: str) -> Any:
        if name in self.stale:
            value = self.stale.pop(name)
            return lambda *args, **kwargs: value
        return getattr(self.inner, name)


def shard(stack: LineStack, settings, clock, **stale: Any) -> bootstrap.Services:  # type: ignore[no-untyped-def]
    other = bootstrap.Services(settings, clock=clock)
    other.sms, other.notifications = stack.svc.sms, stack.svc.notifications
    other.outages = StaleOnce(stack.svc.outages, **stale)  # type: ignore[assignment]
    return other


def test_two_shards_forming_two_areas_of_a_line_at_once_make_one_line_outage(
    stack: LineStack, settings, clock
) -> None:  # type: ignore[no-untyped-def]
    for ta in ("T1", "T2"):
        stack.report(ta, 0), stack.report(ta, 1)
    records = stack.read()["Records"]
    # Shard B read the line slot before shard A's outage claimed it: its own claim loses
    # and it rolls T2 up into A's outage instead of opening a second one.
    shard_b = shard(stack, settings, clock, line_outage=None)

    a = handle_ticket_stream({"Records": records[:2]}, None, stack.svc)
    b = handle_ticket_stream({"Records": records[2:]}, None, shard_b)

    assert a["batchItemFailures"] == b["batchItemFailures"] == []
    (outage,) = stack.outages()
    assert (outage.scope, outage.ta_ids, outage.reports) == (OutageScope.LINE, ("T1", "T2"), 4)
    assert stack.manager_sms() == [("M1", "outage_manager")]
    assert stack.told("outage_ack_customer") == Counter(phones("T1", "T2"))


def test_two_shards_rolling_up_at_once_lose_no_area_and_count_none_twice(
    stack: LineStack, settings, clock
) -> None:  # type: ignore[no-untyped-def]
    stack.report("T1", 0), stack.report("T1", 1)
    stack.pump()
    (before,) = stack.outages()
    clock.advance(minutes=5)
    stack.report("T2", 0), stack.report("T2", 1)
    stack.report("T4", 0), stack.report("T4", 1)
    third = stack.report("T2", 2)
    records = stack.read()["Records"]
    # B rolls T4 up from the outage as it was before A rolled T2 up: its write is refused on
    # the version, it reads again and joins. C read T2 before T2 joined, so its third report
    # makes T2 probable again: it finds the 台区 taken by the outage it joins and attaches.
    a = handle_ticket_stream({"Records": records[:2]}, None, stack.svc)
    shard_b = shard(stack, settings, clock, get=before)
    b = handle_ticket_stream({"Records": records[2:4]}, None, shard_b)
    seen = stack.svc.outages.area("T2", before.created_at)
    mine = {third.account_no: (third.ticket_id, third.created_at)}
    shard_c = shard(
        stack, settings, clock, area=replace(seen, open_id=None, reports={**seen.reports, **mine})
    )
    c = handle_ticket_stream({"Records": records[4:]}, None, shard_c)

    assert a["batchItemFailures"] == b["batchItemFailures"] == c["batchItemFailures"] == []
    (outage,) = stack.outages()
    assert outage.ta_ids == ("T1", "T2", "T4") and outage.reports == 7
    assert outage.customers_affected == 12 + 11 + 11
    assert [e.action for e in outage.timeline].count("roll_up") == 2
    assert stack.manager_sms() == [("M1", "outage_manager")]
    assert stack.told("outage_ack_customer") == Counter(phones("T1", "T2", "T4"))


def test_a_redelivered_roll_up_changes_nothing(stack: LineStack, clock) -> None:  # type: ignore[no-untyped-def]
    stack.report("T1", 0), stack.report("T1", 1)
    stack.pump()
    clock.advance(minutes=5)
    stack.report("T2", 0), stack.report("T2", 1)
    events = stack.pump()  # the reports' INSERTs, then their MODIFYs (linked)
    (outage,) = stack.outages()
    sent = list(stack.received())

    clock.advance(minutes=1)
    for event in events:  # Lambda delivers every batch again
        assert stack.deliver(event) == []

    assert stack.outages() == [outage]
    assert stack.received() == sent


def test_restoring_the_line_outage_restores_every_area_and_tells_each_customer_once(
    stack: LineStack, clock
) -> None:  # type: ignore[no-untyped-def]
    stack.report("T1", 0), stack.report("T1", 1)
    stack.pump()
    clock.advance(minutes=5)
    reports = [stack.report("T2", 0), stack.report("T2", 1)]
    stack.pump()
    (outage,) = stack.outages()
    clock.advance(hours=1)

    stack.svc.outages.commit(
        outage, act(outage, OutageAction.RESTORE, actor="staff:M1", now=clock())
    )
    stack.minute()
    stack.pump()
    stack.minute()

    assert stack.svc.outages.open_in_area("T1") is None
    assert stack.svc.outages.open_in_area("T2") is None
    assert stack.told("outage_restored_customer") == Counter(phones("T1", "T2"))
    for report in reports:
        assert stack.ticket(report.ticket_id).status is Status.RESOLVED
    clock.advance(minutes=30)
    stack.report("T2", 3), stack.report("T2", 4)  # power out again: a new outage
    stack.pump()
    assert len(stack.outages()) == 2
