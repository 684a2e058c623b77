"""Business time: days and months are Asia/Shanghai; stored instants are UTC.

Day and month patterns are written so that Python and ECMA-262 (the OpenAPI document's
regex dialect) read them alike: `[0-9]`, not `\\d` (Python's takes any Unicode digit), and
`(?!\\n)$`, since Python's `$` alone also matches before a trailing newline. Years are held
to 2000–2099: no business date lies outside, and none overflows a datetime at either end.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from chalicelib.domain.errors import ValidationFailed

SHANGHAI = ZoneInfo("Asia/Shanghai")
MAX_PERIOD_DAYS = 366  # the longest from/to a list or statistic reads in one call
MONTH_PATTERN = r"^20[0-9]{2}-(0[1-9]|1[0-2])(?!\n)$"
DAY_PATTERN = r"^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(?!\n)$"
_MONTH, _DAY = re.compile(MONTH_PATTERN), re.compile(DAY_PATTERN)


def day_and_time(moment: datetime) -> str:
    """An instant as an SMS or a notice names it beyond today: `11月27日14:30` (Asia/Shanghai)."""
    local = moment.astimezone(SHANGHAI)
    return f"{local.month}月{local.day}日{local:%H:%M}"


def month_of(moment: datetime) -> str:
    """The business month (Asia/Shanghai) an instant falls in, as `YYYY-MM`."""
    return moment.astimezone(SHANGHAI).strftime("%Y-%m")


def is_month(value: str) -> bool:
    """`YYYY-MM` with a year in 2000–2099, and nothing after it."""
    return _MONTH.fullmatch(value) is not None


def parse_day(raw: str, field: str) -> date:
    """A `YYYY-MM-DD` query value (year 2000–2099), or a 400 naming the field."""
    try:
        if _DAY.fullmatch(raw) is None:
            raise ValueError(raw)
        return datetime.strptime(raw, "%Y-%m-%d").date()
    except ValueError:
        raise ValidationFailed(fields={field: "日期格式应为 YYYY-MM-DD（2000–2099 年）"}) from None
