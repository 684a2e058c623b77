"""An independent recomputation of a month's KPI totals from its report set alone — tickets.csv
and the period in kpi.json — written from SERVICE_STANDARDS.md's definitions, not from the
KPI code (it imports nothing but the standard library), so the two can check each other.

tickets.csv has a row per round of every ticket with a fact in the period; times are
Asia/Shanghai to the second; identifiers (工单编号, 工单ID, 户号) carry a leading tab that
keeps them text in Excel, and codes appear by their Chinese names, read back here as a person
with the standard in hand would (the label tables are spelled out on purpose, not imported)."""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from typing import Any

TYPES = {"故障报修": "fault_repair", "智能电表服务": "meter_service", "用电咨询": "consultation"}
TYPES["新装报装"] = "new_connection"
CHANNELS = {"微信小程序": "miniprogram", "电话（网格经理）": "phone", "95598热线": "95598"}
VISITS = {"fault_repair", "meter_service", "new_connection"}
DISPATCH_TARGET = timedelta(minutes=5)


def _t(text: str) -> datetime | None:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S") if text else None


class Period:
    def __init__(self, kpi: dict[str, Any]) -> None:
        self.start = datetime.fromisoformat(kpi["period_from"])
        self.end = datetime.fromisoformat(kpi["period_to"]) + timedelta(days=1)
        as_of = datetime.fromisoformat(kpi["as_of"]).replace(tzinfo=None)  # Shanghai wall time
        self.cut = min(self.end, as_of)

    def holds(self, moment: datetime | None) -> bool:
        return moment is not None and self.start <= moment < self.cut


def _ratio(numerator: int, denominator: int) -> list[Any]:
    rate = round(numerator / denominator, 4) if denominator else None
    return [numerator, denominator, rate]


def _steps(kind: str, row: dict[str, str]) -> set[str]:
    failed = set()
    dispatched, started = _t(row["派单时间"]), _t(row["本轮开始"])
    if dispatched is None or started is None or dispatched - started > DISPATCH_TARGET:
        failed.add("dispatch")
    if row["派单升级时间"]:
        failed.add("dispatch")
    accepted, due = _t(row["接单时间"]), _t(row["接单时限"])
    if accepted is None or due is None or accepted > due:
        failed.add("accept")
    if row["转派前接单超时"] or row["二级快响时间"]:
        failed.add("accept")
    if kind in VISITS and (not row["到达时间"] or row["到达定位"] != "是"):
        failed.add("arrive")
    if kind == "fault_repair" and not row["处理原因"]:
        failed.add("resolve_cause")
    return failed


def _clock(row: dict[str, str], due_col: str, done_col: str, p: Period) -> str | None:
    """met / missed for a clock counted in the period, else None."""
    due, done = _t(row[due_col]), _t(row[done_col])
    if due is None:
        return None
    cancelled = _t(row["撤销时间"])
    if done is None and cancelled is not None and cancelled <= due:
        return None
    verdict = "met" if done is not None and done <= due else "missed"
    reopened = _t(row["重开时间"]) if due_col == "处理时限" else None
    if p.holds(due):
        return "missed" if reopened is not None and reopened < p.cut else verdict
    if reopened is not None and p.holds(reopened) and due < p.start and verdict == "met":
        return "missed"
    return None


def recompute(tickets_csv: str, kpi: dict[str, Any]) -> dict[str, Any]:
    p = Period(kpi)
    rounds: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in csv.DictReader(io.StringIO(tickets_csv)):
        rounds[row["工单ID"].strip()].append(row)
    volume, by_type, by_channel = 0, Counter[str](), Counter[str]()
    cancelled = open_at_end = overdue = resolutions = reopens = 0
    clocks: Counter[tuple[str, str]] = Counter()
    closed = passed = callbacks = rated = satisfied = 0
    failures: Counter[str] = Counter()
    events: Counter[int] = Counter()
    tickets_at: dict[int, set[str]] = {2: set(), 3: set()}
    faults_by_ta: Counter[str] = Counter()
    outages_by_ta: dict[str, set[str]] = defaultdict(set)
    for ticket_id, rows in rounds.items():
        rows.sort(key=lambda r: int(r["轮次"]))
        first, kind = rows[0], TYPES[rows[0]["类型"]]
        created = _t(first["提交时间"])
        assert created is not None
        created_in = p.start <= created < p.end
        cancel = _t(first["撤销时间"])
        if cancel is not None and cancel < p.cut:
            cancelled += created_in
            continue
        if created_in:
            volume += 1
            by_type[kind] += 1
            by_channel[CHANNELS.get(first["渠道"], first["渠道"])] += 1
            if kind == "fault_repair":  # an outage's reports are one event together
                outage = first["停电事件"]
                if outage:
                    outages_by_ta[first["台区"]].add(outage)
                else:
                    faults_by_ta[first["台区"]] += 1
            open_at_end += _open_at(rows, created, p.cut)
        missed, failed = False, set()
        for row in rows:
            for name, due, done in (
                ("arrive", "到达时限", "到达时间"),
                ("resolve", "处理时限", "处理完成时间"),
            ):
                verdict = _clock(row, due, done, p)
                missed = missed or verdict == "missed"
                if verdict and kind == "fault_repair":
                    clocks[name, verdict] += 1
            resolutions += p.holds(_t(row["处理完成时间"]))
            reopens += p.holds(_t(row["重开时间"]))
            for level, column in (
                (2, "派单升级时间"),
                (2, "二级快响时间"),
                (3, "三级快响时间(到达)"),
                (3, "三级快响时间(处理)"),
            ):
                if p.holds(_t(row[column])):
                    events[level] += 1
                    tickets_at[level].add(ticket_id)
            failed |= _steps(kind, row)
            if p.holds(_t(row["归档时间"])):
                steps = failed | ({"callback"} if row["回访"] != "是" else set())
                closed += 1
                passed += not steps
                failures.update(steps)
                callbacks += row["回访"] == "是"
                if row["评价"]:
                    rated += 1
                    satisfied += int(row["评价"]) >= 4
        overdue += missed
    met = {name: clocks[name, "met"] for name in ("arrive", "resolve")}
    return {
        "tickets": volume,
        "cancelled": cancelled,
        "by_type": {k: by_type[k] for k in TYPES.values()},
        "by_channel": dict(sorted(by_channel.items())),
        "fault_fix": _ratio(met["resolve"], met["resolve"] + clocks["resolve", "missed"]),
        "arrival": _ratio(met["arrive"], met["arrive"] + clocks["arrive", "missed"]),
        "flow": [passed, closed, _ratio(passed, closed)[2]],
        "failures_by_step": {
            s: failures[s] for s in ("dispatch", "accept", "arrive", "resolve_cause", "callback")
        },
        "callback": _ratio(callbacks, closed),
        "satisfaction": _ratio(satisfied, rated),
        "reopen": _ratio(reopens, resolutions),
        "escalations": {str(k): [events[k], len(tickets_at[k])] for k in (2, 3)},
        "overdue": overdue,
        "open_at_end": open_at_end,
        "hotspots": sorted(
            name
            for name in {*faults_by_ta, *outages_by_ta}
            if faults_by_ta[name] + len(outages_by_ta[name]) >= 3
        ),
    }


def _open_at(rows: list[dict[str, str]], created: datetime, moment: datetime) -> bool:
    changes = []
    for row in rows:
        if reopened := _t(row["重开时间"]):
            changes.append((reopened, True))
        for column in ("处理完成时间", "归档时间", "撤销时间"):
            if at := _t(row[column]):
                changes.append((at, False))
    state = created < moment
    for at, opens in sorted(changes):
        if at < moment:
            state = opens
    return state


def reported(kpi: dict[str, Any]) -> dict[str, Any]:
    """The same figures as kpi.json states them."""
    t = kpi["total"]

    def ratio(r: dict[str, Any]) -> list[Any]:
        return [r["numerator"], r["denominator"], r["rate"]]

    return {
        "tickets": t["tickets"],
        "cancelled": t["cancelled"],
        "by_type": t["by_type"],
        "by_channel": t["by_channel"],
        "fault_fix": ratio(t["fault_fix"]),
        "arrival": ratio(t["arrival"]),
        "flow": [t["flow"]["passed"], t["flow"]["closed"], t["flow"]["rate"]],
        "failures_by_step": t["flow"]["failures_by_step"],
        "callback": ratio(t["callback"]),
        "satisfaction": ratio(t["satisfaction"]),
        "reopen": ratio(t["reopen"]),
        "escalations": {k: [e["events"], e["tickets"]] for k, e in t["escalations"].items()},
        "overdue": t["overdue"],
        "open_at_end": t["open_at_end"],
        "hotspots": sorted(h["name"] for h in kpi["hotspots"]),
    }
