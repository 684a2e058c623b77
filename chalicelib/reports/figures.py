"""The KPI figures as values (SERVICE_STANDARDS.md, "KPI definitions"). The same Structs are
kpi.json, the body of GET /v1/stats and the source of every sheet and chart, so the
machine and human forms of a report cannot disagree.

Periods: volumes by creation, clocks by the period they fell due, flow / callback /
satisfaction by closing (reports/checks.py). A rate is `None` when its denominator is 0:
"no ticket fell due" is not 100 %, nor 0 %."""

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


class Escalations(Struct):
    events: int  # escalations at this level in the period
    tickets: int  # tickets escalated to this level in the period


class Figures(Struct):
    """Every figure for one group (the bureau, a branch, a station, a grid or a manager).
    Managers are credited per fact: with the clocks they held when each fell due or was met,
    the closings of tickets they held, and the tickets assigned to them (volumes)."""

    tickets: int  # created in the period, not cancelled
    cancelled: int  # created in the period and cancelled before it ended
    by_type: dict[str, int]
    by_channel: dict[str, int]
    customers: int | None  # customers served by the group's grids (None: unknown)
    per_1000_customers: float | None
    fault_fix: Ratio  # 故障消缺及时率: fault resolve clocks met ÷ fallen due
    arrival: Ratio  # 到达现场及时率: fault arrive clocks met ÷ fallen due
    arrival_by_area: list[Arrival]
    flow: Flow  # 工单流转合格率: closings where every step of every round passed ÷ closings
    satisfaction: Ratio  # 回访满意率: ratings ≥ 4 ÷ ratings
    callback: Ratio  # 回访率: closings with a callback ÷ closings
    reopen: Ratio  # 重开率: reopens ÷ resolutions
    escalations: dict[str, Escalations]  # 三级快响 levels "2" and "3" (level 1 is dispatch)
    overdue: int  # 超期: tickets with an arrive or resolve clock missed in the period
    open_at_end: int  # created in the period and still open at its end


class Group(Struct):
    kind: str  # branch | station | grid | manager
    id: str
    name: str
    figures: Figures


class Hotspot(Struct):
    """频繁停电: a transformer area with ≥ 3 fault events in the period (each fault ticket not
    cancelled is one event, except that the reports an outage gathered are one event together)."""

    ta_id: str
    name: str
    grid_id: str
    station_id: str
    fault_events: int


class DayVolume(Struct):
    day: str  # YYYY-MM-DD, Asia/Shanghai
    by_type: dict[str, int]


class OutageRestoration(Struct):
    """Fault outages of one area class restored, started in the period: start → restored
    against the restoration commitment (arrival + restore clocks, the default ETR)."""

    area_class: str
    restored: int
    within_commitment: int
    average_minutes: float | None
    commitment_minutes: float | None


class OutageFigures(Struct):
    """停电: the outages that started in the period, cancelled ones excluded."""

    # A fault outage starts when it formed, a planned / temporary one at its notice's start
    # (reports/outage_figures.py).

    outages: int
    by_kind: dict[str, int]  # fault / planned / temporary
    customers_affected: int
    customer_minutes: int  # Σ customers affected × minutes from start to restored (or end)
    customers: int | None  # the scope's customers (Reference); None: unknown
    customer_minutes_per_1000: float | None
    restoration: list[OutageRestoration]


class KpiSet(Struct):
    period_from: str  # YYYY-MM-DD, inclusive
    period_to: str  # YYYY-MM-DD, inclusive
    as_of: str  # ISO 8601, when open clocks were judged
    total: Figures
    groups: list[Group]
    hotspots: list[Hotspot]
    daily: list[DayVolume]
    outages: OutageFigures | None = None  # None in a kpi.json built before outages counted

    def of_kind(self, kind: str) -> list[Group]:
        return [g for g in self.groups if g.kind == kind]
