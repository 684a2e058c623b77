"""Reading a bureau's file: encodings detected, XLSX streamed, rows numbered as Excel does."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from chalicelib.imports.reading import UnreadableFile, open_table, sniff_encoding, xlsx_cell

CSV_TEXT = (
    "户号,户名,用电地址\r\n"
    "0123456789,王建国,临河区新华街道1号\r\n"
    ",,\r\n"
    "0601000002,李秀英,胜利路2号\r\n"
)


def read(data: bytes, name: str = "customers.csv"):  # type: ignore[no-untyped-def]
    table = open_table(io.BytesIO(data), name)
    return table, list(table.rows)


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (CSV_TEXT.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + CSV_TEXT.encode("utf-8"), "utf-8-bom"),
        (CSV_TEXT.encode("gbk"), "gbk"),
        ((CSV_TEXT + "0601000003,𠀀先生,临河区3号\r\n").encode("gb18030"), "gb18030"),
    ],
)
def test_csv_in_each_encoding_reads_the_same_and_says_which(data: bytes, encoding: str) -> None:
    table, rows = read(data)
    assert table.encoding == encoding
    assert table.header == ("户号", "户名", "用电地址")
    assert rows[0].cells == ["0123456789", "王建国", "临河区新华街道1号"]
    # the blank row 3 is skipped but still counted, as Excel numbers rows
    assert [r.number for r in rows][:2] == [2, 4]


def test_a_utf8_character_cut_by_the_sniff_window_is_still_utf8() -> None:
    assert sniff_encoding("户号".encode()[:-1]) == "utf-8"


def test_an_empty_file_is_refused_with_a_reason() -> None:
    with pytest.raises(UnreadableFile, match="表头"):
        read(b"")


def test_xlsx_first_sheet_is_read_with_ids_as_excel_shows_them(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "customers.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("用户")
    sheet.write_row(0, 0, ["户号", "户名", "重要客户", "电能表资产号"])
    sheet.write_row(1, 0, ["0123456789", "王建国", True, 1234567890123456789])
    sheet.write_row(3, 0, [601000002, "李秀英", False, None])
    book.add_worksheet("其他").write_row(0, 0, ["ignored"])
    book.close()
    table, rows = read(path.read_bytes(), "customers.xlsx")
    assert table.encoding is None and table.header == ("户号", "户名", "重要客户", "电能表资产号")
    assert [r.number for r in rows] == [2, 4]
    assert rows[0].cells == ["0123456789", "王建国", "是", "1.23457E+18"]
    assert rows[1].cells[:3] == ["601000002", "李秀英", "否"]


def test_geojson_features_become_rows_with_their_geometry() -> None:
    data = (
        b'{"type": "FeatureCollection", "features": ['
        b'{"type": "Feature", "properties": {"grid_code": "G1", "name": "A"},'
        b' "geometry": {"type": "Point", "coordinates": [107.3, 40.7]}},'
        b'{"type": "Feature", "properties": {"grid_code": "G2", "station": "S1"},'
        b' "geometry": null}]}'
    )
    table, rows = read(data, "grids.geojson")
    assert table.header == ("grid_code", "name", "station")
    assert rows[0].cells == ["G1", "A", ""] and rows[0].geometry is not None
    assert rows[1].number == 2 and rows[1].cells == ["G2", "", "S1"]


def test_old_xls_is_refused_with_how_to_fix() -> None:
    with pytest.raises(UnreadableFile, match="xlsx"):
        read(b"\xd0\xcf\x11\xe0", "old.xls")


def test_xlsx_cells_as_text() -> None:
    assert xlsx_cell(123456789012.0) == "123456789012"
    assert xlsx_cell(1.5) == "1.5"
    assert xlsx_cell(None) == ""
