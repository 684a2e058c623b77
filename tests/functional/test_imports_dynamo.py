"""Import jobs over HTTP against DynamoDB and S3 (moto): the job record, the upload, the
error file and the stores are the real adapters."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from moto import mock_aws

from chalicelib.domain.org import Role
from tests import district
from tests.functional.test_imports_api import Context, customers_csv

OPS = ("O1", Role.OPS)


@pytest.fixture
def dynamo_api(settings, clock, monkeypatch) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    import boto3
    import chalice.test
    from chalice.test import Client

    import app
    from chalicelib import bootstrap
    from chalicelib.notify.fakes import RecordingSmsSender
    from infra.local.gateway import YungeLocalGateway
    from tests.functional.api_client import Api

    with mock_aws():
        from chalicelib.store.models import bind_tables, create_tables

        bind_tables(settings.table_prefix, settings.region)
        create_tables()
        boto3.client("s3", region_name=settings.region).create_bucket(Bucket=settings.bucket)
        svc = bootstrap.Services(settings, clock=clock)
        svc._tables_bound = True
        svc.sms = RecordingSmsSender()
        svc.org.put_all(district.ORG)
        svc.customers.put_customers(district.CUSTOMERS)
        bootstrap.use(svc)
        monkeypatch.setattr(chalice.test, "LocalGateway", YungeLocalGateway)
        try:
            with Client(app.app) as client:
                yield Api(client, svc)
        finally:
            bootstrap.use(None)


def upload_and_run(
    api: Any, kind: str, filename: str, data: bytes, mode: str = "commit", **more: Any
) -> dict[str, Any]:
    import boto3

    from chalicelib.imports.handler import on_import_event

    reply = api.call(
        "POST",
        "/v1/imports",
        {"kind": kind, "filename": filename, "size": len(data), "mode": mode, **more},
        as_=OPS,
    )
    assert reply.status == 201, reply.body
    url = reply.body["upload"]["url"]
    assert "content-length" in url.lower()  # the size is part of the signature
    key = url.split("?")[0].split(".amazonaws.com/", 1)[1]
    bucket = api.services.settings.bucket
    key = key.removeprefix(f"{bucket}/")
    boto3.client("s3").put_object(Bucket=bucket, Key=key, Body=data)
    event = {"detail": {"bucket": {"name": bucket}, "object": {"key": key}}}
    on_import_event(event, Context(), again=lambda _f, _i: None)
    found = api.call("GET", f"/v1/imports/{reply.body['import_id']}", as_=OPS)
    assert found.status == 200
    return dict(found.body)


def test_customers_commit_is_idempotent_on_dynamodb(dynamo_api) -> None:  # type: ignore[no-untyped-def]
    rows = [(f"07010000{n:02d}", "T3") for n in range(40)] + [("0123456789", "T1")]
    data = customers_csv(rows, extra="123,坏行,某地,T1,,居民,,否,否,\n")
    first = upload_and_run(dynamo_api, "customers", "客户.csv", data)
    assert first["status"] == "done", first
    assert first["counts"] == {"rows": 42, "created": 41, "updated": 0, "unchanged": 0, "failed": 1}
    assert dynamo_api.services.customers.get("0123456789").ta_id == "T1"
    import urllib.parse

    assert "errors.csv" in urllib.parse.unquote(first["error_file"]["url"])

    second = upload_and_run(dynamo_api, "customers", "客户.csv", data)
    assert "missing_customers" not in second  # not said to be complete: nothing to report
    assert second["counts"]["created"] == 0 and second["counts"]["updated"] == 0
    assert second["counts"]["unchanged"] == 41
    named = customers_csv([("0601000001", "T1"), ("0701000000", "T3")])
    preview = upload_and_run(dynamo_api, "customers", "c.csv", named, mode="dry_run", full=True)
    assert preview["missing_customers"]["count"] == 40 + 4  # nothing deleted, all reported
    assert "0601000001" not in preview["missing_customers"]["account_nos"]
    assert dynamo_api.services.customers.get("0601000002") is not None
    listed = dynamo_api.call("GET", "/v1/imports", as_=OPS).body["items"]
    assert {j["import_id"] for j in listed} >= {first["import_id"], second["import_id"]}


def test_a_grids_import_keeps_the_customer_count_yunge_keeps(dynamo_api) -> None:  # type: ignore[no-untyped-def]
    from chalicelib.store.models import OrgModel

    OrgModel("grid#G1").update(actions=[OrgModel.customer_count.set(1234)])
    data = "网格编号,网格名称,供电所,分局,区域类别,互助组\nG1,新华街网格(新),S1,B1,城区,A1\n"
    done = upload_and_run(dynamo_api, "grids", "网格.csv", data.encode("utf-8"))
    assert done["status"] == "done" and done["counts"]["updated"] == 1, done
    assert OrgModel.get("grid#G1").customer_count == 1234
    customers = customers_csv([("0708000001", "T1"), ("0708000002", "T1")])
    assert upload_and_run(dynamo_api, "customers", "c.csv", customers)["status"] == "done"
    assert OrgModel.get("grid#G1").customer_count == 1236  # two more customers in G1
    grid = dynamo_api.services.org.grid("G1")
    assert grid.name == "新华街网格(新)" and grid.manager_id == "M1"  # the manager stays


def test_an_imported_customer_s_fault_reaches_the_imported_manager_by_sms(
    dynamo_api, clock
) -> None:  # type: ignore[no-untyped-def]
    from chalicelib.dispatch.stream import handle_ticket_stream
    from chalicelib.lifecycle.watchdog import Watchdog
    from infra.local.streams import StreamReader

    svc = dynamo_api.services
    files = {
        "grids": "网格编号,网格名称,供电所,分局,区域类别,互助组\nG9,光辉网格,S1,B1,城区,A1\n",
        "staff": "工号,姓名,手机号,角色,网格编号,互助组,供电所\n"
        "M9,赵新,13910000009,网格经理,G9,A1,S1\n",
        "transformer_areas": "台区编号,台区名称,所属线路编号,供电所,网格编号\n"
        "T9,光辉9号台区,L9,S1,G9\n",
        "customers": customers_csv([("0609000001", "T9")]).decode("utf-8"),
    }
    for kind, text in files.items():
        done = upload_and_run(dynamo_api, kind, f"{kind}.csv", text.encode("utf-8"))
        assert done["status"] == "done" and done["counts"]["created"] == 1, (kind, done)

    stream = StreamReader(svc.settings.table("tickets"), svc.settings.region)
    stream.open()
    wang = ("wx-imported", Role.CUSTOMER)
    bind = {"account_no": "0609000001", "holder_name": "户主001"}
    card = dynamo_api.call("POST", "/v1/me/accounts", bind, as_=wang)
    assert card.status == 201, card.body
    assert card.body["manager"] == {"name": "赵新", "phone": "13910000009"}
    fault = {
        "type": "fault_repair",
        "account_no": "0609000001",
        "description": "家里停电了",
        "contact_phone": "13812345678",
        "details": {"scope": "household"},
    }
    created = dynamo_api.call("POST", "/v1/tickets", fault, as_=wang)
    assert created.status == 201 and created.body["grid_id"] == "G9"
    for _ in range(4):  # a lone "no power" report waits 2 minutes for its neighbours
        while (event := stream.event())["Records"]:
            assert handle_ticket_stream(event, None, svc)["batchItemFailures"] == []
        clock.advance(minutes=1)
        Watchdog.from_services(svc).tick()
    ticket = dynamo_api.call("GET", f"/v1/tickets/{created.body['ticket_id']}", as_=wang).body
    assert ticket["assignee"]["staff_id"] == "M9"
    assert "13910000009" in [sms.phone for sms in svc.sms.sent]
