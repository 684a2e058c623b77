"""GET /v1/me/accounts/{account_no}/usage over HTTP: bound accounts only, staff through a
ticket in their scope, missing and estimated days flagged, the balance labelled, the tier."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain.org import Role
from chalicelib.domain.usage import DailyUsage, MonthlyBill, Quality

WANG = ("wx-wang", Role.CUSTOMER)
OTHER = ("wx-other", Role.CUSTOMER)
ACCOUNT = "0601000001"  # grid G1 (manager M1)
TODAY = date(2026, 11, 24)  # the clock fixture's Shanghai day
DEMO_TARIFF = (
    '[{"label": "居民阶梯电价（示例电价，非官方）", "basis": "monthly",'
    ' "thresholds_kwh": [200, 400], "prices_yuan": [0.5, 0.55, 0.8],'
    ' "effective_from": "2026-01-01"}]'
)


def seed_usage(store: Any, account: str = ACCOUNT) -> None:
    days = [
        DailyUsage(account, TODAY - timedelta(days=n), 6.0, Quality.ACTUAL) for n in range(1, 40)
    ]
    days[0] = DailyUsage(account, date(2026, 11, 23), 7.5, Quality.ESTIMATED)
    days[1] = DailyUsage(account, date(2026, 11, 22), None, Quality.MISSING)
    del days[2]  # 21 November never arrived
    days[2] = DailyUsage(account, date(2026, 11, 20), 6.0, Quality.ACTUAL, 2.0, 2.5, 1.5)
    store.put_days(days)
    as_of = datetime(2026, 11, 3, 16, 0, tzinfo=UTC)
    store.put_bills(
        MonthlyBill(account, f"{y}-{m:02d}", 150.0 + m, 80.0 + m, True, 60.0, 0.0, 0.0, as_of)
        for y, m in [(2025, 10), (2025, 11), (2025, 12), *((2026, m) for m in range(1, 10))]
    )
    store.put_bills([MonthlyBill(account, "2026-10", 210.0, 105.5, False, 12.3, 105.5, 1.2, as_of)])


@pytest.fixture
def usage_api(api):  # type: ignore[no-untyped-def]
    api.services.settings = replace(api.services.settings, tariffs=DEMO_TARIFF)
    seed_usage(api.services.usage)
    body = {"account_no": ACCOUNT, "holder_name": "王建国"}
    assert api.call("POST", "/v1/me/accounts", body, as_=WANG).status == 201
    return api


def test_a_bound_customer_sees_months_days_balance_and_tier(usage_api) -> None:  # type: ignore[no-untyped-def]
    reply = usage_api.call("GET", f"/v1/me/accounts/{ACCOUNT}/usage", as_=WANG)
    assert reply.status == 200
    body = reply.body
    assert body["account_no"] == ACCOUNT
    # the last 12 billed months, oldest first, kWh and 元
    assert [m["month"] for m in body["months"]][:2] == ["2025-11", "2025-12"]
    assert body["months"][-1] == {"month": "2026-10", "kwh": 210.0, "amount_yuan": 105.5}
    assert len(body["months"]) == 12
    # the last 30 days end yesterday; missing and estimated days are flagged, never zero
    days = {d["date"]: d for d in body["days"]}
    assert len(body["days"]) == 30 and body["days"][-1]["date"] == "2026-11-23"
    assert days["2026-11-23"] == {"date": "2026-11-23", "kwh": 7.5, "quality": "estimated"}
    assert days["2026-11-22"] == {"date": "2026-11-22", "kwh": None, "quality": "missing"}
    assert days["2026-11-21"] == {"date": "2026-11-21", "kwh": None, "quality": "missing"}
    assert days["2026-11-20"] == {  # the 峰/平/谷 split where the meter reports it
        "date": "2026-11-20",
        "kwh": 6.0,
        "quality": "actual",
        "peak_kwh": 2.0,
        "flat_kwh": 2.5,
        "valley_kwh": 1.5,
    }
    assert body["as_of"] == "2026-11-24T00:00:00+08:00"
    assert body["as_of_label"] == "数据截至 2026-11-24 00:00"
    # the latest bill's balance, labelled as not real time, with arrears and penalty
    assert body["balance"] == {
        "settlement_balance_yuan": 12.3,
        "arrears_yuan": 105.5,
        "penalty_yuan": 1.2,
        "as_of": "2026-11-04T00:00:00+08:00",
        "label": "结算余额（非实时）",
        "period": "2026-10",
    }
    # November so far: 20 actual days × 6 + 7.5 estimated = 127.5 kWh of a 200 kWh tier 1
    assert body["tier"] == {
        "current": 1,
        "remaining_kwh": 72.5,
        "tariff_label": "居民阶梯电价（示例电价，非官方）",
        "basis": "monthly",
        "price_yuan": 0.5,
    }


def test_an_unbound_or_unknown_account_is_404_alike(usage_api) -> None:  # type: ignore[no-untyped-def]
    not_mine = usage_api.call("GET", f"/v1/me/accounts/{ACCOUNT}/usage", as_=OTHER)
    unknown = usage_api.call("GET", "/v1/me/accounts/0699999999/usage", as_=WANG)
    assert (not_mine.status, unknown.status) == (404, 404)
    assert not_mine.body == unknown.body
    assert not_mine.body["error"]["code"] == "account_not_found"


def test_staff_read_it_through_a_ticket_in_their_scope_only(usage_api) -> None:  # type: ignore[no-untyped-def]
    ticket = usage_api.call(
        "POST",
        "/v1/tickets",
        {
            "type": "consultation",
            "account_no": ACCOUNT,
            "description": "电费怎么这么多",
            "contact_phone": "13812345678",
        },
        as_=WANG,
    ).body
    path = f"/v1/me/accounts/{ACCOUNT}/usage"
    mine = usage_api.call(
        "GET", f"{path}?ticket_id={ticket['ticket_id']}", as_=("M1", Role.MANAGER)
    )
    assert mine.status == 200 and mine.body["balance"]["arrears_yuan"] == 105.5
    chief = usage_api.call("GET", f"{path}?ticket_id={ticket['ticket_id']}", as_=("C1", Role.CHIEF))
    assert chief.status == 200
    # a manager of another grid, a ticket about another account, or no ticket at all
    other_grid = usage_api.call(
        "GET", f"{path}?ticket_id={ticket['ticket_id']}", as_=("M2", Role.MANAGER)
    )
    wrong_account = usage_api.call(
        "GET",
        f"/v1/me/accounts/0601000003/usage?ticket_id={ticket['ticket_id']}",
        as_=("M1", Role.MANAGER),
    )
    no_ticket = usage_api.call("GET", path, as_=("M1", Role.MANAGER))
    assert (other_grid.status, wrong_account.status) == (404, 404)
    assert no_ticket.status == 400 and "ticket_id" in no_ticket.body["error"]["fields"]


def test_an_account_without_data_says_so(usage_api) -> None:  # type: ignore[no-untyped-def]
    body = {"account_no": "0601000003", "holder_name": "张伟"}
    assert usage_api.call("POST", "/v1/me/accounts", body, as_=WANG).status == 201
    reply = usage_api.call("GET", "/v1/me/accounts/0601000003/usage", as_=WANG).body
    assert reply["as_of"] is None and reply["as_of_label"] == "暂无数据"
    assert reply["balance"] is None
    assert all(m["kwh"] is None for m in reply["months"])
    assert {d["quality"] for d in reply["days"]} == {"missing"}
    assert reply["tier"]["remaining_kwh"] == 200.0


METER_FAST = {
    "type": "meter_service",
    "account_no": ACCOUNT,
    "description": "电表走得快，这个月电费特别多",
    "contact_phone": "13812345678",
    "details": {"service": "accuracy_test", "reason": "meter_fast"},
}


def test_a_meter_fast_ticket_carries_the_usage_the_manager_sees(usage_api) -> None:  # type: ignore[no-untyped-def]
    created = usage_api.call("POST", "/v1/tickets", METER_FAST, as_=WANG)
    assert created.status == 201
    read = usage_api.call(
        "GET", f"/v1/tickets/{created.body['ticket_id']}", as_=("M1", Role.MANAGER)
    )
    assert read.status == 200
    usage = read.body["details"]["usage"]
    assert read.body["details"]["reason"] == "meter_fast"
    assert len(usage["days"]) == 30 and usage["days"][-1] == {
        "date": "2026-11-23",
        "kwh": 7.5,
        "quality": "estimated",
    }
    assert {"date": "2026-11-22", "kwh": None, "quality": "missing"} in usage["days"]
    assert [m["month"] for m in usage["months"]] == ["2026-08", "2026-09", "2026-10"]
    assert usage["months"][-1]["kwh"] == 210.0 and usage["as_of"] == "2026-11-24T00:00:00+08:00"
    # an ordinary meter ticket carries none
    plain = dict(METER_FAST, details={"service": "replacement"})
    other = usage_api.call("POST", "/v1/tickets", plain, as_=WANG).body
    assert "usage" not in other.get("details", {})
