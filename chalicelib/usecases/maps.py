"""Grid maps for staff: the rendered station and branch maps they may see, and a station's
or a branch's grids as GeoJSON. Scope as elsewhere: ops and admin see every map, a branch
officer their branch, a chief their station, a manager the stations their grids lie in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chalicelib.bootstrap import Services
from chalicelib.domain.errors import Forbidden, NotFound, ValidationFailed
from chalicelib.domain.org import Branch, Grid, Role, Scope, Staff

if TYPE_CHECKING:
    from chalicelib.imports.maps import MapEntry


@dataclass(frozen=True, slots=True)
class MapLink:
    entry: MapEntry
    url: str


def _manager_stations(svc: Services, scope: Scope) -> set[str]:
    grids = (svc.org.grid(g) for g in scope.grid_ids)
    return {g.station_id for g in grids if g is not None}


def may_see(svc: Services, scope: Scope, *, station_id: str | None, branch_id: str) -> bool:
    """A station's map (station_id given) or a branch's (station_id None)."""
    if scope.bureau_wide:
        return True
    if scope.role is Role.BRANCH:
        return branch_id == scope.branch_id
    if station_id is None:
        return False
    if scope.role is Role.CHIEF:
        return station_id == scope.station_id
    return scope.role is Role.MANAGER and station_id in _manager_stations(svc, scope)


def list_maps(svc: Services, scope: Scope) -> list[MapLink]:
    from chalicelib.imports.maps import read_index

    links = []
    for entry in read_index(svc.import_files):
        station = entry.id if entry.scope == "station" else None
        if may_see(svc, scope, station_id=station, branch_id=entry.branch_id):
            url = svc.import_files.download_url(entry.key, f"{entry.name}.svg")
            links.append(MapLink(entry, url))
    return links


def grids_geojson(
    svc: Services, scope: Scope, station_id: str | None, branch_id: str | None
) -> dict[str, Any]:
    from chalicelib.store.grid_shapes import GridShapes

    if bool(station_id) == bool(branch_id):
        raise ValidationFailed(fields={"station_id": "station_id 与 branch_id 二选一"})
    if station_id:
        station = svc.org.station(station_id)
        if station is None:
            raise NotFound("供电所不存在", code="station_not_found")
        branch = station.branch_id
    else:
        branch = str(branch_id)
        known = (b for b in svc.org.all_of("branch") if isinstance(b, Branch))
        if all(b.branch_id != branch for b in known):
            raise NotFound("分局不存在", code="branch_not_found")
    if not may_see(svc, scope, station_id=station_id, branch_id=branch):
        raise Forbidden()
    grids = [
        g
        for g in svc.org.all_of("grid")
        if isinstance(g, Grid)
        and (g.station_id == station_id if station_id else g.branch_id == branch)
    ]
    shapes = GridShapes(svc.import_files).load()
    features = []
    for grid in sorted(grids, key=lambda g: g.grid_id):
        manager = svc.org.staff(grid.manager_id) if grid.manager_id else None
        features.append(
            {
                "type": "Feature",
                "id": grid.grid_id,
                "geometry": shapes.get(grid.grid_id),
                "properties": _properties(grid, manager),
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _properties(grid: Grid, manager: Staff | None) -> dict[str, Any]:
    return {
        "grid_id": grid.grid_id,
        "name": grid.name,
        "station_id": grid.station_id,
        "branch_id": grid.branch_id,
        "area_class": grid.area_class.value,
        "mutual_aid_group": grid.mutual_aid_group_id,
        "manager": {"name": manager.name, "phone": manager.phone} if manager else None,
    }
