"""The marketing system's feed files, row by row: daily readings (feeds/usage/) and monthly
bills (feeds/bills/). Columns, aliases and cell checks in one place; the codes and error
file are the import jobs' (chalicelib.imports). Pure.

Daily readings: 户号, 日期, 用电量kWh, optional 峰/平/谷 kWh and 数据质量 (实抄/估抄/缺失).
Bills: 户号, 账期 (YYYYMM), 电量, 电费, 缴费状态 (已缴/未缴), 结算余额, 欠费, 违约金, 截至时间.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from chalicelib.domain.dates import SHANGHAI, is_month
from chalicelib.domain.usage import DailyUsage, MonthlyBill, Quality
from chalicelib.imports import cells
from chalicelib.imports.cells import CellProblem
from chalicelib.imports.columns import Column, HeaderMap
from chalicelib.imports.issues import Code, RowIssue, duplicate, required_missing


class Feed(StrEnum):
    USAGE = "usage"
    BILLS = "bills"


PREFIXES = {Feed.USAGE: "feeds/usage/", Feed.BILLS: "feeds/bills/"}


def feed_of(key: str) -> Feed | None:
    return next((f for f, p in PREFIXES.items() if key.startswith(p)), None)


def _c(field: str, header: str, *aliases: str, req: bool = False, ident: bool = False) -> Column:
    return Column(field, header, aliases, req, ident)


ACCOUNT = _c("account_no", "户号", "consNo", "用户编号", "用户编码", "yhdabh", req=True, ident=True)
COLUMNS: dict[Feed, tuple[Column, ...]] = {
    Feed.USAGE: (
        ACCOUNT,
        _c("day", "日期", "rq", "date", "数据日期", req=True),
        _c("kwh", "用电量kWh", "用电量", "dl", "kwh", "日用电量", req=True),
        _c("peak_kwh", "峰kWh", "峰", "峰电量", "peak"),
        _c("flat_kwh", "平kWh", "平", "平电量", "flat"),
        _c("valley_kwh", "谷kWh", "谷", "谷电量", "valley"),
        _c("quality", "数据质量", "质量", "抄表类型", "quality"),
    ),
    Feed.BILLS: (
        ACCOUNT,
        _c("period", "账期", "电费年月", "ym", "period", req=True),
        _c("kwh", "电量", "dl", "bqdl", "电量kWh", req=True),
        _c("amount_yuan", "电费", "df", "bqdf", "电费元", req=True),
        _c("paid", "缴费状态", "已缴/未缴", "是否已缴", "paid"),
        _c("balance_yuan", "结算余额", "zmye", "账面余额", "余额", req=True),
        _c("arrears_yuan", "欠费", "qjdf", "欠缴电费"),
        _c("penalty_yuan", "违约金", "qjwyj", "欠缴违约金"),
        _c("as_of", "截至时间", "数据截至", "as_of", req=True),
    ),
}
QUALITY_WORDS = {
    "实抄": Quality.ACTUAL,
    "a": Quality.ACTUAL,
    "估抄": Quality.ESTIMATED,
    "估算": Quality.ESTIMATED,
    "e": Quality.ESTIMATED,
    "缺失": Quality.MISSING,
    "m": Quality.MISSING,
    **{q.value: q for q in Quality},
}
PAID_WORDS = {"已缴": True, "已缴费": True, "是": True, "未缴": False, "未缴费": False, "否": False}
_DAY = re.compile(r"^(20\d{2})[-/.]?(\d{1,2})[-/.]?(\d{1,2})(?:[T ]00:00(?::00)?)?$")


def day(value: str) -> date:
    match = _DAY.match(value.strip())
    try:
        if match is None:
            raise ValueError(value)
        return date(*(int(g) for g in match.groups()))
    except ValueError:
        raise CellProblem(Code.BAD_FORMAT, f"日期应为 YYYY-MM-DD，实际为「{value}」") from None


def period(value: str) -> str:
    text = value.strip().removesuffix(".0")
    month = f"{text[:4]}-{text[4:]}" if len(text) == 6 else text  # 202611 or 2026-11
    if not is_month(month):
        raise CellProblem(Code.BAD_FORMAT, f"账期应为 YYYYMM（如 202611），实际为「{value}」")
    return month


def moment(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.strip().replace("/", "-"))
    except ValueError:
        raise CellProblem(
            Code.BAD_FORMAT, f"截至时间应为 YYYY-MM-DD HH:MM:SS，实际为「{value}」"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=SHANGHAI)


def kwh(value: str, label: str = "用电量") -> float:
    amount = cells.number(value, label)
    if amount < 0:
        raise CellProblem(Code.BAD_FORMAT, f"{label}不能为负数（实际为「{value}」），请核对表计")
    return amount


def quality(value: str) -> Quality:
    found = QUALITY_WORDS.get(value.strip().casefold())
    if found is None:
        raise CellProblem(Code.BAD_FORMAT, f"数据质量应为 实抄、估抄 或 缺失，实际为「{value}」")
    return found


def paid(value: str) -> bool:
    if value.strip() in PAID_WORDS:
        return PAID_WORDS[value.strip()]
    return cells.flag(value)


PARSERS: dict[str, Callable[[str], Any]] = {
    "account_no": lambda v: cells.account_no(cells.identifier(v)),
    "day": day,
    "kwh": kwh,
    "peak_kwh": lambda v: kwh(v, "峰电量"),
    "flat_kwh": lambda v: kwh(v, "平电量"),
    "valley_kwh": lambda v: kwh(v, "谷电量"),
    "quality": quality,
    "period": period,
    "amount_yuan": lambda v: cells.number(v, "电费"),
    "paid": paid,
    "balance_yuan": lambda v: cells.number(v, "结算余额"),
    "arrears_yuan": lambda v: cells.number(v, "欠费"),
    "penalty_yuan": lambda v: cells.number(v, "违约金"),
    "as_of": moment,
}


@dataclass(frozen=True, slots=True)
class Parsed:
    record: DailyUsage | MonthlyBill | None
    issues: tuple[RowIssue, ...]


@dataclass
class FeedRows:
    """Checks one row at a time; remembers each row's key to refuse a second one."""

    feed: Feed
    header: HeaderMap

    def __post_init__(self) -> None:
        self._first: dict[str, int] = {}  # "<account>#<day or period>" → first row

    def check(self, number: int, cells_: Sequence[str]) -> Parsed:
        values: dict[str, Any] = {}
        issues: list[RowIssue] = []
        for column in COLUMNS[self.feed]:
            at = self.header.positions.get(column.field)
            raw = cells_[at].strip() if at is not None and at < len(cells_) else ""
            name = self.header.header_of(column)
            if not raw:
                needed = column.required and not (column.field == "kwh" and self.feed is Feed.USAGE)
                if needed:
                    issues.append(
                        RowIssue(number, name, Code.REQUIRED_MISSING, required_missing(name))
                    )
                continue
            try:
                values[column.field] = PARSERS[column.field](raw)
            except CellProblem as problem:
                issues.append(RowIssue(number, name, problem.code, problem.message))
        if issues:
            return Parsed(None, tuple(issues))
        record = _daily(values) if self.feed is Feed.USAGE else _bill(values)
        key = f"{values['account_no']}#{values['day' if self.feed is Feed.USAGE else 'period']}"
        first = self._first.setdefault(key, number)
        if first != number:
            name = self.header.header_of(COLUMNS[self.feed][1])
            return Parsed(None, (RowIssue(number, name, Code.DUP_IN_FILE, duplicate(name, first)),))
        return Parsed(record, ())


def _daily(v: dict[str, Any]) -> DailyUsage:
    amount = v.get("kwh")
    q: Quality = v.get("quality") or (Quality.ACTUAL if amount is not None else Quality.MISSING)
    return DailyUsage(
        account_no=str(v["account_no"]),
        day=v["day"],
        kwh=None if q is Quality.MISSING else amount,
        quality=q if amount is not None else Quality.MISSING,
        peak_kwh=v.get("peak_kwh"),
        flat_kwh=v.get("flat_kwh"),
        valley_kwh=v.get("valley_kwh"),
    )


def _bill(v: dict[str, Any]) -> MonthlyBill:
    arrears = float(v.get("arrears_yuan") or 0.0)
    return MonthlyBill(
        account_no=str(v["account_no"]),
        period=str(v["period"]),
        kwh=float(v["kwh"]),
        amount_yuan=float(v["amount_yuan"]),
        paid=bool(v["paid"]) if "paid" in v else arrears == 0,
        settlement_balance_yuan=float(v["balance_yuan"]),
        arrears_yuan=arrears,
        penalty_yuan=float(v.get("penalty_yuan") or 0.0),
        as_of=v["as_of"],
    )
