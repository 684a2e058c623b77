"""Building a month's report set: one streaming pass over the month's tickets feeds the KPI
engine, tickets.csv and the detail spools; then the workbook, the page and kpi.json are
written from the figures, and the set is published with its manifest last (publish.py)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import msgspec

from chalicelib.domain.dates import SHANGHAI, is_month, month_of
from chalicelib.domain.errors import ValidationFailed
from chalicelib.domain.ids import new_ulid
from chalicelib.domain.outages import Outage
from chalicelib.domain.policy import ServicePolicy
from chalicelib.domain.rounds import SETTLE_AFTER
from chalicelib.domain.tickets import Ticket
from chalicelib.store.outages import NO_OUTAGES, OutageReader
from chalicelib.store.reference_source import ReferenceSource
from chalicelib.store.report_files import ReportFiles
from chalicelib.store.ticket_source import TicketSource
from chalicelib.store.tickets import Source, month_partitions, settle_partitions

from .checks import Window
from .csv_writer import CsvSink, RowContext, RowSink, TicketRows
from .figures import KpiSet
from .kpi import KpiEngine
from .publish import Manifest, publish, read_manifest
from .reference import Reference
from .spool import DetailSpool

EPOCH = datetime(2000, 1, 1, tzinfo=SHANGHAI)  # before any ticket
# How far past `as_of` a ticket final by then may settle: its latest recorded moment (a due
# time up to 6 working days ahead, under 31 days) + SETTLE_AFTER.
SETTLE_HORIZON = 2 * SETTLE_AFTER


@dataclass(frozen=True, slots=True)
class ReportPorts:
    source: TicketSource
    files: ReportFiles
    reference: ReferenceSource
    month_shards: int
    bureau_name: str = ""  # titles the report (Settings.bureau_name)
    outages: OutageReader = NO_OUTAGES  # the outage store (issue 14's figures)


def month_window(month: str, as_of: datetime) -> Window:
    if not is_month(month):
        raise ValidationFailed(fields={"month": "月份格式应为 YYYY-MM（2000–2099 年）"})
    year, number = int(month[:4]), int(month[5:])
    start = datetime(year, number, 1, tzinfo=SHANGHAI)
    end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=SHANGHAI)
    if start > as_of:
        raise ValidationFailed(fields={"month": "该月份尚未开始"})
    return Window(start, end, as_of)


def previous_month(now: datetime) -> str:
    first = now.astimezone(SHANGHAI).replace(day=1)
    return month_of(first - timedelta(days=1))


Read = tuple[list[Source], datetime, datetime]


def reads(window: Window, month_shards: int, partitions: list[Source] | None) -> list[Read]:
    """What to read for a period: the tickets created in it (the given partitions, else the
    bureau's month shards), and the tickets created before it that had not settled by its
    start — with `settles_at`, provably every ticket that may have a fact in the period."""
    created = partitions or month_partitions(window.start, window.end, month_shards)
    earlier = settle_partitions(window.start, window.as_of + SETTLE_HORIZON, month_shards)
    return [(created, window.start, window.end), (earlier, EPOCH, window.start)]


def compute(
    ports: ReportPorts,
    window: Window,
    policy: ServicePolicy,
    partitions: list[Source] | None = None,
    *,
    csv: TicketRows | None = None,
    details: DetailSpool | None = None,
) -> KpiSet:
    """The streaming pass. `partitions` narrow the period's own tickets to a scope (a station's,
    …; the earlier tickets are then kept to the reference's grids); without, the bureau's."""
    from .outage_figures import outage_figures

    reference = ports.reference.load()
    engine = KpiEngine(window, policy, reference)
    in_scope = (lambda t: True) if partitions is None else (lambda t: t.grid_id in reference.grids)
    for wanted, start, end in reads(window, ports.month_shards, partitions):
        for ticket in ports.source.tickets(wanted, start, end):
            if in_scope(ticket):
                _add(engine, ticket, csv, details, window)
    outages = ports.outages.between(window.start, window.end)
    kept = outages if partitions is None else [o for o in outages if _within(o, reference)]
    return msgspec.structs.replace(
        engine.result(), outages=outage_figures(kept, reference, policy, window)
    )


def _within(outage: Outage, reference: Reference) -> bool:
    """In a scoped reference: the outage's grid, else (a line) its station, is the scope's."""
    if outage.grid_id:
        return outage.grid_id in reference.grids
    return any(g.station_id == outage.station_id for g in reference.grids.values())


def _add(
    engine: KpiEngine,
    ticket: Ticket,
    csv: TicketRows | None,
    details: DetailSpool | None,
    window: Window,
) -> None:
    seen = engine.add(ticket)
    if seen.counted:
        if csv is not None:
            csv.add(ticket, seen)
        if details is not None:
            details.add(ticket, seen, window.cut)


def report_title(bureau_name: str, reference: Reference) -> str:
    """巴彦淖尔供电公司 临河供电分局 供电服务月报: the bureau, and the branch when there is one."""
    branches = sorted({reference.name("branch", g.branch_id) for g in reference.grids.values()})
    names = [bureau_name] if bureau_name else []
    names += branches if len(branches) == 1 else []
    return " ".join([*names, "供电服务月报"]) if names else "云格供电服务月报"


def published_kpi(files: ReportFiles, month: str) -> KpiSet | None:
    """A month's published kpi.json (to compare with), or None when it was never built."""
    manifest = read_manifest(files, month)
    entry = next((f for f in manifest.files if f.name == "kpi.json"), None) if manifest else None
    raw = files.read(entry.key) if entry else None
    return msgspec.json.decode(raw, type=KpiSet) if raw else None


def build_month_report(
    ports: ReportPorts, month: str, *, policy: ServicePolicy, now: datetime
) -> Manifest:
    from .html_writer import PageContext, write_report_html
    from .xlsx_writer import TicketSheet, write_kpi_xlsx

    window = month_window(month, now)
    reference = ports.reference.load()
    with tempfile.TemporaryDirectory(prefix="yunge-report-") as tmp:
        folder = Path(tmp)
        context = RowContext(reference, policy, window.cut)
        sinks: list[RowSink] = [
            CsvSink(folder / "tickets.csv"),
            TicketSheet(folder / "tickets.xlsx"),
        ]
        csv = TicketRows(context, sinks)
        details = DetailSpool(folder, reference)
        try:
            kpi = compute(ports, window, policy, csv=csv, details=details)
        finally:
            csv.close()
        write_kpi_xlsx(folder / "kpi.xlsx", kpi, details)
        before = window.start - timedelta(days=1)
        page = PageContext(
            title=report_title(ports.bureau_name, reference),
            previous=published_kpi(ports.files, month_of(before)),
            targets=policy.kpi_targets,
        )
        write_report_html(folder / "report.html", kpi, page)
        (folder / "kpi.json").write_bytes(msgspec.json.encode(kpi))
        names = ("tickets.csv", "tickets.xlsx", "kpi.xlsx", "report.html", "kpi.json")
        generated_at = now.astimezone(SHANGHAI).isoformat(timespec="seconds")
        return publish(ports.files, month, new_ulid(now), generated_at, [folder / n for n in names])
