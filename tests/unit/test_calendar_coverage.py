"""Calendar coverage (SERVICE_STANDARDS.md, Working days; issue 17): the system says when the
holidays of the next 60 days are unknown, and a clock that had to assume them is marked."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

import pytest

from chalicelib.domain.calendar import (
    SHANGHAI,
    Consulted,
    MainlandCalendar,
    parse_schedule,
    uncovered,
)
from chalicelib.lifecycle.calendar_watch import METRIC, coverage_warning, watch_calendar
from chalicelib.observability import metrics

NOTICE_2027 = "2027-01-01..2027-01-03=off; 2027-02-06..2027-02-12=off; 2027-02-14=work"
NEW_YEARS_EVE = datetime(2026, 12, 31, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def no_metrics_left() -> Iterator[None]:
    yield
    metrics.clear_metrics()


def test_the_package_alone_leaves_2027_unknown_sixty_days_ahead_of_december() -> None:
    missing = uncovered(MainlandCalendar(), date(2026, 12, 2))
    assert (missing[0], missing[-1], len(missing)) == (date(2027, 1, 1), date(2027, 1, 30), 30)
    assert uncovered(MainlandCalendar(), date(2026, 10, 1)) == []


def test_the_bureaus_notice_covers_its_year() -> None:
    calendar = MainlandCalendar(parse_schedule(NOTICE_2027))
    assert uncovered(calendar, date(2026, 12, 2)) == []


def test_a_clock_over_new_year_2027_without_the_notice_is_assumed() -> None:
    seen = Consulted(MainlandCalendar())
    due = seen.add_working_days(NEW_YEARS_EVE, 1)
    assert due == datetime(2027, 1, 2, tzinfo=SHANGHAI)  # the end of Friday 1 Jan: assumed
    assert seen.assumed


def test_a_clock_over_new_year_2027_with_the_notice_skips_the_holiday() -> None:
    seen = Consulted(MainlandCalendar(parse_schedule(NOTICE_2027)))
    due = seen.add_working_days(NEW_YEARS_EVE, 1)
    assert due == datetime(2027, 1, 5, tzinfo=SHANGHAI)  # the end of Monday 4 Jan
    assert not seen.assumed


def test_a_clock_inside_known_days_is_not_assumed() -> None:
    seen = Consulted(MainlandCalendar())
    seen.add_working_days(datetime(2026, 11, 23, 10, tzinfo=SHANGHAI), 5)
    assert not seen.assumed


def test_the_watchdog_tick_reports_the_unknown_days_as_a_metric() -> None:
    now = datetime(2026, 12, 2, 9, 0, tzinfo=SHANGHAI)
    missing = watch_calendar(MainlandCalendar(), now)
    assert len(missing) == 30
    assert metrics.metric_set[METRIC]["Value"] == [30.0]
    warning = coverage_warning(missing)
    assert warning is not None and "2027-01-01" in warning and "YUNGE_HOLIDAYS" in warning


def test_a_covered_calendar_reports_zero_and_no_warning() -> None:
    now = datetime(2026, 12, 2, 9, 0, tzinfo=SHANGHAI)
    assert watch_calendar(MainlandCalendar(parse_schedule(NOTICE_2027)), now) == []
    assert metrics.metric_set[METRIC]["Value"] == [0.0]
    assert coverage_warning([]) is None
