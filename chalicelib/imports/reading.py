"""A bureau's file as a stream of numbered rows: CSV (UTF-8 with or without BOM, GBK or
GB18030, detected), XLSX (first sheet, read-only stream) or a GeoJSON FeatureCollection.

Row numbers are Excel's: the header is row 1, blank rows still count. Every cell comes out
as text; XLSX numbers are written back the way Excel shows an id (no `.0`), and a number
too long for a float's 15 digits comes out in scientific notation so the row is refused.

XLSX reader, chosen by measurement (346,000 customer rows × 9 columns; README "Imports"):
openpyxl in read-only mode streams the sheet's XML and holds only Excel's shared-strings
table (256 MB peak over the interpreter; 58 MB for a sheet with inline strings), where
python-calamine, 18× faster (5 s of CPU against 90 s), builds the whole sheet in memory
first (290 MB, growing with the file): it cannot read "as a stream" as issue 12 asks.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

SNIFF_BYTES = 1 << 20


class UnreadableFile(Exception):
    """The file as a whole cannot be read (not CSV/XLSX/GeoJSON, bad encoding, no header)."""


@dataclass(frozen=True, slots=True)
class SourceRow:
    number: int  # as Excel shows it: header = 1 (for GeoJSON: the feature's 1-based position)
    cells: list[str]
    geometry: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Table:
    encoding: str | None  # utf-8, utf-8-bom, gbk, gb18030; None for XLSX and GeoJSON
    header: tuple[str, ...]
    rows: Iterator[SourceRow]
    crs: str | None = None  # a GeoJSON file's own `crs` name, when it has one
    geometry: bool = False  # rows carry a geometry (GeoJSON)


def sniff_encoding(head: bytes) -> str:
    """utf-8-bom, utf-8, gbk or gb18030 from the first bytes (a cut last character is fine)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-bom"
    for name in ("utf-8", "gbk"):
        try:
            codecs.getincrementaldecoder(name)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
        return name
    return "gb18030"


_CODECS = {"utf-8-bom": "utf-8-sig", "utf-8": "utf-8", "gbk": "gb18030", "gb18030": "gb18030"}


def open_csv(stream: IO[bytes]) -> Table:
    """`stream` must be seekable (a downloaded file, BytesIO): the head is read twice."""
    encoding = sniff_encoding(stream.read(SNIFF_BYTES))
    stream.seek(0)
    text = io.TextIOWrapper(stream, encoding=_CODECS[encoding], newline="")
    records = csv.reader(text)
    try:
        header = next(records)
    except StopIteration:
        raise UnreadableFile("文件是空的，第 1 行应为表头") from None
    except UnicodeDecodeError:
        raise UnreadableFile("文件编码无法识别，请另存为 UTF-8 或 GBK 编码的 CSV") from None
    return Table(encoding, tuple(header), _csv_rows(records))


def _csv_rows(records: Iterator[list[str]]) -> Iterator[SourceRow]:
    number = 1
    while True:
        try:
            cells = next(records)
        except StopIteration:
            return
        except UnicodeDecodeError:
            raise UnreadableFile(
                f"第 {number + 1} 行附近的编码与文件开头不一致，请把整个文件另存为 UTF-8 后重新上传"
            ) from None
        number += 1
        if any(c.strip() for c in cells):
            yield SourceRow(number, cells)


def xlsx_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.5E}" if abs(value) >= 1e15 else repr(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def open_xlsx(stream: IO[bytes]) -> Table:
    import openpyxl  # only the import job reads spreadsheets
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except (InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise UnreadableFile("XLSX 文件无法打开，请用 Excel 另存为 .xlsx 后重新上传") from exc
    sheet = book.worksheets[0]
    sheet.reset_dimensions()  # some exports state a wrong size: read every row there is
    rows = _xlsx_rows(book, sheet.iter_rows(values_only=True))
    first = next(rows, None)
    if first is None:
        book.close()
        raise UnreadableFile("第一个工作表是空的，第 1 行应为表头")
    return Table(None, tuple(first.cells), rows)


def _xlsx_rows(book: Any, values: Iterable[tuple[object, ...]]) -> Iterator[SourceRow]:
    try:
        for number, row in enumerate(values, start=1):
            cells = [xlsx_cell(v) for v in row]
            if any(c.strip() for c in cells):
                yield SourceRow(number, cells)
    finally:
        book.close()


def open_geojson(stream: IO[bytes]) -> Table:
    """A FeatureCollection of grids: one row per feature, its properties as the cells."""
    try:
        document = json.load(stream)
    except (UnicodeDecodeError, ValueError):
        raise UnreadableFile("GeoJSON 文件无法解析，请检查是否为 UTF-8 编码的合法 JSON") from None
    features = document.get("features") if isinstance(document, dict) else None
    if not isinstance(features, list):
        raise UnreadableFile("GeoJSON 应为 FeatureCollection（含 features 数组）")
    names: dict[str, None] = {}
    for feature in features:
        names.update(dict.fromkeys((feature or {}).get("properties") or {}))
    header = tuple(names)

    def rows() -> Iterator[SourceRow]:
        for number, feature in enumerate(features, start=1):
            props = (feature or {}).get("properties") or {}
            cells = [xlsx_cell(props.get(name)) for name in header]
            yield SourceRow(number, cells, (feature or {}).get("geometry"))

    crs = ((document.get("crs") or {}).get("properties") or {}).get("name")
    return Table(None, header, rows(), crs=str(crs) if crs else None, geometry=True)


def open_table(stream: IO[bytes], filename: str) -> Table:
    name = filename.casefold()
    if name.endswith((".geojson", ".json")):
        return open_geojson(stream)
    if name.endswith((".xlsx", ".xlsm")):
        return open_xlsx(stream)
    if name.endswith(".xls"):
        raise UnreadableFile("不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 CSV")
    return open_csv(stream)
