"""Outages (停电): one event per 台区 (or 10 kV line) instead of one ticket per caller.

Pure. An outage has a kind (fault / planned / temporary), a state (probable → confirmed →
restored, or cancelled), a scope (one transformer area, or a line with the areas it covers),
an ETR, a cause, the tickets attached to it, the customers it affects and its own timeline.
The numbers that decide when reports cluster live in `OutagePolicy` (the service policy's
`outages`), never as literals elsewhere.

Roll-up to the line (DOMAIN_NOTES §1, "move prediction upstream"). When a 台区's reports
make it probable and its 10 kV line (所属线路, from the 台区 import) already has an open fault
outage that went probable within `rollup_window` (15 min) — or one that is already
line-level — the 台区 does not get an outage of its own: it joins that one, which becomes a
LINE outage listing each of its 台区 in the order they went probable (`rolled_up`). As a
dispatcher expects of one feeder fault:
- one event, one dispatch: the line outage keeps the first 台区's manager and SMS; the
  joining 台区's reports attach to it with no new manager SMS and no clocks of their own;
- its affected customers are those of every listed 台区 (not the whole line: a 台区 whose
  customers have not reported may still have power); the joining 台区's customers get their
  acknowledgement then (`unacknowledged_areas`), each once, and every later notice with the
  rest;
- later reports in any of its 台区 attach to it; confirm / set ETR / restore / cancel act on
  all its 台区 at once (their open slots are freed together);
- the ETR stays the first 台区's until someone sets it: the crew is already on its way.
A 台区 whose line's outage is older than the window and still one 台区 forms its own outage
(two separate faults, most likely); later 台区 then roll up into the newer one.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain.actors import SYSTEM
from chalicelib.domain.errors import Conflict, ValidationFailed
from chalicelib.domain.outage_vocabulary import (
    OPEN_STATES,
    STAFF_ACTIONS,
    Notice,
    OutageAction,
    OutageKind,
    OutageScope,
    OutageState,
)

# fault-report scopes (details.scope) that speak of more than one socket or appliance
COUNTED_SCOPES = frozenset({"household", "building", "area"})


@dataclass(frozen=True, slots=True)
class OutagePolicy:
    """Clustering and notice numbers (DOMAIN_NOTES.md, outages: recommended defaults)."""

    cluster_window: timedelta = timedelta(minutes=15)
    min_accounts: int = 3  # distinct 户号 in one 台区 within the window
    small_area_min_accounts: int = 2  # … when the 台区 has fewer than small_area_customers
    small_area_customers: int = 30
    rollup_window: timedelta = timedelta(minutes=15)  # 2+ 台区 on one line → line outage
    rollup_min_areas: int = 2
    max_open: timedelta = timedelta(hours=12)  # a probable outage stops attaching after this
    # A first "no power" report whose 台区 has not clustered waits for its neighbours before
    # its own dispatch, by rule set as in Oracle NMS. Normal: `hold`, 2 minutes — long enough
    # for a tripped 台区's next reports to arrive (the storm bench's first reports were
    # otherwise dispatched alone a minute before their 台区 formed, one extra manager SMS
    # each), short enough that with the minute pass a lone fault is still dispatched within
    # the 5-minute step (YUNGE_REPORT_HOLD_SECONDS sets it, 0..180 s; 0 = at once). Storm —
    # `storm_areas` 台区 of the report's station reporting within cluster_window:
    # `storm_hold`, the whole window, so a 台区 that trips makes ONE manager SMS; a lone
    # report then misses the dispatch step, and the figures say so. Important and special
    # customers and hazards are never held.
    hold: timedelta = timedelta(minutes=2)
    storm_hold: timedelta = timedelta(minutes=15)
    storm_areas: int = 3
    ack_within: timedelta = timedelta(minutes=10)  # customers told after `probable`
    etr_shift_to_notify: timedelta = timedelta(minutes=30)
    etr_update_gap: timedelta = timedelta(hours=1)  # at most one ETR update an hour
    callback_after: timedelta = timedelta(minutes=30)  # "回复1/2" after restored
    planned_notice: timedelta = timedelta(days=7)
    temporary_notice: timedelta = timedelta(hours=24)
    reminder_before: timedelta = timedelta(days=1)  # a notice's customers reminded

    def accounts_needed(self, customers_in_area: int | None) -> int:
        small = customers_in_area is not None and customers_in_area < self.small_area_customers
        return self.small_area_min_accounts if small else self.min_accounts

    def scaled(self, factor: float) -> OutagePolicy:
        """The timings times `factor` (the demo's YUNGE_CLOCK_SCALE): windows, holds, when
        customers are told and asked. The notice lead times are the regulations', unscaled."""
        return replace(
            self,
            cluster_window=self.cluster_window * factor,
            rollup_window=self.rollup_window * factor,
            max_open=self.max_open * factor,
            hold=self.hold * factor,
            storm_hold=self.storm_hold * factor,
            ack_within=self.ack_within * factor,
            etr_update_gap=self.etr_update_gap * factor,
            callback_after=self.callback_after * factor,
        )

    def hold_for(self, areas_reporting: int) -> timedelta:
        """How long a first report waits, given how many 台区 of its station (its own
        included) have reported "no power" within the window."""
        return self.storm_hold if areas_reporting >= self.storm_areas else self.hold


@dataclass(frozen=True, slots=True)
class OutageEvent:
    at: datetime
    action: str
    actor: str  # "system", "staff:<id>"
    from_state: OutageState
    to_state: OutageState
    note: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Outage:
    outage_id: str
    kind: OutageKind
    state: OutageState
    scope: OutageScope
    ta_ids: tuple[str, ...]
    station_id: str
    branch_id: str
    created_at: datetime
    updated_at: datetime
    grid_id: str | None = None
    line_id: str | None = None
    manager_id: str | None = None  # whom the fault outage was dispatched to
    etr: datetime | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    cause: str | None = None
    publisher: str | None = None
    contact_phone: str | None = None
    important_notified: bool = False
    ticket_ids: frozenset[str] = frozenset()
    account_nos: frozenset[str] = frozenset()  # who reported (户号, deduplicated)
    customers_affected: int = 0
    dispatched_at: datetime | None = None  # the manager was told (formation completed)
    contacts: frozenset[str] = frozenset()  # "<account_no>#<phone>" of those who reported
    acked_at: datetime | None = None  # the affected customers were told (acknowledgement)
    etr_told: datetime | None = None  # the ETR customers last heard
    etr_told_at: datetime | None = None
    etr_updates: int = 0
    restored_told_at: datetime | None = None
    callback_told_at: datetime | None = None
    reminded_at: datetime | None = None  # a notice's customers reminded the day before
    reports_settled_at: datetime | None = None  # its tickets resolved (or released) with it
    confirmed_at: datetime | None = None
    restored_at: datetime | None = None
    timeline: tuple[OutageEvent, ...] = ()
    version: int = 0

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def reports(self) -> int:
        return len(self.ticket_ids)


@dataclass(frozen=True, slots=True)
class NoticeWindow:
    """A published planned / temporary outage as its 台区 keeps it: enough to answer a
    report from inside it at once."""

    outage_id: str
    kind: OutageKind
    starts_at: datetime
    ends_at: datetime
    cause: str
    contact_phone: str

    def active(self, at: datetime) -> bool:
        return self.starts_at <= at <= self.ends_at

    def text(self) -> str:
        label = NOTICE_KIND_LABELS[self.kind]
        return f"您所在台区正在{label}停电（{self.cause}），咨询{self.contact_phone}"


NOTICE_KIND_LABELS = {OutageKind.PLANNED: "计划", OutageKind.TEMPORARY: "临时检修"}


def notice_errors(
    *,
    kind: OutageKind,
    starts_at: datetime,
    ends_at: datetime,
    important_notified: bool | None,
    has_area: bool,
    now: datetime,
    policy: OutagePolicy,
) -> dict[str, str]:
    """《电力供应与使用条例》/《供电监管办法》: planned ≥ 7 days ahead; temporary ≥ 24 h ahead
    with important customers notified first; an area is required. Empty when acceptable."""
    fields: dict[str, str] = {}
    if not has_area:
        fields["transformer_area_ids"] = "请填写停电台区或线路"
    if ends_at <= starts_at:
        fields["ends_at"] = "结束时间应晚于开始时间"
    if kind is OutageKind.PLANNED and starts_at - now < policy.planned_notice:
        days = policy.planned_notice.days
        fields["starts_at"] = f"计划停电须提前{days}天公告；不足{days}天请按临时检修发布并说明理由"
    if kind is OutageKind.TEMPORARY:
        hours = round(policy.temporary_notice.total_seconds() / 3600)
        if starts_at - now < policy.temporary_notice:
            fields["starts_at"] = f"临时检修须提前{hours}小时通知"
        if not important_notified:
            fields["important_notified"] = "临时检修须先通知重要客户，并在此确认"
    return fields


def published(
    *,
    outage_id: str,
    kind: OutageKind,
    ta_ids: tuple[str, ...],
    line_id: str | None,
    station_id: str,
    branch_id: str,
    starts_at: datetime,
    ends_at: datetime,
    cause: str,
    publisher: str,
    contact_phone: str,
    important_notified: bool,
    customers_affected: int,
    actor: str,
    now: datetime,
) -> Outage:
    """A planned or temporary outage as published: confirmed by the people who plan it."""
    return Outage(
        outage_id=outage_id,
        kind=kind,
        state=OutageState.CONFIRMED,
        scope=OutageScope.LINE if line_id else OutageScope.TRANSFORMER_AREA,
        ta_ids=ta_ids,
        line_id=line_id,
        station_id=station_id,
        branch_id=branch_id,
        created_at=now,
        updated_at=now,
        starts_at=starts_at,
        ends_at=ends_at,
        cause=cause,
        publisher=publisher,
        contact_phone=contact_phone,
        important_notified=important_notified,
        customers_affected=customers_affected,
        confirmed_at=now,
        timeline=(
            OutageEvent(
                at=now,
                action=OutageAction.PUBLISH.value,
                actor=actor,
                from_state=OutageState.CONFIRMED,
                to_state=OutageState.CONFIRMED,
                note=f"{publisher}发布{NOTICE_KIND_LABELS[kind]}停电公告：{cause}",
            ),
        ),
    )


def with_event(
    outage: Outage,
    action: OutageAction,
    *,
    now: datetime,
    note: str | None,
    actor: str = SYSTEM,
    to_state: OutageState | None = None,
    data: dict[str, Any] | None = None,
    **changes: Any,
) -> Outage:
    """`outage` with `changes` and one more event on its own timeline: the one way an outage
    moves (its state stays unless `to_state` says otherwise)."""
    target = to_state or outage.state
    event = OutageEvent(
        at=now,
        action=action.value,
        actor=actor,
        from_state=outage.state,
        to_state=target,
        note=note,
        data=data or {},
    )
    return replace(
        outage,
        state=target,
        updated_at=now,
        timeline=(*outage.timeline, event),
        **changes,
    )


def counts_toward_outage(ticket_type: str, details: dict[str, Any]) -> bool:
    """A fault report about the home, the building or the area — never a single socket."""
    return ticket_type == "fault_repair" and details.get("scope", "household") in COUNTED_SCOPES


def densest_window(reported: dict[str, datetime], window: timedelta) -> set[str]:
    """The accounts of the largest group of reports that fit in one `window` (earliest such
    group on a tie): a sliding window over the report times, not one anchored at a report."""
    ordered = sorted(reported.items(), key=lambda item: (item[1], item[0]))
    best: tuple[int, int] = (0, 0)
    start = 0
    for end, (_, at) in enumerate(ordered):
        while at - ordered[start][1] > window:
            start += 1
        if end + 1 - start > best[1] - best[0]:
            best = (start, end + 1)
    return {account for account, _ in ordered[best[0] : best[1]]}


def attaches(outage: Outage, now: datetime, policy: OutagePolicy) -> bool:
    """Whether a new report in its scope joins this outage rather than opening a ticket."""
    if not outage.is_open or outage.kind is not OutageKind.FAULT:
        return False
    return now - outage.created_at <= policy.max_open


def formed(
    *,
    outage_id: str,
    ta_id: str,
    grid_id: str,
    station_id: str,
    branch_id: str,
    line_id: str | None,
    manager_id: str | None,
    reports: dict[str, str],
    customers_affected: int,
    etr: datetime | None,
    now: datetime,
    contacts: frozenset[str] = frozenset(),
) -> Outage:
    """The probable fault outage that `reports` ({account_no: ticket_id}) make."""
    return Outage(
        outage_id=outage_id,
        kind=OutageKind.FAULT,
        state=OutageState.PROBABLE,
        scope=OutageScope.TRANSFORMER_AREA,
        ta_ids=(ta_id,),
        grid_id=grid_id,
        station_id=station_id,
        branch_id=branch_id,
        line_id=line_id,
        manager_id=manager_id,
        etr=etr,
        starts_at=now,
        created_at=now,
        updated_at=now,
        ticket_ids=frozenset(reports.values()),
        account_nos=frozenset(reports),
        contacts=contacts,
        customers_affected=max(customers_affected, len(reports)),
        timeline=(
            OutageEvent(
                at=now,
                action=OutageAction.FORM.value,
                actor=SYSTEM,
                from_state=OutageState.PROBABLE,
                to_state=OutageState.PROBABLE,
                note=f"{len(reports)}户报修，判定为疑似停电",
                data={"reports": len(reports)},
            ),
        ),
    )


def rolls_up(outage: Outage, now: datetime, policy: OutagePolicy) -> bool:
    """Whether a 台区 going probable on `outage`'s line joins it: an open fault outage that
    went probable within the roll-up window, or one already at line level."""
    if not attaches(outage, now, policy) or outage.line_id is None:
        return False
    return outage.scope is OutageScope.LINE or now - outage.created_at <= policy.rollup_window


def rolled_up(
    outage: Outage,
    *,
    ta_id: str,
    reports: dict[str, str],
    customers_affected: int,
    now: datetime,
    contacts: frozenset[str] = frozenset(),
) -> Outage:
    """`outage` once the 台区 `ta_id` (whose `reports` made it probable) joined it: a line
    outage listing both, its customers added. No dispatch: its manager already has it."""
    if ta_id in outage.ta_ids:
        return outage
    return with_event(
        outage,
        OutageAction.ROLL_UP,
        now=now,
        note=f"同线路另一台区{len(reports)}户报修，并为线路停电",
        data={"ta_id": ta_id, "reports": len(reports), "accounts": sorted(reports)},
        scope=OutageScope.LINE,
        ta_ids=(*outage.ta_ids, ta_id),
        ticket_ids=outage.ticket_ids | frozenset(reports.values()),
        account_nos=outage.account_nos | frozenset(reports),
        contacts=outage.contacts | contacts,
        customers_affected=outage.customers_affected + max(customers_affected, len(reports)),
    )


def unacknowledged_areas(outage: Outage) -> tuple[str, ...]:
    """The 台区 whose customers have not had the acknowledgement: all of them before the
    first, then those rolled up after the last one (timeline order, not clock time)."""
    if outage.acked_at is None:
        return outage.ta_ids
    waiting: list[str] = []
    for event in outage.timeline:
        if event.action == OutageAction.ROLL_UP.value:
            waiting.append(str(event.data.get("ta_id", "")))
        elif event.action == OutageAction.NOTIFY.value and Notice.ACK.value in event.data.get(
            "notices", ()
        ):
            waiting = []
    return tuple(ta for ta in waiting if ta in outage.ta_ids)


def rolled_up_reporters(outage: Outage, areas: tuple[str, ...]) -> frozenset[str]:
    """The 户号 whose reports rolled these 台区 up (reporters' phones may differ from the
    customer import's, and a reporter may be missing from it)."""
    return frozenset(
        str(account)
        for e in outage.timeline
        if e.action == OutageAction.ROLL_UP.value and e.data.get("ta_id") in areas
        for account in e.data.get("accounts", ())
    )


def dispatched(outage: Outage, *, manager_id: str, note: str, now: datetime) -> Outage:
    """The outage once its manager has been told (one SMS for all its reports)."""
    return with_event(
        outage,
        OutageAction.DISPATCH,
        now=now,
        note=note,
        data={"assignee_id": manager_id, "reports": outage.reports},
        manager_id=manager_id,
        dispatched_at=now,
    )


def settles_reports(outage: Outage, now: datetime) -> bool:
    """Whether the outage's tickets should now follow it: restored or cancelled, or a notice
    whose window has ended."""
    if outage.reports_settled_at is not None or not outage.ticket_ids:
        return False
    if not outage.is_open:
        return True
    return (
        outage.kind is not OutageKind.FAULT and outage.ends_at is not None and now > outage.ends_at
    )


def notices_due(outage: Outage, now: datetime, policy: OutagePolicy) -> list[Notice]:
    """What the affected customers of an outage should hear now and have not."""
    if outage.kind is not OutageKind.FAULT:
        return _notice_due(outage, now, policy)
    due: list[Notice] = []
    if outage.is_open and unacknowledged_areas(outage):
        due.append(Notice.ACK)
    if outage.is_open and outage.acked_at is not None and outage.etr and outage.etr_told:
        moved = abs(outage.etr - outage.etr_told) >= policy.etr_shift_to_notify
        last = outage.etr_told_at or outage.acked_at
        if moved and now - last >= policy.etr_update_gap:
            due.append(Notice.ETR)
    restored = outage.state is OutageState.RESTORED and outage.restored_told_at is None
    if restored and outage.acked_at is not None:  # nobody told of it: nobody told it ended
        due.append(Notice.RESTORED)
    if (
        outage.state is OutageState.RESTORED
        and outage.restored_at is not None
        and outage.callback_told_at is None
        and now - outage.restored_at >= policy.callback_after
    ):
        due.append(Notice.CALLBACK)
    return due


def _notice_due(outage: Outage, now: datetime, policy: OutagePolicy) -> list[Notice]:
    """A published notice: told at once, reminded the day before it starts."""
    if not outage.is_open or outage.starts_at is None or now >= outage.starts_at:
        return []
    if outage.acked_at is None:
        return [Notice.PUBLISHED]
    if outage.reminded_at is None and outage.starts_at - now <= policy.reminder_before:
        return [Notice.REMINDER]
    return []


def told(outage: Outage, notices: list[Notice], customers: int, now: datetime) -> Outage:
    """`outage` once `notices` reached `customers` customers, with the event on its timeline."""
    changes: dict[str, Any] = {}
    data: dict[str, Any] = {"notices": [n.value for n in notices], "customers": customers}
    if Notice.ACK in notices and outage.acked_at is not None:  # a rolled-up 台区's customers
        data["areas"] = list(unacknowledged_areas(outage))
    elif Notice.ACK in notices:
        changes.update(acked_at=now, etr_told=outage.etr, etr_told_at=now)
    if Notice.PUBLISHED in notices:
        changes["acked_at"] = now
    if Notice.REMINDER in notices:
        changes["reminded_at"] = now
    if Notice.ETR in notices:
        changes.update(etr_told=outage.etr, etr_told_at=now, etr_updates=outage.etr_updates + 1)
    if Notice.RESTORED in notices:
        changes["restored_told_at"] = now
    if Notice.CALLBACK in notices:
        changes["callback_told_at"] = now
    note = f"短信告知{customers}户：" + "、".join(NOTICE_LABELS[n] for n in notices)
    return with_event(outage, OutageAction.NOTIFY, now=now, note=note, data=data, **changes)


NOTICE_LABELS = {
    Notice.ACK: "停电确认",
    Notice.ETR: "预计恢复时间调整",
    Notice.RESTORED: "恢复供电",
    Notice.CALLBACK: "复电回访",
    Notice.PUBLISHED: "停电公告",
    Notice.REMINDER: "停电前一天提醒",
}
CALLBACK_REPLIES = {"1": "restored", "2": "still_out"}


_TARGET = {
    OutageAction.CONFIRM: OutageState.CONFIRMED,
    OutageAction.RESTORE: OutageState.RESTORED,
    OutageAction.CANCEL: OutageState.CANCELLED,
}
_ALLOWED_FROM = {
    OutageAction.CONFIRM: frozenset({OutageState.PROBABLE}),
    OutageAction.SET_ETR: OPEN_STATES,
    OutageAction.RESTORE: OPEN_STATES,
    OutageAction.CANCEL: OPEN_STATES,
}


def act(
    outage: Outage,
    action: OutageAction,
    *,
    actor: str,
    now: datetime,
    etr: datetime | None = None,
    note: str | None = None,
) -> Outage:
    """`outage` after a staff action, with the event on its timeline; Conflict (409) when the
    state does not allow it, ValidationFailed when set_etr has no ETR."""
    if action not in STAFF_ACTIONS:
        raise ValidationFailed(fields={"action": "不支持的操作"})
    if outage.state not in _ALLOWED_FROM[action]:
        raise Conflict(f"停电事件当前状态为{outage.state.value}，不能执行该操作", code="bad_state")
    if action is OutageAction.SET_ETR and etr is None:
        raise ValidationFailed(fields={"etr": "请填写预计恢复时间"})
    if etr is not None and etr <= now:
        raise ValidationFailed(fields={"etr": "预计恢复时间应晚于现在"})
    changes: dict[str, Any] = {}
    if etr is not None:
        changes["etr"] = etr
    if action is OutageAction.CONFIRM:
        changes["confirmed_at"] = now
    if action is OutageAction.RESTORE:
        changes["restored_at"] = now
        changes["ends_at"] = now
    return with_event(
        outage,
        action,
        now=now,
        note=note,
        actor=actor,
        to_state=_TARGET.get(action, outage.state),
        data={"etr": etr.isoformat()} if etr else {},
        **changes,
    )
