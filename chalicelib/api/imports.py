"""Import jobs (ops, admin): ask for a presigned upload, follow the job, list recent ones."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint
from chalice.app import Response

from chalicelib.api.docs import doc
from chalicelib.api.http import caller, decode, endpoint, page_limit, query_params, respond
from chalicelib.api.import_schemas import (
    ErrorFileLink,
    ImportCounts,
    ImportCreated,
    ImportList,
    ImportOut,
    ImportProgress,
    ImportRowError,
    ImportUpload,
    MissingCustomers,
    RequestImport,
)
from chalicelib.bootstrap import Services, services
from chalicelib.domain.errors import ValidationFailed
from chalicelib.domain.org import Role
from chalicelib.usecases.scope import scope_of

from .guard import protected

if TYPE_CHECKING:
    from chalicelib.domain.imports import ImportJob

# The import use cases and the import file store load on their first request, not with
# `import app` (bench/bench_coldstart.py).

imports_api = Blueprint(__name__)
IMPORT_ROLES = (Role.OPS, Role.ADMIN)


def present(svc: Services, job: ImportJob) -> ImportOut:
    link = None
    if job.error_file:
        name = f"{job.import_id}-errors.csv"
        link = ErrorFileLink(url=svc.import_files.download_url(job.error_file, name))
    c = job.counts
    return ImportOut(
        import_id=job.import_id,
        kind=job.kind,
        mode=job.mode,
        status=job.status.value,
        filename=job.filename,
        created_at=job.created_at,
        encoding=job.encoding,
        progress=ImportProgress(done=job.done, total=job.total),
        counts=ImportCounts(c.rows, c.created, c.updated, c.unchanged, c.failed),
        errors=[ImportRowError(e.row, e.column, e.code, e.message) for e in job.errors],
        error_file=link,
        ignored_columns=job.ignored_columns,
        message=job.message,
        missing_customers=None
        if job.missing_customers is None
        else MissingCustomers(job.missing_customers, job.missing_sample),
    )


@imports_api.route("/v1/imports", methods=["POST"], **protected())
@endpoint
@doc(
    "新建导入任务（台区、用户、网格、人员），返回预签名上传地址；默认试导入（dry_run）",
    body=RequestImport,
    response=ImportCreated,
    status=201,
    errors=(403,),
)
def create_import() -> Response:
    from chalicelib.store.s3 import URL_LIFETIME
    from chalicelib.usecases.imports import NewImport, request_import

    request = imports_api.current_request
    svc = services()
    who = scope_of(svc, caller(request), *IMPORT_ROLES)
    body = decode(request, RequestImport)
    command = NewImport(body.kind, body.filename, body.size, body.mode, body.coord, body.full)
    job, upload = request_import(svc, who.subject, command)
    put = ImportUpload(
        url=upload.url, method="PUT", headers=upload.headers, expires_in=URL_LIFETIME
    )
    return respond(ImportCreated(import_id=job.import_id, status=job.status.value, upload=put), 201)


@imports_api.route("/v1/imports", methods=["GET"], **protected())
@endpoint
@doc(
    "最近的导入任务（新的在前）",
    response=ImportList,
    errors=(403,),
    query={"limit": "条数，默认 20，最多 100"},
)
def list_imports() -> Response:
    from chalicelib.usecases.imports import recent_imports

    request = imports_api.current_request
    svc = services()
    scope_of(svc, caller(request), *IMPORT_ROLES)
    fields: dict[str, str] = {}
    limit = page_limit(query_params(request), fields)
    if fields:
        raise ValidationFailed(fields=fields)
    return respond(ImportList(items=[present(svc, job) for job in recent_imports(svc, limit)]))


@imports_api.route("/v1/imports/{import_id}", methods=["GET"], **protected())
@endpoint
@doc(
    "导入任务的状态、进度、计数、前 1000 条错误和错误文件下载地址",
    response=ImportOut,
    errors=(403, 404),
)
def get_import(import_id: str) -> Response:
    from chalicelib.usecases.imports import import_job

    svc = services()
    scope_of(svc, caller(imports_api.current_request), *IMPORT_ROLES)
    return respond(present(svc, import_job(svc, import_id)))
