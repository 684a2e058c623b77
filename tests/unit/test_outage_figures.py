"""Issue 14 item 6: the outage figures of a period, from hand-made outages (every expected
value below is worked out by hand in the comments)."""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain.dates import SHANGHAI
from chalicelib.domain.outage_vocabulary import OutageKind, OutageScope, OutageState
from chalicelib.domain.outages import Outage
from chalicelib.domain.policy import DEFAULT_POLICY
from chalicelib.reports.checks import Window
from chalicelib.reports.figures import OutageRestoration
from chalicelib.reports.outage_figures import outage_figures
from chalicelib.reports.reference import GridInfo, Reference

NOVEMBER = Window(
    datetime(2026, 11, 1, tzinfo=SHANGHAI),
    datetime(2026, 12, 1, tzinfo=SHANGHAI),
    datetime(2026, 12, 1, 0, 30, tzinfo=SHANGHAI),
)
# 1,000 customers on the urban grid, 1,000 on the rural one
REFERENCE = Reference(
    {
        "G1": GridInfo("S1", "B1", "urban", "M1", 1000),
        "G2": GridInfo("S1", "B1", "rural", "M2", 1000),
    }
)


def _at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def outage(
    outage_id: str,
    kind: OutageKind,
    grid: str,
    created: datetime,
    customers: int,
    *,
    state: OutageState = OutageState.RESTORED,
    restored: datetime | None = None,
    starts: datetime | None = None,
    ends: datetime | None = None,
) -> Outage:
    return Outage(
        outage_id=outage_id,
        kind=kind,
        state=state,
        scope=OutageScope.TRANSFORMER_AREA,
        ta_ids=(f"T-{outage_id}",),
        station_id="S1",
        branch_id="B1",
        grid_id=grid,
        created_at=created,
        updated_at=created,
        customers_affected=customers,
        restored_at=restored,
        starts_at=starts,
        ends_at=ends,
    )


FAULT, PLANNED, TEMPORARY = OutageKind.FAULT, OutageKind.PLANNED, OutageKind.TEMPORARY
OUTAGES = [
    # urban fault: 10:00 → 12:00 = 120 min × 100 customers = 12,000; commitment 45 + 180 min
    outage("A", FAULT, "G1", _at(3, 10), 100, restored=_at(3, 12)),
    # rural fault: 08:00 → 14:30 = 390 min × 50 = 19,500; commitment 90 + 240 = 330 min: late
    outage("B", FAULT, "G2", _at(5, 8), 50, restored=_at(5, 14, 30)),
    # planned, published in October, out 09:00 → 13:00 = 240 min × 200 = 48,000
    outage(
        "C",
        PLANNED,
        "G1",
        _at(20, 9, month=10),
        200,
        state=OutageState.CONFIRMED,
        starts=_at(10, 9),
        ends=_at(10, 13),
    ),
    # a cancelled temporary notice never counts
    outage(
        "D",
        TEMPORARY,
        "G2",
        _at(1, 9),
        300,
        state=OutageState.CANCELLED,
        starts=_at(12, 9),
        ends=_at(12, 12),
    ),
    # a fault that formed in October is October's
    outage("E", FAULT, "G1", _at(31, 23, month=10), 80, restored=_at(1, 1)),
    # still out at as_of: 23:00 → 00:30 = 90 min × 10 = 900
    outage("F", FAULT, "G1", _at(30, 23), 10, state=OutageState.CONFIRMED),
]


def test_a_months_outage_figures_count_each_outage_once_with_its_customer_minutes() -> None:
    figures = outage_figures(OUTAGES, REFERENCE, DEFAULT_POLICY, NOVEMBER)

    assert figures.outages == 4  # A, B, C, F
    assert figures.by_kind == {"fault": 3, "planned": 1, "temporary": 0}
    assert figures.customers_affected == 100 + 50 + 200 + 10
    assert figures.customer_minutes == 12_000 + 19_500 + 48_000 + 900  # 80,400
    assert figures.customers == 2000
    assert figures.customer_minutes_per_1000 == 40_200.0  # 80,400 × 1,000 ÷ 2,000


def test_restoration_is_judged_per_area_class_against_arrival_plus_restoration() -> None:
    figures = outage_figures(OUTAGES, REFERENCE, DEFAULT_POLICY, NOVEMBER)

    assert figures.restoration == [
        OutageRestoration("urban", 1, 1, 120.0, 225.0),
        OutageRestoration("rural", 1, 0, 390.0, 330.0),
    ]


def test_without_outages_or_customer_counts_nothing_is_guessed() -> None:
    unknown = Reference({"G1": GridInfo("S1", "B1", "urban", "M1", None)})

    none = outage_figures([], unknown, DEFAULT_POLICY, NOVEMBER)
    some = outage_figures(OUTAGES[:1], unknown, DEFAULT_POLICY, NOVEMBER)

    assert (none.outages, none.customer_minutes, none.restoration) == (0, 0, [])
    assert some.customer_minutes == 12_000 and some.customer_minutes_per_1000 is None


def test_a_period_judged_before_its_end_counts_only_what_has_begun() -> None:
    early = Window(NOVEMBER.start, NOVEMBER.end, _at(10, 11))  # mid-way through C

    figures = outage_figures(OUTAGES, REFERENCE, DEFAULT_POLICY, early)

    assert figures.by_kind == {"fault": 2, "planned": 1, "temporary": 0}  # A, B, C so far
    assert figures.customer_minutes == 12_000 + 19_500 + 120 * 200  # C: 09:00 → 11:00
