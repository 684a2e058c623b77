"""The import error codes of API.md and the Chinese wording shown to ops, in one place."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Code(StrEnum):
    REQUIRED_MISSING = "REQUIRED_MISSING"
    BAD_FORMAT = "BAD_FORMAT"
    SCI_NOTATION = "SCI_NOTATION"
    DUP_IN_FILE = "DUP_IN_FILE"
    UNKNOWN_REF = "UNKNOWN_REF"
    GEOM_INVALID = "GEOM_INVALID"
    OUT_OF_BBOX = "OUT_OF_BBOX"
    COORD_SYSTEM_UNKNOWN = "COORD_SYSTEM_UNKNOWN"
    GRID_OVERLAP = "GRID_OVERLAP"


@dataclass(frozen=True, slots=True)
class RowIssue:
    """One problem with one row: `row` as Excel numbers it (header = 1), `column` the header
    as the file spells it (or the canonical name when the column is absent)."""

    row: int
    column: str
    code: Code
    message: str


SCI_NOTATION_HOW_TO_FIX = (
    "Excel 把这个编号显示成了科学计数法（如 1.23457E+11），原来的数字已经丢失。"
    "请在 Excel 中选中整列，右键「设置单元格格式」→「文本」，重新粘贴或填写完整的编号"
    "（也可在编号前加英文单引号 '），再保存上传"
)


def required_missing(column: str) -> str:
    return f"「{column}」必须填写"


def duplicate(column: str, first_row: int) -> str:
    return f"「{column}」与第 {first_row} 行重复"


def unknown_ref(column: str, value: str) -> str:
    return f"「{column}」{value} 在本文件和系统中都不存在，请先导入它"
