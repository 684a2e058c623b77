"""GET /v1/stats: the KPI figures for a period and a scope. Chief and branch duty officers
are held to their station or branch; ops and admin see the bureau. The narrowest partition
that holds the scope is read (a grid's, a station's, a branch's, or the month shards).

A closed calendar month asked of the whole bureau is answered from the month's built report
(its kpi.json) when that was built after the month ended: by then every fact of the month is
a recorded moment before its end (checks.Window.cut), so the figures are what computing gives,
without a Query over the month's tickets (its `as_of` says when they were judged)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any

import msgspec

from chalicelib.domain.dates import MAX_PERIOD_DAYS, SHANGHAI, month_of, parse_day
from chalicelib.domain.errors import Forbidden, NotFound, ValidationFailed
from chalicelib.domain.org import Role, Scope
from chalicelib.store.reference_source import StaticReferenceSource
from chalicelib.store.report_files import ReportFiles
from chalicelib.store.tickets import Source

from .build import compute, published_kpi
from .checks import Window
from .figures import KpiSet
from .reference import Reference

MAX_DAYS = MAX_PERIOD_DAYS
SCOPES = ("grid", "station", "branch")


def _date(params: Mapping[str, str], name: str, default: date) -> date:
    raw = params.get(name)
    if raw is None:
        return default
    return parse_day(raw, name)


def period(params: Mapping[str, str], now: datetime) -> Window:
    """from/to (Asia/Shanghai, both inclusive); by default this month up to today."""
    today = now.astimezone(SHANGHAI).date()
    first = _date(params, "from", today.replace(day=1))
    last = _date(params, "to", today)
    if first > last:
        raise ValidationFailed(fields={"from": "起始日期不能晚于结束日期"})
    if (last - first).days >= MAX_DAYS:
        raise ValidationFailed(fields={"to": f"统计区间最长 {MAX_DAYS} 天"})
    start = datetime.combine(first, time.min, tzinfo=SHANGHAI)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=SHANGHAI)
    return Window(start, end, now)


def _grids(reference: Reference, kind: str, key: str) -> list[str]:
    return [
        grid_id
        for grid_id, grid in reference.grids.items()
        if (kind == "grid" and grid_id == key)
        or (kind == "station" and grid.station_id == key)
        or (kind == "branch" and grid.branch_id == key)
    ]


def target(scope: Scope, params: Mapping[str, str], reference: Reference) -> tuple[str, str] | None:
    """(kind, id) to read, or None for the whole bureau; 403 outside the caller's scope."""
    for kind in SCOPES:
        wanted = params.get(f"{kind}_id")
        if wanted is None:
            continue
        grids = [reference.grids[g] for g in _grids(reference, kind, wanted)]
        if not grids:
            raise NotFound("未找到该统计范围", code="scope_not_found")
        inside = all(
            scope.covers(grid_id="", station_id=g.station_id, branch_id=g.branch_id) for g in grids
        )
        if kind == "grid":
            g = grids[0]
            inside = scope.covers(grid_id=wanted, station_id=g.station_id, branch_id=g.branch_id)
        if not inside:
            raise Forbidden("超出您的统计范围")
        return kind, wanted
    if scope.bureau_wide:
        return None
    if scope.role is Role.CHIEF and scope.station_id:
        return "station", scope.station_id
    if scope.role is Role.BRANCH and scope.branch_id:
        return "branch", scope.branch_id
    raise Forbidden("无权查看统计")


def closed_month(files: ReportFiles, window: Window) -> KpiSet | None:
    """The built report's figures when `window` is exactly one calendar month that has ended
    and its report was judged after the end; otherwise None (compute)."""
    first, last = window.start.date(), (window.end - timedelta(days=1)).date()
    if first.day != 1 or (last + timedelta(days=1)).day != 1 or window.end > window.as_of:
        return None
    try:
        kpi = published_kpi(files, month_of(window.start))
    except msgspec.MsgspecError:  # a set built before KpiSet gained a field: compute instead
        return None
    if kpi is None or (kpi.period_from, kpi.period_to) != (first.isoformat(), last.isoformat()):
        return None
    if kpi.outages is None:  # built before outages were counted
        return None
    return kpi if datetime.fromisoformat(kpi.as_of) >= window.end else None


def period_stats(svc: Any, scope: Scope, params: Mapping[str, str]) -> KpiSet:
    window = period(params, svc.clock())
    ports = svc.reports
    bureau = scope.bureau_wide and not any(f"{k}_id" in params for k in SCOPES)
    if bureau and (kept := closed_month(ports.files, window)) is not None:
        return kept
    reference = ports.reference.load()
    chosen = target(scope, params, reference)
    partitions = None
    if chosen is not None:
        kind, key = chosen
        reference = reference.within(_grids(reference, kind, key))
        partitions = [Source(f"by_{kind}", key)]
    scoped = replace(ports, reference=StaticReferenceSource(reference))
    return compute(scoped, window, svc.policy, partitions)
