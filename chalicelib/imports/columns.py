"""The columns of each import kind: the Chinese header, the ASCII aliases marketing-system
exports use (consNo, tgNo, …), and which must be filled. One home for this vocabulary."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    TRANSFORMER_AREAS = "transformer_areas"
    CUSTOMERS = "customers"
    GRIDS = "grids"
    STAFF = "staff"


@dataclass(frozen=True, slots=True)
class Column:
    field: str  # the attribute name the row record uses
    header: str  # as the bureau's template spells it
    aliases: tuple[str, ...] = ()
    required: bool = False
    identifier: bool = False  # an id Excel may mangle (leading zeros, 1.23E+11)


def _c(field: str, header: str, *aliases: str, req: bool = False, ident: bool = False) -> Column:
    return Column(field, header, aliases, req, ident)


COLUMNS: dict[Kind, tuple[Column, ...]] = {
    Kind.TRANSFORMER_AREAS: (
        _c("ta_id", "台区编号", "tgNo", "tgId", "tg_no", req=True, ident=True),
        _c("name", "台区名称", "tgName", req=True),
        _c("line_id", "所属线路编号", "lineNo", "lineId", "线路编号", req=True, ident=True),
        _c("line_name", "所属线路名称", "lineName", "线路名称"),
        _c("substation", "变电站", "subsName", "变电站名称"),
        _c("capacity_kva", "容量kVA", "变压器容量kVA", "台区容量", "tgCap", "runCap"),
        _c("ownership", "公变/专变", "typeCode", "公专变"),
        _c("station_id", "供电所", "供电所编号", "stationNo", "orgNo", req=True, ident=True),
        _c("grid_id", "网格编号", "gridNo", "grid_code", req=True, ident=True),
        _c("lng", "经度", "GPS经度", "lng", "lon", "longitude"),
        _c("lat", "纬度", "GPS纬度", "lat", "latitude"),
        _c("coord", "坐标系", "coord", "crs"),
    ),
    Kind.CUSTOMERS: (
        _c("account_no", "户号", "consNo", "用户编号", "用户编码", "yhdabh", req=True, ident=True),
        _c("holder_name", "户名", "consName", "用户名称", req=True),
        _c("address", "用电地址", "elecAddr", req=True),
        _c("ta_id", "台区编号", "tgNo", "tgId", "tg_no", req=True, ident=True),
        _c("meter_no", "电能表资产号", "meterAssetNo", "elecmeterAssetNum", ident=True),
        _c("usage_class", "用电类别", "elecTypeCode", "elecType", req=True),
        _c("phone", "手机号", "mobile", "phone", "联系电话", ident=True),
        _c("important", "重要客户", "important", "是否重要客户"),
        _c("special", "特殊客户", "special", "是否敏感用户", "是否特殊客户"),
    ),
    Kind.GRIDS: (
        _c("grid_id", "网格编号", "grid_code", "gridNo", req=True, ident=True),
        _c("name", "网格名称", "name", "grid_name", req=True),
        _c("station_id", "供电所", "station", "station_id", "供电所编号", req=True, ident=True),
        _c("branch_id", "分局", "branch", "branch_id", "供电分局", req=True, ident=True),
        _c("area_class", "区域类别", "area_class", "城乡类别"),
        _c("group_id", "互助组", "mutual_aid_group", "group", ident=True),
    ),
    Kind.STAFF: (
        _c("staff_id", "工号", "staff_no", "staff_id", "empNo", req=True, ident=True),
        _c("name", "姓名", "name", req=True),
        _c("phone", "手机号", "mobile", "phone", "手机", req=True, ident=True),
        _c("role", "角色", "role", req=True),
        _c("grid_ids", "网格编号", "grid_codes", "grid_code", "gridNo"),
        _c("group_id", "互助组", "mutual_aid_group", "group", ident=True),
        _c("station_id", "供电所", "station", "station_id", ident=True),
    ),
}

# The columns our own error file adds: dropped silently when it comes back fixed.
ERROR_FILE_COLUMNS = ("行号", "字段", "错误码", "说明")
_NOISE = re.compile(r"[\s*＊()（）\ufeff]")


def _norm(header: str) -> str:
    return _NOISE.sub("", header).casefold()


@dataclass(frozen=True, slots=True)
class HeaderMap:
    positions: dict[str, int]  # field -> index in the row
    headers: tuple[str, ...]  # the header row as the file spells it
    ignored: tuple[str, ...]  # extra columns, named once in the result
    missing: tuple[Column, ...]  # required columns the file lacks

    def header_of(self, column: Column) -> str:
        at = self.positions.get(column.field)
        return self.headers[at] if at is not None else column.header


def map_header(kind: Kind, header: Sequence[str]) -> HeaderMap:
    return map_columns(COLUMNS[kind], header)


def map_columns(columns: Sequence[Column], header: Sequence[str]) -> HeaderMap:
    """Where each of `columns` sits in `header` (any kind of file, e.g. the usage feeds)."""
    lookup = {_norm(name): c for c in columns for name in (c.header, c.field, *c.aliases)}
    quiet = {_norm(name) for name in ERROR_FILE_COLUMNS}
    positions: dict[str, int] = {}
    ignored: list[str] = []
    for at, raw in enumerate(header):
        name = _norm(str(raw))
        column = lookup.get(name)
        if column is not None and column.field not in positions:
            positions[column.field] = at
        elif name and name not in quiet:
            ignored.append(str(raw).strip())
    missing = tuple(c for c in columns if c.required and c.field not in positions)
    return HeaderMap(positions, tuple(str(h).strip() for h in header), tuple(ignored), missing)
