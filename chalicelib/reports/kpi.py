"""The KPI engine: one streaming pass over a period's tickets, grouped by branch, station,
grid and manager (the ticket's assignee, who did the work). Pure: tickets and the time come
in, figures (figures.py) come out; memory grows with the number of groups, not tickets.

Tickets created shortly before the period may be fed too: they count only towards the clock
rates, for clocks that fell due inside the period (see checks.py)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timedelta

from chalicelib.domain.clocks import Outcome
from chalicelib.domain.dates import SHANGHAI
from chalicelib.domain.org import AreaClass
from chalicelib.domain.policy import ServicePolicy
from chalicelib.domain.records import Ticket
from chalicelib.domain.tickets import TicketType

from .checks import Check, Window, check
from .figures import (
    FLOW_STEPS,
    UNASSIGNED,
    Arrival,
    DayVolume,
    Figures,
    Flow,
    Group,
    Hotspot,
    KpiSet,
    Ratio,
)
from .reference import Reference

HOTSPOT_MIN_FAULTS = 3  # 频繁停电: ≥ 3 fault tickets in a transformer area in the period
GROUP_KINDS = ("branch", "station", "grid", "manager")


def ratio(numerator: int, denominator: int) -> Ratio:
    rate = round(numerator / denominator, 4) if denominator else None
    return Ratio(numerator, denominator, rate)


class Tally:
    """Counters for one group."""

    def __init__(self) -> None:
        self.tickets = 0
        self.by_type: Counter[str] = Counter()
        self.by_channel: Counter[str] = Counter()
        self.clock = Counter[tuple[str, Outcome]]()
        self.arrivals: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
        self.closed = self.flow_passed = self.rated = self.satisfied = 0
        self.step_failures: Counter[str] = Counter()
        self.resolved = self.reopened = self.overdue = self.open = 0
        self.levels: Counter[str] = Counter()

    def add(self, ticket: Ticket, seen: Check, area_class: str) -> None:
        for clock, outcome in (("arrive", seen.arrive), ("resolve", seen.resolve)):
            if outcome is not None:
                self.clock[clock, outcome] += 1
        if seen.arrival_minutes is not None and seen.commitment_minutes is not None:
            sums = self.arrivals[area_class]
            sums[0] += 1
            sums[1] += seen.arrival_minutes
            sums[2] += seen.commitment_minutes
        if not seen.in_period:
            return
        self.tickets += 1
        self.by_type[ticket.type.value] += 1
        self.by_channel[ticket.channel] += 1
        self.open += ticket.is_open
        self.overdue += ticket.overdue
        if ticket.escalation_level:
            self.levels[str(ticket.escalation_level)] += 1
        reopened = int(ticket.outcome.get("reopen_count") or 0) > 0
        self.reopened += reopened
        self.resolved += reopened or "resolved_at" in ticket.clocks
        if seen.flow_failures is not None:
            self.closed += 1
            self.flow_passed += not seen.flow_failures
            self.step_failures.update(seen.flow_failures)
            rating = ticket.outcome.get("rating")
            if isinstance(rating, int | float):
                self.rated += 1
                self.satisfied += rating >= 4

    def _rate(self, clock: str) -> Ratio:
        met = self.clock[clock, Outcome.MET]
        return ratio(met, met + self.clock[clock, Outcome.MISSED])

    def figures(self, customers: int | None) -> Figures:
        per_1000 = round(self.tickets * 1000 / customers, 2) if customers else None
        arrivals = [
            Arrival(area, int(n), round(total / n, 1), round(committed / n, 1))
            for area, (n, total, committed) in sorted(self.arrivals.items(), key=_area_order)
        ]
        return Figures(
            tickets=self.tickets,
            by_type={t.value: self.by_type[t.value] for t in TicketType},
            by_channel=dict(sorted(self.by_channel.items())),
            customers=customers,
            per_1000_customers=per_1000,
            fault_fix=self._rate("resolve"),
            arrival=self._rate("arrive"),
            arrival_by_area=arrivals,
            flow=Flow(
                passed=self.flow_passed,
                closed=self.closed,
                rate=ratio(self.flow_passed, self.closed).rate,
                failures_by_step={step: self.step_failures[step] for step in FLOW_STEPS},
            ),
            satisfaction=ratio(self.satisfied, self.rated),
            callback=ratio(self.rated, self.closed),
            reopen=ratio(self.reopened, self.resolved),
            escalations={level: self.levels[level] for level in ("1", "2", "3")},
            overdue=self.overdue,
            open_at_end=self.open,
        )


class KpiEngine:
    def __init__(self, window: Window, policy: ServicePolicy, reference: Reference) -> None:
        self.window = window
        self.policy = policy
        self.reference = reference
        self.total = Tally()
        self.groups: dict[tuple[str, str], Tally] = {key: Tally() for key in reference.members()}
        self.faults_by_ta: Counter[str] = Counter()
        self.place_of_ta: dict[str, tuple[str, str]] = {}
        self.daily: dict[str, Counter[str]] = {}

    def add(self, ticket: Ticket) -> Check:
        area_class = self.reference.area_class(ticket.grid_id, ticket.area_class)
        seen = check(ticket, self.window, self.policy, area_class)
        if seen.arrive is None and seen.resolve is None and not seen.in_period:
            return seen
        keys = (
            ("branch", ticket.branch_id),
            ("station", ticket.station_id),
            ("grid", ticket.grid_id),
            ("manager", ticket.assignee_id or UNASSIGNED),
        )
        self.total.add(ticket, seen, area_class)
        for key in keys:
            tally = self.groups.get(key)
            if tally is None:
                tally = self.groups[key] = Tally()
            tally.add(ticket, seen, area_class)
        if seen.in_period:
            day = ticket.created_at.astimezone(SHANGHAI).strftime("%Y-%m-%d")
            self.daily.setdefault(day, Counter())[ticket.type.value] += 1
            if ticket.type is TicketType.FAULT_REPAIR:
                self.faults_by_ta[ticket.ta_id] += 1
                self.place_of_ta.setdefault(ticket.ta_id, (ticket.grid_id, ticket.station_id))
        return seen

    def result(self) -> KpiSet:
        customers = self.reference.customers()
        name = self.reference.name
        groups = [
            Group(kind, key, name(kind, key), tally.figures(customers.get((kind, key))))
            for (kind, key), tally in sorted(
                self.groups.items(), key=lambda item: (GROUP_KINDS.index(item[0][0]), item[0][1])
            )
        ]
        hotspots = sorted(
            (
                Hotspot(ta_id, name("ta", ta_id), *self.place_of_ta[ta_id], count)
                for ta_id, count in self.faults_by_ta.items()
                if count >= HOTSPOT_MIN_FAULTS
            ),
            key=lambda h: (-h.fault_tickets, h.ta_id),
        )
        return KpiSet(
            period_from=_day(self.window.start),
            period_to=_day(self.window.end - timedelta(microseconds=1)),
            as_of=self.window.as_of.astimezone(SHANGHAI).isoformat(timespec="seconds"),
            total=self.total.figures(customers.get(("bureau", ""))),
            groups=groups,
            hotspots=hotspots,
            daily=self._days(),
        )

    def _days(self) -> list[DayVolume]:
        days, day = [], self.window.start.astimezone(SHANGHAI)
        types = [t.value for t in TicketType]
        while day < self.window.end:
            counts = self.daily.get(_day(day), Counter())
            days.append(DayVolume(_day(day), {t: counts[t] for t in types}))
            day += timedelta(days=1)  # Shanghai keeps no daylight saving time
        return days


def _area_order(item: tuple[str, object]) -> tuple[int, str]:
    order = [a.value for a in AreaClass]
    return (order.index(item[0]) if item[0] in order else len(order), item[0])


def _day(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d")
