"""report.html — one self-contained Chinese page: the headline figures, three inline SVG
charts (charts.py) and the per-station table. No external CSS, script, font or image."""

from __future__ import annotations

from html import escape
from pathlib import Path

from .charts import arrival_minutes, daily_volume, station_kpis
from .figures import FLOW_STEPS, STEP_LABELS, Figures, KpiSet, Ratio

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
figure{margin:16px 0}svg{max-width:100%;height:auto}
"""


def pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def _card(label: str, ratio: Ratio) -> str:
    return (
        f'<div class="card">{escape(label)}<b>{pct(ratio.rate)}</b>'
        f'<span class="muted">{ratio.numerator} / {ratio.denominator}</span></div>'
    )


def _flow(f: Figures) -> Ratio:
    return Ratio(f.flow.passed, f.flow.closed, f.flow.rate)


def _cards(kpi: KpiSet) -> str:
    t = kpi.total
    cards = [
        _card("故障消缺及时率", t.fault_fix),
        _card("到达现场及时率", t.arrival),
        _card("工单流转合格率", _flow(t)),
        _card("回访满意率", t.satisfaction),
        _card("回访率", t.callback),
        _card("重开率", t.reopen),
    ]
    per_1000 = "—" if t.per_1000_customers is None else f"{t.per_1000_customers:.2f}"
    volume = (
        f'<div class="card">工单总量<b>{t.tickets}</b>'
        f'<span class="muted">每千户 {per_1000} · 撤销 {t.cancelled} · 超期 {t.overdue} · '
        f"未办结 {t.open_at_end}</span></div>"
    )
    return f'<div class="cards">{volume}{"".join(cards)}</div>'


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
    rows = "".join(
        _row(
            [
                escape(h.name),
                escape(names.get(("grid", h.grid_id), h.grid_id)),
                escape(names.get(("station", h.station_id), h.station_id)),
                str(h.fault_events),
            ]
        )
        for h in kpi.hotspots
    )
    head = "<tr><th>台区</th><th>网格</th><th>供电所</th><th>故障次数</th></tr>"
    return f"<table>{head}{rows}</table>"


def render_report(kpi: KpiSet) -> str:
    period = f"{kpi.period_from} 至 {kpi.period_to}"
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>云格供电服务月报 {escape(period)}</title><style>{CSS}</style></head>
<body><h1>云格供电服务月报</h1>
<p class="muted">统计期间 {escape(period)}（北京时间） · 数据截至 {escape(kpi.as_of)}</p>
{_cards(kpi)}
<h2>工单量</h2><figure>{daily_volume(kpi)}</figure>
<h2>各供电所指标</h2><figure>{station_kpis(kpi)}</figure>{_stations(kpi)}
<h2>故障到达时长</h2><figure>{arrival_minutes(kpi)}</figure>
<h2>工单流转不合格（按环节）</h2>{_failures(kpi)}
<h2>频繁停电台区（当月故障 ≥ 3 次，不含撤销）</h2>{_hotspots(kpi)}
</body></html>
"""


def write_report_html(path: Path, kpi: KpiSet) -> None:
    path.write_text(render_report(kpi), encoding="utf-8")
