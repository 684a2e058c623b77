"""KPI engine against a small month computed by hand (SERVICE_STANDARDS.md, KPI definitions)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain import rounds
from chalicelib.domain.calendar import SHANGHAI
from chalicelib.domain.policy import DEFAULT_POLICY
from chalicelib.domain.tickets import Status, Ticket, TicketType
from chalicelib.reports.checks import Window
from chalicelib.reports.kpi import KpiEngine
from chalicelib.reports.reference import GridInfo, Reference

M = timedelta(minutes=1)
H = timedelta(hours=1)
NOV = Window(
    start=datetime(2026, 11, 1, tzinfo=SHANGHAI),
    end=datetime(2026, 12, 1, tzinfo=SHANGHAI),
    as_of=datetime(2026, 12, 1, 1, 0, tzinfo=SHANGHAI),
)
REFERENCE = Reference(
    grids={
        "G1": GridInfo("S1", "B1", "urban", "M1", customers=100),
        "G2": GridInfo("S1", "B1", "urban", "M2"),
        "G3": GridInfo("S2", "B1", "rural", "M3", customers=50),
    },
    names={"station#S1": "城关供电所", "ta#T1": "新华1号台区"},
)
PLACES = {"G1": ("S1", "urban", "M1"), "G2": ("S1", "urban", "M2"), "G3": ("S2", "rural", "M3")}


def ticket(n: int, kind: TicketType, created: datetime, grid: str = "G1", **kw: Any) -> Ticket:
    station, area, manager = PLACES[grid]
    fields: dict[str, Any] = {
        "status": Status.CLOSED,
        "assignee_id": manager,
        "escalation_level": 1,
        "ta_id": "T" + grid[1:],
    }
    fields.update(kw)
    return Ticket(
        ticket_id=f"t{n}",
        number=f"N{n}",
        type=kind,
        owner_id="o",
        account_no="a",
        contact_phone="13800000000",
        description="d",
        address="addr",
        grid_id=grid,
        station_id=station,
        branch_id="B1",
        area_class=area,
        created_at=created,
        updated_at=created,
        **fields,
    )


def steps(start: datetime, **offsets: timedelta) -> dict[str, datetime]:
    return {name: start + delta for name, delta in offsets.items()}


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


FAULT, METER, CONSULT = TicketType.FAULT_REPAIR, TicketType.METER_SERVICE, TicketType.CONSULTATION
HERE = {"arrive_location": {"lat": 40.7, "lng": 107.4}}


def reopened(t: Ticket, when: datetime, **clocks: datetime) -> Ticket:
    """`t` reopened at `when` (its round archived), the new round's moments in `clocks`."""
    return replace(
        t,
        outcome=rounds.reopened(t, when),
        clocks={"reopened_at": when, **clocks},
    )


def november() -> list[Ticket]:
    t1, t2, t3, t4 = at(10, 10), at(11, 10), at(30, 23), at(31, 23, 30, month=10)
    meter_round_1 = ticket(
        6,
        METER,
        t1,
        status=Status.RESOLVED,
        clocks=steps(
            t1,
            dispatched_at=1 * M,
            accept_due=2 * H + M,
            accepted_at=10 * M,
            arrived_at=H,
            resolved_at=2 * H,
        ),
    )
    r2 = t1 + 24 * H
    return [
        # 1 on time everywhere, rated 5
        ticket(
            1,
            FAULT,
            t1,
            clocks=steps(
                t1,
                dispatched_at=2 * M,
                accept_due=12 * M,
                accepted_at=5 * M,
                arrive_due=45 * M,
                arrived_at=30 * M,
                resolve_due=30 * M + 3 * H,
                resolved_at=2 * H,
                closed_at=3 * H,
            ),
            outcome={"cause": "线路老化", "rating": 5, **HERE},
        ),
        # 2 rural: slow dispatch, late accept, late arrival, fixed in time, auto-closed
        ticket(
            2,
            FAULT,
            t2,
            "G3",
            clocks=steps(
                t2,
                dispatched_at=10 * M,
                accept_due=20 * M,
                accepted_at=25 * M,
                arrive_due=90 * M,
                arrived_at=120 * M,
                resolve_due=120 * M + 4 * H,
                resolved_at=3 * H,
                closed_at=75 * H,
            ),
            outcome={"cause": "熔断器", "no_callback": True, **HERE},
        ),
        # 3 still open at the end of the month, past its arrive clock, escalated (level 3)
        ticket(
            3,
            FAULT,
            t3,
            status=Status.DISPATCHED,
            escalation_level=3,
            overdue=True,
            clocks=steps(
                t3,
                dispatched_at=1 * M,
                accept_due=11 * M,
                accepted_at=5 * M,
                arrive_due=45 * M,
                arrive_escalated_at=45 * M,
            ),
        ),
        # 4 created in October: its November clocks and its November closing count
        ticket(
            4,
            FAULT,
            t4,
            clocks=steps(
                t4,
                dispatched_at=1 * M,
                accept_due=11 * M,
                accepted_at=3 * M,
                arrive_due=45 * M,
                arrived_at=40 * M,
                resolve_due=40 * M + 3 * H,
                resolved_at=90 * M,
                closed_at=100 * M,
            ),
            outcome={"cause": "表后线", "no_callback": False, **HERE},
        ),
        # 5 consultation, rated 3 (no visit, no cause needed)
        ticket(
            5,
            CONSULT,
            t1,
            clocks=steps(
                t1,
                dispatched_at=1 * M,
                accept_due=31 * M,
                accepted_at=10 * M,
                resolved_at=20 * M,
                closed_at=H,
            ),
            outcome={"rating": 3},
        ),
        # 6 meter service: arrival without a location in round 1, reopened, round 2 fine, rated 4
        replace(
            reopened(
                meter_round_1,
                r2,
                dispatched_at=r2,
                accept_due=r2 + 2 * H,
                accepted_at=r2 + 5 * M,
                arrived_at=r2 + H,
                resolved_at=r2 + 2 * H,
                closed_at=r2 + 3 * H,
            ),
            status=Status.CLOSED,
            outcome={**rounds.reopened(meter_round_1, r2), "rating": 4, **HERE},
        ),
        # 7 cancelled before dispatch: only the cancelled column
        ticket(
            7,
            FAULT,
            at(5, 10),
            status=Status.CANCELLED,
            assignee_id=None,
            escalation_level=0,
            clocks={"cancelled_at": at(5, 10, 3)},
        ),
    ]


def run(tickets: list[Ticket], window: Window = NOV) -> Any:
    engine = KpiEngine(window, DEFAULT_POLICY, REFERENCE)
    for t in tickets:
        engine.add(t)
    return engine.result()


def test_a_hand_computed_month() -> None:
    kpi = run(november())
    total = kpi.total
    assert (kpi.period_from, kpi.period_to) == ("2026-11-01", "2026-11-30")
    assert (total.tickets, total.cancelled) == (5, 1)  # 4 was created in October, 7 cancelled
    assert total.by_type == {
        "fault_repair": 3,
        "meter_service": 1,
        "consultation": 1,
        "new_connection": 0,
    }
    assert (total.arrival.numerator, total.arrival.denominator, total.arrival.rate) == (2, 4, 0.5)
    # 3's resolve clock (its arrive due 23:45 + 3 h) falls due in December
    assert (total.fault_fix.numerator, total.fault_fix.denominator) == (3, 3)
    urban, rural = total.arrival_by_area
    assert (urban.area_class, urban.arrived, urban.average_minutes) == ("urban", 2, 35.0)
    assert urban.commitment_minutes == 45.0
    assert (rural.arrived, rural.average_minutes, rural.commitment_minutes) == (1, 120.0, 90.0)
    # closings: 1, 2, 4 (created in October), 5 and 6 (its first round arrived unlocated)
    assert (total.flow.passed, total.flow.closed, total.flow.rate) == (3, 5, 0.6)
    assert total.flow.failures_by_step == {
        "dispatch": 1,
        "accept": 1,
        "arrive": 1,
        "resolve_cause": 0,
        "callback": 1,
    }
    assert (total.satisfaction.numerator, total.satisfaction.denominator) == (2, 3)
    assert total.satisfaction.rate == 0.6667
    assert (total.callback.numerator, total.callback.denominator) == (4, 5)
    # 6 was resolved twice and reopened once; 1, 2, 4 and 5 resolved once
    assert (total.reopen.numerator, total.reopen.denominator) == (1, 6)
    # level 1 (every ordinary dispatch) is not an escalation
    assert {k: (e.events, e.tickets) for k, e in total.escalations.items()} == {
        "2": (0, 0),
        "3": (1, 1),
    }
    assert (total.overdue, total.open_at_end) == (2, 1)  # 2 and 3 missed their arrive clocks
    assert (total.customers, total.per_1000_customers) == (150, 33.33)


def test_groups_split_the_same_figures() -> None:
    kpi = run(november())
    station = {g.id: g for g in kpi.of_kind("station")}
    assert station["S1"].name == "城关供电所"
    assert station["S1"].figures.tickets == 4
    assert station["S2"].figures.arrival.rate == 0.0
    assert station["S2"].figures.customers == 50
    grids = {g.id: g.figures for g in kpi.of_kind("grid")}
    assert grids["G2"].tickets == 0 and grids["G2"].per_1000_customers is None
    managers = {g.id: g.figures for g in kpi.of_kind("manager")}
    assert (managers["-"].tickets, managers["-"].cancelled) == (0, 1)  # never dispatched
    assert managers["M1"].tickets == 4


def test_no_tickets_gives_counts_of_zero_and_no_rates() -> None:
    kpi = run([])
    assert kpi.total.tickets == 0
    assert kpi.total.arrival.rate is None and kpi.total.fault_fix.rate is None
    assert kpi.total.flow.rate is None and kpi.total.satisfaction.rate is None
    assert len(kpi.daily) == 30 and all(sum(d.by_type.values()) == 0 for d in kpi.daily)
    assert {g.id for g in kpi.of_kind("station")} == {"S1", "S2"}
    assert kpi.hotspots == []


def test_all_late() -> None:
    late = [
        ticket(
            n,
            FAULT,
            at(n, 9),
            clocks=steps(
                at(n, 9),
                dispatched_at=M,
                accept_due=11 * M,
                accepted_at=20 * M,
                arrive_due=45 * M,
                arrived_at=2 * H,
                resolve_due=5 * H,
                resolved_at=9 * H,
                closed_at=10 * H,
            ),
            outcome={"cause": "x", **HERE},
        )
        for n in (1, 2)
    ]
    total = run(late).total
    assert total.arrival.rate == 0.0 and total.fault_fix.rate == 0.0
    assert total.flow.rate == 0.0 and total.flow.failures_by_step["accept"] == 2


def test_a_clock_not_yet_due_is_not_counted() -> None:
    t = at(20, 10)
    waiting = ticket(
        1,
        FAULT,
        t,
        status=Status.DISPATCHED,
        clocks=steps(t, dispatched_at=M, accept_due=11 * M, arrive_due=45 * M),
    )
    window = Window(NOV.start, NOV.end, as_of=t + 30 * M)
    total = run([waiting], window).total
    assert total.arrival.denominator == 0 and total.open_at_end == 1
    assert run([waiting], Window(NOV.start, NOV.end, t + 46 * M)).total.arrival.rate == 0.0


def test_a_fault_never_dispatched_runs_on_the_policy_clock() -> None:
    t = at(20, 10)
    forgotten = ticket(1, FAULT, t, status=Status.SUBMITTED, assignee_id=None, clocks={})
    total = run([forgotten]).total
    assert (total.arrival.denominator, total.arrival.rate) == (1, 0.0)
    assert (total.fault_fix.denominator, total.fault_fix.rate) == (1, 0.0)


def test_hotspots_are_transformer_areas_with_three_faults() -> None:
    faults = [ticket(n, FAULT, at(n, 8)) for n in (1, 2, 3)]
    faults.append(ticket(4, FAULT, at(4, 8), "G3"))
    kpi = run(faults)
    assert [(h.ta_id, h.name, h.fault_events) for h in kpi.hotspots] == [("T1", "新华1号台区", 3)]


def test_an_outages_reports_are_one_fault_event() -> None:
    """Forty neighbours reporting one transformer trip are one event, not forty: five reports
    on outage O1 and one on O2 are two events, and one lone report makes the third."""
    on_o1 = [ticket(n, FAULT, at(1, 8, n), outage_id="O1") for n in range(1, 6)]
    on_o2 = [ticket(6, FAULT, at(9, 8), outage_id="O2")]
    assert run(on_o1 + on_o2).hotspots == []  # 2 events: not frequent
    kpi = run([*on_o1, *on_o2, ticket(7, FAULT, at(12, 8))])
    assert [(h.ta_id, h.fault_events) for h in kpi.hotspots] == [("T1", 3)]
    assert kpi.total.by_type["fault_repair"] == 7  # volumes still count every report


def test_a_cancelled_fault_is_no_hotspot_event() -> None:
    cancelled = {"status": Status.CANCELLED, "clocks": {"cancelled_at": at(3, 8, 2)}}
    faults = [
        ticket(1, FAULT, at(1, 8)),
        ticket(2, FAULT, at(2, 8)),
        ticket(3, FAULT, at(3, 8), **cancelled),
    ]
    kpi = run(faults)
    assert kpi.hotspots == []
    assert (kpi.total.tickets, kpi.total.cancelled) == (2, 1)


@pytest.mark.parametrize("rating, satisfied", [(4, 1), (3, 0), (None, 0)])
def test_satisfaction_counts_rated_tickets_only(rating: int | None, satisfied: int) -> None:
    t = at(3, 9)
    confirmed = {"no_callback": False, **({"rating": rating} if rating else {})}
    closed = ticket(1, CONSULT, t, clocks={"closed_at": t + H}, outcome=confirmed)
    total = run([closed]).total
    assert total.satisfaction.numerator == satisfied
    assert total.satisfaction.denominator == (1 if rating else 0)
    assert total.callback.numerator == 1  # a confirmation without a rating is a callback
