"""Import jobs as ops see them: ask for one (a job record and a presigned upload), follow
it, list recent ones. The processing itself is chalicelib.imports.jobs, run by the
import_upload handler when the file lands."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from chalicelib.bootstrap import Services
from chalicelib.domain.errors import NotFound, PayloadTooLarge, ValidationFailed
from chalicelib.domain.ids import new_ulid
from chalicelib.domain.imports import EXTENSIONS, ImportJob, accepts
from chalicelib.store.import_files import JobStore

if TYPE_CHECKING:  # the job runner is the import Lambda's, not the API's, to load
    from chalicelib.imports.jobs import ImportPorts


@dataclass(frozen=True, slots=True)
class NewImport:
    kind: str
    filename: str
    size: int
    mode: str = "dry_run"
    coord: str = "wgs84"
    full: bool = False  # a complete customer file: report the 户号 it leaves out


@dataclass(frozen=True, slots=True)
class Upload:
    url: str
    headers: dict[str, str]


def import_ports(svc: Services) -> ImportPorts:
    from chalicelib.imports.jobs import ImportPorts
    from chalicelib.store.grid_shapes import GridShapes

    return ImportPorts(
        files=svc.import_files,
        org=svc.org,
        customers=svc.customers,
        shapes=GridShapes(svc.import_files),
        clock=svc.clock,
        abort_ratio=svc.settings.import_abort_ratio,
    )


def request_import(svc: Services, staff_id: str, command: NewImport) -> tuple[ImportJob, Upload]:
    limit = svc.settings.import_max_bytes
    if command.size > limit:
        raise PayloadTooLarge(f"文件不能超过 {limit // (1024 * 1024)} MB", code="file_too_large")
    if not accepts(command.kind, command.filename):
        allowed = "、".join(EXTENSIONS[command.kind])
        raise ValidationFailed(fields={"filename": f"应为 {allowed} 文件"})
    now = svc.clock()
    job = ImportJob(
        import_id=new_ulid(now),
        kind=command.kind,
        mode=command.mode,
        filename=command.filename,
        size=command.size,
        coord=command.coord,
        created_at=now.isoformat(),
        created_by=staff_id,
        full=command.full,
    )
    JobStore(svc.import_files).save(job)
    url, headers = svc.import_files.presign_put(job.upload_key, command.size)
    return job, Upload(url, headers)


def import_job(svc: Services, import_id: str) -> ImportJob:
    job = JobStore(svc.import_files).get(import_id)
    if job is None:
        raise NotFound("导入任务不存在", code="import_not_found")
    return job


def recent_imports(svc: Services, limit: int) -> list[ImportJob]:
    """The newest `limit` jobs: one listing of import-jobs/ and a read per job."""
    return JobStore(svc.import_files).recent(limit)
