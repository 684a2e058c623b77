"""Meter-fast tickets (电表走得快): a meter_service ticket submitted with reason "meter_fast"
carries the account's usage as it stood at submission — the last 30 days (missing and
estimated days flagged) and the last 3 billed months — in its details, so the grid
manager sees them in the ticket and on the work page from dispatch on, without access
to the customer's usage query."""

from __future__ import annotations

from typing import Any

from chalicelib.domain.dates import SHANGHAI
from chalicelib.domain.usage import UsageView

MONTHS_ATTACHED = 3
LABEL = "提交时的用电信息：近30天日用电量、近3个月电量电费"


def wants_usage(details: Any) -> bool:
    return getattr(details, "reason", None) == "meter_fast"


def usage_attachment(view: UsageView) -> dict[str, Any]:
    """The usage as ticket details hold it: plain JSON values, dates as text."""
    as_of = view.as_of.astimezone(SHANGHAI).isoformat(timespec="seconds") if view.as_of else None
    return {
        "label": LABEL,
        "as_of": as_of,
        "days": [
            {"date": d.day.isoformat(), "kwh": d.kwh, "quality": d.quality.value} for d in view.days
        ],
        "months": [
            {"month": m.month, "kwh": m.kwh, "amount_yuan": m.amount_yuan}
            for m in view.months[-MONTHS_ATTACHED:]
        ],
    }
