"""OutageStore port, its vocabulary, and the in-memory fake the contract tests hold to the
same behaviour as DynamoOutageStore (store/dynamo_outages.py).

Per 台区 the store keeps an "open" slot naming its open fault outage and the latest qualifying
report of each 户号. `open` claims the slots of the outage's areas only if they are free:
whoever loses that race gets `OutageExists` with the winner's id and attaches to it.

Per 10 kV line a "line" slot names the fault outage formed last on it (`line_outage`), so the
next 台区 going probable on the line finds it and rolls up into it. Clustering claims it with
the outage (`open(..., line=LineClaim)`): free, or still naming the outage it read. Two shards
forming two 台区 of one line at once both claim it; one gets `LineTaken` and rolls up into the
other's outage instead (`roll_up`: one transaction that claims the joining 台区's open slot
and changes the outage on its version). The line slot is never freed: the outage it names
tells, when read, whether it is still open and recent enough to roll up into.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

from chalicelib.domain.errors import Conflict
from chalicelib.domain.outage_vocabulary import OutageKind, OutageState
from chalicelib.domain.outages import NoticeWindow, Outage
from chalicelib.domain.phone import HOTLINE
from chalicelib.store.keys import Cursor, iso


class OutageExists(Exception):
    """A 台区 in the new outage's scope already has an open outage (named here)."""

    def __init__(self, outage_id: str) -> None:
        super().__init__(outage_id)
        self.outage_id = outage_id


class LineTaken(Exception):
    """The line slot no longer names the outage clustering read there (another 台区 on the
    line formed meanwhile): decide again."""

    def __init__(self, outage_id: str | None) -> None:
        super().__init__(outage_id)
        self.outage_id = outage_id


@dataclass(frozen=True, slots=True)
class LineClaim:
    """Take the line's slot for the new outage if it is free or still names `replacing`."""

    line_id: str
    replacing: str | None = None


class StaleOutage(Conflict):
    code = "concurrent_change"
    message = "停电事件已变化，请刷新后重试"


@dataclass(frozen=True, slots=True)
class OutageSource:
    """One list partition: ("station", "S1"), ("branch", "B1") or ("bureau", "bayannur")."""

    by: str
    key: str


@dataclass(frozen=True, slots=True)
class OutageFilter:
    state: OutageState | None = None
    kind: OutageKind | None = None

    def admits(self, outage: Outage) -> bool:
        return (self.state is None or outage.state is self.state) and (
            self.kind is None or outage.kind is self.kind
        )


@dataclass(frozen=True, slots=True)
class AreaState:
    open_id: str | None  # the open fault outage, if any
    reports: dict[str, tuple[str, datetime]]  # account_no → (ticket_id, reported_at)
    notices: tuple[NoticeWindow, ...] = ()  # published planned / temporary outages

    def notice_at(self, at: datetime) -> NoticeWindow | None:
        return next((n for n in self.notices if n.active(at)), None)


@dataclass(frozen=True, slots=True)
class OutagePage:
    items: list[Outage]
    next_cursor: str | None


class OutageStore(Protocol):
    def get(self, outage_id: str) -> Outage | None: ...
    def open_in_area(self, ta_id: str) -> str | None:
        """The id of the 台区's open fault outage (one GetItem), or None."""
        ...

    def record_report(
        self, ta_id: str, account_no: str, ticket_id: str, at: datetime, keep: timedelta
    ) -> None:
        """Remember a qualifying report (the latest per 户号 wins)."""
        ...

    def area(self, ta_id: str, since: datetime) -> AreaState:
        """The 台区's open outage and its reports made at or after `since` (one Query)."""
        ...

    def line_outage(self, line_id: str) -> str | None:
        """The id of the fault outage formed last on the line (one GetItem), or None."""
        ...

    def open(self, outage: Outage, line: LineClaim | None = None) -> Outage:
        """Store a new outage and claim its areas' open slots (and the line's), atomically;
        OutageExists when an area's is taken, else LineTaken when the line's is (nothing
        written)."""
        ...

    def roll_up(self, before: Outage, after: Outage, ta_id: str) -> Outage:
        """`after` (`before` with `ta_id` joined) replaces `before` and claims the 台区's open
        slot, atomically. OutageExists when the 台区 has an open outage already, StaleOutage
        when `before` changed meanwhile (nothing written)."""
        ...

    def attach(
        self, outage_id: str, ticket_id: str, account_no: str, phone: str = ""
    ) -> Outage | None:
        """Add a report (and the reporter's phone) to an open outage (idempotent: sets);
        None when it is not open."""
        ...

    def since(
        self, created_after: datetime, kinds: frozenset[OutageKind] | None = None
    ) -> list[Outage]:
        """The bureau's outages (of those kinds) created at or after a moment (the minute
        pass reads them)."""
        ...

    def between(self, start: datetime, end: datetime) -> list[Outage]:
        """The bureau's outages that started in [start, end): a fault outage when it formed,
        a planned / temporary one at its notice's start (published at most NOTICE_LOOKBACK
        before it; the reports read this)."""
        ...

    def commit(self, before: Outage, after: Outage) -> Outage:
        """Replace `before` (same version) with `after`; closing it frees its areas' slots.
        StaleOutage when it changed meanwhile."""
        ...

    def page(
        self, source: OutageSource, filters: OutageFilter, limit: int, cursor: Cursor | None
    ) -> OutagePage: ...


class OutageReader(Protocol):
    """What the reports read of the outage store (reports/build.py, ReportPorts)."""

    def between(self, start: datetime, end: datetime) -> list[Outage]: ...


class NoOutages:
    """The report ports' default: a deployment (or a test) without outages."""

    def between(self, start: datetime, end: datetime) -> list[Outage]:
        return []


NO_OUTAGES = NoOutages()

# How long before its start a planned / temporary notice may have been published and still be
# found by `between` (one index Query over created_at from start − this to end).
NOTICE_LOOKBACK = timedelta(days=92)


def started_between(outage: Outage, start: datetime, end: datetime) -> bool:
    began = outage.created_at if outage.kind is OutageKind.FAULT else outage.starts_at
    return start <= (began or outage.created_at) < end


def window_of(outage: Outage) -> NoticeWindow:
    return NoticeWindow(
        outage_id=outage.outage_id,
        kind=outage.kind,
        starts_at=outage.starts_at or outage.created_at,
        ends_at=outage.ends_at or outage.created_at,
        cause=outage.cause or "",
        contact_phone=outage.contact_phone or HOTLINE,
    )


def newest_first(outages: list[Outage], limit: int, more: bool = False) -> OutagePage:
    ordered = sorted(outages, key=lambda o: (iso(o.created_at), o.outage_id), reverse=True)
    page = ordered[:limit]
    has_more = more or len(ordered) > limit
    last = page[-1] if page else None
    cursor = Cursor(iso(last.created_at), last.outage_id).encode() if has_more and last else None
    return OutagePage(page, cursor)


class InMemoryOutageStore:
    def __init__(self, bureau: str = "bayannur") -> None:
        self.bureau = bureau
        self.outages: dict[str, Outage] = {}
        self.slots: dict[str, str] = {}  # ta_id → open outage id
        self.reports: dict[tuple[str, str], tuple[str, datetime]] = {}
        self.notices: dict[str, dict[str, NoticeWindow]] = {}  # ta_id → outage_id → window
        self.lines: dict[str, str] = {}  # line_id → the fault outage formed last on it

    def get(self, outage_id: str) -> Outage | None:
        return self.outages.get(outage_id)

    def open_in_area(self, ta_id: str) -> str | None:
        return self.slots.get(ta_id)

    def record_report(
        self, ta_id: str, account_no: str, ticket_id: str, at: datetime, keep: timedelta
    ) -> None:
        self.reports[(ta_id, account_no)] = (ticket_id, at)

    def area(self, ta_id: str, since: datetime) -> AreaState:
        reports = {
            account: (ticket, at)
            for (area, account), (ticket, at) in sorted(self.reports.items())
            if area == ta_id and at >= since
        }
        windows = tuple(self.notices.get(ta_id, {}).values())
        return AreaState(self.slots.get(ta_id), reports, windows)

    def line_outage(self, line_id: str) -> str | None:
        return self.lines.get(line_id)

    def open(self, outage: Outage, line: LineClaim | None = None) -> Outage:
        taken = [self.slots[ta] for ta in outage.ta_ids if ta in self.slots]
        if taken or outage.outage_id in self.outages:
            raise OutageExists(taken[0] if taken else outage.outage_id)
        if line is not None:
            holder = self.lines.get(line.line_id)
            if holder is not None and holder != line.replacing:
                raise LineTaken(holder)
            self.lines[line.line_id] = outage.outage_id
        saved = replace(outage, version=1)
        self.outages[outage.outage_id] = saved
        if outage.kind is OutageKind.FAULT:
            self.slots.update(dict.fromkeys(outage.ta_ids, outage.outage_id))
        else:
            for ta in outage.ta_ids:
                self.notices.setdefault(ta, {})[outage.outage_id] = window_of(outage)
        return saved

    def attach(
        self, outage_id: str, ticket_id: str, account_no: str, phone: str = ""
    ) -> Outage | None:
        outage = self.outages.get(outage_id)
        if outage is None or not outage.is_open:
            return None
        saved = replace(
            outage,
            ticket_ids=outage.ticket_ids | {ticket_id},
            account_nos=outage.account_nos | {account_no},
            contacts=outage.contacts | ({f"{account_no}#{phone}"} if phone else set()),
        )
        self.outages[outage_id] = saved
        return saved

    def roll_up(self, before: Outage, after: Outage, ta_id: str) -> Outage:
        if ta_id in self.slots:
            raise OutageExists(self.slots[ta_id])
        stored = self.outages.get(before.outage_id)
        if stored is None or stored.version != before.version or not stored.is_open:
            raise StaleOutage()
        saved = self.commit(before, after)
        self.slots[ta_id] = saved.outage_id
        return saved

    def commit(self, before: Outage, after: Outage) -> Outage:
        stored = self.outages.get(before.outage_id)
        if stored is None or stored.version != before.version:
            raise StaleOutage()
        saved = replace(
            after,
            version=before.version + 1,
            ticket_ids=stored.ticket_ids | after.ticket_ids,
            account_nos=stored.account_nos | after.account_nos,
            contacts=stored.contacts | after.contacts,
        )
        self.outages[saved.outage_id] = saved
        if not saved.is_open:
            for ta in saved.ta_ids:
                if self.slots.get(ta) == saved.outage_id:
                    del self.slots[ta]
                self.notices.get(ta, {}).pop(saved.outage_id, None)
        return saved

    def between(self, start: datetime, end: datetime) -> list[Outage]:
        return sorted(
            (
                o
                for o in self.outages.values()
                if o.created_at >= start - NOTICE_LOOKBACK and started_between(o, start, end)
            ),
            key=lambda o: (o.created_at, o.outage_id),
        )

    def since(
        self, created_after: datetime, kinds: frozenset[OutageKind] | None = None
    ) -> list[Outage]:
        return sorted(
            (
                o
                for o in self.outages.values()
                if o.created_at >= created_after and (kinds is None or o.kind in kinds)
            ),
            key=lambda o: (o.created_at, o.outage_id),
        )

    def page(
        self, source: OutageSource, filters: OutageFilter, limit: int, cursor: Cursor | None
    ) -> OutagePage:
        def in_source(o: Outage) -> bool:
            if source.by == "station":
                return o.station_id == source.key
            if source.by == "branch":
                return o.branch_id == source.key
            return source.key == self.bureau

        found = [
            o
            for o in self.outages.values()
            if in_source(o)
            and filters.admits(o)
            and (cursor is None or cursor.precedes(o.created_at, o.outage_id))
        ]
        return newest_first(found, limit)
