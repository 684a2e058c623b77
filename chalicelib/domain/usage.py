"""Usage information (用电信息): daily readings and monthly bills as the marketing system
exports them, and what a customer is shown. Pure: the day and the data come in.

What is read for one account on `today` (Asia/Shanghai) — one Query (store/usage.py):
- bills of the 12 months before `today`'s month and of `today`'s month (13 months);
- daily readings from the earlier of (yesterday − 29 days) and the 1st of this month up to
  yesterday (daily data arrive the next day): the last 30 days, and the month so far.
A day without a reading is shown as missing (kWh null), never as zero.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from chalicelib.domain.dates import SHANGHAI
from chalicelib.domain.tariffs import Tariffs, Tier, period_of, tier_of

DAYS_SHOWN = 30
MONTHS_SHOWN = 12


class Quality(StrEnum):
    ACTUAL = "actual"  # 实抄
    ESTIMATED = "estimated"  # 估抄
    MISSING = "missing"  # 缺失


@dataclass(frozen=True, slots=True)
class DailyUsage:
    account_no: str
    day: date
    kwh: float | None  # None when missing
    quality: Quality
    peak_kwh: float | None = None
    flat_kwh: float | None = None
    valley_kwh: float | None = None


@dataclass(frozen=True, slots=True)
class MonthlyBill:
    account_no: str
    period: str  # "YYYY-MM" (账期)
    kwh: float
    amount_yuan: float
    paid: bool
    settlement_balance_yuan: float  # 结算余额: not real time
    arrears_yuan: float
    penalty_yuan: float
    as_of: datetime  # 截至时间


@dataclass(frozen=True, slots=True)
class Window:
    first_month: str
    last_month: str
    first_day: date
    last_day: date


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def months_before(day: date, count: int) -> date:
    """The 1st of the month `count` months before `day`'s month."""
    index = day.year * 12 + day.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


def window(today: date) -> Window:
    yesterday = today - timedelta(days=1)
    first_day = min(yesterday - timedelta(days=DAYS_SHOWN - 1), today.replace(day=1))
    return Window(
        month_key(months_before(today, MONTHS_SHOWN)), month_key(today), first_day, yesterday
    )


@dataclass(frozen=True, slots=True)
class MonthFigure:
    month: str
    kwh: float | None
    amount_yuan: float | None


@dataclass(frozen=True, slots=True)
class DayFigure:
    day: date
    kwh: float | None
    quality: Quality
    peak_kwh: float | None = None  # 峰/平/谷 when the meter reports them
    flat_kwh: float | None = None
    valley_kwh: float | None = None


@dataclass(frozen=True, slots=True)
class UsageView:
    account_no: str
    as_of: datetime | None  # 数据截至: the end of the last day with a reading
    months: list[MonthFigure]
    days: list[DayFigure]
    balance: MonthlyBill | None  # the latest bill: its balance, arrears and penalty
    tier: Tier | None


def last_days(days: Iterable[DailyUsage], last_day: date, count: int) -> list[DayFigure]:
    by_day = {d.day: d for d in days}
    out = []
    for back in range(count - 1, -1, -1):
        day = last_day - timedelta(days=back)
        reading = by_day.get(day)
        if reading is None or reading.kwh is None or reading.quality is Quality.MISSING:
            out.append(DayFigure(day, None, Quality.MISSING))
        else:
            out.append(
                DayFigure(
                    day,
                    reading.kwh,
                    reading.quality,
                    reading.peak_kwh,
                    reading.flat_kwh,
                    reading.valley_kwh,
                )
            )
    return out


def consumed_since(
    start: date, today: date, bills: list[MonthlyBill], days: list[DailyUsage]
) -> float:
    """kWh from `start` to yesterday: bills for the whole months before this one, daily
    readings for this month."""
    this_month = today.replace(day=1)
    billed = sum(b.kwh for b in bills if month_key(start) <= b.period < month_key(this_month))
    since = max(start, this_month)
    daily = sum(d.kwh for d in days if d.kwh is not None and since <= d.day < today)
    return round(billed + daily, 2)


def usage_view(
    account_no: str,
    today: date,
    bills: list[MonthlyBill],
    days: list[DailyUsage],
    tariffs: Tariffs,
) -> UsageView:
    w = window(today)
    by_month = {b.period: b for b in bills}
    months = []
    for back in range(MONTHS_SHOWN, 0, -1):
        key = month_key(months_before(today, back))
        bill = by_month.get(key)
        months.append(
            MonthFigure(key, bill.kwh if bill else None, bill.amount_yuan if bill else None)
        )
    read = [d for d in days if d.kwh is not None and d.quality is not Quality.MISSING]
    as_of = None
    if read:
        last = max(d.day for d in read) + timedelta(days=1)
        as_of = datetime.combine(last, time.min, tzinfo=SHANGHAI)
    balance = max(bills, key=lambda b: b.period, default=None)
    tier = None
    version = tariffs.in_effect(today)
    if version is not None:  # this billing period's tier, counted up to yesterday
        period = period_of(version, today)
        tier = tier_of(version, period, consumed_since(period.start, today, bills, days))
    return UsageView(
        account_no, as_of, months, last_days(days, w.last_day, DAYS_SHOWN), balance, tier
    )


class Reminder(StrEnum):
    ARREARS = "arrears"  # 欠费
    LOW_BALANCE = "low_balance"  # 余额不足


def reminder_due(bill: MonthlyBill, threshold_yuan: float, today: date) -> Reminder | None:
    """Whether loading `bill` calls for a reminder: it left arrears, or a settlement balance
    under `threshold_yuan`. Only bills of last month or later remind: a file that
    backfills older months (a new deployment, the demo's 13 months) tells nobody."""
    if bill.period < month_key(months_before(today, 1)):
        return None
    if bill.arrears_yuan > 0:
        return Reminder.ARREARS
    if bill.settlement_balance_yuan < threshold_yuan:
        return Reminder.LOW_BALANCE
    return None


def reminder_key(bill: MonthlyBill) -> str:
    """At most one reminder per account and bill period, whatever the reason or reloads."""
    return f"usage#{bill.account_no}#{bill.period}#balance_reminder"
