"""The report files as their readers meet them: Excel opening the CSV and the workbook, a
browser opening the page, a machine reading kpi.json — and the set published whole."""

from __future__ import annotations

import csv
import re
import zipfile
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import msgspec

from chalicelib.domain.policy import DEFAULT_POLICY
from chalicelib.reports.csv_writer import CsvSink, RowContext, TicketRows
from chalicelib.reports.html_writer import render_report
from chalicelib.reports.kpi import KpiEngine
from chalicelib.reports.publish import publish, read_manifest
from chalicelib.reports.spool import DetailSpool
from chalicelib.reports.xlsx_writer import TicketSheet, write_kpi_xlsx
from chalicelib.store.report_files import InMemoryReportFiles
from tests.unit.test_kpi import NOV, REFERENCE, november

SHEETS = [
    "总览",
    "按分局",
    "按供电所",
    "按网格",
    "按网格经理",
    "流转不合格（按环节）",
    "超期及未结工单",
    "频繁停电台区",
]


def build(folder: Path) -> object:
    engine = KpiEngine(NOV, DEFAULT_POLICY, REFERENCE)
    sinks = [CsvSink(folder / "tickets.csv"), TicketSheet(folder / "tickets.xlsx")]
    out = TicketRows(RowContext(REFERENCE, DEFAULT_POLICY, NOV.cut), sinks)  # type: ignore[arg-type]
    details = DetailSpool(folder, REFERENCE)
    for n, ticket in enumerate(november()):
        # account numbers as the bureau's: 12 digits with a leading zero (DOMAIN_NOTES)
        ticket = replace(ticket, account_no=f"01{n:010d}")
        seen = engine.add(ticket)
        if seen.counted:
            out.add(ticket, seen)
            details.add(ticket, seen, NOV.cut)
    out.close()
    kpi = engine.result()
    write_kpi_xlsx(folder / "kpi.xlsx", kpi, details)
    return kpi


def test_tickets_csv_is_excel_friendly_with_masked_phones(tmp_path: Path) -> None:
    build(tmp_path)
    raw = (tmp_path / "tickets.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = [[c.strip() for c in r] for r in csv.reader(raw.decode("utf-8-sig").splitlines())]
    # a row per round of every ticket with a fact in November: 4 (October's) has its clocks
    # there, 6 was reopened (two rounds), 7 was cancelled
    assert rows[0][0] == "工单编号" and len(rows) == 1 + 8
    assert [(r[0], r[2]) for r in rows[1:] if r[0] == "N6"] == [("N6", "1"), ("N6", "2")]
    assert "13800000000" not in raw.decode("utf-8-sig")
    phone = rows[0].index("联系电话")
    assert {r[phone] for r in rows[1:]} == {"138****0000"}
    failed = rows[0].index("流转不合格环节")
    by_number = {r[0]: r for r in rows[1:]}
    assert by_number["N2"][failed] == "5分钟内派单、按时接单、完成回访"


def test_identifiers_stay_text_and_channels_read_in_chinese(tmp_path: Path) -> None:
    """Excel (and WPS, LibreOffice) opening tickets.csv on a double-click would read 户号
    012345678901 as the number 12345678901: a leading tab keeps it text. A reader that strips
    cells (as recompute_kpi does) gets the value back exactly."""
    build(tmp_path)
    rows = list(csv.DictReader((tmp_path / "tickets.csv").read_text("utf-8-sig").splitlines()))
    assert rows[0]["户号"] == "\t010000000000" and rows[0]["户号"].strip() == "010000000000"
    assert rows[0]["工单编号"] == "\tN1"
    assert {r["渠道"] for r in rows} == {"微信小程序"}  # not the code `miniprogram`


def test_tickets_xlsx_has_text_identifiers_real_dates_and_a_filter(tmp_path: Path) -> None:
    import openpyxl

    build(tmp_path)
    sheet = openpyxl.load_workbook(tmp_path / "tickets.xlsx").active
    assert sheet is not None and sheet.title == "工单明细"
    header = [c.value for c in sheet[1]]
    row = {h: c for h, c in zip(header, sheet[2], strict=True)}
    assert row["户号"].value == "010000000000" and row["户号"].data_type == "s"
    assert row["工单编号"].value == "N1"
    assert isinstance(row["提交时间"].value, datetime)  # sortable, filterable dates
    assert row["轮次"].value == 1
    from openpyxl.utils import get_column_letter

    last = get_column_letter(len(header))
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:{last}{sheet.max_row}"
    csv_rows = (tmp_path / "tickets.csv").read_text("utf-8-sig").splitlines()
    assert sheet.max_row == len(csv_rows)  # the same rows as the CSV


def test_kpi_workbook_tables_have_frozen_headers_filters_and_labels(tmp_path: Path) -> None:
    import openpyxl

    build(tmp_path)
    book = openpyxl.load_workbook(tmp_path / "kpi.xlsx")
    for title in ("按分局", "按供电所", "按网格", "按网格经理", "超期及未结工单", "频繁停电台区"):
        sheet = book[title]
        assert sheet.freeze_panes == "A2", title
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:"), title
    failures = book["流转不合格（按环节）"]
    assert failures.auto_filter.ref and failures.freeze_panes  # the per-ticket table below
    labels = [row[0] for row in book["总览"].iter_rows(values_only=True)]
    assert "渠道：微信小程序" in labels and not any("miniprogram" in str(v) for v in labels)


def test_formula_like_cells_are_quoted(tmp_path: Path) -> None:
    from chalicelib.reports.csv_writer import safe

    assert safe("=HYPERLINK(1)") == "'=HYPERLINK(1)" and safe("线路老化") == "线路老化"


def test_workbook_has_every_sheet_written_in_constant_memory(tmp_path: Path) -> None:
    build(tmp_path)
    with zipfile.ZipFile(tmp_path / "kpi.xlsx") as book:
        workbook = book.read("xl/workbook.xml").decode()
        assert re.findall(r'<sheet name="([^"]+)"', workbook) == SHEETS
        assert "xl/sharedStrings.xml" not in book.namelist()  # inline strings: streamed rows
        overdue = book.read("xl/worksheets/sheet7.xml").decode()
    assert "N3" in overdue  # the ticket still open past its arrive clock
    assert "N2" in overdue and ">30.0<" in overdue  # rural: arrived 30 minutes late


def test_page_is_self_contained_with_three_charts(tmp_path: Path) -> None:
    kpi = build(tmp_path)
    page = render_report(kpi)  # type: ignore[arg-type]
    assert page.count("<svg") == 3 and 'lang="zh-CN"' in page
    assert not re.search(r'(src|href)\s*=\s*"https?:', page)
    for svg in re.findall(r"<svg.*?</svg>", page, flags=re.S):
        ElementTree.fromstring(svg)  # well-formed inline SVG
    assert "故障消缺及时率" in page and "城关供电所" in page


def test_kpi_json_round_trips(tmp_path: Path) -> None:
    from chalicelib.reports.figures import KpiSet

    kpi = build(tmp_path)
    again = msgspec.json.decode(msgspec.json.encode(kpi), type=KpiSet)
    assert again == kpi


def test_a_rerun_replaces_the_set_and_writes_the_manifest_last(tmp_path: Path) -> None:
    files = InMemoryReportFiles()
    (tmp_path / "a.csv").write_text("x")
    (tmp_path / "b.json").write_text("{}")
    publish(files, "2026-11", "01OLD", "t1", [tmp_path / "a.csv", tmp_path / "b.json"])
    publish(files, "2026-11", "02NEW", "t2", [tmp_path / "a.csv"])
    assert files.writes[-1] == "reports/2026-11/manifest.json"
    assert files.keys("reports/2026-11/") == [
        "reports/2026-11/02NEW/a.csv",
        "reports/2026-11/manifest.json",
    ]
    manifest = read_manifest(files, "2026-11")
    assert manifest is not None and manifest.run_id == "02NEW"


def test_an_older_run_finishing_late_deletes_nothing_newer(tmp_path: Path) -> None:
    files = InMemoryReportFiles()
    (tmp_path / "a.csv").write_text("x")
    publish(files, "2026-11", "02NEW", "t2", [tmp_path / "a.csv"])
    publish(files, "2026-11", "01OLD", "t1", [tmp_path / "a.csv"])
    assert "reports/2026-11/02NEW/a.csv" in files.keys("reports/2026-11/")


def test_targets_are_reference_lines_not_bars(tmp_path: Path) -> None:
    from chalicelib.reports.charts import arrival_minutes, station_kpis

    kpi = build(tmp_path)
    stations = station_kpis(kpi)  # type: ignore[arg-type]
    assert "目标 100%" in stations and 'class="major guide line"' in stations
    assert ">目标<" not in stations  # no series (legend entry, bars) called 目标
    arrival = arrival_minutes(kpi)  # type: ignore[arg-type]
    assert "承诺 45" in arrival and ">承诺时长<" not in arrival


def _with(kpi: Any, **rates: float) -> Any:
    """`kpi` with its total's rates replaced (fault_fix=0.9 …): last month, for comparing."""
    from msgspec.structs import replace as struct_replace

    from chalicelib.reports.figures import Ratio

    total = struct_replace(
        kpi.total, **{k: Ratio(9, 10, v) for k, v in rates.items() if k != "flow"}
    )
    if "flow" in rates:
        total = struct_replace(total, flow=struct_replace(total.flow, rate=rates["flow"]))
    return struct_replace(kpi, total=total)


def test_cards_show_target_state_and_change_from_last_month(tmp_path: Path) -> None:
    from chalicelib.reports.html_writer import PageContext

    kpi: Any = build(tmp_path)  # this November: fault fix 3/3, flow 3/5, reopen 1/6
    last = _with(kpi, fault_fix=0.9, flow=0.8)
    page = render_report(kpi, PageContext(previous=last))
    card = re.search(r'<div class="card (\w+)">故障消缺及时率.*?</div>', page)
    assert card is not None and card.group(1) == "green"
    assert "目标 100.0% · 达标" in card.group(0) and "较上月 ▲10.0 个百分点" in card.group(0)
    flow = re.search(r'<div class="card (\w+)">工单流转合格率.*?</div>', page)
    assert flow is not None and flow.group(1) == "red"
    assert "未达标" in flow.group(0) and "较上月 ▼20.0 个百分点" in flow.group(0)
    reopen = re.search(r'<div class="card (\w+)">重开率.*?</div>', page)
    assert reopen is not None and "≤ 2.0%" in reopen.group(0) and reopen.group(1) == "red"
    alone = render_report(kpi)  # no report for last month
    assert "较上月 —" in alone and "1 级" not in alone  # escalation counts from level 2
    assert re.search(r"三级快响（升级）<b>\d+</b><span class=\"muted\">二级 \d+ 次", alone)


def test_rag_bands_follow_the_policy() -> None:
    from chalicelib.domain.policy import DEFAULT_KPI_TARGETS

    fault_fix, reopen = DEFAULT_KPI_TARGETS["fault_fix"], DEFAULT_KPI_TARGETS["reopen"]
    assert [fault_fix.state(r) for r in (1.0, 0.99, 0.97, 0.5, None)] == [
        "green",
        "green",
        "amber",
        "red",
        None,
    ]
    assert [reopen.state(r) for r in (0.0, 0.02, 0.04, 0.2)] == ["green", "green", "amber", "red"]


def test_title_names_bureau_and_branch_and_as_of_is_readable(tmp_path: Path) -> None:
    from chalicelib.reports.build import report_title
    from chalicelib.reports.html_writer import PageContext
    from chalicelib.reports.reference import Reference

    named = Reference(REFERENCE.grids, {**REFERENCE.names, "branch#B1": "临河供电分局"})
    title = report_title("巴彦淖尔供电公司", named)
    assert title == "巴彦淖尔供电公司 临河供电分局 供电服务月报"
    kpi: Any = build(tmp_path)
    page = render_report(kpi, PageContext(title=title))
    assert "<h1>巴彦淖尔供电公司 临河供电分局 供电服务月报 2026年11月</h1>" in page
    assert re.search(r"数据截至 \d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d（北京时间）", page)
    assert "T00:00" not in page and "+08:00" not in page


def test_rankings_list_best_and_worst_grids_and_managers(tmp_path: Path) -> None:
    kpi: Any = build(tmp_path)
    page = render_report(kpi)
    for heading in ("网格 · 故障消缺及时率", "网格经理 · 工单流转合格率"):
        assert f"<h3>{heading}</h3>" in page
    block = page.split("<h3>网格 · 故障消缺及时率</h3>")[1].split("</div>")[0]
    best, worst = block.split("最差 10")
    rates = [float(r) for r in re.findall(r"<td>([\d.]+)%</td>", best)]
    assert rates == sorted(rates, reverse=True) and rates  # best first
    worst_rates = [float(r) for r in re.findall(r"<td>([\d.]+)%</td>", worst)]
    assert worst_rates == sorted(worst_rates)


def test_hotspots_show_the_top_20_and_point_to_the_workbook(tmp_path: Path) -> None:
    from msgspec.structs import replace as struct_replace

    from chalicelib.reports.figures import Hotspot

    kpi: Any = build(tmp_path)
    many = [Hotspot(f"T{n}", f"台区{n:03d}", "G1", "S1", 3 + n % 7) for n in range(213)]
    page = render_report(struct_replace(kpi, hotspots=many))
    table = page.split("频繁停电台区")[1]
    assert table.count("<tr>") == 1 + 20
    assert "共 213 个台区" in table and "kpi.xlsx" in table
    shown = [int(c) for c in re.findall(r"<td>(\d+)</td></tr>", table)]
    assert shown == sorted(shown, reverse=True) and shown[0] == 9


def test_an_empty_month_says_so(tmp_path: Path) -> None:
    from chalicelib.reports.checks import Window
    from chalicelib.reports.kpi import KpiEngine

    empty = KpiEngine(Window(NOV.start, NOV.end, NOV.cut), DEFAULT_POLICY, REFERENCE).result()
    page = render_report(empty)
    assert "本月无工单" in page and "<svg" not in page


def test_last_months_published_figures_are_found_for_comparison(tmp_path: Path) -> None:
    from chalicelib.reports.build import published_kpi

    kpi: Any = build(tmp_path)
    files = InMemoryReportFiles()
    assert published_kpi(files, "2026-10") is None  # never built: the cards say 较上月 —
    (tmp_path / "kpi.json").write_bytes(msgspec.json.encode(kpi))
    publish(files, "2026-10", "01RUN", "t", [tmp_path / "kpi.json"])
    assert published_kpi(files, "2026-10") == kpi
