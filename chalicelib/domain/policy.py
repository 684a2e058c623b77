"""Service commitments as data (SERVICE_STANDARDS.md, "Per-ticket clocks"): the one place the
numbers live. Logic that applies them is in clocks.py; nothing else writes these literals.

A clock's length is either elapsed time (`timedelta`) or `WorkingDays` on the mainland calendar.
Where the table varies a clock, it is a mapping: fault clocks by the grid's `AreaClass`, the
new-connection resolve clock by category (`"residential"` / `"non_residential"`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from types import MappingProxyType

from .org import AreaClass
from .outages import OutagePolicy
from .tickets import TicketType


@dataclass(frozen=True, slots=True)
class WorkingDays:
    """`days` working days, Asia/Shanghai. `scale` (1 in production) shrinks the resulting
    interval for the demo: the deadline is `start + (add_working_days(start, days) - start) *
    scale`, so holidays and weekends still lengthen a scaled clock in proportion."""

    days: int
    scale: float = 1.0


Clock = timedelta | WorkingDays
ClockRule = Clock | Mapping[str, Clock] | None
"""One clock, one per area class / category, or None when the type has no such clock."""

RESIDENTIAL = "residential"
NON_RESIDENTIAL = "non_residential"
CATEGORIES = frozenset({RESIDENTIAL, NON_RESIDENTIAL})


@dataclass(frozen=True, slots=True)
class TypeClocks:
    accept: timedelta  # after dispatch
    arrive: ClockRule = None  # after submission
    resolve: ClockRule = None  # after submission, or after arrival when resolve_after_arrival
    resolve_after_arrival: bool = False


def _frozen(mapping: Mapping[str, Clock]) -> Mapping[str, Clock]:
    return MappingProxyType(dict(mapping))


def _scale_clock(clock: Clock, factor: float) -> Clock:
    if isinstance(clock, WorkingDays):
        return replace(clock, scale=clock.scale * factor)
    return clock * factor


def _scale_rule(rule: ClockRule, factor: float) -> ClockRule:
    if rule is None or isinstance(rule, timedelta | WorkingDays):
        return None if rule is None else _scale_clock(rule, factor)
    return _frozen({key: _scale_clock(clock, factor) for key, clock in rule.items()})


def _pick(rule: ClockRule, key: str) -> Clock | None:
    if rule is None or isinstance(rule, timedelta | WorkingDays):
        return rule
    return rule[key]


@dataclass(frozen=True, slots=True)
class KpiTarget:
    """A headline figure's target and its red/amber/green bands, as management reads them:
    green at or better than `green`, amber at or better than `amber`, else red. For a figure
    where lower is better (重开率) the bands run the other way."""

    target: float
    green: float
    amber: float
    lower_is_better: bool = False

    def state(self, rate: float | None) -> str | None:
        """One of green, amber, red; None when nothing was counted."""
        if rate is None:
            return None
        sign = -1 if self.lower_is_better else 1
        if sign * rate >= sign * self.green:
            return "green"
        return "amber" if sign * rate >= sign * self.amber else "red"


# 故障消缺及时率 and 工单流转合格率 are the bureau's "双100%"; the bands are this product's
# defaults for a monthly review, to be set by each bureau.
DEFAULT_KPI_TARGETS: Mapping[str, KpiTarget] = MappingProxyType(
    {
        "fault_fix": KpiTarget(1.0, green=0.99, amber=0.95),
        "arrival": KpiTarget(1.0, green=0.98, amber=0.95),
        "flow": KpiTarget(1.0, green=0.99, amber=0.95),
        "satisfaction": KpiTarget(0.95, green=0.95, amber=0.90),
        "callback": KpiTarget(1.0, green=0.98, amber=0.90),
        "reopen": KpiTarget(0.02, green=0.02, amber=0.05, lower_is_better=True),
    }
)


@dataclass(frozen=True, slots=True)
class ServicePolicy:
    clocks: Mapping[TicketType, TypeClocks]
    priority_accept_factor: float = 0.5  # important / special customers: accept clock halved
    dispatch_target: timedelta = timedelta(minutes=5)  # submission → dispatch (flow compliance)
    callback_auto_close: timedelta = timedelta(days=3)  # resolved, no confirmation → closed
    reopen_window: timedelta = timedelta(days=7)  # after resolved_at
    outages: OutagePolicy = field(default_factory=OutagePolicy)  # timings scaled for the demo too
    # the report cards' targets and red/amber/green bands
    kpi_targets: Mapping[str, KpiTarget] = field(default_factory=lambda: DEFAULT_KPI_TARGETS)

    def accept_clock(self, ticket_type: TicketType, *, priority: bool) -> timedelta:
        clock = self.clocks[ticket_type].accept
        return clock * self.priority_accept_factor if priority else clock

    def arrive_clock(self, ticket_type: TicketType, area_class: AreaClass) -> Clock | None:
        return _pick(self.clocks[ticket_type].arrive, area_class)

    def resolve_clock(
        self, ticket_type: TicketType, *, area_class: AreaClass, category: str = RESIDENTIAL
    ) -> Clock | None:
        rule = self.clocks[ticket_type].resolve
        key = category if ticket_type is TicketType.NEW_CONNECTION else area_class
        return _pick(rule, key)

    def scaled(self, factor: float) -> ServicePolicy:
        """Every duration times `factor`, working-day clocks included (see `WorkingDays`).
        The demo runs `DEFAULT_POLICY.scaled(1 / 60)`: an hour becomes a minute, a 7-day
        reopen window 2 h 48 min, and 5 working days over a weekend 2 h 48 min."""
        if factor <= 0:
            raise ValueError("scale factor must be positive")
        clocks = {
            ticket_type: TypeClocks(
                accept=rules.accept * factor,
                arrive=_scale_rule(rules.arrive, factor),
                resolve=_scale_rule(rules.resolve, factor),
                resolve_after_arrival=rules.resolve_after_arrival,
            )
            for ticket_type, rules in self.clocks.items()
        }
        return replace(
            self,
            clocks=MappingProxyType(clocks),
            dispatch_target=self.dispatch_target * factor,
            callback_auto_close=self.callback_auto_close * factor,
            reopen_window=self.reopen_window * factor,
            outages=self.outages.scaled(factor),
        )

    def with_report_hold(self, hold: timedelta) -> ServicePolicy:
        """The policy with lone "no power" reports held `hold` for their neighbours."""
        return replace(self, outages=replace(self.outages, hold=hold))


def _minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


def _hours(n: int) -> timedelta:
    return timedelta(hours=n)


_DEFAULT_CLOCKS: dict[TicketType, TypeClocks] = {
    TicketType.FAULT_REPAIR: TypeClocks(
        accept=_minutes(10),
        arrive=_frozen(
            {
                AreaClass.URBAN: _minutes(45),
                AreaClass.RURAL: _minutes(90),
                AreaClass.REMOTE: _minutes(120),
            }
        ),
        resolve=_frozen(
            {AreaClass.URBAN: _hours(3), AreaClass.RURAL: _hours(4), AreaClass.REMOTE: _hours(4)}
        ),
        resolve_after_arrival=True,
    ),
    TicketType.METER_SERVICE: TypeClocks(accept=_hours(2), resolve=WorkingDays(5)),
    TicketType.CONSULTATION: TypeClocks(accept=_minutes(30), resolve=WorkingDays(1)),
    TicketType.NEW_CONNECTION: TypeClocks(
        accept=_hours(2),
        arrive=WorkingDays(2),  # acceptance and site survey are one visit
        resolve=_frozen({RESIDENTIAL: WorkingDays(5), NON_RESIDENTIAL: WorkingDays(6)}),
    ),
}

DEFAULT_POLICY = ServicePolicy(clocks=MappingProxyType(_DEFAULT_CLOCKS))

__all__ = [
    "CATEGORIES",
    "DEFAULT_KPI_TARGETS",
    "DEFAULT_POLICY",
    "NON_RESIDENTIAL",
    "RESIDENTIAL",
    "Clock",
    "ClockRule",
    "KpiTarget",
    "ServicePolicy",
    "TypeClocks",
    "WorkingDays",
]
