"""tickets.csv — one row per ticket created in the period, written as the tickets stream by.

Excel-friendly: UTF-8 with a BOM, CRLF rows, times in Asia/Shanghai without an offset (Excel
reads them as dates). Phones are masked; the customer's free text (description, comment)
and address are left out — the report is for counting, the ticket itself is one click away.
Cells that Excel would run as a formula (= + - @) are quoted with a leading apostrophe."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from chalicelib.domain.clocks import Outcome
from chalicelib.domain.dates import SHANGHAI
from chalicelib.domain.lifecycle import STATUS_LABELS
from chalicelib.domain.phone import mask
from chalicelib.domain.records import Ticket
from chalicelib.domain.tickets import TYPE_LABELS

from .checks import Check, submitted_at
from .figures import STEP_LABELS
from .reference import Reference

MOMENTS = (
    ("dispatched_at", "派单时间"),
    ("accepted_at", "接单时间"),
    ("arrived_at", "到达时间"),
    ("resolved_at", "处理完成时间"),
    ("closed_at", "归档时间"),
    ("cancelled_at", "撤销时间"),
)
HEADER = (
    "工单编号",
    "工单ID",
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
    *(label for _, label in MOMENTS),
    "到达用时(分钟)",
    "到达及时",
    "消缺及时",
    "超期环节",
    "升级级别",
    "超期",
    "处理原因",
    "评价",
    "重开次数",
    "流转不合格环节",
)
VERDICT = {Outcome.MET: "是", Outcome.MISSED: "否", None: ""}
CLOCK_LABELS = {"accept": "接单", "arrive": "到达", "resolve": "处理"}


def local(moment: datetime | None) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def safe(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def ticket_row(ticket: Ticket, seen: Check, reference: Reference) -> list[str]:
    c, o = ticket.clocks, ticket.outcome
    arrived = c.get("arrived_at")
    minutes = round((arrived - submitted_at(ticket)).total_seconds() / 60, 1) if arrived else ""
    failures = seen.flow_failures or ()
    return [
        ticket.number,
        ticket.ticket_id,
        TYPE_LABELS[ticket.type],
        STATUS_LABELS[ticket.status],
        ticket.channel,
        reference.name("branch", ticket.branch_id),
        reference.name("station", ticket.station_id),
        reference.name("grid", ticket.grid_id),
        reference.name("ta", ticket.ta_id),
        reference.name("manager", ticket.assignee_id) if ticket.assignee_id else "",
        ticket.account_no,
        mask(ticket.contact_phone),
        local(ticket.created_at),
        *(local(c.get(name)) for name, _ in MOMENTS),
        str(minutes),
        VERDICT[seen.arrive],
        VERDICT[seen.resolve],
        "、".join(CLOCK_LABELS[m] for m in seen.missed),
        str(ticket.escalation_level),
        "是" if ticket.overdue else "",
        o.get("cause") or "",
        str(o.get("rating") or ""),
        str(o.get("reopen_count") or 0),
        "、".join(STEP_LABELS[f] for f in failures),
    ]


class TicketCsv:
    def __init__(self, path: Path, reference: Reference) -> None:
        self.path = path
        self.reference = reference
        self.rows = 0
        self._file: IO[str] = path.open("w", encoding="utf-8-sig", newline="")
        self._writer = csv.writer(self._file)
        self._writer.writerow(HEADER)

    def add(self, ticket: Ticket, seen: Check) -> None:
        self._writer.writerow([safe(v) for v in ticket_row(ticket, seen, self.reference)])
        self.rows += 1

    def close(self) -> None:
        self._file.close()
