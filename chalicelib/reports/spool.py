"""Per-ticket detail lists the spreadsheet needs AFTER the totals it heads them with: the
flow-compliance failures of the period's closings, and the overdue clocks (each missed arrive
or resolve clock with its lateness) and still-open tickets. They are spooled to temporary
files during the pass and streamed into the workbook at the end, so memory stays flat."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import IO

from chalicelib.domain.labels import CLOCK_LABELS, STATUS_LABELS, TYPE_LABELS
from chalicelib.domain.tickets import Ticket

from .checks import Check
from .csv_writer import local
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
    "轮次",
    "超期环节",
    "时限",
    "完成时间",
    "超时(分钟)",
    "责任人",
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

    def add(self, ticket: Ticket, seen: Check, cut: datetime) -> None:
        """Flow failures of the period's closings; each missed arrive / resolve clock with its
        lateness (超期); a ticket created in the period and open at its end (未办结)."""
        name = self.reference.name
        where = [
            name("station", ticket.station_id),
            name("grid", ticket.grid_id),
            name("manager", ticket.assignee_id) if ticket.assignee_id else "",
            local(ticket.created_at),
        ]
        head = [ticket.number, TYPE_LABELS[ticket.type]]
        for closing in seen.closings:
            if closing.failures:
                steps = "、".join(STEP_LABELS[s] for s in closing.failures)
                self.failures.add([*head, *where, steps])
        still_open = "是" if seen.open_at_end else ""
        for fact in seen.missed:
            late = fact.lateness(cut)
            minutes = "" if late is None else str(round(late.total_seconds() / 60, 1))
            holder = name("manager", fact.holder) if fact.holder else ""
            self.overdue.add(
                [
                    *head,
                    STATUS_LABELS[ticket.status],
                    *where,
                    str(fact.round),
                    CLOCK_LABELS[fact.clock],
                    local(fact.due),
                    local(fact.done_at),
                    minutes,
                    holder,
                    still_open,
                ]
            )
        if seen.open_at_end and not seen.missed:
            row = [*head, STATUS_LABELS[ticket.status], *where, "", "", "", "", "", "", still_open]
            self.overdue.add(row)
