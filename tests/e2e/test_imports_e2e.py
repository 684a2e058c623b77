"""Issue 12 over HTTP on the local stack: ops imports a new grid, its manager, a 台区 and a
customer through presigned uploads (the stack's watcher starts each job after the PUT, as
the EventBridge rule does in AWS); then that customer's fault is dispatched to the imported
manager, whose SMS arrives."""

from __future__ import annotations

import time
import urllib.request
from typing import Any

JOB_TIMEOUT = 30.0
DISPATCH_TIMEOUT = 15.0
MANAGER_PHONE = "13999990012"


def run_import(stack: Any, token: str, kind: str, text: str) -> dict[str, Any]:
    data = text.encode("utf-8")
    body = {"kind": kind, "filename": f"{kind}.csv", "size": len(data), "mode": "commit"}
    created = stack.request("POST", "/v1/imports", body, token=token)
    assert created.status == 201, created.body
    upload = created.body["upload"]
    put = urllib.request.Request(upload["url"], data, upload.get("headers", {}), method="PUT")
    with urllib.request.urlopen(put, timeout=30) as response:
        assert response.status == 200
    deadline = time.monotonic() + JOB_TIMEOUT
    while True:
        job = stack.request("GET", f"/v1/imports/{created.body['import_id']}", token=token).body
        if job["status"] in ("done", "aborted", "failed"):
            return dict(job)
        assert time.monotonic() < deadline, f"import {kind} still {job['status']}"
        time.sleep(0.3)


def test_imported_customer_reaches_the_imported_manager(stack) -> None:  # type: ignore[no-untyped-def]
    ops = next(s for s in stack.demo["staff"] if s["role"] == "ops")
    token = stack.staff_token(ops["staff_id"])
    peer = next(s for s in stack.demo["staff"] if s["role"] == "manager")
    station, branch, group = peer["station_id"], peer["branch_id"], peer["mutual_aid_group_id"]
    files = {
        "grids": "网格编号,网格名称,供电所,分局,区域类别,互助组\n"
        f"E2E-G1,导入网格,{station},{branch},城区,{group}\n",
        "staff": "工号,姓名,手机号,角色,网格编号,互助组,供电所\n"
        f"E2E-M1,导入经理,{MANAGER_PHONE},网格经理,E2E-G1,{group},{station}\n",
        "transformer_areas": "台区编号,台区名称,所属线路编号,供电所,网格编号\n"
        f"E2E-T1,导入台区,L-E2E,{station},E2E-G1\n",
        "customers": "户号,户名,用电地址,台区编号,用电类别\n"
        "0990000001,导入客户,临河区导入路1号,E2E-T1,居民\n",
    }
    for kind, text in files.items():
        job = run_import(stack, token, kind, text)
        assert job["status"] == "done" and job["counts"]["created"] == 1, (kind, job)

    customer = stack.customer_token("e2e-imported")
    bind = {"account_no": "0990000001", "holder_name": "导入客户"}
    card = stack.request("POST", "/v1/me/accounts", bind, token=customer)
    assert card.status == 201, card.body
    assert card.body["manager"]["phone"] == MANAGER_PHONE
    fault = {
        "type": "fault_repair",
        "account_no": "0990000001",
        "description": "导入后报修",
        "contact_phone": "13812340099",
        "details": {"scope": "household"},
    }
    created = stack.request("POST", "/v1/tickets", fault, token=customer)
    assert created.status == 201 and created.body["grid_id"] == "E2E-G1", created.body
    deadline = time.monotonic() + DISPATCH_TIMEOUT
    while True:
        ticket = stack.request("GET", f"/v1/tickets/{created.body['ticket_id']}", token=customer)
        if ticket.body.get("assignee"):
            break
        assert time.monotonic() < deadline, ticket.body["status"]
        time.sleep(0.2)
    assert ticket.body["assignee"]["staff_id"] == "E2E-M1"
    stack.wait_for_sms(lambda m: m["to"] == MANAGER_PHONE)
