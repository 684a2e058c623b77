"""Locate by point: the grid, station and manager card (公示牌) whose grid contains a point.

The index is built lazily from the grid shapes (one read of geo/grids.wkb) and kept per
container; it is rebuilt after `INDEX_TTL` so a committed grids import is seen within it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from chalicelib.domain.errors import NotFound
from chalicelib.domain.org import Grid, Staff, Station
from chalicelib.geo.coords import Coord, to_wgs84

if TYPE_CHECKING:
    from chalicelib.bootstrap import Services
    from chalicelib.geo.index import GridIndex

INDEX_TTL = timedelta(minutes=5)


class IndexCache:
    """One GridIndex per container, loaded on first use and again after `ttl`."""

    def __init__(
        self, load: Callable[[], list[tuple[str, bytes]]], ttl: timedelta = INDEX_TTL
    ) -> None:
        self.load = load
        self.ttl = ttl
        self._built: tuple[datetime, GridIndex] | None = None

    def index(self, now: datetime) -> GridIndex:
        if self._built is None or now - self._built[0] >= self.ttl:
            from chalicelib.geo.index import GridIndex

            self._built = (now, GridIndex.from_wkb(self.load()))
        return self._built[1]


@dataclass(frozen=True, slots=True)
class Located:
    grid: Grid
    station: Station | None
    manager: Staff | None


OUTSIDE = "该位置不在本局网格服务范围内"


def locate(svc: Services, lat: float, lng: float, coord: str) -> Located:
    wgs_lng, wgs_lat = to_wgs84(lng, lat, Coord(coord))
    grid_id = svc.grid_index.index(svc.clock()).locate(wgs_lng, wgs_lat)
    grid = svc.org.grid(grid_id) if grid_id else None
    if grid is None:
        raise NotFound(OUTSIDE, code="outside_service_area")
    station = svc.org.station(grid.station_id)
    manager = svc.org.staff(grid.manager_id) if grid.manager_id else None
    return Located(grid, station, manager)
