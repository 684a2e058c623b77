"""The error file: each refused row with its original cells, then 行号, 字段, 错误码, 说明.

UTF-8 with BOM so Excel opens it directly. Numeric ids are written as `="0123456789"` so Excel
keeps them as text (leading zeros, no 1.23E+11); the reader unwraps that form, so the
fixed file can be uploaded again as it is. One line per row: several problems are joined.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Sequence
from typing import IO

from .cells import CellProblem, identifier
from .columns import COLUMNS, ERROR_FILE_COLUMNS, Column, Kind, map_columns
from .issues import RowIssue

JOIN = "；"


class ErrorFileWriter:
    def __init__(self, out: IO[str], kind: Kind | Sequence[Column], header: Sequence[str]) -> None:
        columns = COLUMNS[kind] if isinstance(kind, Kind) else tuple(kind)
        mapped = map_columns(columns, header)
        ids = {c.field for c in columns if c.identifier}
        self._text_at = {at for field, at in mapped.positions.items() if field in ids}
        self._keep = [at for at, name in enumerate(header) if name not in ERROR_FILE_COLUMNS]
        self._width = len(header)
        self._csv = csv.writer(out, lineterminator="\r\n")
        out.write(codecs.BOM_UTF8.decode("utf-8"))
        self._csv.writerow([header[at] for at in self._keep] + list(ERROR_FILE_COLUMNS))
        self.rows = 0

    def write(self, cells: Sequence[str], issues: Sequence[RowIssue]) -> None:
        padded = list(cells) + [""] * (self._width - len(cells))
        original = [self._cell(at, padded[at]) for at in self._keep]
        self._csv.writerow(
            [
                *original,
                issues[0].row,
                JOIN.join(dict.fromkeys(i.column for i in issues)),
                JOIN.join(dict.fromkeys(i.code.value for i in issues)),
                JOIN.join(i.message for i in issues),
            ]
        )
        self.rows += 1

    def _cell(self, at: int, value: str) -> str:
        if at not in self._text_at:
            return value
        try:
            text = identifier(value)
        except CellProblem:
            return value  # 1.23E+11 stays as it came: the 说明 says how to fix it
        return f'="{text}"' if text.isdigit() else value
