"""A grids file, GeoJSON or CSV: properties, polygons and overlaps checked together."""

from __future__ import annotations

import io
import json

from chalicelib.geo.coords import Coord, wgs84_to_gcj02
from chalicelib.imports.grids import check_grids
from chalicelib.imports.issues import Code
from chalicelib.imports.reading import open_table
from chalicelib.imports.records import GridRow


def square(x: float, y: float, side: float = 0.01) -> list[list[float]]:
    return [[x, y], [x + side, y], [x + side, y + side], [x, y + side], [x, y]]


def feature(code: str, ring: list[list[float]] | None, **props: str) -> dict:
    geometry = {"type": "Polygon", "coordinates": [ring]} if ring else None
    properties = {"grid_code": code, "name": f"{code}网格", "station": "S1", "branch": "B1"}
    return {"type": "Feature", "properties": {**properties, **props}, "geometry": geometry}


def grids(*features: dict, crs: str | None = None, coord: Coord = Coord.WGS84):  # type: ignore[no-untyped-def]
    doc: dict = {"type": "FeatureCollection", "features": list(features)}
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    table = open_table(io.BytesIO(json.dumps(doc).encode()), "grids.geojson")
    return {row.number: checked for row, checked in check_grids(table, coord)}


def test_a_clean_geojson_gives_grid_rows_with_wgs84_polygons() -> None:
    result = grids(feature("G1", square(107.30, 40.7), area_class="农村", mutual_aid_group="A1"))
    record = result[1].record
    assert isinstance(record, GridRow) and record.grid_id == "G1" and record.group_id == "A1"
    assert record.area_class.value == "rural" and record.geometry is not None
    assert record.geometry["type"] == "Polygon"


def test_bad_polygons_missing_properties_and_overlaps_are_each_reported() -> None:
    result = grids(
        feature("G1", square(107.30, 40.7)),
        feature("G2", square(107.305, 40.7)),  # half over G1
        feature("G3", None),
        feature("G4", square(107.5, 40.7), name=""),
        feature("G1", square(107.6, 40.7)),
    )
    found = {n: [(i.column, i.code) for i in c.issues] for n, c in result.items() if c.issues}
    assert found == {
        2: [("geometry", Code.GRID_OVERLAP)],
        3: [("geometry", Code.GEOM_INVALID)],
        4: [("name", Code.REQUIRED_MISSING)],
        5: [("grid_code", Code.DUP_IN_FILE)],
    }


def test_a_gcj02_file_is_converted_and_an_unknown_crs_refused() -> None:
    ring = [list(wgs84_to_gcj02(x, y)) for x, y in square(107.30, 40.7)]
    converted = grids(feature("G1", ring), coord=Coord.GCJ02)[1].record
    assert isinstance(converted, GridRow) and converted.geometry is not None
    assert abs(converted.geometry["coordinates"][0][0][0] - 107.30) < 1e-7
    unknown = grids(feature("G1", square(107.30, 40.7)), crs="urn:ogc:def:crs:EPSG::3857")
    assert unknown[1].issues[0].code is Code.COORD_SYSTEM_UNKNOWN
    named = grids(feature("G1", square(107.30, 40.7)), crs="urn:ogc:def:crs:OGC:1.3:CRS84")
    assert named[1].record is not None


def test_the_csv_form_has_no_polygons_and_needs_none() -> None:
    text = "网格编号,网格名称,供电所,分局,区域类别,互助组\nG1,新华街网格,S1,B1,城区,A1\n"
    table = open_table(io.BytesIO(text.encode("gbk")), "grids.csv")
    [(_, checked)] = check_grids(table)
    assert table.encoding == "gbk"
    assert checked.record == GridRow("G1", "新华街网格", "S1", "B1", group_id="A1")
