"""Checking rows: each error code from a crafted file, aliases, ignored columns, and the
error file that can be fixed and uploaded again."""

from __future__ import annotations

import io

import pytest

from chalicelib.domain.org import Role
from chalicelib.imports.columns import Kind, map_header
from chalicelib.imports.error_file import ErrorFileWriter
from chalicelib.imports.issues import Code
from chalicelib.imports.reading import open_table
from chalicelib.imports.records import CustomerRow, StaffRow, TransformerAreaRow
from chalicelib.imports.validation import MissingColumns, Tally, check_rows

REFS = {"ta": {"T1", "T2"}, "grid": {"G1", "G2"}}
CUSTOMERS = """户号,户名,用电地址,台区编号,电能表资产号,用电类别,手机号,重要客户,特殊客户,备注
0123456789,王建国,新华街1号,T1,M001,居民生活,13812345678,否,是,老客户
1.23457E+11,李秀英,胜利路2号,T1,,居民生活,,,,
0601000003,,团结村3号,T2,,居民生活,,,,
12345,张伟,团结村4号,T2,,居民生活,1381234,,,
0123456789,刘芳,牧区5号,T1,,居民生活,,,,
0601000006,赵六,牧区6号,T9,,居民生活,,也许,,
"""


def checked(kind: Kind, text: str, refs=REFS):  # type: ignore[no-untyped-def]
    table = open_table(io.BytesIO(text.encode()), "f.csv")
    return table, list(check_rows(kind, table, refs))


def codes(result) -> dict[int, list[tuple[str, Code]]]:  # type: ignore[no-untyped-def]
    return {row.number: [(i.column, i.code) for i in c.issues] for row, c in result if c.issues}


def test_each_customer_error_is_reported_on_the_row_excel_shows() -> None:
    _, result = checked(Kind.CUSTOMERS, CUSTOMERS)
    assert codes(result) == {
        3: [("户号", Code.SCI_NOTATION)],
        4: [("户名", Code.REQUIRED_MISSING)],
        5: [("户号", Code.BAD_FORMAT), ("手机号", Code.BAD_FORMAT)],
        6: [("户号", Code.DUP_IN_FILE)],
        7: [("重要客户", Code.BAD_FORMAT)],
    }
    good = result[0][1].record
    assert good == CustomerRow(
        "0123456789", "王建国", "新华街1号", "T1", "居民生活", "M001", "13812345678", False, True
    )


def test_messages_are_chinese_and_say_how_to_fix() -> None:
    _, result = checked(Kind.CUSTOMERS, CUSTOMERS)
    by_row = {row.number: c.issues for row, c in result}
    assert "设置单元格格式" in by_row[3][0].message and "文本" in by_row[3][0].message
    assert "第 2 行重复" in by_row[6][0].message
    assert "10–13 位数字" in by_row[5][0].message


def test_an_unknown_transformer_area_is_an_unknown_ref() -> None:
    text = "户号,户名,用电地址,台区编号,用电类别\n0601000006,赵六,牧区6号,T9,居民生活\n"
    _, result = checked(Kind.CUSTOMERS, text)
    assert codes(result) == {2: [("台区编号", Code.UNKNOWN_REF)]}
    assert "T9" in result[0][1].issues[0].message


def test_ascii_aliases_of_marketing_exports_map_and_extra_columns_are_named_once() -> None:
    header = ["consNo", "consName", "elecAddr", "tgNo", "elecTypeCode", "抄表段号", "抄表段号"]
    mapped = map_header(Kind.CUSTOMERS, header)
    assert mapped.positions == {
        "account_no": 0, "holder_name": 1, "address": 2, "ta_id": 3, "usage_class": 4
    }  # fmt: skip
    assert mapped.ignored == ("抄表段号", "抄表段号") and not mapped.missing
    assert (
        map_header(Kind.CUSTOMERS, ["户号 *", "户名*", "用电地址", "台区编号"]).missing[0].header
        == "用电类别"
    )


def test_a_file_without_a_required_column_fails_as_a_whole() -> None:
    with pytest.raises(MissingColumns) as caught:
        checked(Kind.CUSTOMERS, "户号,户名\n0601000001,王\n")
    assert {(i.row, i.column, i.code) for i in caught.value.issues} == {
        (1, "用电地址", Code.REQUIRED_MISSING),
        (1, "台区编号", Code.REQUIRED_MISSING),
        (1, "用电类别", Code.REQUIRED_MISSING),
    }


def test_transformer_areas_coordinates_are_checked_and_converted() -> None:
    text = (
        "tgNo,tgName,lineNo,供电所,网格编号,经度,纬度,坐标系\n"
        "T1,新华1号,L1,S1,G1,107.364,40.751,\n"
        "T2,胜利2号,L1,S1,G1,116.404,39.915,wgs84\n"
        "T3,团结3号,L1,S1,G1,107.364,40.751,bd09\n"
        "T4,牧区4号,L1,S1,G7,,,\n"
        "T5,新区5号,L1,S1,G2,107.370,40.752,GCJ-02\n"
    )
    _, result = checked(Kind.TRANSFORMER_AREAS, text)
    assert codes(result) == {
        3: [("经度", Code.OUT_OF_BBOX)],
        4: [("坐标系", Code.COORD_SYSTEM_UNKNOWN)],
        5: [("网格编号", Code.UNKNOWN_REF)],
    }
    first = result[0][1].record
    assert isinstance(first, TransformerAreaRow) and (first.lng, first.lat) == (107.364, 40.751)
    moved = result[4][1].record
    assert isinstance(moved, TransformerAreaRow) and moved.lng is not None
    assert 107.36 < moved.lng < 107.37  # GCJ-02 brought back to WGS84, a few hundred metres


def test_staff_rows_take_several_grids_and_refuse_a_duplicate_phone() -> None:
    text = (
        "工号,姓名,手机号,角色,网格编号,互助组,供电所\n"
        'M1,网格经理1,13910000001,网格经理,"G1, G2",A1,S1\n'
        "M2,网格经理2,13910000001,manager,G9,A1,S1\n"
        "C1,所长,13920000001,站长,,,S1\n"
    )
    _, result = checked(Kind.STAFF, text)
    assert result[0][1].record == StaffRow(
        "M1", "网格经理1", "13910000001", Role.MANAGER, ("G1", "G2"), "A1", "S1"
    )
    assert codes(result) == {
        3: [("手机号", Code.DUP_IN_FILE), ("网格编号", Code.UNKNOWN_REF)],
        4: [("角色", Code.BAD_FORMAT)],
    }


def test_tally_counts_and_holds_the_threshold() -> None:
    _, result = checked(Kind.CUSTOMERS, CUSTOMERS)
    tally = Tally()
    for _, c in result:
        tally.count(c)
    assert (tally.rows, tally.failed, len(tally.errors)) == (6, 5, 6)
    assert tally.over(0.05) and not tally.over(5 / 6)


def test_the_error_file_keeps_ids_as_text_and_comes_back_clean_once_fixed() -> None:
    text = "户号,户名,用电地址,台区编号,用电类别,备注\n0123456789,,新华街1号,T1,居民生活,留言\n"
    table, result = checked(Kind.CUSTOMERS, text)
    out = io.StringIO()
    writer = ErrorFileWriter(out, Kind.CUSTOMERS, table.header)
    for row, c in result:
        writer.write(row.cells, c.issues)
    content = out.getvalue()
    assert content.startswith(
        "\ufeff户号,户名,用电地址,台区编号,用电类别,备注,行号,字段,错误码,说明\r\n"
    )
    assert '"=""0123456789""",,新华街1号,T1,居民生活,留言,2,户名,REQUIRED_MISSING,' in content
    # the operator fills in 户名 and uploads the same file again, as Excel saves it (BOM kept)
    fixed = content.replace(",,新华街1号", ",王建国,新华街1号").encode("utf-8")
    again = open_table(io.BytesIO(fixed), "errors.csv")
    assert again.encoding == "utf-8-bom"
    (row, c), *_ = list(check_rows(Kind.CUSTOMERS, again, REFS))
    assert c.issues == () and isinstance(c.record, CustomerRow)
    assert c.record.account_no == "0123456789"
    assert map_header(Kind.CUSTOMERS, again.header).ignored == ("备注",)
