"""Check one row of a file: required cells, formats, duplicates within the file, references
to what the file or the store already holds, and a 台区's coordinates. Pure."""

from __future__ import annotations

from collections.abc import Callable, Container, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from chalicelib.geo.coords import BAYANNUR, Bbox, Coord, coord_system, to_wgs84

from . import cells
from .cells import CellProblem
from .columns import COLUMNS, Column, HeaderMap, Kind
from .issues import Code, RowIssue, duplicate, required_missing, unknown_ref
from .records import CustomerRow, GridRow, ImportRow, StaffRow, TransformerAreaRow

RECORDS: dict[Kind, Callable[..., ImportRow]] = {
    Kind.TRANSFORMER_AREAS: TransformerAreaRow,
    Kind.CUSTOMERS: CustomerRow,
    Kind.GRIDS: GridRow,
    Kind.STAFF: StaffRow,
}
PARSERS: dict[str, Callable[[str], Any]] = {
    "account_no": cells.account_no,
    "phone": cells.mobile,
    "important": cells.flag,
    "special": cells.flag,
    "role": cells.role,
    "area_class": cells.area_class,
    "grid_ids": cells.id_list,
    "lng": lambda v: cells.number(v, "经度"),
    "lat": lambda v: cells.number(v, "纬度"),
}
UNIQUE: dict[Kind, tuple[str, ...]] = {
    Kind.TRANSFORMER_AREAS: ("ta_id",),
    Kind.CUSTOMERS: ("account_no",),
    Kind.GRIDS: ("grid_id",),
    Kind.STAFF: ("staff_id", "phone"),
}
# field -> the kind of thing it names, checked against `refs` (the file's and the store's ids)
REFERENCES: dict[Kind, dict[str, str]] = {
    Kind.TRANSFORMER_AREAS: {"grid_id": "grid"},
    Kind.CUSTOMERS: {"ta_id": "ta"},
    Kind.STAFF: {"grid_ids": "grid"},
}


@dataclass(frozen=True, slots=True)
class Checked:
    record: ImportRow | None  # None when the row has any issue
    issues: tuple[RowIssue, ...]


@dataclass
class RowChecker:
    kind: Kind
    header: HeaderMap
    refs: Mapping[str, Container[str]] = field(default_factory=dict)
    bbox: Bbox = BAYANNUR
    coord: Coord = Coord.WGS84  # what a blank 坐标系 means
    _seen: dict[tuple[str, str], int] = field(default_factory=dict)

    def check(self, row: int, values: Sequence[str], **extra: Any) -> Checked:
        issues: list[RowIssue] = []
        parsed: dict[str, Any] = {}
        for column in COLUMNS[self.kind]:
            at = self.header.positions.get(column.field)
            raw = values[at].strip() if at is not None and at < len(values) else ""
            try:
                value = self._cell(column, raw)
            except CellProblem as problem:
                issues.append(
                    RowIssue(row, self.header.header_of(column), problem.code, problem.message)
                )
                continue
            if value is not None:
                parsed[column.field] = value
        if not issues:
            issues += self._duplicates(row, parsed) + self._references(row, parsed)
            issues += self._position(row, parsed)
        if issues:
            return Checked(None, tuple(issues))
        return Checked(RECORDS[self.kind](**parsed, **extra), ())

    def _cell(self, column: Column, raw: str) -> Any:
        text = cells.identifier(raw) if column.identifier else raw
        if not text:
            if column.required:
                raise CellProblem(Code.REQUIRED_MISSING, required_missing(column.header))
            return None
        parse = PARSERS.get(column.field)
        return parse(text) if parse else text

    def _issue(self, row: int, name: str, code: Code, message: str) -> RowIssue:
        column = next(c for c in COLUMNS[self.kind] if c.field == name)
        return RowIssue(row, self.header.header_of(column), code, message)

    def _duplicates(self, row: int, parsed: dict[str, Any]) -> list[RowIssue]:
        found = []
        for name in UNIQUE[self.kind]:
            if name not in parsed:
                continue
            first = self._seen.setdefault((name, parsed[name]), row)
            if first != row:
                label = self.header.header_of(
                    next(c for c in COLUMNS[self.kind] if c.field == name)
                )
                found.append(self._issue(row, name, Code.DUP_IN_FILE, duplicate(label, first)))
        return found

    def _references(self, row: int, parsed: dict[str, Any]) -> list[RowIssue]:
        found = []
        for name, target in REFERENCES.get(self.kind, {}).items():
            known = self.refs.get(target)
            value = parsed.get(name)
            if known is None or not value:
                continue
            for ref in value if isinstance(value, tuple) else (value,):
                if ref not in known:
                    label = self.header.header_of(
                        next(c for c in COLUMNS[self.kind] if c.field == name)
                    )
                    found.append(self._issue(row, name, Code.UNKNOWN_REF, unknown_ref(label, ref)))
        return found

    def _position(self, row: int, parsed: dict[str, Any]) -> list[RowIssue]:
        """A 台区's 经度/纬度: both or neither, a known 坐标系, inside the bureau's box."""
        system = parsed.pop("coord", "")
        lng, lat = parsed.get("lng"), parsed.get("lat")
        if lng is None and lat is None:
            return []
        if lng is None or lat is None:
            missing = "lng" if lng is None else "lat"
            return [
                self._issue(row, missing, Code.REQUIRED_MISSING, "经度和纬度要么都填，要么都不填")
            ]
        coord = coord_system(system, self.coord)
        if coord is None:
            message = f"坐标系「{system}」无法识别，请填写 WGS84 或 GCJ02"
            return [self._issue(row, "coord", Code.COORD_SYSTEM_UNKNOWN, message)]
        parsed["lng"], parsed["lat"] = to_wgs84(lng, lat, coord)
        if not self.bbox.contains(parsed["lng"], parsed["lat"]):
            message = (
                f"坐标（{lng}, {lat}）不在本局供电区域范围内，请检查经纬度是否填反或坐标系是否正确"
            )
            return [self._issue(row, "lng", Code.OUT_OF_BBOX, message)]
        return []
