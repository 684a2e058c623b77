"""Grid maps over HTTP: a committed grids import draws one SVG per station and branch; staff
list the ones in their scope and read a station's or branch's grids as GeoJSON. The maps
are checked by rendering them: the SVG's polygons, and (where Chromium exists) the pixels."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import pytest

from chalicelib.domain.org import Role
from tests.functional.test_imports_api import job, run, start
from tests.functional.test_locate_api import grids_geojson

OPS = ("O1", Role.OPS)
CHIEF_S1 = ("C1", Role.CHIEF)
CHIEF_S2 = ("C2", Role.CHIEF)
BRANCH = ("D1", Role.BRANCH)
MANAGER_G1 = ("M1", Role.MANAGER)
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def drawn(api):  # type: ignore[no-untyped-def]
    import_id, key = start(api, "grids", "网格.geojson", grids_geojson())
    run(key)
    assert job(api, import_id)["status"] == "done"
    return api


def station_svg(api: Any, station_id: str) -> ET.Element:
    data = api.services.import_files.objects[f"maps/station/{station_id}.svg"]
    return ET.fromstring(data.decode("utf-8"))


def test_a_station_map_draws_each_of_its_grids_with_name_manager_and_phone(drawn) -> None:  # type: ignore[no-untyped-def]
    svg = station_svg(drawn, "S1")
    paths = {p.get("data-grid"): p for p in svg.iter(f"{SVG}path")}
    assert set(paths) == {"G1", "G2"}  # S1's grids, not S2's G3
    assert paths["G1"].get("d", "").count("M") == 3  # outer ring, its hole, the second part
    assert paths["G1"].get("fill-rule") == "evenodd"  # so the hole stays empty
    assert paths["G1"].get("fill") != paths["G2"].get("fill")
    labels = {t.get("data-grid"): "".join(t.itertext()) for t in svg.iter(f"{SVG}text")}
    assert "新华街网格" in labels["G1"] and "网格经理1 13910000001" in labels["G1"]
    assert "胜利路网格" in labels["G2"] and "13910000002" in labels["G2"]
    assert "城关供电所" in "".join(svg.find(f"{SVG}title").itertext())  # type: ignore[union-attr]


def test_staff_list_the_maps_in_their_scope(drawn) -> None:  # type: ignore[no-untyped-def]
    def listed(who: Any) -> set[tuple[str, str]]:
        reply = drawn.call("GET", "/v1/maps", as_=who)
        assert reply.status == 200, reply.body
        assert all(i["url"].startswith("https://") for i in reply.body["items"])
        return {(i["scope"], i["id"]) for i in reply.body["items"]}

    everything = {("station", "S1"), ("station", "S2"), ("branch", "B1")}
    assert listed(OPS) == everything
    assert listed(BRANCH) == everything
    assert listed(CHIEF_S2) == {("station", "S2")}
    assert listed(MANAGER_G1) == {("station", "S1")}
    customer = drawn.call("GET", "/v1/maps", as_=("wx-x", Role.CUSTOMER))
    assert customer.status == 403


def test_grids_geojson_of_a_station_or_branch_is_scope_checked(drawn) -> None:  # type: ignore[no-untyped-def]
    reply = drawn.call("GET", "/v1/maps/grids.geojson?station_id=S1", as_=CHIEF_S1)
    assert reply.status == 200, reply.body
    assert reply.body["type"] == "FeatureCollection"
    features = {f["properties"]["grid_id"]: f for f in reply.body["features"]}
    assert set(features) == {"G1", "G2"}
    assert features["G1"]["geometry"]["type"] == "MultiPolygon"
    assert features["G2"]["properties"]["manager"] == {"name": "网格经理2", "phone": "13910000002"}
    branch = drawn.call("GET", "/v1/maps/grids.geojson?branch_id=B1", as_=BRANCH)
    assert len(branch.body["features"]) == 4  # G4 has no polygon yet: geometry null
    assert [f["geometry"] for f in branch.body["features"] if f["id"] == "G4"] == [None]

    assert drawn.call("GET", "/v1/maps/grids.geojson?station_id=S1", as_=CHIEF_S2).status == 403
    assert drawn.call("GET", "/v1/maps/grids.geojson?branch_id=B1", as_=CHIEF_S1).status == 403
    assert drawn.call("GET", "/v1/maps/grids.geojson", as_=OPS).status == 400
    assert drawn.call("GET", "/v1/maps/grids.geojson?station_id=S9", as_=OPS).status == 404
    assert drawn.call("GET", "/v1/maps/grids.geojson?branch_id=B9", as_=OPS).status == 404


def test_a_staff_import_redraws_the_maps_with_the_new_manager(drawn) -> None:  # type: ignore[no-untyped-def]
    header = "工号,姓名,手机号,角色,网格编号,互助组,供电所\n"
    data = (header + "M9,新经理,13910000009,网格经理,G2,A1,S1\n").encode("utf-8")
    import_id, key = start(drawn, "staff", "人员.csv", data)
    run(key)
    assert job(drawn, import_id)["counts"]["created"] == 1
    labels = {
        t.get("data-grid"): "".join(t.itertext())
        for t in station_svg(drawn, "S1").iter(f"{SVG}text")
    }
    assert "新经理 13910000009" in labels["G2"]
