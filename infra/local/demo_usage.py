"""The demo's usage data: 13 months of monthly bills and the daily readings the usage
table keeps (DAY_TTL, ~2 months: the rest would expire) for the sample customers
(demo.json), written as the marketing system's feed files into the bucket and loaded by
the same handler the usage_feed Lambda runs. Deterministic per account and day; a month's
bill is the sum of its days. Fast: ~1,500 rows, so every `make run` can afford it.

Two sample accounts show the reminders: the first is left with arrears on last month's
bill and the second with a balance under the threshold (their SMS land in sms.jsonl).
The tariff is the demo's own (demo_tariffs.json): 示例电价，非官方.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path

from chalicelib.config import Settings
from chalicelib.domain.dates import SHANGHAI
from chalicelib.domain.org import Customer
from chalicelib.domain.tariffs import Tariffs, parse_tariffs, period_of
from chalicelib.domain.usage import month_key, months_before
from chalicelib.store.usage import DAY_TTL

MONTHS = 13
DEMO_TARIFFS = Path(__file__).with_name("demo_tariffs.json")
SEASON = {1: 1.4, 2: 1.3, 3: 1.1, 6: 1.1, 7: 1.25, 8: 1.25, 12: 1.35}


def demo_phone(account_no: str) -> str:
    return "1390" + account_no[-7:]


def daily_rows(account_no: str, first: date, last: date) -> list[tuple[date, float | None, str]]:
    rng = random.Random(account_no)
    base = rng.uniform(4.0, 11.0)
    rows: list[tuple[date, float | None, str]] = []
    day = first
    while day <= last:
        roll = rng.random()
        kwh = round(base * SEASON.get(day.month, 1.0) * rng.uniform(0.7, 1.3), 2)
        if roll < 0.01:
            rows.append((day, None, "缺失"))
        elif roll < 0.04:
            rows.append((day, kwh, "估抄"))
        elif roll > 0.995:
            pass  # a day the marketing system never sent: shown as missing too
        else:
            rows.append((day, kwh, "实抄"))
        day += timedelta(days=1)
    return rows


@cache
def demo_tariffs() -> Tariffs:
    return parse_tariffs(DEMO_TARIFFS.read_text(encoding="utf-8"))


def _amount(kwh: float, month_start: date) -> float:
    version = demo_tariffs().in_effect(month_start)
    if version is None:
        return round(kwh * 0.5, 2)
    bounds = (0.0, *period_of(version, month_start).thresholds_kwh, float("inf"))
    cost = sum(
        max(0.0, min(kwh, hi) - lo) * price
        for lo, hi, price in zip(bounds, bounds[1:], version.prices_yuan, strict=False)
    )
    return round(cost, 2)


def feed_files(customers: Sequence[Customer], now: datetime) -> tuple[bytes, bytes]:
    """(daily readings CSV, bills CSV) for `customers` up to yesterday (Asia/Shanghai)."""
    today = now.astimezone(SHANGHAI).date()
    first = months_before(today, MONTHS)
    kept = today - DAY_TTL
    usage = ["户号,日期,用电量kWh,数据质量"]
    bills = ["户号,账期,电量,电费,缴费状态,结算余额,欠费,违约金,截至时间"]
    for n, c in enumerate(customers):
        rows = daily_rows(c.account_no, first, today - timedelta(days=1))
        usage += [
            f"{c.account_no},{d.isoformat()},{'' if k is None else k},{q}"
            for d, k, q in rows
            if d >= kept
        ]
        balance = random.Random(c.account_no + "bill").uniform(60, 300)
        for back in range(MONTHS, 0, -1):
            start = months_before(today, back)
            kwh = round(sum(k or 0.0 for d, k, _ in rows if month_key(d) == month_key(start)), 1)
            amount = _amount(kwh, start)
            closes = datetime.combine(months_before(today, back - 1), time(16), SHANGHAI)
            as_of = min(closes + timedelta(days=2), now.astimezone(SHANGHAI) - timedelta(hours=1))
            arrears = round(amount, 2) if n == 0 and back == 1 else 0.0
            if n == 1 and back == 1:
                balance = 12.5
            row = [c.account_no, start.strftime("%Y%m"), kwh, amount, "未缴" if arrears else "已缴"]
            row += [round(balance, 2), arrears, 0, as_of.strftime("%Y-%m-%d %H:%M:%S")]
            bills.append(",".join(str(v) for v in row))
    encode = lambda lines: ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")  # noqa: E731
    return encode(usage), encode(bills)


def seed_demo_usage(settings: Settings, customers: Sequence[Customer], now: datetime) -> dict:
    """Give the sample customers phones, drop their feed files under feeds/ and load them
    through the usage_feed handler, as S3's event would. Returns the handler's results."""
    import boto3

    from chalicelib.bootstrap import services
    from chalicelib.usage.handler import on_feed_event

    svc = services()
    svc.customers.put_customers([replace(c, phone=demo_phone(c.account_no)) for c in customers])
    usage, bills = feed_files(customers, now)
    stamp = now.astimezone(SHANGHAI).strftime("%Y%m%d")
    s3 = boto3.client("s3", region_name=settings.region)
    results = {}
    for key, body in (
        (f"feeds/usage/demo-{stamp}.csv", usage),
        (f"feeds/bills/demo-{stamp}.csv", bills),
    ):
        s3.put_object(Bucket=settings.bucket, Key=key, Body=body)
        event = {
            "source": "aws.s3",
            "detail-type": "Object Created",
            "detail": {"object": {"key": key}},
        }
        results[key] = on_feed_event(event, svc.feed_loader)["files"][0]
    return results
