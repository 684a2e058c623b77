"""Locate by point (any signed-in user) and the grid maps (staff)."""

from __future__ import annotations

from chalice import Blueprint
from chalice.app import Response

from chalicelib.api.docs import doc
from chalicelib.api.http import caller, decode, endpoint, query_params, respond
from chalicelib.api.import_schemas import (
    FeatureCollection,
    GridCard,
    LocateOut,
    LocateRequest,
    ManagerCard,
    MapItem,
    MapList,
    StationCard,
)
from chalicelib.bootstrap import services
from chalicelib.domain.org import STAFF_ROLES
from chalicelib.usecases.scope import scope_of

from .guard import protected

# Locating and the map listings (coordinate conversion, the grid index) load on their first
# request, not with `import app` (bench/bench_coldstart.py).

geo_api = Blueprint(__name__)


@geo_api.route("/v1/locate", methods=["POST"], **protected())
@endpoint
@doc(
    "按位置查网格：所在网格、供电所和网格经理公示牌（坐标系 wgs84 或 gcj02）",
    body=LocateRequest,
    response=LocateOut,
    errors=(404,),
)
def locate_point() -> Response:
    from chalicelib.usecases.locate import locate

    request = geo_api.current_request
    svc = services()
    scope_of(svc, caller(request))
    body = decode(request, LocateRequest)
    found = locate(svc, body.lat, body.lng, body.coord)
    station = found.station
    manager = found.manager
    return respond(
        LocateOut(
            grid=GridCard(grid_id=found.grid.grid_id, name=found.grid.name),
            station=StationCard(
                station_id=found.grid.station_id, name=station.name if station else ""
            ),
            manager=ManagerCard(name=manager.name, phone=manager.phone) if manager else None,
        )
    )


@geo_api.route("/v1/maps", methods=["GET"], **protected())
@endpoint
@doc(
    "网格图（每个供电所、每个分局一张 SVG，预签名下载地址），限本辖区",
    response=MapList,
    errors=(403,),
)
def maps() -> Response:
    from chalicelib.usecases.maps import list_maps

    svc = services()
    scope = scope_of(svc, caller(geo_api.current_request), *STAFF_ROLES)
    items = [
        MapItem(scope=link.entry.scope, id=link.entry.id, name=link.entry.name, url=link.url)
        for link in list_maps(svc, scope)
    ]
    return respond(MapList(items=items))


@geo_api.route("/v1/maps/grids.geojson", methods=["GET"], **protected())
@endpoint
@doc(
    "一个供电所或分局的网格边界（GeoJSON FeatureCollection，WGS84），限本辖区",
    response=FeatureCollection,
    errors=(403, 404),
    query={"station_id": "供电所（与 branch_id 二选一）", "branch_id": "分局"},
)
def grids_map() -> Response:
    from chalicelib.usecases.maps import grids_geojson

    request = geo_api.current_request
    svc = services()
    scope = scope_of(svc, caller(request), *STAFF_ROLES)
    params = query_params(request)
    collection = grids_geojson(svc, scope, params.get("station_id"), params.get("branch_id"))
    return respond(collection, headers={"Content-Type": "application/geo+json; charset=utf-8"})
