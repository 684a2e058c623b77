"""Calendar coverage (SERVICE_STANDARDS.md, "Working days"): the holidays of the next 60 days
must be known — from chinesecalendar or the bureau's YUNGE_HOLIDAYS parameter — or clocks
counted in working days silently assume Monday–Friday. Each watchdog tick puts the number
of unknown days ahead in the `CalendarUncoveredDays` metric (an alarm in the template fires
above 0) and, once a day per container, a warning in the log; the local stack's startup
banner says it too. README, "Holidays", says how to enter the State Council's notice."""

from __future__ import annotations

from datetime import date, datetime

from chalicelib.domain.calendar import COVERAGE_DAYS, WorkCalendar, uncovered
from chalicelib.domain.dates import SHANGHAI

METRIC = "CalendarUncoveredDays"
_warned: set[date] = set()  # days this container already logged the warning on


def coverage_warning(missing: list[date]) -> str | None:
    if not missing:
        return None
    return (
        f"节假日日历未覆盖 {missing[0]} 至 {missing[-1]}（未来 {COVERAGE_DAYS} 天中 "
        f"{len(missing)} 天）：请按国务院办公厅当年放假通知设置 YUNGE_HOLIDAYS（README，节假日）"
    )


def watch_calendar(calendar: WorkCalendar, now: datetime) -> list[date]:
    """The unknown days ahead of `now`, reported as a metric and (daily) a log warning."""
    from chalicelib.observability import logger, metrics

    today = now.astimezone(SHANGHAI).date()
    missing = uncovered(calendar, today)
    metrics.add_metric(name=METRIC, unit="Count", value=len(missing))
    warning = coverage_warning(missing)
    if warning is not None and today not in _warned:
        _warned.add(today)
        logger.warning(warning, extra={"uncovered_days": len(missing)})
    return missing
