"""Working days, Asia/Shanghai.

`add_working_days(start, n)` — the rule of SERVICE_STANDARDS.md ("Working days"):

* "N working days" ends at the end (24:00, Asia/Shanghai) of the N-th working day after the
  day the clock starts; the start day itself is not counted, whether or not it is a working
  day. So Monday 10:00 + 1 → the end of Tuesday (Wednesday 00:00); Friday 16:00 + 1 → the
  end of Monday; Saturday 10:00 + 1 → the end of Monday. n = 0 gives `start` itself.

Adjusted working weekends (调休) count as working days. Results keep the time zone of `start`
(UTC when stored). Naive datetimes are refused.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Protocol

from chalicelib.domain.dates import SHANGHAI

log = logging.getLogger(__name__)


COVERAGE_DAYS = 60  # the calendar must know every day this far ahead (SERVICE_STANDARDS.md)


class WorkCalendar(Protocol):
    def is_working_day(self, day: date) -> bool: ...

    def add_working_days(self, start: datetime, n: int) -> datetime: ...

    def knows(self, day: date) -> bool:
        """Are the holidays of `day` known (not assumed Monday–Friday)?"""
        ...


def uncovered(calendar: WorkCalendar, today: date, days: int = COVERAGE_DAYS) -> list[date]:
    """The days from `today` on, `days` of them, whose holidays the calendar does not know."""
    ahead = (today + timedelta(days=n) for n in range(days))
    return [day for day in ahead if not calendar.knows(day)]


class Consulted:
    """A calendar that remembers whether a clock consulted a day it does not know, so the
    clock can be marked `calendar_assumed` (its due time assumes Monday–Friday)."""

    def __init__(self, calendar: WorkCalendar) -> None:
        self.calendar = calendar
        self.assumed = False

    def is_working_day(self, day: date) -> bool:
        if not self.calendar.knows(day):
            self.assumed = True
        return self.calendar.is_working_day(day)

    def add_working_days(self, start: datetime, n: int) -> datetime:
        return add_working_days(self, start, n)

    def knows(self, day: date) -> bool:
        return self.calendar.knows(day)


def _next_working_day(calendar: WorkCalendar, day: date) -> date:
    day += timedelta(days=1)
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return day


def add_working_days(calendar: WorkCalendar, start: datetime, n: int) -> datetime:
    """The deadline n working days after `start` on `calendar` (rule in the module doc)."""
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    if n < 0:
        raise ValueError("n must not be negative")
    if n == 0:
        return start
    day = start.astimezone(SHANGHAI).date()
    for _ in range(n):
        day = _next_working_day(calendar, day)
    end_of_day = datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=SHANGHAI)
    return end_of_day.astimezone(start.tzinfo)


class WeekendCalendar:
    """Monday to Friday, no holidays: for tests and anywhere without a statutory calendar."""

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5

    def add_working_days(self, start: datetime, n: int) -> datetime:
        return add_working_days(self, start, n)

    def knows(self, day: date) -> bool:
        return True


def parse_schedule(text: str) -> dict[date, bool]:
    """The State Council's holiday notice, as a bureau types it (YUNGE_HOLIDAYS): entries
    separated by ";", each a day or an inclusive range and what it is, e.g.
    ``2027-02-06..2027-02-12=off; 2027-02-14=work`` (off: a holiday, work: an adjusted
    working day). Returns {day: is working day}. Raises ValueError naming the bad entry."""
    schedule: dict[date, bool] = {}
    for raw in text.split(";"):
        entry = raw.strip()
        if not entry:
            continue
        days, _, kind = entry.partition("=")
        first, _, last = days.strip().partition("..")
        try:
            start = date.fromisoformat(first.strip())
            end = date.fromisoformat(last.strip()) if last else start
        except ValueError:
            raise ValueError(f"holiday schedule: bad date in {entry!r}") from None
        if kind.strip() not in ("off", "work") or end < start or (end - start).days > 31:
            raise ValueError(f"holiday schedule: {entry!r} is not <day>[..<day>]=off|work")
        while start <= end:
            schedule[start] = kind.strip() == "work"
            start += timedelta(days=1)
    return schedule


class MainlandCalendar:
    """The mainland calendar (statutory holidays, adjusted working weekends) from the
    `chinese_calendar` package, under a schedule the bureau may add for a year the package
    does not know yet (`parse_schedule`; it wins where both speak). A year known to neither
    falls back to Monday–Friday and logs a warning once per year per calendar."""

    def __init__(self, schedule: Mapping[date, bool] | None = None) -> None:
        self._schedule = dict(schedule or {})
        self._scheduled_years = {day.year for day in self._schedule}
        self._fallback_years: set[int] = set()

    def knows(self, day: date) -> bool:
        """Known: the bureau's schedule speaks for the day's year, or chinese_calendar does."""
        import chinese_calendar

        if day.year in self._scheduled_years:
            return True
        try:
            chinese_calendar.is_workday(day)
        except NotImplementedError:
            return False
        return True

    def is_working_day(self, day: date) -> bool:
        import chinese_calendar  # lazily: only the code that counts working days pays for it

        if day in self._schedule:
            return self._schedule[day]
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            if day.year not in self._fallback_years | self._scheduled_years:
                self._fallback_years.add(day.year)
                log.warning(
                    "chinese_calendar has no data for %s and YUNGE_HOLIDAYS none either; "
                    "counting Monday–Friday as working days",
                    day.year,
                )
            return day.weekday() < 5

    def add_working_days(self, start: datetime, n: int) -> datetime:
        return add_working_days(self, start, n)
