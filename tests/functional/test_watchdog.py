"""sla_watchdog over the in-memory stores and DynamoDB (moto): the three levels, peer
selection, idempotent reruns, the callback auto-close, and clocks across Golden Week."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from moto import mock_aws

from chalicelib.domain.calendar import SHANGHAI
from chalicelib.domain.notices import Change, changes
from chalicelib.domain.tickets import Status, TicketType
from chalicelib.lifecycle.watchdog import Watchdog
from tests.functional.lifecycle_support import (
    LOCATION,
    act,
    customer_scope,
    open_ticket,
    staff_scope,
)


@pytest.fixture(params=["memory", "dynamo"])
def svc(request, memory_services) -> Iterator:  # type: ignore[no-untyped-def]
    if request.param == "memory":
        yield memory_services
        return
    with mock_aws():
        from chalicelib.store.dynamo_tickets import DynamoTicketStore
        from chalicelib.store.models import bind_tables, create_tables

        bind_tables("watchdog-", "us-east-1")
        create_tables()
        s = memory_services.settings
        memory_services.tickets = DynamoTicketStore(s.due_shards, s.month_shards)
        yield memory_services


def tick(svc, clock, **delta: float):  # type: ignore[no-untyped-def]
    clock.advance(**delta)
    return Watchdog.from_services(svc).tick()


def events(svc, ticket_id: str) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    return [(e.action, e.from_status, e.to_status) for e in svc.tickets.timeline(ticket_id)]


def test_missed_accept_goes_to_the_least_loaded_peer_once(svc, clock) -> None:  # type: ignore[no-untyped-def]
    # Given M2 already has an accepted ticket and M5 none, and M1 sits on a new fault
    busy = open_ticket(svc, account_no="0601000002", owner="wx-li")  # G2 → M2
    act(svc, staff_scope(svc, "M2"), busy, "accept")
    fault = open_ticket(svc)
    # When the 10-minute accept clock passes unanswered
    assert tick(svc, clock, minutes=10).committed == {}  # due, not yet missed
    report = tick(svc, clock, minutes=1)
    # Then level 2: reassigned to M5, same status, one system event on the timeline
    assert report.committed == {"level2": 1}
    after = svc.tickets.get(fault.ticket_id)
    assert (after.status, after.assignee_id, after.escalation_level) == (
        Status.DISPATCHED,
        "M5",
        2,
    )
    last = svc.tickets.timeline(fault.ticket_id)[-1]
    assert (last.action, last.actor, last.from_status, last.to_status) == (
        "escalate",
        "system",
        Status.DISPATCHED,
        Status.DISPATCHED,
    )
    assert "二级快响" in (last.note or "")
    assert last.data["to_staff_id"] == "M5"
    # the stream handler sees a chief escalation and a reassignment in this one change
    found = changes(fault, after)
    assert Change.ESCALATED_TO_CHIEF in found and Change.TRANSFERRED in found
    # And a rerun in the same minute changes nothing
    assert Watchdog.from_services(svc).tick().committed == {}
    assert svc.tickets.get(fault.ticket_id) == after


def test_missed_accept_with_no_peer_on_duty_keeps_the_assignee(svc, clock) -> None:  # type: ignore[no-untyped-def]
    for peer in ("M2", "M5"):
        svc.org.set_duty(peer, False, None)
    fault = open_ticket(svc)
    assert tick(svc, clock, minutes=11).committed == {"level2": 1}
    after = svc.tickets.get(fault.ticket_id)
    assert (after.assignee_id, after.escalation_level) == ("M1", 2)
    assert "暂无在岗" in (svc.tickets.timeline(fault.ticket_id)[-1].note or "")


def test_missed_arrive_then_missed_resolve_are_level_3(svc, clock) -> None:  # type: ignore[no-untyped-def]
    fault = open_ticket(svc)
    m1 = staff_scope(svc, "M1")
    act(svc, m1, fault, "accept")
    assert tick(svc, clock, minutes=45).committed == {}
    assert tick(svc, clock, minutes=1).committed == {"level3": 1}  # 45-min urban arrive
    late = svc.tickets.get(fault.ticket_id)
    assert (late.overdue, late.escalation_level, late.status) == (True, 3, Status.ACCEPTED)
    assert Watchdog.from_services(svc).tick().committed == {}

    clock.advance(minutes=4)
    act(svc, m1, late, "arrive", location=LOCATION)
    assert tick(svc, clock, hours=3).committed == {}  # resolve: 3 h after arrival
    assert tick(svc, clock, minutes=1).committed == {"level3": 1}
    assert Watchdog.from_services(svc).tick().committed == {}
    escalations = [e for e in svc.tickets.timeline(fault.ticket_id) if e.action == "escalate"]
    assert [e.data["clock"] for e in escalations] == ["arrive", "resolve"]
    assert svc.tickets.get(fault.ticket_id).next_due is None  # nothing left to watch


def test_unconfirmed_resolution_closes_after_three_days(svc, clock) -> None:  # type: ignore[no-untyped-def]
    ticket = open_ticket(svc, TicketType.CONSULTATION)
    m1 = staff_scope(svc, "M1")
    act(svc, m1, ticket, "accept")
    resolved = act(svc, m1, ticket, "resolve")
    assert resolved.next_due == ("callback", clock.now + timedelta(days=3))
    assert tick(svc, clock, days=3).committed == {}
    assert tick(svc, clock, minutes=1).committed == {"auto_close": 1}
    closed = svc.tickets.get(ticket.ticket_id)
    assert closed.status is Status.CLOSED and closed.outcome["no_callback"] is True
    assert closed.next_due is None
    assert events(svc, ticket.ticket_id)[-1] == ("auto_close", Status.RESOLVED, Status.CLOSED)
    assert Watchdog.from_services(svc).tick().committed == {}
    # the customer may still reopen within 7 days of the resolution: counted as not fixed
    reopened = act(svc, customer_scope(), closed, "reopen")
    assert reopened.status is Status.DISPATCHED and reopened.outcome["reopen_count"] == 1
    assert "no_callback" not in reopened.outcome


def test_a_reopen_keeps_the_level_and_starts_fresh_clocks(memory_services, clock) -> None:  # type: ignore[no-untyped-def]
    svc = memory_services
    ticket = open_ticket(svc, TicketType.CONSULTATION)
    tick(svc, clock, minutes=31)  # accept (30 min) missed → level 2 → a peer (M2: ties by id)
    peer = staff_scope(svc, "M2")
    act(svc, peer, ticket, "accept")
    resolved = act(svc, peer, ticket, "resolve")
    reopened = act(svc, customer_scope(), resolved, "reopen")
    assert (reopened.escalation_level, reopened.assignee_id) == (2, "M2")  # never reset
    (first,) = reopened.outcome["rounds"]  # round 1 kept, its escalation with it
    assert "accept_escalated_at" in first["clocks"] and first["verdicts"]["accept"] == "missed"
    assert tick(svc, clock, minutes=31).committed == {"level2": 1}  # a fresh accept clock
    rounds = [e.data.get("round") for e in svc.tickets.timeline(ticket.ticket_id)]
    assert rounds[-2:] == [2, 2]  # the reopen and round 2's escalation


class SpyStore:
    """Records every call made to the ticket store it wraps."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.calls: list[tuple[str, object]] = []

    def __getattr__(self, name: str) -> object:
        method = getattr(self.inner, name)

        def recorded(*args: object, **kwargs: object) -> object:
            self.calls.append((name, args[0] if args else None))
            return method(*args, **kwargs)

        return recorded


def test_every_tick_asks_the_store_once_for_what_is_due_now(memory_services, clock) -> None:  # type: ignore[no-untyped-def]
    svc = memory_services
    open_ticket(svc)
    spy = svc.tickets = SpyStore(svc.tickets)
    tick(svc, clock, minutes=11)
    peer_choice = ("commit", "open_counts", "last_assigned")
    reads = [(name, arg) for name, arg in spy.calls if name not in peer_choice]
    assert reads == [("due", clock.now)]  # the store walks its own shards
    assert [name for name, _ in spy.calls].count("commit") == 1


def test_a_backlog_beyond_one_tick_is_worked_off_next_tick_earliest_due_first(svc, clock) -> None:  # type: ignore[no-untyped-def]
    faults = []
    for _ in range(3):  # accept clocks falling due a minute apart
        faults.append(open_ticket(svc))
        clock.advance(minutes=1)
    clock.advance(minutes=10)
    watchdog = replace(Watchdog.from_services(svc), due_per_tick=2)

    first = watchdog.tick()
    assert (first.found, first.committed) == (2, {"level2": 2})
    levels = [svc.tickets.get(f.ticket_id).escalation_level for f in faults]
    assert levels == [2, 2, 1]  # the two that fell due first
    assert watchdog.tick().committed == {"level2": 1}  # the rest, the same minute
    assert watchdog.tick().committed == {}


def test_a_tick_of_missed_accepts_spreads_them_and_reads_loads_once(svc, clock) -> None:  # type: ignore[no-untyped-def]
    faults = [open_ticket(svc) for _ in range(4)]  # G1 → M1, who accepts none
    spy = svc.tickets = SpyStore(svc.tickets)

    assert tick(svc, clock, minutes=11).committed == {"level2": 4}

    assignees = sorted(spy.inner.get(f.ticket_id).assignee_id for f in faults)
    assert assignees == ["M2", "M2", "M5", "M5"]  # fewest open first, then the other
    names = [name for name, _ in spy.calls]
    assert names.count("open_counts") == 1  # S1's open tickets, once for the tick
    assert names.count("last_assigned") == 1  # the ledger, once for the tick


# ------------------------------------------------------------------ the mainland calendar
def shanghai(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def test_meter_service_clock_skips_golden_week_2025(memory_services, clock) -> None:  # type: ignore[no-untyped-def]
    svc = memory_services
    clock.now = shanghai(2025, 9, 30, 10, 0)  # Tuesday, the eve of the National Day holiday
    ticket = open_ticket(svc, TicketType.METER_SERVICE)
    act(svc, staff_scope(svc, "M1"), ticket, "accept")
    # 5 working days: Oct 9, 10, 11 (an adjusted working Saturday), 13, 14 — to its 24:00
    due = svc.tickets.get(ticket.ticket_id).clocks["resolve_due"]
    assert due == shanghai(2025, 10, 15, 0, 0)
    clock.now = shanghai(2025, 10, 8, 10, 1)  # plain weekdays would have run out on Oct 7
    assert Watchdog.from_services(svc).tick().committed == {}
    clock.now = shanghai(2025, 10, 14, 23, 59)  # the whole of the last day is in time
    assert Watchdog.from_services(svc).tick().committed == {}
    clock.now = shanghai(2025, 10, 15, 0, 1)
    assert Watchdog.from_services(svc).tick().committed == {"level3": 1}
    assert svc.tickets.get(ticket.ticket_id).overdue is True


def test_consultation_clock_falls_due_on_the_adjusted_working_saturday(
    memory_services, clock
) -> None:  # type: ignore[no-untyped-def]
    svc = memory_services
    clock.now = shanghai(2025, 10, 10, 10, 0)  # Friday
    ticket = open_ticket(svc, TicketType.CONSULTATION)
    act(svc, staff_scope(svc, "M1"), ticket, "accept")
    assert svc.tickets.get(ticket.ticket_id).clocks["resolve_due"] == shanghai(2025, 10, 12, 0, 0)
    clock.now = shanghai(2025, 10, 11, 23, 59)  # Saturday, but a working day: in time all day
    assert Watchdog.from_services(svc).tick().committed == {}
    clock.now = shanghai(2025, 10, 12, 0, 1)
    assert Watchdog.from_services(svc).tick().committed == {"level3": 1}


def test_a_ticket_that_missed_two_clocks_takes_both_steps_in_one_tick(svc, clock) -> None:  # type: ignore[no-untyped-def]
    fault = open_ticket(svc)
    assert tick(svc, clock, minutes=50).committed == {"level2": 1, "level3": 1}
    after = svc.tickets.get(fault.ticket_id)
    assert (after.escalation_level, after.overdue, after.version) == (3, True, fault.version + 2)
    assert Watchdog.from_services(svc).tick().committed == {}


def test_the_schedule_entry_point_ticks_over_the_installed_services(memory_services, clock) -> None:  # type: ignore[no-untyped-def]
    from chalicelib.lifecycle.watchdog import on_schedule

    open_ticket(memory_services)
    clock.advance(minutes=11)
    assert on_schedule({})["committed"] == {"level2": 1}
    assert on_schedule({})["committed"] == {}
