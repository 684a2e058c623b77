"""Grid polygons (WGS84 GeoJSON geometries by grid id) in one object of the files bucket,
so the locate index and the maps need one read. Written by committed grids imports."""

from __future__ import annotations

from typing import Any

import msgspec

from chalicelib.store.import_files import ImportFiles

SHAPES_KEY = "geo/grids.json"


class GridShapes:
    def __init__(self, files: ImportFiles) -> None:
        self.files = files

    def load(self) -> dict[str, dict[str, Any]]:
        data = self.files.read(SHAPES_KEY)
        return msgspec.json.decode(data, type=dict[str, dict[str, Any]]) if data else {}

    def merge(self, geometries: dict[str, dict[str, Any]]) -> None:
        shapes = self.load()
        shapes.update(geometries)
        self.files.put_bytes(SHAPES_KEY, msgspec.json.encode(shapes), "application/geo+json")
