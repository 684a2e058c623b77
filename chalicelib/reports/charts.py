"""The report's three charts as inline SVG (pygal, imported here only). Nothing is fetched
from elsewhere (pygal's tooltip script is switched off), so the page draws offline. Targets
and commitments are dashed reference lines across the plot (pygal's major guides), never
bars: a bar in every group reads as one more figure, and a red one as a failure."""

from __future__ import annotations

from typing import Any

from chalicelib.domain.labels import AREA_LABELS, TYPE_LABELS
from chalicelib.domain.tickets import TicketType

from .figures import KpiSet

FONT = "'PingFang SC','Microsoft YaHei','Noto Sans CJK SC','WenQuanYi Micro Hei',sans-serif"
TARGET = 100.0  # 故障消缺及时率、工单流转合格率 "双100%", and every arrival within its clock


def _config(title: str, *, targets: bool = False, **extra: Any) -> dict[str, Any]:
    """pygal's settings; with `targets`, the major guides are the dashed green target lines."""
    import pygal
    from pygal.style import Style

    style = Style(
        font_family=FONT,
        background="white",
        plot_background="white",
        colors=("#2f6db5", "#e8833a", "#3a9e5c", "#c44e52", "#8c8c8c"),
        title_font_size=16,
        legend_font_size=12,
        label_font_size=11,
        value_font_size=10,
        **(
            {"major_guide_stroke_color": "#2e7d32", "major_guide_stroke_dasharray": "6,4"}
            if targets
            else {}
        ),
    )
    config = pygal.Config(
        title=title,
        style=style,
        js=[],  # self-contained: no script fetched from the internet
        disable_xml_declaration=True,
        width=900,
        height=380,
        legend_at_bottom=True,
        explicit_size=True,
    )
    for key, value in extra.items():
        setattr(config, key, value)
    return {"config": config}


def _svg(chart: Any) -> str:
    return str(chart.render(is_unicode=True))


def daily_volume(kpi: KpiSet) -> str:
    import pygal

    chart = pygal.StackedBar(**_config("每日工单量（按类型）", x_label_rotation=0))
    chart.x_labels = [d.day[-2:] for d in kpi.daily]
    for kind in TicketType:
        chart.add(TYPE_LABELS[kind], [d.by_type.get(kind.value, 0) for d in kpi.daily])
    return _svg(chart)


def _percent(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 1)


def station_kpis(kpi: KpiSet) -> str:
    import pygal

    stations = kpi.of_kind("station")
    chart = pygal.Bar(
        **_config(
            f"各供电所指标（%，目标 {TARGET:.0f}%）",
            targets=True,
            range=(0, 100),
            print_values=True,
            value_formatter=lambda v: f"{v:.0f}",
            x_label_rotation=20 if len(stations) > 6 else 0,
        )
    )
    chart.config.y_labels = [*range(0, 100, 20), {"label": f"目标 {TARGET:.0f}%", "value": TARGET}]
    chart.config.y_labels_major = [TARGET]
    chart.x_labels = [s.name for s in stations]
    chart.add("故障消缺及时率", [_percent(s.figures.fault_fix.rate) for s in stations])
    chart.add("到达现场及时率", [_percent(s.figures.arrival.rate) for s in stations])
    chart.add("工单流转合格率", [_percent(s.figures.flow.rate) for s in stations])
    return _svg(chart)


def arrival_minutes(kpi: KpiSet) -> str:
    import pygal

    areas = kpi.total.arrival_by_area
    chart = pygal.Bar(
        **_config(
            "故障平均到达时长与承诺（分钟）",
            targets=True,
            print_values=True,
            value_formatter=lambda v: f"{v:.0f}",
        )
    )
    commitments = {
        round(a.commitment_minutes): AREA_LABELS.get(a.area_class, a.area_class)
        for a in areas
        if a.commitment_minutes is not None
    }
    top = max([*commitments, *(a.average_minutes or 0 for a in areas), 1])
    chart.config.range = (0, top * 1.15)
    chart.config.y_labels = [
        *(v for v in range(0, int(top * 1.15), 30) if v not in commitments),
        *({"label": f"{area}承诺 {v}", "value": v} for v, area in commitments.items()),
    ]
    chart.config.y_labels_major = list(commitments)
    chart.x_labels = [AREA_LABELS.get(a.area_class, a.area_class) for a in areas]
    chart.add("平均到达时长", [a.average_minutes for a in areas])
    return _svg(chart)
