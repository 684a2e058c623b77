"""A ticket's deadlines per SERVICE_STANDARDS.md, and whether each was met."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

import pytest

from chalicelib.domain.calendar import SHANGHAI, MainlandCalendar, WeekendCalendar, WorkCalendar
from chalicelib.domain.clocks import Deadlines, clock_report, deadlines, next_due
from chalicelib.domain.errors import ValidationFailed
from chalicelib.domain.org import AreaClass
from chalicelib.domain.policy import DEFAULT_POLICY, ServicePolicy
from chalicelib.domain.tickets import Outcome, TicketType

T = TicketType
MON = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)  # Monday 10:00, a plain working week
MIN = timedelta(minutes=1)


def due(
    ticket_type: TicketType,
    *,
    area_class: AreaClass = AreaClass.URBAN,
    priority: bool = False,
    submitted_at: datetime = MON,
    dispatched_at: datetime | None = MON + 2 * MIN,
    arrived_at: datetime | None = None,
    details: Mapping[str, object] | None = None,
    policy: ServicePolicy = DEFAULT_POLICY,
    calendar: WorkCalendar | None = None,
) -> Deadlines:
    return deadlines(
        policy,
        calendar or WeekendCalendar(),
        ticket_type=ticket_type,
        area_class=area_class,
        priority=priority,
        submitted_at=submitted_at,
        dispatched_at=dispatched_at,
        arrived_at=arrived_at,
        details=details or {},
    )


@pytest.mark.parametrize(
    ("ticket_type", "minutes"),
    [(T.FAULT_REPAIR, 10), (T.METER_SERVICE, 120), (T.CONSULTATION, 30), (T.NEW_CONNECTION, 120)],
)
def test_accept_clock_runs_from_dispatch_and_is_halved_for_priority_customers(
    ticket_type: TicketType, minutes: int
) -> None:
    assert due(ticket_type).accept_due == MON + (2 + minutes) * MIN
    assert due(ticket_type, priority=True).accept_due == MON + 2 * MIN + minutes / 2 * MIN
    assert due(ticket_type, dispatched_at=None).accept_due is None


@pytest.mark.parametrize(
    ("area_class", "arrive_minutes", "resolve_hours"),
    [(AreaClass.URBAN, 45, 3), (AreaClass.RURAL, 90, 4), (AreaClass.REMOTE, 120, 4)],
)
def test_fault_clocks_per_area_class(
    area_class: AreaClass, arrive_minutes: int, resolve_hours: int
) -> None:
    before_arrival = due(T.FAULT_REPAIR, area_class=area_class)
    assert before_arrival.arrive_due == MON + arrive_minutes * MIN
    assert before_arrival.resolve_due is None  # only known once the crew is there
    arrived = MON + 30 * MIN
    after = due(T.FAULT_REPAIR, area_class=area_class, arrived_at=arrived)
    assert after.resolve_due == arrived + timedelta(hours=resolve_hours)


@pytest.mark.parametrize(
    ("ticket_type", "details", "arrive_due", "resolve_due"),
    [
        # submitted Monday 23 Nov 10:00; each ends at 24:00 of its last working day
        (T.METER_SERVICE, {}, None, datetime(2026, 12, 1, tzinfo=SHANGHAI)),  # end of Mon 30
        (T.CONSULTATION, {}, None, datetime(2026, 11, 25, tzinfo=SHANGHAI)),  # end of Tue 24
        (
            T.NEW_CONNECTION,
            {},
            datetime(2026, 11, 26, tzinfo=SHANGHAI),  # 2 working days: the end of Wed 25
            datetime(2026, 12, 1, tzinfo=SHANGHAI),
        ),
        (
            T.NEW_CONNECTION,
            {"category": "non_residential"},
            datetime(2026, 11, 26, tzinfo=SHANGHAI),
            datetime(2026, 12, 2, tzinfo=SHANGHAI),  # 6: the end of Tue 1 Dec
        ),
    ],
)
def test_working_day_clocks_run_from_submission(
    ticket_type: TicketType,
    details: dict[str, object],
    arrive_due: datetime | None,
    resolve_due: datetime,
) -> None:
    got = due(ticket_type, details=details)
    assert (got.arrive_due, got.resolve_due) == (arrive_due, resolve_due)


@pytest.mark.parametrize("category", ["industrial", 5, ["residential"]])
def test_unknown_new_connection_category_is_a_bad_request(category: object) -> None:
    with pytest.raises(ValidationFailed) as caught:
        due(T.NEW_CONNECTION, details={"category": category})
    assert "details.category" in caught.value.fields


def test_golden_week_2025_on_the_mainland_calendar() -> None:
    calendar = MainlandCalendar()
    tuesday = datetime(2025, 9, 30, 10, tzinfo=SHANGHAI)
    meter = due(T.METER_SERVICE, submitted_at=tuesday, dispatched_at=None, calendar=calendar)
    # 9, 10, 11 (adjusted working Saturday), 13, 14 October: due at the end of the 14th
    assert meter.resolve_due == datetime(2025, 10, 15, tzinfo=SHANGHAI)
    friday = datetime(2025, 9, 26, 10, tzinfo=SHANGHAI)
    survey = due(T.NEW_CONNECTION, submitted_at=friday, dispatched_at=None, calendar=calendar)
    # Sunday 28 September is a working day, so the survey is due by the end of Monday 29th
    assert survey.arrive_due == datetime(2025, 9, 30, tzinfo=SHANGHAI)


def test_demo_policy_runs_every_clock_sixty_times_faster() -> None:
    demo = DEFAULT_POLICY.scaled(1 / 60)
    fault = due(T.FAULT_REPAIR, policy=demo, arrived_at=MON + 10 * MIN)
    assert fault.accept_due == MON + 2 * MIN + timedelta(seconds=10)
    assert fault.arrive_due == MON + timedelta(seconds=45)
    assert fault.resolve_due == MON + 10 * MIN + 3 * MIN
    meter = due(T.METER_SERVICE, policy=demo)
    # 5 working days from Monday 10:00 end with Monday 30 Nov: 7 days 14 hours, 60× faster
    assert meter.resolve_due == MON + timedelta(days=7, hours=14) / 60
    assert demo.dispatch_target == timedelta(seconds=5)
    # outages too: a report waits 2 s, reporters are asked 30 s after restoration …
    assert (demo.outages.hold, demo.outages.callback_after) == (
        timedelta(seconds=2),
        timedelta(seconds=30),
    )
    assert demo.outages.cluster_window == timedelta(seconds=15)
    # … but a planned notice still needs its 7 days: that is the regulation, not a clock
    assert demo.outages.planned_notice == DEFAULT_POLICY.outages.planned_notice
    with pytest.raises(ValueError):
        DEFAULT_POLICY.scaled(0)


# --- next_due and clock_report ---------------------------------------------------------------

FAULT = Deadlines(accept_due=MON + 12 * MIN, arrive_due=MON + 45 * MIN, resolve_due=None)


def test_next_due_walks_the_clocks_in_order() -> None:
    accepted, arrived, resolved = MON + 5 * MIN, MON + 40 * MIN, MON + 200 * MIN
    assert next_due(FAULT, accepted_at=None, arrived_at=None, resolved_at=None) == (
        "accept",
        MON + 12 * MIN,
    )
    assert next_due(FAULT, accepted_at=accepted, arrived_at=None, resolved_at=None) == (
        "arrive",
        MON + 45 * MIN,
    )
    # the resolve clock is not known until the deadlines are recomputed with arrived_at
    assert next_due(FAULT, accepted_at=accepted, arrived_at=arrived, resolved_at=None) is None
    resolving = Deadlines(FAULT.accept_due, FAULT.arrive_due, MON + 220 * MIN)
    assert next_due(resolving, accepted_at=accepted, arrived_at=arrived, resolved_at=None) == (
        "resolve",
        MON + 220 * MIN,
    )
    assert (
        next_due(resolving, accepted_at=accepted, arrived_at=arrived, resolved_at=resolved) is None
    )


def test_next_due_skips_clocks_already_escalated() -> None:
    got = next_due(FAULT, accepted_at=None, arrived_at=None, resolved_at=None, skip={"accept"})
    assert got == ("arrive", MON + 45 * MIN)


def test_next_due_picks_the_earliest_not_the_first_step() -> None:
    # a meter ticket re-dispatched late: its resolve clock falls due before the new accept clock
    late = Deadlines(
        accept_due=MON + timedelta(days=8), arrive_due=None, resolve_due=MON + timedelta(days=7)
    )
    assert next_due(late, accepted_at=None, arrived_at=None, resolved_at=None) == (
        "resolve",
        MON + timedelta(days=7),
    )


def outcomes(
    *,
    now: datetime,
    accepted_at: datetime | None = None,
    arrived_at: datetime | None = None,
    cancelled_at: datetime | None = None,
) -> dict[str, Outcome]:
    report = clock_report(
        Deadlines(MON + 12 * MIN, MON + 45 * MIN, MON + 4 * 60 * MIN),
        accepted_at=accepted_at,
        arrived_at=arrived_at,
        resolved_at=None,
        now=now,
        cancelled_at=cancelled_at,
    )
    return {state.clock: state.outcome for state in report}


def test_clock_report_met_missed_pending() -> None:
    got = outcomes(accepted_at=MON + 12 * MIN, arrived_at=MON + 50 * MIN, now=MON + 60 * MIN)
    assert got == {"accept": Outcome.MET, "arrive": Outcome.MISSED, "resolve": Outcome.PENDING}


def test_clock_report_open_past_due_counts_as_missed() -> None:
    got = outcomes(now=MON + 13 * MIN)
    assert got == {"accept": Outcome.MISSED, "arrive": Outcome.PENDING, "resolve": Outcome.PENDING}


def test_clock_report_cancelled_ticket_stops_its_clocks() -> None:
    got = outcomes(cancelled_at=MON + 20 * MIN, now=MON + timedelta(days=2))
    assert got == {"accept": Outcome.MISSED, "arrive": Outcome.STOPPED, "resolve": Outcome.STOPPED}


def test_clock_report_leaves_out_clocks_the_ticket_does_not_have() -> None:
    consultation = Deadlines(MON + 30 * MIN, None, MON + timedelta(days=1))
    report = clock_report(
        consultation, accepted_at=None, arrived_at=None, resolved_at=None, now=MON
    )
    assert [(s.clock, s.due) for s in report] == [
        ("accept", MON + 30 * MIN),
        ("resolve", MON + timedelta(days=1)),
    ]
