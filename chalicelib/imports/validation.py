"""A whole file checked row by row: the header mapped once, each row checked, the result
counted. Pure: the caller hands in the opened table and the ids the store already knows."""

from __future__ import annotations

from collections.abc import Container, Iterator, Mapping
from dataclasses import dataclass, field

from chalicelib.geo.coords import BAYANNUR, Bbox, Coord

from .columns import HeaderMap, Kind, map_header
from .issues import Code, RowIssue, required_missing
from .reading import SourceRow, Table
from .rows import Checked, RowChecker

FIRST_ERRORS = 1000


class MissingColumns(Exception):
    """The header lacks required columns: no row can pass, the job fails as a whole."""

    def __init__(self, issues: tuple[RowIssue, ...]) -> None:
        super().__init__("; ".join(i.message for i in issues))
        self.issues = issues


@dataclass
class Tally:
    """What the result reports: rows seen and failed, and the first errors."""

    rows: int = 0
    failed: int = 0
    errors: list[RowIssue] = field(default_factory=list)

    def count(self, checked: Checked) -> None:
        self.rows += 1
        if checked.issues:
            self.failed += 1
            room = FIRST_ERRORS - len(self.errors)
            self.errors.extend(checked.issues[: max(room, 0)])

    def over(self, threshold: float) -> bool:
        """More than `threshold` (0.05 = 5 %) of the rows failed."""
        return self.rows > 0 and self.failed > threshold * self.rows


def header_of(kind: Kind, table: Table) -> HeaderMap:
    mapped = map_header(kind, table.header)
    if mapped.missing:
        raise MissingColumns(
            tuple(
                RowIssue(
                    1, c.header, Code.REQUIRED_MISSING, f"缺少必填列：{required_missing(c.header)}"
                )
                for c in mapped.missing
            )
        )
    return mapped


def check_rows(
    kind: Kind,
    table: Table,
    refs: Mapping[str, Container[str]],
    *,
    bbox: Bbox = BAYANNUR,
    coord: Coord = Coord.WGS84,
) -> Iterator[tuple[SourceRow, Checked]]:
    checker = RowChecker(kind, header_of(kind, table), refs, bbox, coord)
    for row in table.rows:
        extra = {"geometry": row.geometry} if kind is Kind.GRIDS else {}
        yield row, checker.check(row.number, row.cells, **extra)
