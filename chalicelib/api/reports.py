"""Statistics and reports (API.md): KPI figures for a period and scope, and the monthly
report set — built on demand, listed with download links."""

from __future__ import annotations

import msgspec
from chalice import Blueprint
from chalice.app import Response

from chalicelib.api.docs import doc
from chalicelib.api.http import caller, decode, endpoint, query_params, respond
from chalicelib.api.report_schemas import CreateReport, ReportFile, ReportSet
from chalicelib.bootstrap import services
from chalicelib.domain.errors import ValidationFailed
from chalicelib.domain.org import Role
from chalicelib.reports.figures import KpiSet
from chalicelib.usecases.scope import scope_of

from .guard import protected

reports_api = Blueprint(__name__)
STATS_ROLES = (Role.OPS, Role.ADMIN, Role.CHIEF, Role.BRANCH)
REPORT_ROLES = (Role.OPS, Role.ADMIN)  # the set is bureau-wide
GROUP_KINDS = ("branch", "station", "grid", "manager")
DEFAULT_GROUPS = "branch,station"


@reports_api.route("/v1/stats", methods=["GET"], **protected())
@endpoint
@doc(
    "服务指标统计（运营、管理员全局；供电所负责人、分局值班限本辖区）",
    response=KpiSet,
    errors=(403, 404),
    query={
        "from": "起始日期 YYYY-MM-DD（含），默认本月 1 日",
        "to": "结束日期 YYYY-MM-DD（含），默认今天",
        "branch_id": "分局",
        "station_id": "供电所",
        "grid_id": "网格",
        "group_by": "分组，逗号分隔：branch,station,grid,manager（默认 branch,station）",
    },
)
def stats() -> Response:
    from chalicelib.reports.stats import period_stats

    request = reports_api.current_request
    svc = services()
    scope = scope_of(svc, caller(request), *STATS_ROLES)
    params = query_params(request)
    kinds = [k for k in params.get("group_by", DEFAULT_GROUPS).split(",") if k]
    if any(k not in GROUP_KINDS for k in kinds):
        raise ValidationFailed(fields={"group_by": "取值应为 branch、station、grid、manager"})
    kpi = period_stats(svc, scope, params)
    groups = [g for g in kpi.groups if g.kind in kinds]
    return respond(msgspec.structs.replace(kpi, groups=groups))


@reports_api.route("/v1/reports", methods=["POST"], **protected())
@endpoint
@doc(
    "立即生成某月报表（同步完成，返回文件）",
    body=CreateReport,
    response=ReportSet,
    status=201,
    errors=(403,),
)
def create_report() -> Response:
    from chalicelib.reports.service import build_report

    request = reports_api.current_request
    svc = services()
    scope_of(svc, caller(request), *REPORT_ROLES)
    body = decode(request, CreateReport)
    build_report(svc, body.month)
    return respond(_report_set(svc, body.month), 201)


@reports_api.route("/v1/reports", methods=["GET"], **protected())
@endpoint
@doc("某月报表的下载链接", response=ReportSet, errors=(403, 404), query={"month": "YYYY-MM"})
def list_reports() -> Response:
    request = reports_api.current_request
    svc = services()
    scope_of(svc, caller(request), *REPORT_ROLES)
    month = query_params(request).get("month")
    if month is None:
        raise ValidationFailed(fields={"month": "必填"})
    return respond(_report_set(svc, month))


def _report_set(svc: object, month: str) -> ReportSet:
    from chalicelib.reports.service import report_files

    manifest, files = report_files(svc, month)
    return ReportSet(
        month=manifest.month,
        generated_at=manifest.generated_at,
        files=[ReportFile(name, url, size) for name, url, size in files],
    )
