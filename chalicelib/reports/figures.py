"""The KPI figures as values (SERVICE_STANDARDS.md, "KPI definitions"). The same Structs are
kpi.json, the body of GET /v1/stats and the source of every sheet and chart, so the
machine and human forms of a report cannot disagree.

A rate is `None` when its denominator is 0: "no ticket fell due" is not 100 %, nor 0 %."""

from __future__ import annotations

from msgspec import Struct

FLOW_STEPS = ("dispatch", "accept", "arrive", "resolve_cause", "callback")
STEP_LABELS = {
    "dispatch": "5分钟内派单",
    "accept": "按时接单",
    "arrive": "到达现场并定位",
    "resolve_cause": "处理完成并填写原因",
    "callback": "完成回访",
}
KIND_LABELS = {"branch": "分局", "station": "供电所", "grid": "网格", "manager": "网格经理"}
AREA_LABELS = {"urban": "城区", "rural": "农村", "remote": "特殊边远", "": "未定"}
UNASSIGNED = "-"  # the manager group of tickets never dispatched


class Ratio(Struct):
    numerator: int
    denominator: int
    rate: float | None  # numerator / denominator, 4 decimals; None when nothing to count


class Arrival(Struct):
    area_class: str
    arrived: int  # fault tickets that arrived, their arrive clock due in the period
    average_minutes: float | None  # submission → arrival
    commitment_minutes: float | None  # the arrive clock those tickets ran against (average)


class Flow(Struct):
    passed: int
    closed: int
    rate: float | None
    failures_by_step: dict[str, int]


class Figures(Struct):
    """Every figure for one group (the bureau, a branch, a station, a grid or a manager)."""

    tickets: int  # created in the period
    by_type: dict[str, int]
    by_channel: dict[str, int]
    customers: int | None  # customers served by the group's grids (None: unknown)
    per_1000_customers: float | None
    fault_fix: Ratio  # 故障消缺及时率
    arrival: Ratio  # 到达现场及时率
    arrival_by_area: list[Arrival]
    flow: Flow  # 工单流转合格率
    satisfaction: Ratio  # 回访满意率: rating ≥ 4 ÷ rated
    callback: Ratio  # 回访率: rated ÷ closed
    reopen: Ratio  # reopened ÷ resolved at least once
    escalations: dict[str, int]  # highest 三级快响 level reached → tickets
    overdue: int  # flagged overdue (level 3)
    open_at_end: int  # still open when the figures were taken


class Group(Struct):
    kind: str  # branch | station | grid | manager
    id: str
    name: str
    figures: Figures


class Hotspot(Struct):
    """频繁停电: a transformer area with ≥ 3 fault tickets in the period."""

    ta_id: str
    name: str
    grid_id: str
    station_id: str
    fault_tickets: int


class DayVolume(Struct):
    day: str  # YYYY-MM-DD, Asia/Shanghai
    by_type: dict[str, int]


class KpiSet(Struct):
    period_from: str  # YYYY-MM-DD, inclusive
    period_to: str  # YYYY-MM-DD, inclusive
    as_of: str  # ISO 8601, when open clocks were judged
    total: Figures
    groups: list[Group]
    hotspots: list[Hotspot]
    daily: list[DayVolume]

    def of_kind(self, kind: str) -> list[Group]:
        return [g for g in self.groups if g.kind == kind]
