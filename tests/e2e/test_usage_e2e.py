"""Issue 16 over HTTP on the local stack: a demo customer binds a sample account and reads
13 months of seeded usage (loaded at start through the usage_feed handler) with the demo
tariff's tier; the two sample accounts left short got their reminder SMS at start."""

from __future__ import annotations


def test_a_demo_customer_reads_the_seeded_usage(stack) -> None:  # type: ignore[no-untyped-def]
    sample = stack.demo["customers"][4]
    token = stack.customer_token("e2e-usage")
    bind = {"account_no": sample["account_no"], "holder_name": sample["holder_name"]}
    assert stack.request("POST", "/v1/me/accounts", bind, token=token).status == 201
    reply = stack.request("GET", f"/v1/me/accounts/{sample['account_no']}/usage", token=token)
    assert reply.status == 200, reply.body
    usage = reply.body
    assert len(usage["months"]) == 12 and all(m["kwh"] is not None for m in usage["months"])
    assert len(usage["days"]) == 30 and usage["as_of"] is not None
    assert usage["balance"]["label"] == "结算余额（非实时）"
    assert "示例电价，非官方" in usage["tier"]["tariff_label"]
    reminded = {m["to"][-7:] for m in stack.sms() if m["template"] == "balance_reminder"}
    assert reminded == {c["account_no"][-7:] for c in stack.demo["customers"][:2]}
