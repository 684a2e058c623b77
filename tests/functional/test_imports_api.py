"""Import jobs over HTTP on the in-memory fakes: ask for an upload, put the file where the
presigned URL points, let the upload's event run the job, then read the job back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from chalicelib.domain.org import Role

OPS = ("O1", Role.OPS)
ADMIN = ("X1", Role.ADMIN)
MANAGER = ("M1", Role.MANAGER)
CUSTOMER_HEADER = (
    "户号,户名,用电地址,台区编号,电能表资产号,用电类别,手机号,重要客户,特殊客户,备注\n"
)


@dataclass
class Context:
    """A Lambda context whose clock the test controls: `calls` answers before time runs out."""

    calls: int = 10**9
    function_name: str = "yunge-test-import_upload"

    def get_remaining_time_in_millis(self) -> int:
        self.calls -= 1
        return 900_000 if self.calls >= 0 else 1_000


def customers_csv(rows: list[tuple[str, str]], extra: str = "") -> bytes:
    lines = [CUSTOMER_HEADER]
    for account_no, ta in rows:
        lines.append(
            f"{account_no},户主{account_no[-3:]},临河区某街{account_no[-3:]}号,{ta},,居民,,否,否,\n"
        )
    return ("".join(lines) + extra).encode("utf-8")


def start(
    api: Any, kind: str, filename: str, data: bytes, mode: str = "commit", **more: Any
) -> str:
    reply = api.call(
        "POST",
        "/v1/imports",
        {"kind": kind, "filename": filename, "size": len(data), "mode": mode, **more},
        as_=OPS,
    )
    assert reply.status == 201, reply.body
    assert reply.body["status"] == "awaiting_upload"
    upload = reply.body["upload"]
    assert upload["method"] == "PUT" and upload["url"].startswith("https://")
    key = upload["url"].split("/", 3)[3].split("?")[0]
    assert key.startswith(f"imports/{reply.body['import_id']}/")
    api.services.import_files.objects[key] = data  # what the client's PUT does
    return str(reply.body["import_id"]), key


def run(key: str, context: Context | None = None, again: list[str] | None = None) -> None:
    from chalicelib.imports.handler import on_import_event

    event = {"detail-type": "Object Created", "detail": {"object": {"key": key}}}
    continued = again if again is not None else []
    on_import_event(event, context or Context(), again=lambda _f, i: continued.append(i))


def job(api: Any, import_id: str) -> dict[str, Any]:
    reply = api.call("GET", f"/v1/imports/{import_id}", as_=OPS)
    assert reply.status == 200, reply.body
    return dict(reply.body)


def test_a_manager_may_not_import(api) -> None:  # type: ignore[no-untyped-def]
    body = {"kind": "customers", "filename": "c.csv", "size": 10}
    assert api.call("POST", "/v1/imports", body, as_=MANAGER).status == 403
    assert api.call("GET", "/v1/imports", as_=MANAGER).status == 403


def test_the_upload_is_capped_at_200_mb_and_its_size_is_signed(api) -> None:  # type: ignore[no-untyped-def]
    too_big = {"kind": "customers", "filename": "c.csv", "size": 200 * 1024 * 1024 + 1}
    assert api.call("POST", "/v1/imports", too_big, as_=ADMIN).status in (400, 413)
    ok = {"kind": "customers", "filename": "c.csv", "size": 200 * 1024 * 1024}
    reply = api.call("POST", "/v1/imports", ok, as_=ADMIN)
    assert reply.status == 201
    assert api.services.import_files.signed[-1][1] == 200 * 1024 * 1024
    wrong = {"kind": "customers", "filename": "c.pdf", "size": 10}
    assert api.call("POST", "/v1/imports", wrong, as_=ADMIN).status == 400


def test_a_dry_run_reports_and_writes_nothing(api) -> None:  # type: ignore[no-untyped-def]
    good = [(f"06050000{n:02d}", "T1") for n in range(29)]
    data = customers_csv([("0123456789", "T1"), ("0601000099", "T9"), *good])
    import_id, key = start(api, "customers", "客户.csv", data, mode="dry_run", full=True)
    run(key)
    found = job(api, import_id)
    assert found["status"] == "done"
    assert found["encoding"] == "utf-8"
    assert found["counts"] == {"rows": 31, "created": 0, "updated": 0, "unchanged": 0, "failed": 1}
    assert found["errors"] == [
        {
            "row": 3,
            "column": "台区编号",
            "code": "UNKNOWN_REF",
            "message": found["errors"][0]["message"],
        }
    ]
    assert found["ignored_columns"] == ["备注"]
    missing = found["missing_customers"]  # the district's five, which the file leaves out
    assert missing == {"count": 5, "account_nos": [f"060100000{n}" for n in range(1, 6)]}
    assert found["error_file"]["url"].startswith("https://")
    assert api.services.customers.get("0123456789") is None


def test_a_commit_upserts_and_a_second_identical_import_changes_nothing(api, clock) -> None:  # type: ignore[no-untyped-def]
    rows = [(f"06020000{n:02d}", "T2") for n in range(30)] + [("0123456789", "T1")]
    data = customers_csv(rows)
    first, key = start(api, "customers", "客户.csv", data)
    run(key)
    done = job(api, first)
    assert done["status"] == "done"
    assert done["counts"] == {"rows": 31, "created": 31, "updated": 0, "unchanged": 0, "failed": 0}
    assert done["progress"] == {"done": 31, "total": 31}
    assert api.services.customers.get("0123456789").ta_id == "T1"  # leading zero kept

    clock.advance(minutes=1)
    second, key = start(api, "customers", "客户.csv", data)
    run(key)
    again = job(api, second)
    assert again["counts"] == {"rows": 31, "created": 0, "updated": 0, "unchanged": 31, "failed": 0}

    listed = api.call("GET", "/v1/imports", as_=OPS).body["items"]
    assert [j["import_id"] for j in listed][:2] == [second, first]
    assert [
        j["import_id"] for j in api.call("GET", "/v1/imports?limit=1", as_=OPS).body["items"]
    ] == [second]
    assert api.call("GET", "/v1/imports?limit=0", as_=OPS).status == 400


def test_more_than_5_percent_failing_aborts_before_writing(api) -> None:  # type: ignore[no-untyped-def]
    rows = [(f"06030000{n:02d}", "T3") for n in range(18)] + [("12345", "T3"), ("06039", "T3")]
    import_id, key = start(api, "customers", "客户.csv", customers_csv(rows))
    run(key)
    found = job(api, import_id)
    assert found["status"] == "aborted"
    assert found["counts"]["failed"] == 2 and found["counts"]["created"] == 0
    assert {e["code"] for e in found["errors"]} == {"BAD_FORMAT"}
    assert api.services.customers.get("0603000001") is None


def test_a_timeout_mid_file_resumes_without_applying_a_row_twice(api, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from chalicelib.imports import jobs

    monkeypatch.setattr(jobs, "CHUNK", 10)
    written: list[str] = []
    store = api.services.customers
    original = store.put_customers

    def counting(customers: Any) -> None:
        batch = list(customers)
        written.extend(c.account_no for c in batch)
        original(batch)

    monkeypatch.setattr(store, "put_customers", counting)
    rows = [(f"06040000{n:02d}", "T4") for n in range(35)]
    import_id, key = start(api, "customers", "客户.csv", customers_csv(rows))
    continued: list[str] = []
    run(key, Context(calls=2), continued)  # time for two chunks, then the Lambda is short
    halfway = job(api, import_id)
    assert continued == [import_id]
    assert halfway["status"] == "applying"
    assert halfway["progress"] == {"done": 20, "total": 35}
    assert len(written) == 20

    from chalicelib.imports.handler import on_import_event

    on_import_event({"import_id": import_id}, Context(), again=lambda _f, _i: None)
    finished = job(api, import_id)
    assert finished["status"] == "done"
    assert finished["counts"]["created"] == 35 and finished["counts"]["unchanged"] == 0
    assert sorted(written) == sorted(a for a, _ in rows)  # each row written exactly once


def test_a_ta_moving_grid_routes_its_customers_new_tickets_to_the_new_grid(api) -> None:  # type: ignore[no-untyped-def]
    wang = ("wx-wang", Role.CUSTOMER)
    bind = {"account_no": "0601000001", "holder_name": "王建国"}
    assert api.call("POST", "/v1/me/accounts", bind, as_=wang).status == 201
    ticket = {
        "type": "consultation",
        "account_no": "0601000001",
        "description": "咨询电价",
        "contact_phone": "13812345678",
    }
    before = api.call("POST", "/v1/tickets", ticket, as_=wang).body
    header = "台区编号,台区名称,所属线路编号,供电所,网格编号\n"
    data = (header + "T1,新华1号台区,L9,S1,G2\n").encode("utf-8")
    import_id, key = start(api, "transformer_areas", "台区.csv", data)
    run(key)
    assert job(api, import_id)["counts"]["updated"] == 1
    after = api.call("POST", "/v1/tickets", {**ticket, "description": "再问"}, as_=wang).body
    assert (before["grid_id"], after["grid_id"]) == ("G1", "G2")
    kept = api.call("GET", f"/v1/tickets/{before['ticket_id']}", as_=wang).body
    assert kept["grid_id"] == "G1"  # an open ticket keeps its grid and assignee


def test_staff_import_keeps_duty_and_assigns_grids(api) -> None:  # type: ignore[no-untyped-def]
    api.services.org.set_duty("M5", False, None)
    header = "工号,姓名,手机号,角色,网格编号,互助组,供电所\n"
    data = (header + "M5,网格经理5,13910000005,网格经理,G2,A1,S1\n").encode("utf-8")
    import_id, key = start(api, "staff", "人员.csv", data)
    run(key)
    assert job(api, import_id)["counts"]["updated"] == 1
    member = api.services.org.staff("M5")
    assert member.grid_ids == ("G2",) and member.on_duty is False
    assert api.services.org.grid("G2").manager_id == "M5"


@pytest.mark.parametrize("missing", ["户号"])
def test_a_file_without_a_required_column_fails_whole(api, missing: str) -> None:  # type: ignore[no-untyped-def]
    data = CUSTOMER_HEADER.replace(missing + ",", "").encode("utf-8")
    import_id, key = start(api, "customers", "c.csv", data)
    run(key)
    found = job(api, import_id)
    assert found["status"] == "failed"
    assert found["errors"][0]["code"] == "REQUIRED_MISSING"


def test_an_unknown_job_is_404(api) -> None:  # type: ignore[no-untyped-def]
    assert api.call("GET", "/v1/imports/01ZZZZZZZZZZZZZZZZZZZZZZZZ", as_=OPS).status == 404


def test_each_grid_s_customer_count_follows_the_imports(api, clock) -> None:  # type: ignore[no-untyped-def]
    counts = api.services.org.counts
    counts.update({"G1": 2, "G2": 1, "G3": 1, "G4": 1})  # the district's five customers
    rows = [(f"06060000{n:02d}", "T2") for n in range(30)] + [("0606999999", "T1")]
    _, key = start(api, "customers", "客户.csv", customers_csv(rows))
    run(key)
    assert counts == {"G1": 3, "G2": 31, "G3": 1, "G4": 1}
    _, key = start(api, "customers", "客户.csv", customers_csv(rows))  # the same file again
    run(key)
    assert counts == {"G1": 3, "G2": 31, "G3": 1, "G4": 1}

    moved = [(a, "T3" if a == "0606000000" else t) for a, t in rows]  # one customer, to G3
    _, key = start(api, "customers", "客户.csv", customers_csv(moved))
    run(key)
    assert counts == {"G1": 3, "G2": 30, "G3": 2, "G4": 1}

    header = "台区编号,台区名称,所属线路编号,供电所,网格编号\n"  # T1 and its 3 customers to G2
    _, key = start(
        api, "transformer_areas", "台区.csv", (header + "T1,新华1号台区,L9,S1,G2\n").encode()
    )
    run(key)
    assert counts == {"G1": 0, "G2": 33, "G3": 2, "G4": 1}


def test_gbk_csv_and_xlsx_files_import_alike(api, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import openpyxl

    rows = [(f"06070000{n:02d}", "T4") for n in range(20)] + [("0123456789", "T4")]
    gbk = customers_csv(rows).decode("utf-8").encode("gbk")
    import_id, key = start(api, "customers", "客户GBK.csv", gbk, mode="dry_run")
    run(key)
    found = job(api, import_id)
    assert (found["status"], found["encoding"], found["counts"]["failed"]) == ("done", "gbk", 0)

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(CUSTOMER_HEADER.strip().split(","))
    for account_no, ta in rows:
        sheet.append([account_no, "户主", "某地", ta, None, "居民", None, "否", "否", None])
    path = tmp_path / "客户.xlsx"
    book.save(path)
    import_id, key = start(api, "customers", "客户.xlsx", path.read_bytes())
    run(key)
    found = job(api, import_id)
    assert found["status"] == "done" and found["counts"]["created"] == 21, found
    assert api.services.customers.get("0123456789") is not None  # text cell, zero kept


def test_the_error_file_fixed_in_place_imports_cleanly(api) -> None:  # type: ignore[no-untyped-def]
    rows = [(f"06080000{n:02d}", "T1") for n in range(30)] + [("12345", "T1")]
    import_id, key = start(api, "customers", "客户.csv", customers_csv(rows), mode="dry_run")
    run(key)
    found = job(api, import_id)
    assert found["counts"]["failed"] == 1
    errors = api.services.import_files.objects[f"import-jobs/{import_id}/errors.csv"]
    assert errors.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel opens it directly
    text = errors.decode("utf-8-sig")
    assert text.splitlines()[0].endswith("行号,字段,错误码,说明")
    assert "BAD_FORMAT" in text and ",32," in text  # row 32 as Excel numbers it
    fixed = text.replace("12345", "0608999999")  # the cell as Excel shows it: ="12345"
    import_id, key = start(api, "customers", "客户-修正.csv", fixed.encode("utf-8-sig"))
    run(key)
    again = job(api, import_id)
    assert again["status"] == "done", again
    assert again["counts"] == {"rows": 1, "created": 1, "updated": 0, "unchanged": 0, "failed": 0}
    assert api.services.customers.get("0608999999") is not None


def test_a_second_delivery_of_the_upload_event_leaves_a_running_job_alone(api, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """EventBridge delivers at least once: a duplicate arriving mid-run finds the job leased
    (renewed at each checkpoint), waits for the lease to lapse, finds it renewed and leaves."""
    import time as clock_module

    from chalicelib.imports import jobs

    monkeypatch.setattr(jobs, "CHUNK", 10)
    waited: list[float] = []
    monkeypatch.setattr(clock_module, "sleep", waited.append)
    counts = api.services.org.counts
    store = api.services.customers
    original = store.put_customers
    duplicates: list[str] = []

    def with_a_duplicate_delivery(customers: Any) -> None:
        if not duplicates:
            duplicates.append("delivered")
            run(key)  # the same event again, while the first run is inside its first chunk
        original(customers)

    monkeypatch.setattr(store, "put_customers", with_a_duplicate_delivery)
    rows = [(f"06090000{n:02d}", "T2") for n in range(35)]
    import_id, key = start(api, "customers", "客户.csv", customers_csv(rows))
    run(key)
    found = job(api, import_id)
    assert found["status"] == "done"
    assert found["counts"]["created"] == 35 and found["counts"]["unchanged"] == 0
    assert waited == [120.0]  # the duplicate waited out one lease, then left
    assert counts == {"G2": 35}  # counted once


def test_a_job_whose_run_crashed_is_taken_over_once_its_lease_lapses(
    api, clock, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from chalicelib.imports import jobs

    monkeypatch.setattr(jobs, "CHUNK", 10)
    store = api.services.customers
    original = store.put_customers
    calls: list[int] = []

    def crash_on_the_second_chunk(customers: Any) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the Lambda died")
        original(customers)

    monkeypatch.setattr(store, "put_customers", crash_on_the_second_chunk)
    rows = [(f"06100000{n:02d}", "T3") for n in range(25)]
    import_id, key = start(api, "customers", "客户.csv", customers_csv(rows))
    with pytest.raises(RuntimeError):
        run(key)
    assert job(api, import_id)["status"] == "applying"
    clock.advance(minutes=3)  # Lambda's retry comes after the crashed run's lease lapsed
    run(key)
    found = job(api, import_id)
    assert found["status"] == "done" and found["counts"]["created"] == 25, found


def test_grid_counts_are_written_once_at_the_end_and_a_retry_sets_not_adds(
    api, clock, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from chalicelib.imports import jobs

    monkeypatch.setattr(jobs, "CHUNK", 10)
    org = api.services.org
    org.counts.update({"G1": 2, "G2": 1})
    written: list[dict[str, int]] = []
    original = org.set_customer_counts

    def crash_once(counts: dict[str, int]) -> None:
        written.append(dict(counts))
        if len(written) == 1:
            raise RuntimeError("the Lambda died while writing the counts")
        original(counts)

    monkeypatch.setattr(org, "set_customer_counts", crash_once)
    rows = [(f"06110000{n:02d}", "T1" if n % 2 else "T2") for n in range(35)]
    _, key = start(api, "customers", "客户.csv", customers_csv(rows))
    with pytest.raises(RuntimeError):
        run(key)
    clock.advance(minutes=3)
    run(key)  # Lambda's retry, once the lease lapsed
    assert written == [{"G1": 19, "G2": 19}, {"G1": 19, "G2": 19}]  # four chunks, one write
    assert org.counts == {"G1": 19, "G2": 19}  # set twice, counted once
