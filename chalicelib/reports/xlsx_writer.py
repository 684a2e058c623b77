"""kpi.xlsx — the figures as a workbook — and tickets.xlsx — tickets.csv's rows as real cells —
written with XlsxWriter in constant-memory mode (each row goes to disk once the next begins),
imported here only: the API never pays for it. Every table sheet has its header frozen and a
filter on it; codes (types, channels, area classes) appear by their Chinese names."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from chalicelib.domain.labels import AREA_LABELS, OUTAGE_KIND_LABELS, TYPE_LABELS, channel_label
from chalicelib.domain.tickets import TicketType

from .csv_writer import HEADER as TICKET_HEADER
from .csv_writer import NUMBER_COLUMNS, TEXT_COLUMNS, TIME_COLUMNS
from .figures import (
    FLOW_STEPS,
    KIND_LABELS,
    STEP_LABELS,
    Figures,
    KpiSet,
    OutageFigures,
    Ratio,
)
from .spool import FAILURE_HEADER, OVERDUE_HEADER, DetailSpool

GROUP_SHEETS = (("branch", "按分局"), ("station", "按供电所"), ("grid", "按网格"))
GROUP_HEADER = (
    "编号",
    "名称",
    "工单数",
    "撤销",
    *(TYPE_LABELS[t] for t in TicketType),
    "户数",
    "每千户工单",
    "故障消缺及时率",
    "到达现场及时率",
    "工单流转合格率",
    "回访满意率",
    "回访率",
    "重开率",
    "二级快响(次)",
    "二级快响(单)",
    "三级快响(次)",
    "三级快响(单)",
    "超期",
    "未办结",
)


class _Sheet:
    def __init__(self, book: Any, name: str, formats: dict[str, Any]) -> None:
        self.sheet = book.add_worksheet(name)
        self.formats = formats
        self.row = 0
        self.table: tuple[int, int] | None = None  # (header row, columns) of the sheet's table

    def header(self, values: Sequence[Any]) -> None:
        """The table's header: frozen, and filtered down to the last row (`finish`). A sheet
        has one table; an overview's small blocks use plain `write(..., "head")`."""
        self.sheet.freeze_panes(self.row + 1, 0)
        self.table = (self.row, len(values))
        self.write(values, "head")

    def finish(self) -> None:
        if self.table is not None:
            top, columns = self.table
            self.sheet.autofilter(top, 0, max(self.row - 1, top), columns - 1)

    def write(self, values: Sequence[Any], style: str | None = None) -> None:
        for col, value in enumerate(values):
            if isinstance(value, Ratio):
                self._rate(col, value.rate)
            elif isinstance(value, float) and style == "rate":
                self._rate(col, value)
            elif value is None:
                self.sheet.write_blank(self.row, col, None)
            else:
                self.sheet.write(self.row, col, value, self.formats.get(style or ""))
        self.row += 1

    def _rate(self, col: int, rate: float | None) -> None:
        if rate is None:
            self.sheet.write_string(self.row, col, "—")
        else:
            self.sheet.write_number(self.row, col, rate, self.formats["rate"])

    def rows(self, rows: Iterable[Sequence[Any]]) -> None:
        for values in rows:
            self.write(values)


def _group_row(group_id: str, name: str, f: Figures) -> list[Any]:
    return [
        group_id,
        name,
        f.tickets,
        f.cancelled,
        *(f.by_type.get(t.value, 0) for t in TicketType),
        f.customers,
        f.per_1000_customers,
        f.fault_fix,
        f.arrival,
        Ratio(f.flow.passed, f.flow.closed, f.flow.rate),
        f.satisfaction,
        f.callback,
        f.reopen,
        *(n for e in f.escalations.values() for n in (e.events, e.tickets)),
        f.overdue,
        f.open_at_end,
    ]


def _overview(sheet: _Sheet, kpi: KpiSet) -> None:
    t = kpi.total
    sheet.write(["云格供电服务月度指标", f"{kpi.period_from} 至 {kpi.period_to}"], "title")
    sheet.write(["数据截至", kpi.as_of])
    sheet.write([])
    sheet.write(["指标", "达标数", "考核数", "比率"], "head")
    for label, r in (
        ("故障消缺及时率", t.fault_fix),
        ("到达现场及时率", t.arrival),
        ("工单流转合格率", Ratio(t.flow.passed, t.flow.closed, t.flow.rate)),
        ("回访满意率", t.satisfaction),
        ("回访率", t.callback),
        ("重开率", t.reopen),
    ):
        sheet.write([label, r.numerator, r.denominator, r])
    sheet.write([])
    sheet.write(["区域类别", "到达工单数", "平均到达时长(分钟)", "承诺时长(分钟)"], "head")
    for a in t.arrival_by_area:
        area = AREA_LABELS.get(a.area_class, a.area_class)
        sheet.write([area, a.arrived, a.average_minutes, a.commitment_minutes])
    sheet.write([])
    sheet.write(["工单量", "数量"], "head")
    sheet.write(["合计（不含撤销）", t.tickets])
    sheet.write(["撤销", t.cancelled])
    sheet.rows([TYPE_LABELS[TicketType(k)], v] for k, v in t.by_type.items())
    sheet.rows([f"渠道：{channel_label(k)}", v] for k, v in t.by_channel.items())
    sheet.write(["户数", t.customers])
    sheet.write(["每千户工单", t.per_1000_customers])
    sheet.write([])
    sheet.write(["三级快响", "升级次数", "升级工单数"], "head")
    sheet.rows([f"{level} 级", e.events, e.tickets] for level, e in t.escalations.items())
    sheet.write(["超期工单（到达或处理超时）", t.overdue])
    sheet.write(["期末未办结", t.open_at_end])
    if kpi.outages is not None:
        _outages(sheet, kpi.outages)


def _outages(sheet: _Sheet, o: OutageFigures) -> None:
    sheet.write([])
    sheet.write(["停电事件（不含撤销）", "数量"], "head")
    sheet.write(["停电次数", o.outages])
    sheet.rows([OUTAGE_KIND_LABELS.get(k, k), v] for k, v in o.by_kind.items())
    sheet.write(["影响户数", o.customers_affected])
    sheet.write(["停电时户数(户·分钟)", o.customer_minutes])
    sheet.write(["每千户停电时户数(户·分钟)", o.customer_minutes_per_1000])
    sheet.write([])
    header = ["区域类别", "已恢复故障停电", "承诺内恢复", "平均恢复时长(分钟)", "承诺时长(分钟)"]
    sheet.write(header, "head")
    for r in o.restoration:
        area = AREA_LABELS.get(r.area_class, r.area_class or "未知")
        sheet.write(
            [area, r.restored, r.within_commitment, r.average_minutes, r.commitment_minutes]
        )


def write_kpi_xlsx(path: Path, kpi: KpiSet, details: DetailSpool) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    formats = {
        "head": book.add_format({"bold": True, "bg_color": "#DDEBF7"}),
        "title": book.add_format({"bold": True, "font_size": 14}),
        "rate": book.add_format({"num_format": "0.0%"}),
    }
    overview = _Sheet(book, "总览", formats)
    overview.sheet.set_column(0, 0, 22)
    overview.sheet.set_column(1, 3, 16)
    _overview(overview, kpi)
    for kind, title in (*GROUP_SHEETS, ("manager", "按网格经理")):
        sheet = _Sheet(book, title, formats)
        sheet.sheet.set_column(0, 1, 16)
        sheet.header([f"{KIND_LABELS[kind]}编号", *GROUP_HEADER[1:]])
        sheet.rows(_group_row(g.id, g.name, g.figures) for g in kpi.of_kind(kind))
        sheet.finish()
    failures = _Sheet(book, "流转不合格（按环节）", formats)
    failures.sheet.set_column(0, 6, 16)
    failures.write(["环节", "不合格工单数"], "head")
    failures.rows([STEP_LABELS[s], kpi.total.flow.failures_by_step[s]] for s in FLOW_STEPS)
    failures.write([])
    failures.header(FAILURE_HEADER)
    failures.rows(details.failures.read())
    failures.finish()
    overdue = _Sheet(book, "超期及未结工单", formats)
    overdue.sheet.set_column(0, 9, 14)
    overdue.header(OVERDUE_HEADER)
    overdue.rows(details.overdue.read())
    overdue.finish()
    hotspots = _Sheet(book, "频繁停电台区", formats)
    hotspots.sheet.set_column(0, 4, 18)
    hotspots.header(["台区编号", "台区", "网格", "供电所", "故障次数"])
    names = {(g.kind, g.id): g.name for g in kpi.groups}
    hotspots.rows(
        [
            h.ta_id,
            h.name,
            names.get(("grid", h.grid_id), h.grid_id),
            names.get(("station", h.station_id), h.station_id),
            h.fault_events,
        ]
        for h in kpi.hotspots
    )
    hotspots.finish()
    book.close()


TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


class TicketSheet:
    """tickets.xlsx: the rows of tickets.csv as cells a spreadsheet need not guess — identifiers
    as text, times as dates, round and rating as numbers — header frozen, filter on."""

    def __init__(self, path: Path) -> None:
        import xlsxwriter

        self.book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
        self.sheet = self.book.add_worksheet("工单明细")
        self.head = self.book.add_format({"bold": True, "bg_color": "#DDEBF7"})
        self.text = self.book.add_format({"num_format": "@"})
        self.time = self.book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        self.kinds = [
            "text"
            if h in TEXT_COLUMNS
            else "time"
            if h in TIME_COLUMNS
            else "number"
            if h in NUMBER_COLUMNS
            else ""
            for h in TICKET_HEADER
        ]
        self.sheet.freeze_panes(1, 0)
        self.sheet.set_column(0, len(TICKET_HEADER) - 1, 14)
        self.sheet.write_row(0, 0, TICKET_HEADER, self.head)
        self.row = 1

    def write(self, row: list[str]) -> None:
        for col, (kind, value) in enumerate(zip(self.kinds, row, strict=True)):
            if value == "":
                continue
            if kind == "time":
                moment = datetime.strptime(value, TIME_FORMAT)
                self.sheet.write_datetime(self.row, col, moment, self.time)
            elif kind == "number":
                self.sheet.write_number(self.row, col, int(value))
            elif kind == "text":
                self.sheet.write_string(self.row, col, value, self.text)
            else:
                self.sheet.write_string(self.row, col, value)
        self.row += 1

    def close(self) -> None:
        self.sheet.autofilter(0, 0, max(self.row - 1, 0), len(TICKET_HEADER) - 1)
        self.book.close()
