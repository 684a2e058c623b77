"""report.html — one self-contained Chinese page for management: the headline figures as
cards (each with its target, a red/amber/green state from the service policy and the change
from last month), three inline SVG charts (charts.py), the per-station table, the best and
worst ten grids and managers, the 20 most frequent outage areas (the full list is in
kpi.xlsx) and the period's outage figures (停电事件). An empty month says 本月无工单.
No external CSS, script, font or image."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html import escape
from pathlib import Path

from chalicelib.domain.dates import SHANGHAI
from chalicelib.domain.labels import AREA_LABELS, OUTAGE_KIND_LABELS
from chalicelib.domain.policy import DEFAULT_KPI_TARGETS, KpiTarget

from .charts import arrival_minutes, daily_volume, station_kpis
from .figures import (
    FLOW_STEPS,
    KIND_LABELS,
    STEP_LABELS,
    UNASSIGNED,
    Figures,
    Group,
    KpiSet,
    Ratio,
)

_ONE_DAY = timedelta(days=1)
TOP = 10  # grids and managers ranked, best and worst
HOTSPOTS_SHOWN = 20


@dataclass(frozen=True, slots=True)
class PageContext:
    """What the page says beyond the month's figures: whose report it is, last month's
    figures to compare with (None: not built), and the targets with their bands."""

    title: str = "云格供电服务月报"
    previous: KpiSet | None = None
    targets: Mapping[str, KpiTarget] = field(default_factory=lambda: DEFAULT_KPI_TARGETS)


CSS = """
body{font-family:'PingFang SC','Microsoft YaHei','Noto Sans CJK SC',sans-serif;margin:24px;
color:#222;max-width:960px}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:8px 0;font-size:13px}
th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}
th{background:#eef3fa}td:first-child,th:first-child{text-align:left}
.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{border:1px solid #ccd;border-radius:6px;padding:10px 14px;min-width:150px}
.card b{display:block;font-size:22px;color:#2f6db5}.muted{color:#777;font-size:12px}
.card span{display:block}.green{border-left:6px solid #2e7d32}.green b{color:#2e7d32}
.amber{border-left:6px solid #f0a202}.amber b{color:#b77900}
.red{border-left:6px solid #c62828}.red b{color:#c62828}
.ranks{display:flex;flex-wrap:wrap;gap:16px}.ranks table{min-width:300px}
figure{margin:16px 0}svg{max-width:100%;height:auto}
"""
STATE_LABELS = {"green": "达标", "amber": "预警", "red": "未达标"}


def pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def _delta(now: float | None, before: float | None) -> str:
    if now is None or before is None:
        return "较上月 —"
    points = (now - before) * 100
    arrow = "▲" if points > 0.05 else "▼" if points < -0.05 else "持平"
    return "较上月 持平" if arrow == "持平" else f"较上月 {arrow}{abs(points):.1f} 个百分点"


def _card(
    key: str, label: str, pick: Callable[[Figures], Ratio], kpi: KpiSet, page: PageContext
) -> str:
    ratio = pick(kpi.total)
    target = page.targets.get(key)
    state = target.state(ratio.rate) if target else None
    css = f"card {state}" if state else "card"
    goal = ""
    if target is not None:
        sign = "≤" if target.lower_is_better else "目标"
        goal = f"{sign} {pct(target.target)} · {STATE_LABELS[state] if state else '无考核数'}"
    before = pick(page.previous.total).rate if page.previous is not None else None
    return (
        f'<div class="{css}">{escape(label)}<b>{pct(ratio.rate)}</b>'
        f'<span class="muted">{ratio.numerator} / {ratio.denominator} · {escape(goal)}</span>'
        f'<span class="muted">{_delta(ratio.rate, before)}</span></div>'
    )


def _flow(f: Figures) -> Ratio:
    return Ratio(f.flow.passed, f.flow.closed, f.flow.rate)


CARDS: tuple[tuple[str, str, Callable[[Figures], Ratio]], ...] = (
    ("fault_fix", "故障消缺及时率", lambda f: f.fault_fix),
    ("arrival", "到达现场及时率", lambda f: f.arrival),
    ("flow", "工单流转合格率", _flow),
    ("satisfaction", "回访满意率", lambda f: f.satisfaction),
    ("callback", "回访率", lambda f: f.callback),
    ("reopen", "重开率", lambda f: f.reopen),
)


def _cards(kpi: KpiSet, page: PageContext) -> str:
    t = kpi.total
    cards = [_card(key, label, pick, kpi, page) for key, label, pick in CARDS]
    per_1000 = "—" if t.per_1000_customers is None else f"{t.per_1000_customers:.2f}"
    volume = (
        f'<div class="card">工单总量<b>{t.tickets}</b>'
        f'<span class="muted">每千户 {per_1000} · 撤销 {t.cancelled} · 超期 {t.overdue} · '
        f"未办结 {t.open_at_end}</span></div>"
    )
    levels = " · ".join(
        f"{name} {e.events} 次（{e.tickets} 单）"
        for level, name in (("2", "二级"), ("3", "三级"))
        if (e := t.escalations.get(level)) is not None
    )
    escalations = (
        f'<div class="card">三级快响（升级）<b>{sum(e.events for e in t.escalations.values())}</b>'
        f'<span class="muted">{levels or "无"}</span></div>'
    )
    return f'<div class="cards">{volume}{"".join(cards)}{escalations}</div>'


def _row(cells: list[str]) -> str:
    return "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


def _stations(kpi: KpiSet) -> str:
    head = "".join(
        f"<th>{h}</th>"
        for h in ("供电所", "工单", "消缺及时", "到达及时", "流转合格", "满意", "回访", "超期")
    )
    rows = "".join(
        _row(
            [
                escape(g.name),
                str(g.figures.tickets),
                pct(g.figures.fault_fix.rate),
                pct(g.figures.arrival.rate),
                pct(g.figures.flow.rate),
                pct(g.figures.satisfaction.rate),
                pct(g.figures.callback.rate),
                str(g.figures.overdue),
            ]
        )
        for g in kpi.of_kind("station")
    )
    return f"<table><tr>{head}</tr>{rows}</table>"


def _failures(kpi: KpiSet) -> str:
    steps = kpi.total.flow.failures_by_step
    rows = "".join(_row([STEP_LABELS[s], str(steps[s])]) for s in FLOW_STEPS)
    return f"<table><tr><th>环节</th><th>不合格工单</th></tr>{rows}</table>"


def _hotspots(kpi: KpiSet) -> str:
    if not kpi.hotspots:
        return "<p>本期没有故障达到 3 次的台区。</p>"
    names = {(g.kind, g.id): g.name for g in kpi.groups}
    ranked = sorted(kpi.hotspots, key=lambda h: (-h.fault_events, h.name))
    rows = "".join(
        _row(
            [
                escape(h.name),
                escape(names.get(("grid", h.grid_id), h.grid_id)),
                escape(names.get(("station", h.station_id), h.station_id)),
                str(h.fault_events),
            ]
        )
        for h in ranked[:HOTSPOTS_SHOWN]
    )
    head = "<tr><th>台区</th><th>网格</th><th>供电所</th><th>故障次数</th></tr>"
    more = (
        f'<p class="muted">共 {len(ranked)} 个台区，此处列出故障最多的 {HOTSPOTS_SHOWN} 个；'
        "完整列表见 kpi.xlsx「频繁停电台区」。</p>"
        if len(ranked) > HOTSPOTS_SHOWN
        else ""
    )
    return f"<table>{head}{rows}</table>{more}"


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:,.1f}".removesuffix(".0")


def _outages(kpi: KpiSet) -> str:
    o = kpi.outages
    if o is None:
        return ""
    kinds = "，".join(f"{OUTAGE_KIND_LABELS.get(k, k)} {v} 次" for k, v in o.by_kind.items())
    summary = (
        '<table id="outages"><tr><th>停电次数</th><th>影响户数</th><th>停电时户数（户·分钟）</th>'
        "<th>每千户停电时户数</th></tr>"
        + _row(
            [
                f"{o.outages}（{kinds}）",
                f"{o.customers_affected:,}",
                f"{o.customer_minutes:,}",
                _number(o.customer_minutes_per_1000),
            ]
        )
        + "</table>"
    )
    if not o.restoration:
        return summary + "<p>本期没有已恢复的故障停电。</p>"
    rows = "".join(
        _row(
            [
                escape(AREA_LABELS.get(r.area_class, r.area_class or "未知")),
                str(r.restored),
                f"{r.within_commitment} / {r.restored}",
                _number(r.average_minutes),
                _number(r.commitment_minutes),
            ]
        )
        for r in o.restoration
    )
    head = (
        "<tr><th>区域类别</th><th>已恢复故障停电</th><th>承诺内恢复</th>"
        "<th>平均恢复时长（分钟）</th><th>承诺时长（分钟，到达+修复）</th></tr>"
    )
    return f"{summary}<table>{head}{rows}</table>"


def _ranked(groups: list[Group], pick: Callable[[Figures], Ratio], best: bool) -> list[Group]:
    """Groups with something counted, best (or worst) first; more counted ranks first."""
    counted = [g for g in groups if pick(g.figures).denominator and g.id != UNASSIGNED]
    sign = -1 if best else 1
    return sorted(
        counted,
        key=lambda g: (sign * (pick(g.figures).rate or 0.0), -pick(g.figures).denominator, g.id),
    )[:TOP]


def _rank_table(title: str, groups: list[Group], pick: Callable[[Figures], Ratio]) -> str:
    rows = "".join(
        _row(
            [
                str(n),
                escape(g.name),
                pct(pick(g.figures).rate),
                f"{pick(g.figures).numerator} / {pick(g.figures).denominator}",
            ]
        )
        for n, g in enumerate(groups, 1)
    )
    head = f'<tr><th colspan="4">{escape(title)}</th></tr>'
    return f"<table>{head}{rows or _row(['—', '本期无考核数', '', ''])}</table>"


def _rankings(kpi: KpiSet) -> str:
    parts = []
    for kind in ("grid", "manager"):
        noun = KIND_LABELS[kind]
        for _key, label, pick in CARDS[:3:2]:  # 故障消缺及时率, 工单流转合格率
            groups = kpi.of_kind(kind)
            parts.append(
                f'<h3>{noun} · {label}</h3><div class="ranks">'
                f"{_rank_table(f'最好 {TOP}', _ranked(groups, pick, True), pick)}"
                f"{_rank_table(f'最差 {TOP}', _ranked(groups, pick, False), pick)}</div>"
            )
    return "".join(parts)


def readable_time(iso: str) -> str:
    """`2026-12-01T01:00:00+08:00` → 2026年12月1日 01:00（北京时间）."""
    moment = datetime.fromisoformat(iso).astimezone(SHANGHAI)
    return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}（北京时间）"


def _is_empty(kpi: KpiSet) -> bool:
    t = kpi.total
    counted = (t.fault_fix, t.arrival, t.callback, t.satisfaction, t.reopen)
    return t.tickets + t.cancelled + t.flow.closed + sum(r.denominator for r in counted) == 0


def _month_title(kpi: KpiSet) -> str:
    start = datetime.fromisoformat(kpi.period_from)
    end = datetime.fromisoformat(kpi.period_to)
    if start.day == 1 and (end.month != (end + _ONE_DAY).month):
        return f"{start.year}年{start.month}月"
    return f"{kpi.period_from} 至 {kpi.period_to}"


def render_report(kpi: KpiSet, page: PageContext | None = None) -> str:
    page = page or PageContext()
    heading = f"{page.title} {_month_title(kpi)}"
    period = f"{kpi.period_from} 至 {kpi.period_to}"
    as_of = readable_time(kpi.as_of)
    head = f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(heading)}</title><style>{CSS}</style></head>
<body><h1>{escape(heading)}</h1>
<p class="muted">统计期间 {escape(period)}（北京时间） · 数据截至 {escape(as_of)}</p>
"""
    if _is_empty(kpi):
        return head + (
            '<h2 id="empty">本月无工单</h2><p>本统计期间没有新建、到期或办结的工单，'
            "各项指标无考核数。</p>\n"
            + (
                f"<h2>停电事件（本期开始，不含撤销）</h2>{_outages(kpi)}\n"
                if kpi.outages and kpi.outages.outages
                else ""
            )
            + "</body></html>\n"
        )
    return (
        head
        + f"""{_cards(kpi, page)}
<h2>工单量</h2><figure>{daily_volume(kpi)}</figure>
<h2>各供电所指标</h2><figure>{station_kpis(kpi)}</figure>{_stations(kpi)}
<h2>故障到达时长</h2><figure>{arrival_minutes(kpi)}</figure>
<h2>排名（网格、网格经理）</h2>{_rankings(kpi)}
<h2>工单流转不合格（按环节）</h2>{_failures(kpi)}
<h2>频繁停电台区（当月故障事件 ≥ 3 次：一次停电计一次，不含撤销）</h2>{_hotspots(kpi)}
<h2>停电事件（本期开始，不含撤销）</h2>{_outages(kpi)}
</body></html>
"""
    )


def write_report_html(path: Path, kpi: KpiSet, page: PageContext | None = None) -> None:
    path.write_text(render_report(kpi, page), encoding="utf-8")
