"""A grid's polygon checked: GeoJSON Polygon or MultiPolygon, closed rings of at least three
distinct points, not self-intersecting, in a known coordinate system, inside the bureau's
box; and no two grids overlapping by more than a small share of the smaller one.

shapely is imported inside the functions, so nothing that `import app` loads pulls it in.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from chalicelib.geo.coords import Bbox, Coord, to_wgs84

from .issues import Code

OVERLAP_TOLERANCE = 0.01  # share of the smaller grid's area two hand-drawn grids may share
POLYGONAL = ("Polygon", "MultiPolygon")


class ShapeProblem(Exception):
    def __init__(self, code: Code, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _ring(ring: Any, coord: Coord, bbox: Bbox) -> list[tuple[float, float]]:
    if not isinstance(ring, list) or not all(
        isinstance(p, list) and len(p) >= 2 and all(isinstance(v, int | float) for v in p[:2])
        for p in ring
    ):
        raise ShapeProblem(Code.GEOM_INVALID, "坐标格式有误，每个点应为 [经度, 纬度]")
    points = [(float(p[0]), float(p[1])) for p in ring]
    if any(not (math.isfinite(x) and math.isfinite(y)) for x, y in points) or any(
        abs(x) > 180 or abs(y) > 90 for x, y in points
    ):
        raise ShapeProblem(
            Code.COORD_SYSTEM_UNKNOWN,
            "坐标不是经纬度（可能是投影坐标），请转换为 WGS84 或 GCJ02 经纬度",
        )
    if len(set(points)) < 3:
        raise ShapeProblem(Code.GEOM_INVALID, "多边形至少需要 3 个不同的顶点")
    if points[0] != points[-1]:
        raise ShapeProblem(Code.GEOM_INVALID, "多边形未闭合：第一个点和最后一个点应相同")
    wgs = [to_wgs84(x, y, coord) for x, y in points]
    if not all(bbox.contains(x, y) for x, y in wgs):
        raise ShapeProblem(
            Code.OUT_OF_BBOX, "网格边界超出本局供电区域范围，请检查坐标系或经纬度是否填反"
        )
    return wgs


def grid_shape(geometry: Any, coord: Coord | None, bbox: Bbox) -> Any:
    """The grid's polygon in WGS84 as a shapely geometry, or `ShapeProblem`."""
    import shapely

    if coord is None:
        raise ShapeProblem(Code.COORD_SYSTEM_UNKNOWN, "坐标系无法识别，请使用 WGS84 或 GCJ02")
    if not isinstance(geometry, dict) or geometry.get("type") not in POLYGONAL:
        raise ShapeProblem(Code.GEOM_INVALID, "网格边界应为 Polygon 或 MultiPolygon")
    coordinates = geometry.get("coordinates")
    polygons = coordinates if geometry["type"] == "MultiPolygon" else [coordinates]
    if (
        not isinstance(polygons, list)
        or not polygons
        or not all(isinstance(p, list) and p for p in polygons)
    ):
        raise ShapeProblem(Code.GEOM_INVALID, "网格边界没有坐标")
    parts = [
        shapely.Polygon(_ring(rings[0], coord, bbox), [_ring(r, coord, bbox) for r in rings[1:]])
        for rings in polygons
    ]
    shape = parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)
    reason = shapely.is_valid_reason(shape)
    if reason != "Valid Geometry":
        where = "边界自相交" if "Self-intersection" in reason else "边界不是合法的多边形"
        raise ShapeProblem(Code.GEOM_INVALID, f"{where}（{reason}），请在制图软件中修正")
    return shape


@dataclass(frozen=True, slots=True)
class Overlap:
    row: int  # the later row, refused
    grid_id: str
    other_row: int
    other_grid_id: str
    share: float  # of the smaller grid's area

    @property
    def message(self) -> str:
        return (
            f"与第 {self.other_row} 行的网格 {self.other_grid_id} 重叠，"
            f"重叠面积约占较小网格的 {self.share:.1%}，请修正边界"
        )


def overlaps(
    shapes: Sequence[tuple[int, str, Any]], tolerance: float = OVERLAP_TOLERANCE
) -> list[Overlap]:
    """Pairs of grids (row, grid_id, shape) that share more than `tolerance` of the smaller
    one's area; each pair reported once, on the later row."""
    import shapely

    if not shapes:
        return []
    geoms = [s for _, _, s in shapes]
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    found = []
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i >= j:
            continue
        shared = shapely.intersection(geoms[i], geoms[j]).area
        smaller = min(geoms[i].area, geoms[j].area)
        if smaller > 0 and shared > tolerance * smaller:
            (row_i, id_i, _), (row_j, id_j, _) = shapes[i], shapes[j]
            found.append(Overlap(row_j, id_j, row_i, id_i, shared / smaller))
    return found
