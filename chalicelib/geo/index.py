"""GridIndex: which grid contains a point. An STRtree over the grids' polygons (WGS84),
built once per container from WKB, queried with `covered_by` so a point on a border belongs
to a grid (the lowest grid id when it lies on two). A point in a MultiPolygon's hole is
outside that grid.

shapely is imported inside the methods, never at module top level.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


class GridIndex:
    def __init__(self, grid_ids: list[str], shapes: Any) -> None:
        import shapely

        self.grid_ids = grid_ids
        self._shapes = shapes
        shapely.prepare(shapes)
        self._tree = shapely.STRtree(shapes)

    @classmethod
    def from_wkb(cls, items: Iterable[tuple[str, bytes]]) -> GridIndex:
        import shapely

        pairs = list(items)
        return cls([g for g, _ in pairs], shapely.from_wkb([w for _, w in pairs]))

    @classmethod
    def from_shapes(cls, items: Iterable[tuple[str, Any]]) -> GridIndex:
        import numpy

        pairs = list(items)
        return cls([g for g, _ in pairs], numpy.array([s for _, s in pairs], dtype=object))

    def __len__(self) -> int:
        return len(self.grid_ids)

    def locate(self, lng: float, lat: float) -> str | None:
        """The grid id whose polygon covers (lng, lat) in WGS84, or None."""
        import shapely

        hits = self._tree.query(shapely.Point(lng, lat), predicate="covered_by")
        return min((self.grid_ids[i] for i in hits.tolist()), default=None)


def to_wkb(shape: Any) -> bytes:
    import shapely

    wkb: bytes = shapely.to_wkb(shape)
    return wkb
