"""Request paths against DynamoDB (moto): no Scan anywhere, and ticket creation within its
budget of AWS calls. Call counts are exact, so they are honest assertions (timings are not,
and live in bench/)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.session import Session
from chalice.test import Client
from moto import mock_aws

from chalicelib.domain.org import Role
from tests import district
from tests.functional.api_client import Api

CUSTOMER = ("wx-dynamo", Role.CUSTOMER)
FAULT = {
    "type": "fault_repair",
    "account_no": "0601000001",
    "description": "停电了",
    "contact_phone": "13812345678",
}


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Every AWS operation any botocore client created from now on makes."""
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
    from chalicelib.notify.fakes import RecordingSmsSender
    from chalicelib.store.customers import DynamoCustomerStore
    from chalicelib.store.models import create_tables
    from chalicelib.store.org import DynamoOrgStore
    from chalicelib.store.uploads import FakeUploadSigner
    from infra.local.gateway import YungeLocalGateway

    with mock_aws():
        svc = bootstrap.Services(settings, clock=clock)
        svc.bind_tables()
        create_tables()
        DynamoOrgStore(settings.bureau, svc.phone_key.hash_phone).put_all(district.ORG)
        DynamoCustomerStore().put_customers(district.CUSTOMERS)
        svc.sms = RecordingSmsSender()
        svc.uploads = FakeUploadSigner()
        bootstrap.use(svc)
        monkeypatch.setattr(chalice.test, "LocalGateway", YungeLocalGateway)
        with Client(app.app) as client:
            yield Api(client, svc)
        bootstrap.use(None)


def test_ticket_creation_makes_at_most_seven_aws_calls(dynamo_api, calls) -> None:  # type: ignore[no-untyped-def]
    bind = {"account_no": "0601000001", "holder_name": "王建国"}
    assert dynamo_api.call("POST", "/v1/me/accounts", bind, as_=CUSTOMER).status == 201

    calls.clear()
    first = dynamo_api.call("POST", "/v1/tickets", FAULT, as_=CUSTOMER)
    cold = sum(calls.values())
    calls.clear()
    second = dynamo_api.call("POST", "/v1/tickets", FAULT, as_=CUSTOMER)

    assert first.status == second.status == 201
    assert cold <= 7, calls  # a counter's first hit in its window takes two UpdateItems
    # the customer's hourly and daily ticket counters (one conditional UpdateItem each), and
    # for a "no power" report its 台区's outage state (one Query: a fault outage already
    # open, or a published notice's window?)
    assert calls == Counter(
        {"BatchGetItem": 1, "UpdateItem": 2, "Query": 1, "TransactWriteItems": 1}
    )


def test_no_request_path_scans(dynamo_api, calls) -> None:  # type: ignore[no-untyped-def]
    bind = {"account_no": "0601000001", "holder_name": "王建国"}
    dynamo_api.call("POST", "/v1/me/accounts", bind, as_=CUSTOMER)
    ticket_id = dynamo_api.call("POST", "/v1/tickets", FAULT, as_=CUSTOMER).body["ticket_id"]
    readers = [
        CUSTOMER,
        ("M1", Role.MANAGER),
        ("C1", Role.CHIEF),
        ("D1", Role.BRANCH),
        ("O1", Role.OPS),
        ("X1", Role.ADMIN),
    ]
    for reader in readers:
        assert dynamo_api.call("GET", "/v1/tickets?limit=5", as_=reader).status == 200
        assert dynamo_api.call("GET", f"/v1/tickets/{ticket_id}", as_=reader).status == 200
    assert dynamo_api.call("GET", "/v1/me/accounts", as_=CUSTOMER).status == 200
    assert dynamo_api.call("GET", "/v1/staff/me", as_=("M1", Role.MANAGER)).status == 200
    otp = dynamo_api.call("POST", "/v1/auth/staff/otp", {"phone": "13910000001"})
    assert otp.status == 202

    assert calls["Query"] > 0  # the lists really ran against DynamoDB
    assert calls["Scan"] == 0
