"""The counters of one KPI group and the figures they give (figures.py). Pure."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta

from chalicelib.domain.clocks import ARRIVE
from chalicelib.domain.org import AreaClass
from chalicelib.domain.tickets import Outcome, Ticket, TicketType

from .checks import Check, Closing
from .figures import FLOW_STEPS, UNASSIGNED, Arrival, Escalations, Figures, Flow, Ratio

ESCALATION_LEVELS = (2, 3)  # level 1 is the normal dispatch, not an escalation
MINUTE = timedelta(minutes=1)


def ratio(numerator: int, denominator: int) -> Ratio:
    rate = round(numerator / denominator, 4) if denominator else None
    return Ratio(numerator, denominator, rate)


class Tally:
    """Counters for one group. A manager's tally takes only the facts attributed to them."""

    def __init__(self) -> None:
        self.tickets = self.cancelled = self.open = self.overdue = 0
        self.by_type: Counter[str] = Counter()
        self.by_channel: Counter[str] = Counter()
        self.clock = Counter[tuple[str, Outcome]]()
        self.arrivals: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
        self.closed = self.flow_passed = self.callbacks = self.rated = self.satisfied = 0
        self.step_failures: Counter[str] = Counter()
        self.resolutions = self.reopens = 0
        self.level_events: Counter[int] = Counter()
        self.level_tickets: Counter[int] = Counter()

    def add(self, ticket: Ticket, seen: Check, area_class: str, manager: str | None) -> None:
        def mine(holder: str | None) -> bool:
            return manager is None or (holder or UNASSIGNED) == manager

        if seen.created_in and mine(ticket.assignee_id):
            self._volume(ticket, seen)
        fault = ticket.type is TicketType.FAULT_REPAIR
        missed = False
        for fact in seen.clocks:
            if not mine(fact.holder):
                continue
            missed = missed or fact.outcome is Outcome.MISSED
            if not fault:
                continue
            self.clock[fact.clock, fact.outcome] += 1
            if fact.clock == ARRIVE and fact.done_at is not None and fact.done_by_cut:
                sums = self.arrivals[area_class]
                sums[0] += 1
                sums[1] += (fact.done_at - fact.started_at) / MINUTE
                sums[2] += (fact.due - fact.started_at) / MINUTE
        self.overdue += missed
        for closing in seen.closings:
            if mine(closing.holder):
                self._closing(closing)
        self.resolutions += sum(map(mine, seen.resolutions))
        self.reopens += sum(map(mine, seen.reopens))
        levels = set()
        for escalation in seen.escalations:
            if mine(escalation.holder):
                self.level_events[escalation.level] += 1
                levels.add(escalation.level)
        self.level_tickets.update(levels)

    def _volume(self, ticket: Ticket, seen: Check) -> None:
        if seen.cancelled:
            self.cancelled += 1
            return
        self.tickets += 1
        self.by_type[ticket.type.value] += 1
        self.by_channel[ticket.channel] += 1
        self.open += seen.open_at_end

    def _closing(self, closing: Closing) -> None:
        self.closed += 1
        self.flow_passed += not closing.failures
        self.step_failures.update(closing.failures)
        self.callbacks += closing.callback
        if closing.rating is not None:
            self.rated += 1
            self.satisfied += closing.rating >= 4

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
            cancelled=self.cancelled,
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
            callback=ratio(self.callbacks, self.closed),
            reopen=ratio(self.reopens, self.resolutions),
            escalations={
                str(level): Escalations(self.level_events[level], self.level_tickets[level])
                for level in ESCALATION_LEVELS
            },
            overdue=self.overdue,
            open_at_end=self.open,
        )


def _area_order(item: tuple[str, object]) -> tuple[int, str]:
    order = [a.value for a in AreaClass]
    return (order.index(item[0]) if item[0] in order else len(order), item[0])
