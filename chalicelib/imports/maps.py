"""The grid maps, rendered after every committed grids or staff import: one SVG per station
and one per branch under maps/, and maps/index.json listing them (GET /v1/maps reads that
one object). shapely is imported here only, for each grid's label point."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Literal

import msgspec

from chalicelib.domain.org import Branch, Grid, Staff, Station
from chalicelib.geo.svg import MapGrid, render_svg
from chalicelib.store.grid_shapes import GridShapes
from chalicelib.store.import_files import ImportFiles
from chalicelib.store.org import OrgStore

INDEX_KEY = "maps/index.json"


class MapEntry(msgspec.Struct):
    scope: Literal["station", "branch"]
    id: str
    name: str
    key: str
    branch_id: str


def map_grids(
    grids: list[Grid], geometries: dict[str, dict[str, Any]], staff: dict[str, Staff]
) -> list[MapGrid]:
    import shapely.geometry

    cards = []
    for grid in grids:
        geometry = geometries.get(grid.grid_id)
        if geometry is None:
            continue  # a grid without a drawn polygon yet (CSV form)
        point = shapely.geometry.shape(geometry).representative_point()
        manager = staff.get(grid.manager_id)
        cards.append(
            MapGrid(
                grid.grid_id,
                grid.name,
                manager.name if manager else "",
                manager.phone if manager else "",
                geometry,
                (point.x, point.y),
            )
        )
    return cards


def render_maps(files: ImportFiles, org: OrgStore) -> list[MapEntry]:
    geometries = GridShapes(files).load()
    grids = [g for g in org.all_of("grid") if isinstance(g, Grid)]
    staff = {s.staff_id: s for s in org.all_of("staff") if isinstance(s, Staff)}
    stations = {s.station_id: s for s in org.all_of("station") if isinstance(s, Station)}
    branches = {b.branch_id: b for b in org.all_of("branch") if isinstance(b, Branch)}
    by_station: dict[str, list[Grid]] = defaultdict(list)
    by_branch: dict[str, list[Grid]] = defaultdict(list)
    for grid in grids:
        by_station[grid.station_id].append(grid)
        by_branch[grid.branch_id].append(grid)
    entries: list[MapEntry] = []
    levels: tuple[tuple[Literal["station", "branch"], dict[str, list[Grid]]], ...] = (
        ("station", by_station),
        ("branch", by_branch),
    )
    for scope, groups in levels:
        for place_id, members in sorted(groups.items()):
            cards = map_grids(members, geometries, staff)
            if not cards:
                continue
            place: Station | Branch | None = (
                stations.get(place_id) if scope == "station" else branches.get(place_id)
            )
            name = place.name if place else place_id
            branch_id = place.branch_id if isinstance(place, Station) else place_id
            key = f"maps/{scope}/{place_id}.svg"
            svg = render_svg(f"{name} 网格图", cards)
            files.put_bytes(key, svg.encode("utf-8"), "image/svg+xml")
            entries.append(MapEntry(scope, place_id, name, key, branch_id))
    files.put_bytes(INDEX_KEY, msgspec.json.encode(entries), "application/json")
    return entries


def read_index(files: ImportFiles) -> list[MapEntry]:
    data = files.read(INDEX_KEY)
    return msgspec.json.decode(data, type=list[MapEntry]) if data else []
