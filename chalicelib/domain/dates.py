"""Business time: days and months are Asia/Shanghai; stored instants are UTC."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from chalicelib.domain.errors import ValidationFailed

SHANGHAI = ZoneInfo("Asia/Shanghai")
MAX_PERIOD_DAYS = 366  # the longest from/to a list or statistic reads in one call


def parse_day(raw: str, field: str) -> date:
    """A `YYYY-MM-DD` query value, or a 400 naming the field."""
    try:
        return datetime.strptime(raw, "%Y-%m-%d").date()
    except ValueError:
        raise ValidationFailed(fields={field: "日期格式应为 YYYY-MM-DD"}) from None
