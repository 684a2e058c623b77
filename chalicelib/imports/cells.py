"""One cell's checks: each returns the parsed value or raises `CellProblem` with the code
and the Chinese explanation. Pure; the spellings the bureau's files use live here."""

from __future__ import annotations

import re

from chalicelib.domain.labels import AREA_LABELS, ROLE_LABELS
from chalicelib.domain.org import AreaClass, Role
from chalicelib.domain.phone import is_mobile

from .issues import SCI_NOTATION_HOW_TO_FIX, Code


class CellProblem(Exception):
    def __init__(self, code: Code, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


ACCOUNT_NO = re.compile(r"^\d{10,13}$")
_SCI = re.compile(r"^[+-]?\d+(?:\.\d+)?[eE][+-]?\d+$")
_EXCEL_TEXT = re.compile(r'^="(.*)"$')  # how our error file keeps 0123456789 a string in Excel
_YES = frozenset({"是", "y", "yes", "true", "1", "重要", "特殊"})
_NO = frozenset({"否", "n", "no", "false", "0", ""})
ROLE_WORDS: dict[str, Role] = {
    **{label: r for r, label in ROLE_LABELS.items()},  # 网格经理, 供电所负责人, …
    "所长": Role.CHIEF,
    "营业站负责人": Role.CHIEF,
    "分局值班员": Role.BRANCH,
    "运营分析员": Role.OPS,
    "系统管理员": Role.ADMIN,
    **{r.value: r for r in Role if r is not Role.CUSTOMER},
}
AREA_WORDS: dict[str, AreaClass] = {
    **{AREA_LABELS[a]: a for a in AreaClass},  # 城区, 农村, 特殊边远
    "城市": AreaClass.URBAN,
    "乡村": AreaClass.RURAL,
    "边远": AreaClass.REMOTE,
    **{a.value: a for a in AreaClass},
}
_ROLE_NAMES = list(ROLE_LABELS.values())
LIST_SEPARATORS = re.compile(r"[,，;；、/\s]+")


def identifier(value: str) -> str:
    """An id as text: Excel's `="…"` and leading `'` removed; scientific notation refused."""
    text = value.strip()
    wrapped = _EXCEL_TEXT.match(text)
    if wrapped:
        text = wrapped.group(1).strip()
    text = text.removeprefix("'")
    if _SCI.match(text):
        raise CellProblem(Code.SCI_NOTATION, SCI_NOTATION_HOW_TO_FIX)
    return text


def account_no(value: str) -> str:
    if not ACCOUNT_NO.match(value):
        raise CellProblem(
            Code.BAD_FORMAT,
            f"户号应为 10–13 位数字（保留开头的 0），实际为「{value}」；"
            "若开头的 0 丢了，请把该列设为文本后重新填写",
        )
    return value


def mobile(value: str) -> str:
    digits = value.removeprefix("+86").replace("-", "").replace(" ", "")
    if not is_mobile(digits):
        raise CellProblem(Code.BAD_FORMAT, f"手机号应为 11 位大陆手机号码，实际为「{value}」")
    return digits


def flag(value: str) -> bool:
    word = value.strip().casefold()
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise CellProblem(Code.BAD_FORMAT, f"请填写「是」或「否」，实际为「{value}」")


def role(value: str) -> Role:
    found = ROLE_WORDS.get(value.strip())
    if found is None:
        raise CellProblem(
            Code.BAD_FORMAT,
            f"角色应为 {'、'.join(_ROLE_NAMES[:-1])} 或 {_ROLE_NAMES[-1]}，实际为「{value}」",
        )
    return found


def area_class(value: str) -> AreaClass:
    found = AREA_WORDS.get(value.strip() or "城区")
    if found is None:
        raise CellProblem(
            Code.BAD_FORMAT, f"区域类别应为 城区、农村 或 特殊边远，实际为「{value}」"
        )
    return found


def number(value: str, label: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise CellProblem(Code.BAD_FORMAT, f"{label}应为数字，实际为「{value}」") from None


def id_list(value: str) -> tuple[str, ...]:
    """One or several ids in one cell, separated by commas, 、 or spaces."""
    return tuple(dict.fromkeys(identifier(p) for p in LIST_SEPARATORS.split(value) if p))
