"""The KPI engine: one streaming pass over the tickets that may have facts in a period,
grouped by branch, station, grid and manager. Pure: tickets and the time come in, figures
(figures.py) come out; memory grows with the number of groups, not tickets.

Each ticket's facts in the period come from checks.py (volumes by creation, clocks by the
period they fell due, closings by when they happened). A manager is credited with the facts
they held (figures.py, Figures)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from chalicelib.domain.dates import SHANGHAI
from chalicelib.domain.policy import ServicePolicy
from chalicelib.domain.tickets import Ticket, TicketType

from .checks import Check, Window, check
from .figures import (
    UNASSIGNED,
    DayVolume,
    Group,
    Hotspot,
    KpiSet,
)
from .reference import Reference
from .tally import Tally

HOTSPOT_MIN_FAULTS = 3  # 频繁停电: ≥ 3 fault events in a transformer area in the period
GROUP_KINDS = ("branch", "station", "grid", "manager")


class KpiEngine:
    def __init__(self, window: Window, policy: ServicePolicy, reference: Reference) -> None:
        self.window = window
        self.policy = policy
        self.reference = reference
        self.total = Tally()
        self.groups: dict[tuple[str, str], Tally] = {key: Tally() for key in reference.members()}
        # fault events per transformer area: each fault report not on an outage is one, and
        # each outage is one however many reports it gathered (SERVICE_STANDARDS, 频繁停电)
        self.single_faults: Counter[str] = Counter()
        self.outages_of_ta: dict[str, set[str]] = {}
        self.place_of_ta: dict[str, tuple[str, str]] = {}
        self.daily: dict[str, Counter[str]] = {}

    def add(self, ticket: Ticket) -> Check:
        area_class = self.reference.area_class(ticket.grid_id, ticket.area_class or "")
        seen = check(ticket, self.window, self.policy, area_class)
        if not seen.counted:
            return seen
        places = (
            ("branch", ticket.branch_id),
            ("station", ticket.station_id),
            ("grid", ticket.grid_id),
        )
        managers = {h or UNASSIGNED for h in _holders(seen)}
        if seen.created_in:
            managers.add(ticket.assignee_id or UNASSIGNED)
        self.total.add(ticket, seen, area_class, None)
        for key in (*places, *(("manager", m) for m in sorted(managers))):
            tally = self.groups.get(key)
            if tally is None:
                tally = self.groups[key] = Tally()
            tally.add(ticket, seen, area_class, key[1] if key[0] == "manager" else None)
        if seen.created_in and not seen.cancelled:
            day = ticket.created_at.astimezone(SHANGHAI).strftime("%Y-%m-%d")
            self.daily.setdefault(day, Counter())[ticket.type.value] += 1
            if ticket.type is TicketType.FAULT_REPAIR:
                if ticket.outage_id:
                    self.outages_of_ta.setdefault(ticket.ta_id, set()).add(ticket.outage_id)
                else:
                    self.single_faults[ticket.ta_id] += 1
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
                for ta_id, count in self.fault_events().items()
                if count >= HOTSPOT_MIN_FAULTS
            ),
            key=lambda h: (-h.fault_events, h.ta_id),
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

    def fault_events(self) -> Counter[str]:
        events = Counter(self.single_faults)
        for ta_id, outages in self.outages_of_ta.items():
            events[ta_id] += len(outages)
        return events

    def _days(self) -> list[DayVolume]:
        days, day = [], self.window.start.astimezone(SHANGHAI)
        types = [t.value for t in TicketType]
        while day < self.window.end:
            counts = self.daily.get(_day(day), Counter())
            days.append(DayVolume(_day(day), {t: counts[t] for t in types}))
            day += timedelta(days=1)  # Shanghai keeps no daylight saving time
        return days


def _holders(seen: Check) -> list[str | None]:
    return [
        *(f.holder for f in seen.clocks),
        *(c.holder for c in seen.closings),
        *seen.resolutions,
        *seen.reopens,
        *(e.holder for e in seen.escalations),
    ]


def _day(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d")
