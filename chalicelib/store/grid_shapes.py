"""Grid polygons in the files bucket, written by committed grids imports:

- geo/grids.json: WGS84 GeoJSON geometries by grid id (maps, grids.geojson);
- geo/grids.wkb: the same as (grid id, WKB) pairs in one msgpack document, the form the
  locate index is built from (one read, no GeoJSON parsing on a cold start).

shapely is imported only when writing (the import job) or building (GridIndex)."""

from __future__ import annotations

from typing import Any

import msgspec

from chalicelib.store.import_files import ImportFiles

SHAPES_KEY = "geo/grids.json"
WKB_KEY = "geo/grids.wkb"


class GridShapes:
    def __init__(self, files: ImportFiles) -> None:
        self.files = files

    def load(self) -> dict[str, dict[str, Any]]:
        data = self.files.read(SHAPES_KEY)
        return msgspec.json.decode(data, type=dict[str, dict[str, Any]]) if data else {}

    def load_wkb(self) -> list[tuple[str, bytes]]:
        data = self.files.read(WKB_KEY)
        return msgspec.msgpack.decode(data, type=list[tuple[str, bytes]]) if data else []

    def merge(self, geometries: dict[str, dict[str, Any]]) -> None:
        import shapely.geometry

        from chalicelib.geo.index import to_wkb

        shapes = self.load()
        shapes.update(geometries)
        self.files.put_bytes(SHAPES_KEY, msgspec.json.encode(shapes), "application/geo+json")
        pairs = [(g, to_wkb(shapely.geometry.shape(s))) for g, s in sorted(shapes.items())]
        self.files.put_bytes(WKB_KEY, msgspec.msgpack.encode(pairs), "application/msgpack")
