"""Locate by point over HTTP, against grids loaded through a grids import (GeoJSON)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib.domain.org import Role
from chalicelib.geo.coords import wgs84_to_gcj02
from tests.functional.test_imports_api import job, run, start

CUSTOMER = ("wx-someone", Role.CUSTOMER)


def square(x: float, y: float, side: float = 0.01) -> list[list[list[float]]]:
    return [[[x, y], [x + side, y], [x + side, y + side], [x, y + side], [x, y]]]


def feature(grid: str, name: str, station: str, rings: Any, kind: str = "Polygon") -> Any:
    props = {"grid_code": grid, "name": name, "station": station, "branch": "B1"}
    return {
        "type": "Feature",
        "properties": props,
        "geometry": {"type": kind, "coordinates": rings},
    }


def grids_geojson() -> bytes:
    holed = [square(107.30, 40.70, 0.03)[0], square(107.31, 40.71)[0][::-1]]
    features = [
        feature("G1", "新华街网格", "S1", [holed, square(107.40, 40.70)], "MultiPolygon"),
        feature("G2", "胜利路网格", "S1", square(107.33, 40.70)),
        feature("G3", "团结村网格", "S2", square(107.50, 40.80)),
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode("utf-8")


@pytest.fixture
def mapped(api):  # type: ignore[no-untyped-def]
    import_id, key = start(api, "grids", "网格.geojson", grids_geojson())
    run(key)
    assert job(api, import_id)["status"] == "done", job(api, import_id)
    return api


def where(api: Any, lng: float, lat: float, coord: str = "wgs84", as_: Any = CUSTOMER) -> Any:
    return api.call("POST", "/v1/locate", {"lat": lat, "lng": lng, "coord": coord}, as_=as_)


def test_a_point_in_a_grid_gets_its_station_and_manager_card(mapped) -> None:  # type: ignore[no-untyped-def]
    found = where(mapped, 107.305, 40.705)
    assert found.status == 200, found.body
    assert found.body == {
        "grid": {"grid_id": "G1", "name": "新华街网格"},
        "station": {"station_id": "S1", "name": "城关供电所"},
        "manager": {"name": "网格经理1", "phone": "13910000001"},
    }
    assert where(mapped, 107.405, 40.705).body["grid"]["grid_id"] == "G1"  # second part


def test_outside_every_grid_is_404_outside_service_area(mapped) -> None:  # type: ignore[no-untyped-def]
    outside = where(mapped, 107.0, 40.5)
    assert outside.status == 404
    assert outside.body["error"]["code"] == "outside_service_area"
    hole = where(mapped, 107.315, 40.715)  # inside G1's hole
    assert hole.status == 404


def test_on_a_shared_border_the_point_belongs_to_one_grid(mapped) -> None:  # type: ignore[no-untyped-def]
    found = where(mapped, 107.33, 40.705)  # G1's east edge is G2's west edge
    assert found.status == 200
    assert found.body["grid"]["grid_id"] == "G1"


def test_a_gcj02_point_is_converted_before_it_is_located(mapped) -> None:  # type: ignore[no-untyped-def]
    lng, lat = wgs84_to_gcj02(107.335, 40.705)  # what wx.getLocation(type: gcj02) returns
    assert where(mapped, lng, lat, "gcj02").body["grid"]["grid_id"] == "G2"
    unconverted = where(mapped, lng, lat, "wgs84")  # read as WGS84 it lies ~500 m off
    assert unconverted.status == 404 or unconverted.body["grid"]["grid_id"] != "G2"


def test_the_index_is_built_once_per_container_from_one_read(mapped, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    files = mapped.services.import_files
    reads: list[str] = []
    original = files.read
    monkeypatch.setattr(files, "read", lambda key: reads.append(key) or original(key))
    for _ in range(3):
        assert where(mapped, 107.505, 40.805).body["grid"]["grid_id"] == "G3"
    assert reads == ["geo/grids.wkb"]


def test_staff_may_locate_too_and_strangers_may_not(mapped) -> None:  # type: ignore[no-untyped-def]
    assert where(mapped, 107.505, 40.805, as_=("C2", Role.CHIEF)).status == 200
    anonymous = mapped.call("POST", "/v1/locate", {"lat": 40.8, "lng": 107.5})
    assert anonymous.status == 401


def test_before_any_grid_is_drawn_every_point_is_outside(api) -> None:  # type: ignore[no-untyped-def]
    assert where(api, 107.305, 40.705).status == 404


def test_a_fault_seen_in_the_street_is_routed_by_its_point(mapped) -> None:  # type: ignore[no-untyped-def]
    street = {
        "type": "fault_repair",
        "description": "路边电线杆上的线掉下来了",
        "contact_phone": "13812345678",
        "location": {"lat": 40.705, "lng": 107.335, "address": "胜利路与新华街交口"},
        "details": {"scope": "area", "hazard": True},
    }
    created = mapped.call("POST", "/v1/tickets", street, as_=CUSTOMER)
    assert created.status == 201, created.body
    assert created.body["grid_id"] == "G2"
    read = mapped.call("GET", f"/v1/tickets/{created.body['ticket_id']}", as_=CUSTOMER).body
    assert read["address"] == "胜利路与新华街交口"

    far = {**street, "location": {"lat": 40.5, "lng": 107.0}}
    outside = mapped.call("POST", "/v1/tickets", far, as_=CUSTOMER)
    assert (outside.status, outside.body["error"]["code"]) == (404, "outside_service_area")
    nowhere = {k: v for k, v in street.items() if k != "location"}
    missing = mapped.call("POST", "/v1/tickets", nowhere, as_=CUSTOMER)
    assert missing.status == 400 and "account_no" in missing.body["error"]["fields"]
