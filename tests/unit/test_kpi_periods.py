"""Counting periods and rounds (SERVICE_STANDARDS.md, KPI definitions; issue 17's "Why"):
every round judged, each fact in the period it happened, a closed month that never changes."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import msgspec

from chalicelib.domain import rounds
from chalicelib.domain.calendar import SHANGHAI
from chalicelib.domain.policy import DEFAULT_POLICY
from chalicelib.domain.tickets import Status, Ticket
from chalicelib.reports.build import ReportPorts, compute, month_window
from chalicelib.reports.checks import Window, check
from chalicelib.reports.reference import reference_of
from chalicelib.store.reference_source import StaticReferenceSource
from chalicelib.store.report_files import InMemoryReportFiles
from infra.local.demo_data import generate
from infra.local.demo_month import generate_month
from tests.unit.test_kpi import FAULT, HERE, NOV, H, M, at, run, steps, ticket

DEC = Window(
    NOV.end, datetime(2027, 1, 1, tzinfo=SHANGHAI), datetime(2027, 1, 1, 1, tzinfo=SHANGHAI)
)


def fault(n: int, created: datetime, **kw: Any) -> Ticket:
    """A fault ticket done on time from `created`, closed with a confirmation 3 h later."""
    clocks = steps(
        created,
        dispatched_at=2 * M,
        accept_due=12 * M,
        accepted_at=5 * M,
        arrive_due=45 * M,
        arrived_at=30 * M,
        resolve_due=30 * M + 3 * H,
        resolved_at=2 * H,
        closed_at=3 * H,
    )
    clocks.update(kw.pop("clocks", {}))
    outcome = {"cause": "线路老化", "no_callback": False, **HERE, **kw.pop("outcome", {})}
    return ticket(n, FAULT, created, clocks=clocks, outcome=outcome, **kw)


def test_overdue_is_every_missed_clock_whether_or_not_escalated() -> None:
    late = fault(1, at(10, 9), clocks={"arrived_at": at(10, 10, 30)}, overdue=False)
    on_time = fault(2, at(10, 9))
    total = run([late, on_time]).total
    assert total.overdue == 1
    (missed,) = check(late, NOV, DEFAULT_POLICY, "urban").missed
    assert (missed.clock, missed.due, missed.lateness(NOV.cut)) == (
        "arrive",
        at(10, 9, 45),
        timedelta(minutes=45),
    )


def test_level_1_is_no_escalation_and_levels_2_and_3_count_events_and_tickets() -> None:
    t = at(12, 9)
    marks = steps(t, accept_escalated_at=12 * M, arrive_escalated_at=45 * M)
    escalated = fault(1, t, clocks={**marks, "resolve_escalated_at": t + 4 * H}, escalation_level=3)
    ordinary = fault(2, t, escalation_level=1)
    escalations = run([escalated, ordinary]).total.escalations
    assert {k: (e.events, e.tickets) for k, e in escalations.items()} == {
        "2": (1, 1),
        "3": (2, 1),
    }


def round_one(created: datetime) -> Ticket:
    """Arrived 15 min late, resolved in time; the customer then reopens it."""
    t = fault(
        1,
        created,
        status=Status.RESOLVED,
        clocks={"arrived_at": created + 60 * M, "resolve_due": created + 4 * H},
    )
    return replace(t, clocks={k: v for k, v in t.clocks.items() if k != "closed_at"})


def reopen(t: Ticket, when: datetime) -> Ticket:
    """`t` reopened at `when`: round 1 archived, round 2 done on time and confirmed."""
    round_two = steps(
        when,
        dispatched_at=0 * M,
        accept_due=10 * M,
        accepted_at=3 * M,
        arrive_due=45 * M,
        arrived_at=20 * M,
        resolve_due=20 * M + 3 * H,
        resolved_at=H,
        closed_at=2 * H,
    )
    outcome = {**rounds.reopened(t, when), "cause": "熔断器", "no_callback": False, **HERE}
    return replace(
        t, status=Status.CLOSED, clocks={"reopened_at": when, **round_two}, outcome=outcome
    )


def test_a_reopen_keeps_the_first_rounds_misses_and_fails_its_resolve_clock() -> None:
    twice = reopen(round_one(at(10, 9)), at(11, 9))
    total = run([twice]).total
    assert (total.arrival.numerator, total.arrival.denominator) == (1, 2)  # round 1 late
    assert (total.fault_fix.numerator, total.fault_fix.denominator) == (1, 2)  # round 1 reopened
    assert (total.reopen.numerator, total.reopen.denominator) == (1, 2)
    assert (total.flow.passed, total.flow.closed) == (1, 1)
    assert [f.round for f in check(twice, NOV, DEFAULT_POLICY, "urban").missed] == [1, 1]


def test_a_reopen_after_the_month_cannot_change_it_and_counts_in_its_own() -> None:
    later = reopen(round_one(at(30, 9)), at(2, 9, month=12))
    november = run([later]).total
    assert (november.fault_fix.numerator, november.fault_fix.denominator) == (1, 1)
    assert november.reopen.numerator == 0
    december = run([later], DEC).total
    assert (december.fault_fix.numerator, december.fault_fix.denominator) == (1, 2)
    assert (december.reopen.numerator, december.reopen.denominator) == (1, 1)


def test_a_closing_counts_in_the_month_it_happened() -> None:
    late_closing = fault(1, at(29, 9), clocks={"closed_at": at(3, 9, month=12)})
    from_october = fault(2, at(30, 9, month=10), clocks={"closed_at": at(2, 9)})
    november, december = run([late_closing, from_october]).total, run([late_closing], DEC).total
    assert (november.tickets, november.flow.closed, november.callback.denominator) == (1, 1, 1)
    assert (december.tickets, december.flow.closed) == (0, 1)


def test_a_failed_step_in_an_earlier_round_fails_the_final_closing() -> None:
    first = round_one(at(10, 9))
    first = replace(first, outcome={**first.outcome, "arrive_location": None})
    flow = run([reopen(first, at(11, 9))]).total.flow
    assert (flow.passed, flow.closed, flow.failures_by_step["arrive"]) == (0, 1, 1)


def test_an_automatic_closing_is_no_callback_but_a_staff_callback_is() -> None:
    t = at(10, 9)
    auto = fault(1, t, outcome={"no_callback": True})
    called = fault(2, t, outcome={"no_callback": True, "callback": {"outcome": "reached"}})
    callback = run([auto, called]).total.callback
    assert (callback.numerator, callback.denominator) == (1, 2)


def test_a_missed_accept_before_a_transfer_stays_missed() -> None:
    t = at(10, 9)
    transferred = fault(1, t, clocks={"accept_missed_at": t + 12 * M, "accept_due": t + 30 * M})
    flow = run([transferred]).total.flow
    assert (flow.passed, flow.failures_by_step["accept"]) == (0, 1)


def _figures(month_end_build: datetime) -> dict[str, Any]:
    district = generate(400)
    grid_of = {ta.ta_id: ta.grid_id for ta in district.transformer_areas}
    customers = Counter(grid_of[c.ta_id] for c in district.customers)
    start = datetime(2026, 11, 1, tzinfo=SHANGHAI)
    tickets = [t for t, _ in generate_month(district, start, 300, month_end_build, seed=7)]

    class Source:
        def tickets(self, _partitions: object, first: datetime, end: datetime) -> Any:
            return (t for t in tickets if first <= t.created_at < end)

    reference = StaticReferenceSource(reference_of(district.org_entities(), customers))
    ports = ReportPorts(Source(), InMemoryReportFiles(), reference, 8)
    kpi = compute(ports, month_window("2026-11", month_end_build), DEFAULT_POLICY, [])
    figures: dict[str, Any] = msgspec.to_builtins(kpi)
    figures.pop("as_of")
    return figures


def test_rebuilding_a_closed_month_a_week_later_gives_the_same_figures() -> None:
    # the same tickets, their stories a week further on (closings, reopens, late arrivals)
    first = _figures(datetime(2026, 12, 1, 1, 0, tzinfo=SHANGHAI))
    again = _figures(datetime(2026, 12, 8, 1, 0, tzinfo=SHANGHAI))
    assert first["total"]["flow"]["closed"] > 200
    assert again == first


def test_a_round_verdict_is_stored_when_a_reopen_archives_it() -> None:
    archived = reopen(round_one(at(10, 9)), at(11, 9)).outcome["rounds"][0]
    assert archived["round"] == 1
    assert archived["verdicts"] == {"accept": "met", "arrive": "missed", "resolve": "missed"}


def test_a_missed_clock_is_credited_to_whoever_held_the_ticket_when_it_fell_due() -> None:
    t = at(10, 9)
    # M1 held it when the arrive clock fell due; level 2 had moved it to M5, who arrived late
    late = fault(
        1,
        t,
        assignee_id="M5",
        clocks={"arrived_at": t + 2 * H},
        outcome={"holders": {"arrive": "M1", "resolve": "M5"}},
    )
    managers = {g.id: g.figures for g in run([late]).of_kind("manager")}
    assert (managers["M1"].arrival.denominator, managers["M1"].overdue) == (1, 1)
    assert (managers["M5"].arrival.denominator, managers["M5"].fault_fix.denominator) == (0, 1)
    assert (managers["M5"].tickets, managers["M1"].tickets) == (1, 0)
