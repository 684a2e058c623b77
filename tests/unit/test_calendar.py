"""Working days in Asia/Shanghai: weekends, statutory holidays, adjusted working weekends."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import chinese_calendar
import pytest

from chalicelib.domain.calendar import (
    SHANGHAI,
    MainlandCalendar,
    WeekendCalendar,
    parse_schedule,
)


def sh(y: int, m: int, d: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(y, m, d, hour, minute, tzinfo=SHANGHAI)


def eod(y: int, m: int, d: int) -> datetime:
    """The end (24:00) of a Shanghai day: where "N working days" ends (SERVICE_STANDARDS)."""
    return sh(y, m, d, 0) + timedelta(days=1)


def test_golden_week_2025_facts_as_chinese_calendar_knows_them() -> None:
    holidays = [date(2025, 10, d) for d in range(1, 9)]
    assert not any(chinese_calendar.is_workday(day) for day in holidays)
    assert chinese_calendar.is_workday(date(2025, 9, 28))  # Sunday, adjusted working day
    assert chinese_calendar.is_workday(date(2025, 10, 11))  # Saturday, adjusted working day
    assert date(2025, 9, 28).weekday() == 6 and date(2025, 10, 11).weekday() == 5


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        (sh(2026, 11, 23), 1, eod(2026, 11, 24)),  # Monday → the end of Tuesday
        (sh(2026, 11, 23, 23, 59), 1, eod(2026, 11, 24)),  # the start day is never counted
        (sh(2026, 11, 27, 16), 1, eod(2026, 11, 30)),  # Friday → the end of Monday
        (sh(2026, 11, 23), 5, eod(2026, 11, 30)),  # a working week
        (sh(2026, 11, 28), 1, eod(2026, 11, 30)),  # Saturday → Monday is the first after it
        (sh(2026, 11, 29, 23, 59), 0, sh(2026, 11, 29, 23, 59)),  # n = 0 → itself
        (sh(2026, 11, 25, 9), 0, sh(2026, 11, 25, 9)),
    ],
)
def test_weekend_calendar(start: datetime, n: int, due: datetime) -> None:
    assert WeekendCalendar().add_working_days(start, n) == due


def test_shanghai_date_decides_not_the_utc_date() -> None:
    # Friday 20:00 UTC is Saturday 04:00 in Shanghai: a weekend request.
    start = datetime(2026, 11, 27, 20, 0, tzinfo=UTC)
    due = WeekendCalendar().add_working_days(start, 1)
    assert due == eod(2026, 11, 30)  # Saturday's first working day after: Monday
    assert due.tzinfo is UTC  # stored times stay UTC


def test_naive_or_negative_input_is_refused() -> None:
    with pytest.raises(ValueError):
        WeekendCalendar().add_working_days(datetime(2026, 11, 23, 10), 1)
    with pytest.raises(ValueError):
        WeekendCalendar().add_working_days(sh(2026, 11, 23), -1)


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        (sh(2025, 9, 30), 1, eod(2025, 10, 9)),  # the day before Golden Week → after it
        (sh(2025, 9, 30), 3, eod(2025, 10, 11)),  # ends on the adjusted working Saturday
        (sh(2025, 9, 30), 4, eod(2025, 10, 13)),  # Sunday 12 Oct is a rest day
        (sh(2025, 9, 26), 1, eod(2025, 9, 28)),  # Friday → the adjusted working Sunday
        (sh(2025, 9, 27), 1, eod(2025, 9, 28)),  # rest Saturday → the working Sunday after
        (sh(2025, 10, 3), 1, eod(2025, 10, 9)),  # mid-holiday → the first day back
        (sh(2025, 10, 11), 0, sh(2025, 10, 11)),  # a working Saturday is a working day
    ],
)
def test_mainland_calendar_across_golden_week_2025(start: datetime, n: int, due: datetime) -> None:
    assert MainlandCalendar().add_working_days(start, n) == due


def test_outside_supported_years_falls_back_to_weekends_and_warns_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calendar, weekends = MainlandCalendar(), WeekendCalendar()
    days = [date(2040, 9, 28) + timedelta(days=i) for i in range(14)]
    with caplog.at_level(logging.WARNING, logger="chalicelib.domain.calendar"):
        assert [calendar.is_working_day(d) for d in days] == [
            weekends.is_working_day(d) for d in days
        ]
        assert calendar.is_working_day(date(2040, 10, 1))  # National Day, unknown → Monday
        assert calendar.add_working_days(sh(2040, 10, 5), 1) == eod(2040, 10, 8)  # Fri → Mon
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "2040" in warnings[0].getMessage()


def test_supported_years_do_not_warn(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="chalicelib.domain.calendar"):
        MainlandCalendar().add_working_days(sh(2025, 9, 30), 10)
    assert caplog.records == []


# ------------------------------------------------------------ the bureau's own schedule
NOTICE = "2040-10-01..2040-10-07=off; 2040-09-29=work ;2040-10-13=work; 2040-01-01=off"


def test_a_schedule_is_read_as_typed_from_the_notice() -> None:
    schedule = parse_schedule(NOTICE)
    assert len(schedule) == 10
    assert [schedule[date(2040, 10, d)] for d in (1, 4, 7)] == [False, False, False]
    assert schedule[date(2040, 9, 29)] is True and schedule[date(2040, 10, 13)] is True
    assert parse_schedule("") == {} and parse_schedule(" ; ") == {}


@pytest.mark.parametrize(
    "text",
    [
        "2040-10-01",  # no kind
        "2040-10-01=holiday",
        "2040-13-01=off",
        "2040-10-07..2040-10-01=off",  # backwards
        "2040-01-01..2040-12-31=off",  # a year is not a holiday
        "2040/10/01=off",
    ],
)
def test_a_malformed_entry_is_named(text: str) -> None:
    with pytest.raises(ValueError, match="holiday schedule"):
        parse_schedule(text)


def test_a_year_the_package_lacks_follows_the_bureaus_schedule_without_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calendar = MainlandCalendar(parse_schedule(NOTICE))
    with caplog.at_level(logging.WARNING, logger="chalicelib.domain.calendar"):
        assert not calendar.is_working_day(date(2040, 10, 1))  # National Day, a Monday
        assert calendar.is_working_day(date(2040, 9, 29))  # the adjusted Saturday
        assert not calendar.is_working_day(date(2040, 9, 30))  # a plain Sunday
        # Friday 28 Sep + 1 working day → Saturday 29 Sep; + 2 → Monday 8 Oct
        assert calendar.add_working_days(sh(2040, 9, 28, 16), 2) == eod(2040, 10, 8)
    assert caplog.records == []


def test_the_schedule_wins_over_the_package_where_both_speak() -> None:
    # a local holiday declared by the bureau on an ordinary 2026 working day
    calendar = MainlandCalendar(parse_schedule("2026-11-24=off"))
    assert not calendar.is_working_day(date(2026, 11, 24))
    assert calendar.is_working_day(date(2026, 11, 25))  # the package still speaks


def test_a_typo_in_the_deployed_schedule_is_logged_and_dispatch_goes_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from chalicelib.bootstrap import Services
    from chalicelib.config import Settings

    settings = Settings.from_env(
        {"YUNGE_HOLIDAYS": "2040-10-01=of", "YUNGE_JWT_KEY_FILE": str(tmp_path / "k")}
    )
    with caplog.at_level(logging.ERROR):
        calendar = Services(settings).calendar
    assert "YUNGE_HOLIDAYS ignored" in caplog.text
    assert calendar.add_working_days(sh(2026, 11, 27, 10), 1) == eod(2026, 11, 30)  # Fri → Mon
