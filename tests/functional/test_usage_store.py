"""UsageStore: one contract for the in-memory fake and DynamoDB (moto); and the usage query
over DynamoDB in two AWS calls — the binding check and ONE Query for 13 months of bills and
the last 30 days."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest
from botocore.session import Session
from chalice.test import Client
from moto import mock_aws

from chalicelib.domain.org import Role
from chalicelib.domain.phone import phone_hash
from chalicelib.domain.usage import DailyUsage, MonthlyBill, Quality, window
from tests import district
from tests.functional.api_client import Api
from tests.functional.test_usage_api import ACCOUNT, DEMO_TARIFF, seed_usage
from tests.keys import PHONE_KEY

AS_OF = datetime(2026, 11, 3, 16, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", "dynamo"])
def store(request, settings) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    from chalicelib.store.usage import DynamoUsageStore, InMemoryUsageStore

    if request.param == "memory":
        yield InMemoryUsageStore()
        return
    from chalicelib.store.models import bind_tables, create_tables

    with mock_aws():
        bind_tables(settings.table_prefix, settings.region)
        create_tables()
        yield DynamoUsageStore(settings.region)


def test_the_window_reads_its_bills_and_days_oldest_first(store) -> None:  # type: ignore[no-untyped-def]
    seed_usage(store)
    seed_usage(store, account="0601000002")  # a neighbour's partition stays apart
    bills, days = store.read(ACCOUNT, window(date(2026, 11, 24)))
    assert [b.period for b in bills] == [
        "2025-11",
        "2025-12",
        *(f"2026-{m:02d}" for m in range(1, 11)),
    ]
    assert {b.account_no for b in bills} == {ACCOUNT}
    assert days[0].day == date(2026, 10, 25) and days[-1].day == date(2026, 11, 23)
    assert days[-1] == DailyUsage(ACCOUNT, date(2026, 11, 23), 7.5, Quality.ESTIMATED)
    assert days[-2].kwh is None and days[-2].quality is Quality.MISSING
    assert bills[-1] == MonthlyBill(
        ACCOUNT, "2026-10", 210.0, 105.5, False, 12.3, 105.5, 1.2, AS_OF
    )


def test_a_corrected_day_or_bill_replaces_the_old_one(store) -> None:  # type: ignore[no-untyped-def]
    day = date(2026, 11, 20)
    store.put_days([DailyUsage(ACCOUNT, day, None, Quality.MISSING)])
    store.put_days([DailyUsage(ACCOUNT, day, 9.25, Quality.ACTUAL, 3.0, 4.0, 2.25)])
    bill = MonthlyBill(ACCOUNT, "2026-10", 210.0, 105.5, False, 12.3, 105.5, 1.2, AS_OF)
    store.put_bills([bill])
    store.put_bills([replace(bill, paid=True, arrears_yuan=0.0)])
    bills, days = store.read(ACCOUNT, window(date(2026, 11, 24)))
    assert days == [DailyUsage(ACCOUNT, day, 9.25, Quality.ACTUAL, 3.0, 4.0, 2.25)]
    assert [(b.paid, b.arrears_yuan) for b in bills] == [(True, 0.0)]


def test_the_feed_ledger_remembers_a_file_by_key_and_content(store) -> None:  # type: ignore[no-untyped-def]
    assert not store.feed_loaded("feeds/usage/2026-11-23.csv", "abc")
    store.mark_feed_loaded("feeds/usage/2026-11-23.csv", "abc", AS_OF)
    assert store.feed_loaded("feeds/usage/2026-11-23.csv", "abc")
    assert not store.feed_loaded("feeds/usage/2026-11-23.csv", "def")  # a corrected upload


def test_more_than_one_batch_is_written_whole(store) -> None:  # type: ignore[no-untyped-def]
    days = [
        DailyUsage(f"06010{n:05d}", date(2026, 11, 23), 1.0 + n, Quality.ACTUAL) for n in range(60)
    ]
    assert store.put_days(days) == 60
    _, read = store.read("0601000059", window(date(2026, 11, 24)))
    assert [d.kwh for d in read] == [60.0]


# ------------------------------------------------------------------ the query's AWS calls
@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    seen: Counter[str] = Counter()
    original = Session.create_client

    def create_client(self: Session, *args: Any, **kwargs: Any) -> Any:
        client = original(self, *args, **kwargs)
        client.meta.events.register("before-call.*.*", lambda model, **_: seen.update([model.name]))
        return client

    monkeypatch.setattr(Session, "create_client", create_client)
    return seen


@pytest.fixture
def dynamo_api(settings, clock, calls, monkeypatch) -> Iterator[Api]:  # type: ignore[no-untyped-def]
    import chalice.test

    import app
    from chalicelib import bootstrap
    from chalicelib.store.customers import DynamoCustomerStore
    from chalicelib.store.models import create_tables
    from chalicelib.store.org import DynamoOrgStore
    from infra.local.gateway import YungeLocalGateway

    with mock_aws():
        svc = bootstrap.Services(replace(settings, tariffs=DEMO_TARIFF), clock=clock)
        svc.bind_tables()
        create_tables()
        DynamoOrgStore(settings.bureau, lambda phone: phone_hash(phone, PHONE_KEY)).put_all(
            district.ORG
        )
        DynamoCustomerStore().put_customers(district.CUSTOMERS)
        seed_usage(svc.usage)
        bootstrap.use(svc)
        monkeypatch.setattr(chalice.test, "LocalGateway", YungeLocalGateway)
        with Client(app.app) as client:
            yield Api(client, svc)
        bootstrap.use(None)


def test_the_usage_query_makes_two_aws_calls(dynamo_api, calls) -> None:  # type: ignore[no-untyped-def]
    customer = ("wx-dynamo", Role.CUSTOMER)
    bind = {"account_no": ACCOUNT, "holder_name": "王建国"}
    assert dynamo_api.call("POST", "/v1/me/accounts", bind, as_=customer).status == 201
    calls.clear()
    reply = dynamo_api.call("GET", f"/v1/me/accounts/{ACCOUNT}/usage", as_=customer)
    assert reply.status == 200
    assert len(reply.body["months"]) == 12 and len(reply.body["days"]) == 30
    assert reply.body["tier"]["current"] == 1
    # the binding (profile + binding item) and ONE Query for 13 months and 30 days
    assert calls == Counter({"BatchGetItem": 1, "Query": 1})


def test_a_feed_in_s3_loads_into_dynamodb_and_a_redelivery_reads_only_the_ledger(
    settings, clock, calls, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    import boto3

    from chalicelib import bootstrap
    from chalicelib.store.models import create_tables
    from chalicelib.usage.handler import on_feed_event

    with mock_aws():
        svc = bootstrap.Services(settings, clock=clock)
        svc.bind_tables()
        create_tables()
        s3 = boto3.client("s3", region_name=settings.region)
        s3.create_bucket(Bucket=settings.bucket)
        rows = "".join(f"06010{n:05d},2026-11-23,{n / 10},实抄\r\n" for n in range(60))
        body = ("户号,日期,用电量kWh,数据质量\r\n" + rows).encode("utf-8-sig")
        s3.put_object(Bucket=settings.bucket, Key="feeds/usage/2026-11-23.csv", Body=body)
        event = {"detail": {"object": {"key": "feeds/usage/2026-11-23.csv"}}}
        calls.clear()
        (first,) = on_feed_event(event, svc.feed_loader)["files"]
        assert (first["status"], first["written"]) == ("loaded", 60)
        # one GetObject, the ledger read and write, and 60 items in 3 BatchWriteItem calls
        assert calls == Counter({"GetObject": 1, "GetItem": 1, "BatchWriteItem": 3, "PutItem": 1})
        _, days = svc.usage.read("0601000042", window(date(2026, 11, 24)))
        assert [(d.kwh, d.quality) for d in days] == [(4.2, Quality.ACTUAL)]
        calls.clear()
        (again,) = on_feed_event(event, svc.feed_loader)["files"]
        assert again["status"] == "skipped"
        assert calls == Counter({"GetObject": 1, "GetItem": 1})


def test_a_meter_fast_ticket_keeps_its_usage_in_dynamodb_for_one_query_more(
    dynamo_api, calls
) -> None:  # type: ignore[no-untyped-def]
    from tests.functional.test_usage_api import METER_FAST

    customer = ("wx-dynamo", Role.CUSTOMER)
    bind = {"account_no": ACCOUNT, "holder_name": "王建国"}
    assert dynamo_api.call("POST", "/v1/me/accounts", bind, as_=customer).status == 201
    plain = dict(METER_FAST, details={"service": "replacement"})
    calls.clear()
    assert dynamo_api.call("POST", "/v1/tickets", plain, as_=customer).status == 201
    without = Counter(calls)
    calls.clear()
    created = dynamo_api.call("POST", "/v1/tickets", METER_FAST, as_=customer)
    assert created.status == 201
    assert calls - without == Counter({"Query": 1})  # the usage read, nothing else
    read = dynamo_api.call(
        "GET", f"/v1/tickets/{created.body['ticket_id']}", as_=("M1", Role.MANAGER)
    ).body
    days = read["details"]["usage"]["days"]
    assert {"date": "2026-11-22", "kwh": None, "quality": "missing"} in days
    assert days[-1] == {"date": "2026-11-23", "kwh": 7.5, "quality": "estimated"}


def test_the_local_stack_loads_a_feed_file_put_into_its_bucket_once(settings, clock) -> None:  # type: ignore[no-untyped-def]
    import boto3

    from chalicelib import bootstrap
    from chalicelib.store.models import create_tables
    from chalicelib.usage.handler import on_feed_event
    from infra.local.feed_watch import FeedWatcher

    with mock_aws():
        svc = bootstrap.Services(settings, clock=clock)
        svc.bind_tables()
        create_tables()
        s3 = boto3.client("s3", region_name=settings.region)
        s3.create_bucket(Bucket=settings.bucket)
        s3.put_object(Bucket=settings.bucket, Key="feeds/usage/old.csv", Body=b"x")
        watcher = FeedWatcher(
            settings.bucket, settings.region, lambda e: on_feed_event(e, svc.feed_loader)
        )
        body = "户号,日期,用电量kWh\r\n0601000001,2026-11-23,8.5\r\n".encode()
        s3.put_object(Bucket=settings.bucket, Key="feeds/usage/2026-11-23.csv", Body=body)
        assert watcher.poll() == 1  # the new file, not the one there at start
        assert watcher.poll() == 0
        _, days = svc.usage.read(ACCOUNT, window(date(2026, 11, 24)))
        assert [d.kwh for d in days] == [8.5]
