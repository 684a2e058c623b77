"""GET /v1/outages and POST /v1/outages/{id}/actions over HTTP (chalice test client,
in-memory stores). The outage is formed the way clustering forms it (store.open)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain.org import Role
from chalicelib.domain.outages import formed, rolled_up

WANG = ("wx-wang", Role.CUSTOMER)  # binds 0601000001, in T1 (grid G1, station S1)
ZHANG = ("wx-zhang", Role.CUSTOMER)  # binds 0601000003, in T3 (station S2)
LI = ("wx-li", Role.CUSTOMER)  # binds 0601000002, in T2 (grid G2, station S1)
MANAGER_G1 = ("M1", Role.MANAGER)
MANAGER_G2 = ("M2", Role.MANAGER)
CHIEF_S1 = ("C1", Role.CHIEF)
CHIEF_S2 = ("C2", Role.CHIEF)
BRANCH = ("D1", Role.BRANCH)
OPS = ("O1", Role.OPS)


@pytest.fixture
def outage(api, clock):  # type: ignore[no-untyped-def]
    for who, account, name in ((WANG, "0601000001", "王建国"), (ZHANG, "0601000003", "张伟")):
        body = {"account_no": account, "holder_name": name}
        assert api.call("POST", "/v1/me/accounts", body, as_=who).status == 201
    now = clock()
    return api.services.outages.open(
        formed(
            outage_id="01OUTAGE0000000000000000T1",
            ta_id="T1",
            grid_id="G1",
            station_id="S1",
            branch_id="B1",
            line_id="L7",
            manager_id="M1",
            reports={"0601000001": "TK1", "0601000005": "TK2"},
            customers_affected=2,
            etr=now + timedelta(hours=2),
            now=now,
        )
    )


def test_a_customer_whose_area_is_out_sees_the_outage_and_its_etr(api, outage) -> None:  # type: ignore[no-untyped-def]
    reply = api.call("GET", "/v1/outages?account_no=0601000001", as_=WANG)

    assert reply.status == 200
    (item,) = reply.body["items"]
    assert item["outage_id"] == outage.outage_id
    assert (item["kind"], item["state"], item["scope"]) == ("fault", "probable", "transformer_area")
    assert item["transformer_area_ids"] == ["T1"] and item["line_id"] == "L7"
    assert (item["reports"], item["customers_affected"]) == (2, 2)
    assert item["notice"] == "您所在台区正在抢修，预计12:00恢复"  # 10:00 Shanghai + 2 h
    assert item["etr"] == "2026-11-24T12:00:00+08:00"
    assert reply.body["next_cursor"] is None


def test_a_customer_elsewhere_sees_nothing_and_may_not_ask_about_others(api, outage) -> None:  # type: ignore[no-untyped-def]
    assert api.call("GET", "/v1/outages?account_no=0601000003", as_=ZHANG).body["items"] == []
    assert api.call("GET", "/v1/outages?account_no=0601000001", as_=ZHANG).status == 404
    missing = api.call("GET", "/v1/outages", as_=ZHANG)
    assert (missing.status, missing.body["error"]["fields"]) == (400, {"account_no": "请填写户号"})


def test_staff_list_within_their_scope_with_filters(api, outage) -> None:  # type: ignore[no-untyped-def]
    def ids(who, query: str = "") -> list[str]:  # type: ignore[no-untyped-def]
        reply = api.call("GET", f"/v1/outages{query}", as_=who)
        assert reply.status == 200, reply.body
        return [o["outage_id"] for o in reply.body["items"]]

    mine = [outage.outage_id]
    assert ids(MANAGER_G1) == ids(CHIEF_S1) == ids(BRANCH) == ids(OPS) == mine
    assert ids(MANAGER_G2) == [] and ids(CHIEF_S2) == []
    assert ids(OPS, "?station_id=S1&state=probable&kind=fault") == mine
    assert ids(OPS, "?state=restored") == [] and ids(BRANCH, "?kind=planned") == []
    assert api.call("GET", "/v1/outages?station_id=S1", as_=CHIEF_S2).status == 403
    bad = api.call("GET", "/v1/outages?state=gone&limit=0", as_=OPS)
    assert bad.status == 400 and set(bad.body["error"]["fields"]) == {"state", "limit"}


def test_the_manager_confirms_moves_the_etr_and_restores(api, outage, clock) -> None:  # type: ignore[no-untyped-def]
    path = f"/v1/outages/{outage.outage_id}/actions"
    clock.advance(minutes=40)

    confirmed = api.call("POST", path, {"action": "confirm", "note": "变压器跳闸"}, as_=MANAGER_G1)
    etr = "2026-11-24T14:30:00+08:00"
    moved = api.call("POST", path, {"action": "set_etr", "etr": etr}, as_=MANAGER_G1)
    restored = api.call("POST", path, {"action": "restore"}, as_=CHIEF_S1)

    assert confirmed.status == 200 and confirmed.body["state"] == "confirmed"
    assert moved.body["etr"] == etr
    assert restored.status == 200 and restored.body["state"] == "restored"
    assert restored.body["ends_at"] == "2026-11-24T10:40:00+08:00"
    timeline = restored.body["timeline"]
    assert [e["action"] for e in timeline] == ["form", "confirm", "set_etr", "restore"]
    assert timeline[1]["actor"] == "staff:M1" and timeline[1]["note"] == "变压器跳闸"
    after = api.call("GET", "/v1/outages?account_no=0601000001", as_=WANG)
    assert after.body["items"] == []  # restored: the area is no longer out


def test_actions_are_checked_for_state_scope_and_input(api, outage) -> None:  # type: ignore[no-untyped-def]
    path = f"/v1/outages/{outage.outage_id}/actions"

    assert api.call("POST", path, {"action": "confirm"}, as_=MANAGER_G2).status == 403
    assert api.call("POST", path, {"action": "confirm"}, as_=WANG).status == 403
    assert (
        api.call("POST", "/v1/outages/nope/actions", {"action": "confirm"}, as_=OPS).status == 404
    )
    no_etr = api.call("POST", path, {"action": "set_etr"}, as_=MANAGER_G1)
    assert (no_etr.status, no_etr.body["error"]["fields"]) == (400, {"etr": "请填写预计恢复时间"})
    for etr in ("2026-11-24T14:00", "9999-12-31T23:59:00-14:00", "tomorrow"):
        bad = api.call("POST", path, {"action": "set_etr", "etr": etr}, as_=OPS)
        assert (bad.status, list(bad.body["error"]["fields"])) == (400, ["etr"])
    assert api.call("POST", path, {"action": "cancel"}, as_=CHIEF_S1).status == 200
    again = api.call("POST", path, {"action": "restore"}, as_=CHIEF_S1)
    assert again.status == 409


def test_a_line_outage_shows_both_areas_to_their_customers_and_managers(api, outage, clock) -> None:  # type: ignore[no-untyped-def]
    body = {"account_no": "0601000002", "holder_name": "李秀英"}
    assert api.call("POST", "/v1/me/accounts", body, as_=LI).status == 201
    clock.advance(minutes=10)
    reports = {"0601000002": "TK3"}
    line = api.services.outages.roll_up(
        outage,
        rolled_up(outage, ta_id="T2", reports=reports, customers_affected=1, now=clock()),
        "T2",
    )

    (item,) = api.call("GET", "/v1/outages?account_no=0601000002", as_=LI).body["items"]
    assert (item["outage_id"], item["scope"], item["line_id"]) == (line.outage_id, "line", "L7")
    assert item["transformer_area_ids"] == ["T1", "T2"]
    assert (item["reports"], item["customers_affected"]) == (3, 3)
    assert item["notice"].startswith("您所在台区正在抢修")
    listed = api.call("GET", "/v1/outages", as_=MANAGER_G2).body["items"]
    assert [o["outage_id"] for o in listed] == [line.outage_id]  # T2 is in his grid
    path = f"/v1/outages/{line.outage_id}/actions"
    assert api.call("POST", path, {"action": "confirm"}, as_=MANAGER_G2).status == 200
    assert api.call("POST", path, {"action": "restore"}, as_=CHIEF_S2).status == 403
    assert api.call("POST", path, {"action": "restore"}, as_=MANAGER_G2).status == 200
    for who, account in ((LI, "0601000002"), (WANG, "0601000001")):
        assert api.call("GET", f"/v1/outages?account_no={account}", as_=who).body["items"] == []
