"""The README walk-through over real HTTP against the local stack: login → bind → create →
get → list, and every bad-input case a client can produce."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest


@pytest.fixture(scope="module")
def customer(stack) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    token = stack.customer_token("e2e-walkthrough")
    account = stack.demo["customers"][0]
    reply = stack.request(
        "POST",
        "/v1/me/accounts",
        {"account_no": account["account_no"], "holder_name": account["holder_name"]},
        token=token,
    )
    assert reply.status == 201, reply.body
    return {"token": token, "account": account, "card": reply.body}


def fault(account_no: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "fault_repair",
        "account_no": account_no,
        "description": "整栋楼停电，电梯停了",
        "contact_phone": "13812345678",
        "details": {"scope": "building"},
        **extra,
    }


def test_walkthrough(stack, customer) -> None:  # type: ignore[no-untyped-def]
    token, account = customer["token"], customer["account"]
    assert customer["card"]["manager"]["phone"]
    cards = stack.request("GET", "/v1/me/accounts", token=token).body["items"]
    assert [c["account_no"] for c in cards] == [account["account_no"]]

    created = stack.request("POST", "/v1/tickets", fault(account["account_no"]), token=token)
    assert created.status == 201, created.body
    ticket = created.body
    assert ticket["status"] == "submitted" and ticket["grid_id"] == account["grid_id"]

    read = stack.request("GET", f"/v1/tickets/{ticket['ticket_id']}", token=token)
    assert read.status == 200
    assert read.body["number"] == ticket["number"]
    assert read.body["timeline"][0]["action"] == "submit"

    listed = stack.request("GET", "/v1/tickets?type=fault_repair", token=token).body
    assert ticket["ticket_id"] in [t["ticket_id"] for t in listed["items"]]


def test_idempotent_retry_over_http(stack, customer) -> None:  # type: ignore[no-untyped-def]
    body = fault(customer["account"]["account_no"], description="重试的请求")
    headers = {"Idempotency-Key": "e2e-retry-1"}
    first = stack.request("POST", "/v1/tickets", body, token=customer["token"], headers=headers)
    again = stack.request("POST", "/v1/tickets", body, token=customer["token"], headers=headers)
    assert first.status == again.status == 201
    assert first.body["ticket_id"] == again.body["ticket_id"]

    # the repeat was a cancelled transaction; dispatch must carry on for the next ticket
    seen = len(stack.sms())
    later = stack.request("POST", "/v1/tickets", body, token=customer["token"]).body
    sms = stack.wait_for_sms(lambda m: later["number"] in m["text"], skip=seen)
    assert sms["template"] in {"dispatch_manager", "dispatched_customer", "chief_alert"}


def raw_post(stack, path: str, data: bytes, content_type: str, token: str) -> tuple[int, Any]:  # type: ignore[no-untyped-def]
    headers = {"Content-Type": content_type, "Authorization": f"Bearer {token}"}
    request = urllib.request.Request(stack.base_url + path, data, headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.parametrize(
    ("data", "content_type", "status"),
    [
        (b"{oops", "application/json", 400),
        (b'{"type": "fault_repair"}', "text/plain", 415),
        (b'{"x": "' + b"y" * 70_000 + b'"}', "application/json", 413),
    ],
)
def test_malformed_requests(stack, customer, data, content_type, status) -> None:  # type: ignore[no-untyped-def]
    got, body = raw_post(stack, "/v1/tickets", data, content_type, customer["token"])
    assert got == status
    assert body["error"]["code"] and body["error"]["message"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"contact_phone": "1234"}, "contact_phone"),
        ({"type": "spaceship"}, "type"),
        ({"description": ""}, "description"),
        ({"details": {"scope": "moon"}}, "details.scope"),
    ],
)
def test_invalid_fields_are_named(stack, customer, change, field) -> None:  # type: ignore[no-untyped-def]
    body = {**fault(customer["account"]["account_no"]), **change}
    reply = stack.request("POST", "/v1/tickets", body, token=customer["token"])
    assert reply.status == 400
    assert field in reply.body["error"]["fields"]


def test_auth_errors(stack, customer) -> None:  # type: ignore[no-untyped-def]
    assert stack.request("POST", "/v1/auth/wechat", {"code": "not-a-dev-code"}).status == 401
    for token in (None, "garbage"):
        reply = stack.request("GET", "/v1/tickets", token=token)
        assert reply.status == 401
        assert reply.body["error"]["code"]


def test_scope_errors(stack, customer) -> None:  # type: ignore[no-untyped-def]
    ticket = stack.request(
        "POST", "/v1/tickets", fault(customer["account"]["account_no"]), token=customer["token"]
    ).body
    stranger = stack.customer_token("e2e-stranger")
    assert stack.request("GET", f"/v1/tickets/{ticket['ticket_id']}", token=stranger).status == 404
    not_bound = stack.request(
        "POST", "/v1/tickets", fault(customer["account"]["account_no"]), token=stranger
    )
    assert not_bound.status == 404
    wrong_name = stack.request(
        "POST",
        "/v1/me/accounts",
        {"account_no": customer["account"]["account_no"], "holder_name": "无名氏"},
        token=stranger,
    )
    assert wrong_name.status == 404
    ops = stack.staff_token("ops-01")
    assert stack.request("POST", "/v1/tickets", fault("0601000000"), token=ops).status == 403
    assert stack.request("GET", "/v1/tickets?limit=0", token=ops).status == 400
    assert stack.request("GET", "/v1/nowhere", token=ops).status == 404


def test_staff_login_and_profile(stack) -> None:  # type: ignore[no-untyped-def]
    manager = next(s for s in stack.demo["staff"] if s["role"] == "manager")
    token = stack.staff_token(manager["staff_id"])
    me = stack.request("GET", "/v1/staff/me", token=token).body
    assert me["staff_id"] == manager["staff_id"] and me["role"] == "manager"
    assert len(me["grids"]) >= 1
    wrong = stack.request(
        "POST", "/v1/auth/staff/token", {"phone": manager["phone"], "code": "000000"}
    )
    assert wrong.status in (401, 429)
