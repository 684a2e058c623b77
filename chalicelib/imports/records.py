"""What one good row of each kind says, parsed: plain values keyed by the natural id."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.domain.org import AreaClass, Role


@dataclass(frozen=True, slots=True)
class TransformerAreaRow:
    ta_id: str
    name: str
    line_id: str
    station_id: str
    grid_id: str
    line_name: str = ""
    substation: str = ""
    capacity_kva: str = ""
    ownership: str = ""
    lng: float | None = None  # WGS84, converted from the file's 坐标系
    lat: float | None = None

    @property
    def key(self) -> str:
        return self.ta_id


@dataclass(frozen=True, slots=True)
class CustomerRow:
    account_no: str
    holder_name: str
    address: str
    ta_id: str
    usage_class: str
    meter_no: str = ""
    phone: str = ""
    important: bool = False
    special: bool = False

    @property
    def key(self) -> str:
        return self.account_no


@dataclass(frozen=True, slots=True)
class GridRow:
    grid_id: str
    name: str
    station_id: str
    branch_id: str
    area_class: AreaClass = AreaClass.URBAN
    group_id: str = ""
    geometry: dict[str, Any] | None = None  # GeoJSON Polygon/MultiPolygon in WGS84

    @property
    def key(self) -> str:
        return self.grid_id


@dataclass(frozen=True, slots=True)
class StaffRow:
    staff_id: str
    name: str
    phone: str
    role: Role
    grid_ids: tuple[str, ...] = ()
    group_id: str = ""
    station_id: str = ""

    @property
    def key(self) -> str:
        return self.staff_id


ImportRow = TransformerAreaRow | CustomerRow | GridRow | StaffRow
