"""The demo month's report set reproduces its own figures: tickets.csv and kpi.json, read by
an independent recomputation (tests/recompute_kpi.py, standard library only), give every
total kpi.json states (SERVICE_STANDARDS.md, KPI definitions; issue 17, "Exports")."""

from __future__ import annotations

import ast
import json
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from chalicelib.domain.calendar import SHANGHAI
from chalicelib.domain.policy import DEFAULT_POLICY
from chalicelib.reports.build import ReportPorts, build_month_report
from chalicelib.reports.reference import reference_of
from chalicelib.store.reference_source import StaticReferenceSource
from chalicelib.store.report_files import InMemoryReportFiles
from infra.local.demo_data import generate
from infra.local.demo_month import generate_month
from tests import recompute_kpi

BUILT = datetime(2026, 12, 1, 1, 0, tzinfo=SHANGHAI)  # the schedule's run for November


@pytest.fixture(scope="module")
def report_set() -> dict[str, bytes]:
    district = generate(5000)
    grid_of = {ta.ta_id: ta.grid_id for ta in district.transformer_areas}
    customers = Counter(grid_of[c.ta_id] for c in district.customers)
    start = datetime(2026, 11, 1, tzinfo=SHANGHAI)
    tickets = [t for t, _ in generate_month(district, start, 2000, BUILT)]

    class Source:
        def tickets(self, _partitions: object, first: datetime, end: datetime) -> Any:
            return (t for t in tickets if first <= t.created_at < end)

    reference = StaticReferenceSource(reference_of(district.org_entities(), customers))
    files = InMemoryReportFiles()
    manifest = build_month_report(
        ReportPorts(Source(), files, reference, 8), "2026-11", policy=DEFAULT_POLICY, now=BUILT
    )
    return {f.name: files.read(f.key) or b"" for f in manifest.files}


def test_the_recomputation_imports_nothing_of_the_kpi_code() -> None:
    tree = ast.parse(Path(recompute_kpi.__file__).read_text(encoding="utf-8"))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in (
            node.names if isinstance(node, ast.Import) else [ast.alias(node.module or "")]
        )
    }
    assert imported <= {"__future__", "csv", "io", "collections", "datetime", "typing"}


def test_the_demo_months_files_reproduce_every_total(report_set: dict[str, bytes]) -> None:
    kpi = json.loads(report_set["kpi.json"])
    rows = report_set["tickets.csv"].decode("utf-8-sig")
    again = recompute_kpi.recompute(rows, kpi)
    assert again == recompute_kpi.reported(kpi)
    # a month with substance: reopens, escalations at both levels, cancellations, misses
    assert again["reopen"][0] > 20 and again["cancelled"] > 20 and again["overdue"] > 100
    assert min(n for n, _ in again["escalations"].values()) > 50
