"""UsageStore: daily readings and monthly bills per account (table `usage`, UsageModel).

Keys (only here): account_no + sk, sk "YYYY-MM" for a month's bill and "YYYY-MM-DD" for a
day's reading, so a month's bill sorts just before its days. The read is ONE Query on the
account's partition, sk from the window's first month to its last day: 13 bills and the
days the TTL has kept (DAY_TTL: two months and a bit, all the view needs; the marketing
system keeps the history). Writes are BatchWriteItem puts of whole items, 25 at a time,
so the same row written twice leaves the same item. The feed ledger is account_no
"#feeds" + sk "feed#<s3 key>#<etag>".

The DynamoDB adapter speaks to the low-level client (built lazily, once): a day's feed
for a bureau is 346,000 puts, and model objects per row would cost more than the I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from chalicelib.domain.usage import DailyUsage, MonthlyBill, Quality, Window
from chalicelib.store.batch import put_items

DAY_TTL = timedelta(days=70)
BILL_TTL = timedelta(days=800)
FEED_TTL = timedelta(days=400)
FEEDS = "#feeds"


class UsageStore(Protocol):
    def read(self, account_no: str, window: Window) -> tuple[list[MonthlyBill], list[DailyUsage]]:
        """The bills of window.first_month … last_month and the readings of first_day …
        last_day, each oldest first, in one AWS call."""
        ...

    def put_days(self, days: Iterable[DailyUsage]) -> int: ...
    def put_bills(self, bills: Iterable[MonthlyBill]) -> int: ...
    def feed_loaded(self, key: str, etag: str) -> bool: ...
    def mark_feed_loaded(self, key: str, etag: str, at: datetime) -> None: ...


class InMemoryUsageStore:
    def __init__(self) -> None:
        self.days: dict[tuple[str, date], DailyUsage] = {}
        self.bills: dict[tuple[str, str], MonthlyBill] = {}
        self.feeds: dict[tuple[str, str], datetime] = {}
        self.writes = 0  # items put, as a check that redelivery writes nothing

    def read(self, account_no: str, window: Window) -> tuple[list[MonthlyBill], list[DailyUsage]]:
        bills = [
            b
            for (a, p), b in sorted(self.bills.items())
            if a == account_no and window.first_month <= p <= window.last_month
        ]
        days = [
            d
            for (a, day), d in sorted(self.days.items())
            if a == account_no and window.first_day <= day <= window.last_day
        ]
        return bills, days

    def put_days(self, days: Iterable[DailyUsage]) -> int:
        n = 0
        for d in days:
            self.days[(d.account_no, d.day)] = d
            n += 1
        self.writes += n
        return n

    def put_bills(self, bills: Iterable[MonthlyBill]) -> int:
        n = 0
        for b in bills:
            self.bills[(b.account_no, b.period)] = b
            n += 1
        self.writes += n
        return n

    def feed_loaded(self, key: str, etag: str) -> bool:
        return (key, etag) in self.feeds

    def mark_feed_loaded(self, key: str, etag: str, at: datetime) -> None:
        self.feeds[(key, etag)] = at


def _numbers(**values: float | None) -> dict[str, Any]:
    """Number attributes; an absent value is left out of the item (never stored as 0)."""
    return {name: {"N": repr(float(v))} for name, v in values.items() if v is not None}


def _f(item: dict[str, Any], name: str) -> float | None:
    value = item.get(name)
    return float(value["N"]) if value and "N" in value else None


def _ttl(at: date, keep: timedelta) -> dict[str, str]:
    return {"N": str(int(datetime(at.year, at.month, at.day).timestamp() + keep.total_seconds()))}


def day_item(d: DailyUsage) -> dict[str, Any]:
    return {
        "account_no": {"S": d.account_no},
        "sk": {"S": d.day.isoformat()},
        "quality": {"S": d.quality.value},
        **_numbers(kwh=d.kwh, peak_kwh=d.peak_kwh, flat_kwh=d.flat_kwh, valley_kwh=d.valley_kwh),
        "expires_at": _ttl(d.day, DAY_TTL),
    }


def bill_item(b: MonthlyBill) -> dict[str, Any]:
    return {
        "account_no": {"S": b.account_no},
        "sk": {"S": b.period},
        **_numbers(
            kwh=b.kwh,
            amount_yuan=b.amount_yuan,
            balance_yuan=b.settlement_balance_yuan,
            arrears_yuan=b.arrears_yuan,
            penalty_yuan=b.penalty_yuan,
        ),
        "paid": {"BOOL": b.paid},
        "as_of": {"S": b.as_of.isoformat()},
        "expires_at": _ttl(date.fromisoformat(b.period + "-01"), BILL_TTL),
    }


def _day(item: dict[str, Any]) -> DailyUsage:
    return DailyUsage(
        account_no=item["account_no"]["S"],
        day=date.fromisoformat(item["sk"]["S"]),
        kwh=_f(item, "kwh"),
        quality=Quality(item["quality"]["S"]),
        peak_kwh=_f(item, "peak_kwh"),
        flat_kwh=_f(item, "flat_kwh"),
        valley_kwh=_f(item, "valley_kwh"),
    )


def _bill(item: dict[str, Any]) -> MonthlyBill:
    return MonthlyBill(
        account_no=item["account_no"]["S"],
        period=item["sk"]["S"],
        kwh=_f(item, "kwh") or 0.0,
        amount_yuan=_f(item, "amount_yuan") or 0.0,
        paid=bool(item["paid"]["BOOL"]),
        settlement_balance_yuan=_f(item, "balance_yuan") or 0.0,
        arrears_yuan=_f(item, "arrears_yuan") or 0.0,
        penalty_yuan=_f(item, "penalty_yuan") or 0.0,
        as_of=datetime.fromisoformat(item["as_of"]["S"]),
    )


class DynamoUsageStore:
    def __init__(self, region: str, client: Any = None) -> None:
        self.region = region
        self._client = client

    def client(self) -> Any:
        if self._client is None:
            import boto3
            from botocore.config import Config

            config = Config(retries={"mode": "adaptive", "max_attempts": 8})
            self._client = boto3.client("dynamodb", region_name=self.region, config=config)
        return self._client

    @staticmethod
    def table() -> str:
        from chalicelib.store.models import UsageModel

        return str(UsageModel.Meta.table_name)

    def _query(self, account_no: str, low: str, high: str) -> list[dict[str, Any]]:
        request: dict[str, Any] = {
            "TableName": self.table(),
            "KeyConditionExpression": "account_no = :a AND sk BETWEEN :lo AND :hi",
            "ExpressionAttributeValues": {
                ":a": {"S": account_no},
                ":lo": {"S": low},
                ":hi": {"S": high},
            },
        }
        items: list[dict[str, Any]] = []
        while True:  # one page: 13 bills and ~70 days are a few kB
            reply = self.client().query(**request)
            items += reply.get("Items", [])
            if "LastEvaluatedKey" not in reply:
                return items
            request["ExclusiveStartKey"] = reply["LastEvaluatedKey"]

    def read(self, account_no: str, window: Window) -> tuple[list[MonthlyBill], list[DailyUsage]]:
        items = self._query(account_no, window.first_month, window.last_day.isoformat())
        bills = [_bill(i) for i in items if len(i["sk"]["S"]) == len("YYYY-MM")]
        first_day = window.first_day.isoformat()
        days = [_day(i) for i in items if len(i["sk"]["S"]) > len("YYYY-MM")]
        return bills, [d for d in days if d.day.isoformat() >= first_day]

    def put_days(self, days: Iterable[DailyUsage]) -> int:
        return self._put(day_item(d) for d in days)

    def put_bills(self, bills: Iterable[MonthlyBill]) -> int:
        return self._put(bill_item(b) for b in bills)

    def _put(self, items: Iterable[dict[str, Any]]) -> int:
        return put_items(self.client(), self.table(), items)

    def feed_loaded(self, key: str, etag: str) -> bool:
        reply = self.client().get_item(
            TableName=self.table(),
            Key={"account_no": {"S": FEEDS}, "sk": {"S": f"feed#{key}#{etag}"}},
            ProjectionExpression="sk",
        )
        return "Item" in reply

    def mark_feed_loaded(self, key: str, etag: str, at: datetime) -> None:
        self.client().put_item(
            TableName=self.table(),
            Item={
                "account_no": {"S": FEEDS},
                "sk": {"S": f"feed#{key}#{etag}"},
                "as_of": {"S": at.isoformat()},
                "expires_at": _ttl(at.date(), FEED_TTL),
            },
        )
