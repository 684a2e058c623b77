"""Locate by point (any signed-in user) and the grid maps (staff)."""

from __future__ import annotations

from chalice import Blueprint
from chalice.app import Response

from chalicelib.api.docs import doc
from chalicelib.api.http import caller, decode, endpoint, respond
from chalicelib.api.import_schemas import (
    GridCard,
    LocateOut,
    LocateRequest,
    ManagerCard,
    StationCard,
)
from chalicelib.bootstrap import services
from chalicelib.usecases.locate import locate
from chalicelib.usecases.queries import scope_of

from .guard import protected

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
