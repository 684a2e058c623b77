"""tickets.csv — one row per round (轮次) of each ticket with a fact in the period (created in
it, a clock fallen due, a closing, a resolution, a reopen or an escalation), written as the
tickets stream by. Each row carries what its verdicts are made of — every clock's due time,
when it was met and its outcome, the round's start and reopen — so the figures in kpi.json can
be recomputed from the file alone (tests/recompute_kpi.py does).

Excel-friendly: UTF-8 with a BOM, CRLF rows, times in Asia/Shanghai without an offset (Excel
reads them as dates), channels by their Chinese names. Identifiers (工单编号, 工单ID, 户号) start
with a tab, which Excel, WPS and LibreOffice all keep as text on a double-click open, so 户号
`0123456789` keeps its leading zero and a long number never turns into 1.23E+12 (a test opens
the file in LibreOffice). tickets.xlsx (xlsx_writer.TicketSheet) carries the same rows as real
text, number and date cells, with a frozen header and a filter. Phones are masked; the
customer's free text (description, comment) and address are left out — the report is for
counting, the ticket itself is one click away.
Cells that Excel would run as a formula (= + - @) are quoted with a leading apostrophe."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Protocol

from chalicelib.domain.dates import SHANGHAI
from chalicelib.domain.labels import STATUS_LABELS, TYPE_LABELS, channel_label
from chalicelib.domain.phone import mask
from chalicelib.domain.policy import ServicePolicy
from chalicelib.domain.tickets import Outcome, Ticket

from .checks import Check
from .figures import STEP_LABELS
from .reference import Reference
from .rules import round_dues


@dataclass(frozen=True, slots=True)
class RowContext:
    reference: Reference
    policy: ServicePolicy
    as_of: datetime  # the window's `cut`: when the verdicts are taken
    area_class: str = ""

    def area_of(self, ticket: Ticket) -> str:
        return self.reference.area_class(ticket.grid_id, ticket.area_class or "")


HEADER = (
    "工单编号",
    "工单ID",
    "轮次",
    "类型",
    "状态",
    "渠道",
    "分局",
    "供电所",
    "网格",
    "台区",
    "处理人",
    "户号",
    "联系电话",
    "提交时间",
    "撤销时间",
    "本轮开始",
    "重开时间",
    "派单时间",
    "接单时限",
    "接单时间",
    "转派前接单超时",
    "到达时限",
    "到达时间",
    "到达定位",
    "到达结果",
    "到达责任人",
    "处理时限",
    "处理完成时间",
    "处理结果",
    "处理责任人",
    "处理原因",
    "归档时间",
    "回访",
    "评价",
    "派单升级时间",
    "二级快响时间",
    "三级快响时间(到达)",
    "三级快响时间(处理)",
    "流转不合格环节",
    "日历假定",
    "停电事件",
)
# Identifiers a spreadsheet must keep as text (leading zeros, long digit runs).
TEXT_COLUMNS = frozenset({"工单编号", "工单ID", "户号"})
# Columns holding a moment (`local()`), and whole numbers.
TIME_COLUMNS = frozenset(
    h for h in HEADER if h.endswith(("时间", "时限", "本轮开始", "(到达)", "(处理)", "超时"))
)
NUMBER_COLUMNS = frozenset({"轮次", "评价"})
VERDICT = {Outcome.MET: "达标", Outcome.MISSED: "超时", Outcome.PENDING: "未到期", None: ""}


def local(moment: datetime | None) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def safe(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _verdict(due: datetime | None, done: datetime | None, as_of: datetime) -> Outcome | None:
    if due is None:
        return None
    if done is not None:
        return Outcome.MET if done <= due else Outcome.MISSED
    return Outcome.MISSED if as_of > due else Outcome.PENDING


def round_rows(ticket: Ticket, seen: Check, ctx: RowContext) -> Iterator[list[str]]:
    """One row per round of the ticket: its moments, each clock's due, done and verdict."""
    name = ctx.reference.name
    closing_failures = {c.round: c.failures for c in seen.closings}
    for rnd in seen.rounds:
        c, o = rnd.clocks, rnd.outcome
        arrive_due, resolve_due = round_dues(ticket, rnd, ctx.policy, ctx.area_class)
        resolve = _verdict(resolve_due, c.get("resolved_at"), ctx.as_of)
        if rnd.reopened_at is not None and resolve is not None:
            resolve = Outcome.MISSED
        holder = rnd.holder
        yield [
            ticket.number,
            ticket.ticket_id,
            str(rnd.number),
            TYPE_LABELS[ticket.type],
            STATUS_LABELS[ticket.status],
            channel_label(ticket.channel),
            name("branch", ticket.branch_id),
            name("station", ticket.station_id),
            name("grid", ticket.grid_id),
            name("ta", ticket.ta_id),
            name("manager", ticket.assignee_id) if ticket.assignee_id else "",
            ticket.account_no,
            mask(ticket.contact_phone),
            local(ticket.created_at),
            local(c.get("cancelled_at")),
            local(rnd.started_at),
            local(rnd.reopened_at),
            local(c.get("dispatched_at")),
            local(c.get("accept_due")),
            local(c.get("accepted_at")),
            local(c.get("accept_missed_at")),
            local(arrive_due),
            local(c.get("arrived_at")),
            "是" if rnd.located() else "",
            VERDICT[_verdict(arrive_due, c.get("arrived_at"), ctx.as_of)],
            holder("arrive") or "",
            local(resolve_due),
            local(c.get("resolved_at")),
            VERDICT[resolve],
            holder("resolve") or "",
            o.get("cause") or "",
            local(c.get("closed_at")),
            ("是" if rnd.callback_done() else "否") if "closed_at" in c else "",
            str(o.get("rating") or ""),
            local(c.get("dispatch_escalated_at")),
            local(c.get("accept_escalated_at")),
            local(c.get("arrive_escalated_at")),
            local(c.get("resolve_escalated_at")),
            "、".join(STEP_LABELS[f] for f in closing_failures.get(rnd.number, ())),
            "是" if ticket.outcome.get("calendar_assumed") else "",
            ticket.outage_id or "",
        ]


class RowSink(Protocol):
    def write(self, row: list[str]) -> None: ...

    def close(self) -> None: ...


class CsvSink:
    """tickets.csv: formula-like cells defused, identifiers kept as text by a leading tab."""

    _text_at = tuple(i for i, h in enumerate(HEADER) if h in TEXT_COLUMNS)

    def __init__(self, path: Path) -> None:
        self._file: IO[str] = path.open("w", encoding="utf-8-sig", newline="")
        self._writer = csv.writer(self._file)
        self._writer.writerow(HEADER)

    def write(self, row: list[str]) -> None:
        cells = [safe(v) for v in row]
        for i in self._text_at:
            cells[i] = "\t" + cells[i] if cells[i] else ""
        self._writer.writerow(cells)

    def close(self) -> None:
        self._file.close()


class TicketRows:
    """One row per round, written to every sink (tickets.csv, and tickets.xlsx in a build)."""

    def __init__(self, context: RowContext, sinks: list[RowSink]) -> None:
        self.context = context
        self.sinks = sinks
        self.rows = 0

    def add(self, ticket: Ticket, seen: Check) -> None:
        context = replace(self.context, area_class=self.context.area_of(ticket))
        for row in round_rows(ticket, seen, context):
            for sink in self.sinks:
                sink.write(row)
            self.rows += 1

    def close(self) -> None:
        for sink in self.sinks:
            sink.close()


def ticket_csv(path: Path, context: RowContext) -> TicketRows:
    return TicketRows(context, [CsvSink(path)])
