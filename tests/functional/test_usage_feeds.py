"""Loading the marketing system's feed files (in-memory stores): a re-delivered file, a
corrected day, a missing and an estimated day, bad rows in an error file with the import
jobs' codes, bills from XLSX, and a balance reminder sent exactly once."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from chalicelib.domain.org import Customer
from chalicelib.domain.usage import Quality, window
from chalicelib.store.feed_files import InMemoryFeedFiles
from chalicelib.usage.handler import feed_keys, on_feed_event
from chalicelib.usage.ingest import FeedLoader

DAY_KEY = "feeds/usage/2026-11-23.csv"
BILL_KEY = "feeds/bills/202610.csv"
NOV = window(date(2026, 11, 24))


def csv(text: str, encoding: str = "utf-8-sig") -> bytes:
    return text.replace("\n", "\r\n").encode(encoding)


@pytest.fixture
def loader(memory_services, tmp_path) -> FeedLoader:  # type: ignore[no-untyped-def]
    from chalicelib.dispatch.outbox import Outbox
    from chalicelib.observability import metrics
    from chalicelib.usage.reminders import BalanceReminders

    svc = memory_services
    svc.customers.put_customers(
        [
            Customer(
                "0601000001", "王建国", "临河区新华街道幸福小区1号楼101", "T1", phone="13812345678"
            ),
            Customer(
                "0601000002", "李秀英", "临河区胜利路阳光家园2号楼302", "T2", phone="13812340002"
            ),
        ]
    )
    outbox = Outbox(
        svc.notifications,
        svc.sms,
        metrics,
        "【云格供电】",
        "bayannur",
        svc.clock,
        hash_phone=svc.phone_key.hash_phone,
    )
    reminders = BalanceReminders(svc.customers.get_many, outbox.deliver, 20.0, svc.clock)
    files = InMemoryFeedFiles()
    return FeedLoader(svc.usage, files, reminders.due, reminders.send, svc.clock, str(tmp_path))


def drop(loader: FeedLoader, key: str, data: bytes) -> dict[str, Any]:
    loader.files.objects[key] = data  # type: ignore[attr-defined]
    event = {"detail-type": "Object Created", "detail": {"object": {"key": key}}}
    (result,) = on_feed_event(event, loader)["files"]
    return result


def day_of(loader: FeedLoader, account: str, day: date) -> Any:
    _, days = loader.usage.read(account, NOV)
    return next((d for d in days if d.day == day), None)


DAILY = """户号,日期,用电量kWh,峰kWh,平kWh,谷kWh,数据质量
0601000001,2026-11-23,8.4,3.1,3.3,2.0,实抄
0601000002,2026-11-23,6.0,,,,估抄
0601000003,2026-11-23,,,,,缺失
"""


def test_a_daily_file_loads_and_a_redelivered_one_writes_nothing(loader) -> None:  # type: ignore[no-untyped-def]
    first = drop(loader, DAY_KEY, csv(DAILY, "gbk"))
    assert (first["status"], first["rows"], first["written"], first["failed"]) == (
        "loaded",
        3,
        3,
        0,
    )
    reading = day_of(loader, "0601000001", date(2026, 11, 23))
    assert (reading.kwh, reading.quality, reading.peak_kwh, reading.valley_kwh) == (
        8.4,
        Quality.ACTUAL,
        3.1,
        2.0,
    )
    estimated = day_of(loader, "0601000002", date(2026, 11, 23))
    missing = day_of(loader, "0601000003", date(2026, 11, 23))
    assert (estimated.kwh, estimated.quality) == (6.0, Quality.ESTIMATED)
    assert (missing.kwh, missing.quality) == (None, Quality.MISSING)
    writes = loader.usage.writes  # type: ignore[attr-defined]
    # When S3 delivers the same event again
    again = drop(loader, DAY_KEY, csv(DAILY, "gbk"))
    # Then the file is recognised and nothing is written
    assert again["status"] == "skipped" and loader.usage.writes == writes  # type: ignore[attr-defined]


def test_a_corrected_file_replaces_the_day_it_names(loader) -> None:  # type: ignore[no-untyped-def]
    drop(loader, DAY_KEY, csv(DAILY))
    corrected = DAILY.replace("0601000003,2026-11-23,,,,,缺失", "0601000003,2026-11-23,5.5,,,,实抄")
    result = drop(loader, DAY_KEY, csv(corrected))
    assert result["status"] == "loaded"
    fixed = day_of(loader, "0601000003", date(2026, 11, 23))
    assert (fixed.kwh, fixed.quality) == (5.5, Quality.ACTUAL)
    # and a later file for another day leaves the 23rd as corrected
    drop(loader, "feeds/usage/2026-11-24.csv", csv(DAILY.replace("2026-11-23", "2026-11-22")))
    assert day_of(loader, "0601000003", date(2026, 11, 23)).kwh == 5.5


def test_bad_rows_go_to_an_error_file_with_the_import_codes_and_the_rest_loads(loader) -> None:  # type: ignore[no-untyped-def]
    text = (
        "户号,日期,用电量kWh,数据质量\n"
        "0601000001,2026-11-23,8.4,实抄\n"
        "6.01E+08,2026-11-23,1.0,实抄\n"
        "0601000002,2026-13-01,1.0,实抄\n"
        "0601000004,2026-11-23,-3,实抄\n"
        ",2026-11-23,1.0,实抄\n"
        "0601000001,2026-11-23,9.9,实抄\n"
        "0601000005,2026-11-23,2.0,未知\n"
    )
    result = drop(loader, DAY_KEY, csv(text))
    assert (result["rows"], result["written"], result["failed"]) == (7, 1, 6)
    assert result["error_file"] == "feed-errors/usage/2026-11-23.csv.errors.csv"
    lines = loader.files.objects[result["error_file"]].decode("utf-8-sig").splitlines()  # type: ignore[attr-defined]
    assert lines[0] == "户号,日期,用电量kWh,数据质量,行号,字段,错误码,说明"
    codes = {line.split(",")[4]: line.split(",")[6] for line in lines[1:]}
    assert codes == {
        "3": "SCI_NOTATION",
        "4": "BAD_FORMAT",
        "5": "BAD_FORMAT",
        "6": "REQUIRED_MISSING",
        "7": "DUP_IN_FILE",
        "8": "BAD_FORMAT",
    }
    assert day_of(loader, "0601000001", date(2026, 11, 23)).kwh == 8.4  # the first row stands


def test_a_file_without_a_required_column_is_refused_whole(loader) -> None:  # type: ignore[no-untyped-def]
    result = drop(loader, DAY_KEY, csv("户号,用电量kWh\n0601000001,8.4\n"))
    assert result["status"] == "unreadable" and "日期" in result["message"]
    assert result["written"] == 0 and result["error_file"]


BILLS = [
    ["户号", "账期", "电量", "电费", "缴费状态", "结算余额", "欠费", "违约金", "截至时间"],
    ["0601000001", "202610", 210, 105.5, "未缴", -105.5, 105.5, 1.2, "2026-11-03 23:59:59"],
    ["0601000002", "202610", 150, 75.0, "已缴", 12.3, 0, 0, "2026-11-03 16:00:00"],
    ["0601000003", "202610", 100, 50.0, "已缴", 88.0, 0, 0, "2026-11-03 16:00:00"],
    ["0601000002", "202609", 150, 75.0, "已缴", 5.0, 0, 0, "2026-10-03 16:00:00"],
]


def xlsx(rows: list[list[object]]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)  # type: ignore[union-attr]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_bills_from_xlsx_remind_low_balance_and_arrears_once_per_account_and_period(
    loader, memory_services
) -> None:  # type: ignore[no-untyped-def]
    rows = [r[:] for r in BILLS]
    key = "feeds/bills/202610.xlsx"
    data = xlsx(rows)
    result = drop(loader, key, data)
    assert (result["status"], result["written"], result["failed"]) == ("loaded", 4, 0)
    bills, _ = loader.usage.read("0601000002", NOV)
    assert [(b.period, b.settlement_balance_yuan, b.paid) for b in bills] == [
        ("2026-09", 5.0, True),
        ("2026-10", 12.3, True),
    ]
    # Then arrears (…0001) and a balance under 20 元 (…0002) remind; September's old bill
    # and …0003 (no phone on file, enough balance) do not
    sent = [(m.phone, m.sms.text) for m in memory_services.sms.sent]
    assert sorted(p for p, _ in sent) == ["13812340002", "13812345678"]
    assert any("尾号0001" in t and "欠费105.50元" in t and "非实时" in t for _, t in sent)
    assert result["reminders"] == [
        "usage#0601000001#2026-10#balance_reminder",
        "usage#0601000002#2026-10#balance_reminder",
    ]
    # When the same file is delivered again, or a corrected one for the same period
    assert drop(loader, key, data)["status"] == "skipped"
    rows[1][6] = 100.0  # a corrected arrears figure: a new file, same period
    again = drop(loader, key, xlsx(rows))
    # Then no second reminder for that account and period
    assert again["status"] == "loaded" and again["reminders"] == []
    assert len(memory_services.sms.sent) == 2


def test_event_shapes_name_the_files_and_other_keys_are_ignored(loader) -> None:  # type: ignore[no-untyped-def]
    s3 = {"Records": [{"s3": {"object": {"key": "feeds/usage/11%E6%9C%88.csv"}}}]}
    assert feed_keys(s3) == ["feeds/usage/11月.csv"]
    assert loader.load("imports/abc/file.csv").status == "not_a_feed"
    assert loader.load("feeds/usage/none.csv").status == "missing"
    assert replace(loader.load("imports/x.csv"), key="k").status == "not_a_feed"


def test_many_reminders_go_out_once_each_even_when_some_fail_and_the_file_comes_again(
    loader, memory_services
) -> None:  # type: ignore[no-untyped-def]
    from chalicelib.dispatch.outbox import RetryLater

    accounts = [f"07010{n:05d}" for n in range(250)]
    memory_services.customers.put_customers(
        Customer(a, "户主", "临河区", "T1", phone=f"1380{a[-7:]}") for a in accounts
    )
    header = "户号,账期,电量,电费,结算余额,欠费,截至时间\n"
    rows = "".join(f"{a},202610,100,50,-50,50,2026-11-03 16:00:00\n" for a in accounts)
    memory_services.sms.fail_transiently(1)  # the provider throttles one SMS
    # When the bill file is loaded: every reminder but one goes out, and the load fails
    with pytest.raises(RetryLater):
        drop(loader, BILL_KEY, csv(header + rows))
    assert len(memory_services.sms.sent) == 249
    # Then EventBridge delivers it again: the file is not in the ledger, so it loads again
    again = drop(loader, BILL_KEY, csv(header + rows))
    assert again["status"] == "loaded" and len(again["reminders"]) == 1
    phones = [s.phone for s in memory_services.sms.sent]
    assert len(phones) == len(set(phones)) == 250  # each account once
    assert drop(loader, BILL_KEY, csv(header + rows))["status"] == "skipped"
