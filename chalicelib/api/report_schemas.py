"""Request and response schemas of the statistics and report routes (msgspec). The KPI
figures themselves are chalicelib.reports.figures.KpiSet, the same Struct as kpi.json."""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta, Struct

from chalicelib.domain.dates import MONTH_PATTERN

Month = Annotated[str, Meta(pattern=MONTH_PATTERN, description="YYYY-MM，北京时间（2000–2099 年）")]


class CreateReport(Struct):
    month: Month


class ReportFile(Struct):
    name: str  # tickets.csv | tickets.xlsx | kpi.xlsx | report.html | kpi.json
    url: str  # presigned GET, valid 15 minutes
    size: int  # bytes


class ReportSet(Struct):
    month: str
    generated_at: str
    files: list[ReportFile]
