"""The closed loop over HTTP on the local stack: submit → dispatched (by the stream pump) →
accept → arrive → resolve → confirm with a rating → closed, with the timeline in order and
the customer told by SMS when the work is done."""

from __future__ import annotations

import time
from typing import Any

DISPATCH_TIMEOUT = 15.0


def wait_dispatched(stack, ticket_id: str, token: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + DISPATCH_TIMEOUT
    while True:
        body = stack.request("GET", f"/v1/tickets/{ticket_id}", token=token).body
        if body["status"] == "dispatched" and body.get("assignee"):
            return body  # type: ignore[no-any-return]
        assert time.monotonic() < deadline, f"not dispatched in time: {body['status']}"
        time.sleep(0.2)  # the stream pump is asynchronous, as Lambda's trigger is


def test_full_loop(stack) -> None:  # type: ignore[no-untyped-def]
    customer = stack.customer_token("e2e-full-loop")
    account = stack.demo["customers"][1]
    bind = {"account_no": account["account_no"], "holder_name": account["holder_name"]}
    assert stack.request("POST", "/v1/me/accounts", bind, token=customer).status == 201
    phone = "13812340001"
    body = {
        "type": "fault_repair",
        "account_no": account["account_no"],
        "description": "单元楼停电",
        "contact_phone": phone,
        "details": {"scope": "building"},
    }
    created = stack.request("POST", "/v1/tickets", body, token=customer)
    assert created.status == 201, created.body
    tid = created.body["ticket_id"]

    dispatched = wait_dispatched(stack, tid, customer)
    staff = stack.staff_token(dispatched["assignee"]["staff_id"])
    actions = f"/v1/tickets/{tid}/actions"
    location = {"lat": 40.74, "lng": 107.38, "address": account.get("address")}
    for step, who in (
        ({"action": "accept"}, staff),
        ({"action": "arrive", "location": location, "note": "已到现场"}, staff),
        ({"action": "resolve", "cause": "表箱空开跳闸，已复位"}, staff),
    ):
        reply = stack.request("POST", actions, step, token=who)
        assert reply.status == 200, (step, reply.body)
    stack.wait_for_sms(lambda m: m["to"] == "+86" + phone and m["template"] == "resolved_customer")

    confirmed = stack.request(
        "POST", actions, {"action": "confirm", "rating": 5, "comment": "很快"}, token=customer
    )
    assert confirmed.status == 200, confirmed.body
    final = confirmed.body
    assert final["status"] == "closed" and final["outcome"]["rating"] == 5
    assert [e["action"] for e in final["timeline"]] == [
        "submit", "dispatch", "accept", "arrive", "resolve", "confirm",
    ]  # fmt: skip
    stamps = [e["at"] for e in final["timeline"]]
    assert stamps == sorted(stamps)
    assert all(d["outcome"] == "met" for d in final["deadlines"])
