"""Report use cases the API and the schedule call: build a month, list its files, and the
wiring of the report ports to DynamoDB and S3 (or to in-memory fakes in tests)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from chalicelib.config import Settings
from chalicelib.domain.dates import is_month
from chalicelib.domain.errors import NotFound, ValidationFailed
from chalicelib.store.outages import NoOutages, OutageReader
from chalicelib.store.report_files import InMemoryReportFiles, S3ReportFiles

from .build import ReportPorts, build_month_report, previous_month
from .publish import Manifest, read_manifest


def dynamo_report_ports(settings: Settings, clock: Any) -> ReportPorts:
    from chalicelib.store.dynamo_outages import DynamoOutageStore
    from chalicelib.store.reference_source import DynamoReferenceSource
    from chalicelib.store.ticket_source import DynamoTicketSource

    return ReportPorts(
        source=DynamoTicketSource(settings.region),
        files=S3ReportFiles(settings.bucket, settings.region),
        reference=DynamoReferenceSource(settings.bureau, clock),
        month_shards=settings.month_shards,
        bureau_name=settings.bureau_name,
        outages=DynamoOutageStore(settings.bureau),
    )


def memory_report_ports(
    store: Any,
    entities: Iterable[object],
    customers: Mapping[str, int],
    month_shards: int = 8,
    outages: OutageReader | None = None,
) -> ReportPorts:
    from chalicelib.store.reference_source import StaticReferenceSource
    from chalicelib.store.ticket_source import InMemoryTicketSource

    from .reference import reference_of

    return ReportPorts(
        source=InMemoryTicketSource(store),
        files=InMemoryReportFiles(),
        reference=StaticReferenceSource(reference_of(entities, customers)),
        month_shards=month_shards,
        outages=outages or NoOutages(),
    )


def build_report(svc: Any, month: str) -> Manifest:
    return build_month_report(svc.reports, month, policy=svc.policy, now=svc.clock())


def monthly_report(svc: Any) -> Manifest:
    """The schedule's job: the Asia/Shanghai month that just ended."""
    return build_report(svc, previous_month(svc.clock()))


def on_schedule(event: Any) -> dict[str, object]:
    """The Lambda entry point (app.py registers it as `monthly_report`)."""
    from chalicelib.bootstrap import services

    manifest = monthly_report(services())
    return {"month": manifest.month, "run_id": manifest.run_id, "files": len(manifest.files)}


def report_files(svc: Any, month: str) -> tuple[Manifest, list[tuple[str, str, int]]]:
    """The month's current set: (name, download URL, size) per file; 404 without one."""
    if not is_month(month):
        raise ValidationFailed(fields={"month": "月份格式应为 YYYY-MM（2000–2099 年）"})
    files = svc.reports.files
    manifest = read_manifest(files, month)
    if manifest is None:
        raise NotFound("该月报表尚未生成", code="report_not_found")
    prefix = f"yunge-{month}-"
    return manifest, [
        (f.name, files.download_url(f.key, prefix + f.name), f.size) for f in manifest.files
    ]
