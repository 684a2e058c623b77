"""Response schema of GET /v1/me/accounts/{account_no}/usage (API.md, Usage), msgspec."""

from __future__ import annotations

from typing import Literal

from msgspec import Struct

Quality = Literal["actual", "estimated", "missing"]


class UsageMonth(Struct):
    month: str  # YYYY-MM
    kwh: float | None  # null: no bill for that month
    amount_yuan: float | None


class UsageDay(Struct, omit_defaults=True):
    date: str  # YYYY-MM-DD, Asia/Shanghai
    kwh: float | None  # null when missing: never plotted as zero
    quality: Quality
    peak_kwh: float | None = None  # 峰/平/谷 split, only where the meter reports it
    flat_kwh: float | None = None
    valley_kwh: float | None = None


class UsageBalance(Struct):
    settlement_balance_yuan: float
    arrears_yuan: float
    penalty_yuan: float
    as_of: str  # 截至时间 of the latest bill
    label: str = "结算余额（非实时）"
    period: str | None = None  # the bill period (YYYY-MM) it comes from


class UsageTier(Struct):
    current: int
    remaining_kwh: float | None  # null in the top tier
    tariff_label: str
    basis: Literal["monthly", "annual"]
    price_yuan: float


class UsageOut(Struct):
    account_no: str
    as_of: str | None  # 数据截至: the end of the last day with a reading
    as_of_label: str
    months: list[UsageMonth]  # last 12, oldest first
    days: list[UsageDay]  # last 30, oldest first
    balance: UsageBalance | None
    tier: UsageTier | None = None
