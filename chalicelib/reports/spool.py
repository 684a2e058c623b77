"""Per-ticket detail lists the spreadsheet needs AFTER the totals it heads them with: the
flow-compliance failures and the overdue / still-open tickets. They are spooled to temporary
files during the pass and streamed into the workbook at the end, so memory stays flat."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from chalicelib.domain.lifecycle import STATUS_LABELS
from chalicelib.domain.records import Ticket
from chalicelib.domain.tickets import TYPE_LABELS

from .checks import Check
from .csv_writer import CLOCK_LABELS, local
from .figures import STEP_LABELS
from .reference import Reference

FAILURE_HEADER = ("工单编号", "类型", "供电所", "网格", "处理人", "提交时间", "不合格环节")
OVERDUE_HEADER = (
    "工单编号",
    "类型",
    "状态",
    "供电所",
    "网格",
    "处理人",
    "提交时间",
    "超期环节",
    "升级级别",
    "未办结",
)


class _Spool:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.rows = 0
        self._file: IO[str] = path.open("w", encoding="utf-8", newline="")
        self._writer = csv.writer(self._file)

    def add(self, row: list[str]) -> None:
        self._writer.writerow(row)
        self.rows += 1

    def read(self) -> Iterator[list[str]]:
        self._file.close()
        with self.path.open(encoding="utf-8", newline="") as handle:
            yield from csv.reader(handle)


class DetailSpool:
    def __init__(self, directory: Path, reference: Reference) -> None:
        self.reference = reference
        self.failures = _Spool(directory / "flow_failures.spool")
        self.overdue = _Spool(directory / "overdue.spool")

    def add(self, ticket: Ticket, seen: Check) -> None:
        name = self.reference.name
        where = [
            name("station", ticket.station_id),
            name("grid", ticket.grid_id),
            name("manager", ticket.assignee_id) if ticket.assignee_id else "",
            local(ticket.created_at),
        ]
        if seen.flow_failures:
            steps = "、".join(STEP_LABELS[s] for s in seen.flow_failures)
            self.failures.add([ticket.number, TYPE_LABELS[ticket.type], *where, steps])
        if seen.missed or ticket.is_open or ticket.overdue:
            self.overdue.add(
                [
                    ticket.number,
                    TYPE_LABELS[ticket.type],
                    STATUS_LABELS[ticket.status],
                    *where,
                    "、".join(CLOCK_LABELS[m] for m in seen.missed),
                    str(ticket.escalation_level),
                    "是" if ticket.is_open else "",
                ]
            )
