"""A grids file checked whole: each row's properties, then (GeoJSON) each polygon, then
overlaps between grids. The file is a few thousand grids, so it is held as a list."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from chalicelib.geo.coords import BAYANNUR, Bbox, Coord, coord_system

from .columns import Kind
from .issues import Code, RowIssue
from .reading import SourceRow, Table
from .records import GridRow
from .rows import Checked
from .shapes import OVERLAP_TOLERANCE, ShapeProblem, grid_shape, overlaps
from .validation import check_rows

GEOMETRY = "geometry"
_CRS_WGS84 = ("crs84", "epsg:4326", "epsg::4326")


def file_coord(table: Table, requested: Coord) -> Coord | None:
    """The coordinate system of a GeoJSON file: its own `crs` if it names one, else the
    request's. None when the file names one we do not know (COORD_SYSTEM_UNKNOWN)."""
    if table.crs is None:
        return requested
    name = table.crs.casefold()
    if any(name.endswith(w) for w in _CRS_WGS84):
        return Coord.WGS84
    return coord_system(name.rsplit(":", 1)[-1], requested) if "gcj" in name else None


def check_grids(
    table: Table,
    requested: Coord = Coord.WGS84,
    bbox: Bbox = BAYANNUR,
    tolerance: float = OVERLAP_TOLERANCE,
) -> list[tuple[SourceRow, Checked]]:
    import shapely.geometry

    results = list(check_rows(Kind.GRIDS, table, {}, bbox=bbox))
    if not table.geometry:
        return results  # the CSV form: grids without polygons yet
    coord = file_coord(table, requested)
    shaped: list[tuple[int, str, Any]] = []
    at_row: dict[int, int] = {}
    for at, (row, checked) in enumerate(results):
        if not isinstance(checked.record, GridRow):
            continue
        try:
            shape = grid_shape(row.geometry, coord, bbox)
        except ShapeProblem as problem:
            results[at] = (row, _refused(row, problem.code, problem.message))
            continue
        wgs84 = shapely.geometry.mapping(shape)
        results[at] = (row, Checked(replace(checked.record, geometry=wgs84), ()))
        shaped.append((row.number, checked.record.grid_id, shape))
        at_row[row.number] = at
    for overlap in overlaps(shaped, tolerance):
        at = at_row[overlap.row]
        results[at] = (results[at][0], _refused(results[at][0], Code.GRID_OVERLAP, overlap.message))
    return results


def _refused(row: SourceRow, code: Code, message: str) -> Checked:
    return Checked(None, (RowIssue(row.number, GEOMETRY, code, message),))
