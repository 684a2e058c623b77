"""GET /v1/stats: the KPI figures for a period and a scope. Chief and branch duty officers
are held to their station or branch; ops and admin see the bureau. The narrowest partition
that holds the scope is read (a grid's, a station's, a branch's, or the month shards)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any

from chalicelib.domain.dates import MAX_PERIOD_DAYS, SHANGHAI, parse_day
from chalicelib.domain.errors import Forbidden, NotFound, ValidationFailed
from chalicelib.domain.org import Role, Scope
from chalicelib.store.reference_source import StaticReferenceSource
from chalicelib.store.tickets import Source

from .build import compute
from .checks import Window
from .figures import KpiSet
from .reference import Reference

MAX_DAYS = MAX_PERIOD_DAYS


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
    for kind in ("grid", "station", "branch"):
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


def period_stats(svc: Any, scope: Scope, params: Mapping[str, str]) -> KpiSet:
    window = period(params, svc.clock())
    ports = svc.reports
    reference = ports.reference.load()
    chosen = target(scope, params, reference)
    partitions = None
    if chosen is not None:
        kind, key = chosen
        reference = reference.within(_grids(reference, kind, key))
        partitions = [Source(f"by_{kind}", key)]
    scoped = replace(ports, reference=StaticReferenceSource(reference))
    return compute(scoped, window, svc.policy, partitions)
