"""A realistic previous month of tickets for the demo district, so the monthly report has
substance: on time, late, escalated (levels 2 and 3), reopened, cancelled, rated, unrated,
auto-closed without a callback, still open — and a few transformer areas with repeated faults.

`generate_month` is pure and seeded; `seed_demo_month` writes through the store models in
batches (tickets + their timelines) and puts each grid's customer count on its org item,
which the report's per-1,000-customers figures read. The local stack calls it at startup."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain.calendar import SHANGHAI, MainlandCalendar, WorkCalendar
from chalicelib.domain.clocks import Deadlines, deadlines
from chalicelib.domain.ids import new_ulid, ticket_number
from chalicelib.domain.org import AreaClass
from chalicelib.domain.policy import DEFAULT_POLICY, ServicePolicy
from chalicelib.domain.rounds import reopened
from chalicelib.domain.tickets import Action, Status, Ticket, TicketType, TimelineEvent
from chalicelib.domain.transitions import creation_event
from infra.local.demo_data import DemoDistrict

T = TicketType
TYPES = ((T.FAULT_REPAIR, 55), (T.METER_SERVICE, 20), (T.CONSULTATION, 20), (T.NEW_CONNECTION, 5))
CHANNELS = (("miniprogram", 70), ("phone", 20), ("95598", 10))
CAUSES = ("线路老化", "熔断器熔断", "表后线故障", "大风刮断导线", "变压器过载", "客户内部故障")
RATINGS = ((5, 60), (4, 25), (3, 9), (2, 4), (1, 2))
MIN = timedelta(minutes=1)


def _pick(rng: random.Random, weighted: tuple[tuple[Any, int], ...]) -> Any:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


class _Story:
    """One ticket's steps, in time order, with the clocks and outcome they leave."""

    def __init__(self, ticket: Ticket) -> None:
        self.ticket = ticket
        self.steps: list[tuple[datetime, str, Status, dict[str, Any], dict[str, Any]]] = []
        self.status = Status.SUBMITTED

    def step(self, at: datetime, action: str, to: Status | None = None, **data: Any) -> None:
        clocks = {k: v for k, v in data.items() if isinstance(v, datetime)}
        outcome = {k: v for k, v in data.items() if not isinstance(v, datetime)}
        self.steps.append((at, action, to or self.status, clocks, outcome))
        self.status = to or self.status

    def until(self, now: datetime) -> tuple[Ticket, list[TimelineEvent]]:
        t, events = self.ticket, []
        prior, clocks, outcome = Status.SUBMITTED, dict(t.clocks), dict(t.outcome)
        level, overdue = t.escalation_level, False
        for version, (at, action, to, new_clocks, noted) in enumerate(self.steps, 2):
            if at > now:
                break
            new_outcome = dict(noted)
            if action == "reopen":  # the round ends: archived, as domain/transitions.py does
                before = replace(t, clocks=clocks, outcome=outcome, created_at=t.created_at)
                outcome, clocks = reopened(before, at), {}
                new_outcome.pop("reopen_count", None)
            clocks.update(new_clocks)
            level = new_outcome.pop("level", level)
            overdue = overdue or new_outcome.pop("overdue", False)
            outcome.update(new_outcome)
            actor = "system" if action in ("dispatch", "escalate", "auto_close") else "staff:x"
            events.append(TimelineEvent(t.ticket_id, at, Action(action), actor, prior, to, version))
            prior = to
        done = replace(
            t,
            status=prior,
            clocks=clocks,
            outcome=outcome,
            escalation_level=level,
            overdue=overdue,
            version=len(events) + 1,
        )
        return done, events


def _round(
    rng: random.Random,
    s: _Story,
    start: datetime,
    policy: ServicePolicy,
    cal: WorkCalendar,
    *,
    reopen: bool = False,
) -> datetime:
    """(Re)dispatch → accept → arrive → resolve from `start`; returns when it was resolved."""
    t, area = s.ticket, AreaClass(s.ticket.area_class or AreaClass.URBAN)
    slow = rng.random() < 0.05 and not reopen
    dispatched = start if reopen else start + rng.uniform(*((6, 20) if slow else (0.2, 3))) * MIN

    def due(arrived_at: datetime | None) -> Deadlines:
        return deadlines(
            policy,
            cal,
            ticket_type=t.type,
            area_class=area,
            priority=t.priority,
            submitted_at=start,
            dispatched_at=dispatched,
            arrived_at=arrived_at,
            details=t.details,
        )

    first = due(None)
    assert first.accept_due is not None
    clocks: dict[str, Any] = {"dispatched_at": dispatched, "accept_due": first.accept_due}
    if first.arrive_due:
        clocks["arrive_due"] = first.arrive_due
    if reopen:
        s.step(start, "reopen", Status.DISPATCHED, reopened_at=start, reopen_count=1, **clocks)
    else:
        s.step(dispatched, "dispatch", Status.DISPATCHED, level=1, **clocks)
    if rng.random() < 0.06:  # 三级快响 level 2: accept clock missed, a peer takes it
        s.step(first.accept_due, "escalate", level=2, accept_escalated_at=first.accept_due)
        accepted = first.accept_due + rng.uniform(2, 25) * MIN
    else:
        accepted = dispatched + (first.accept_due - dispatched) * rng.uniform(0.1, 0.9)
    s.step(accepted, "accept", Status.ACCEPTED, accepted_at=accepted)
    at, arrive_due = accepted, first.arrive_due
    if t.type is not T.CONSULTATION:
        if arrive_due is not None and rng.random() < 0.12:
            if rng.random() < 0.4:
                s.step(
                    arrive_due, "escalate", level=3, overdue=True, arrive_escalated_at=arrive_due
                )
            at = arrive_due + rng.uniform(3, 70) * MIN
        elif arrive_due is not None:
            at = accepted + max(MIN, (arrive_due - accepted) * rng.uniform(0.2, 0.95))
        else:
            at = accepted + rng.uniform(30, 600) * MIN
        where = {"lat": 40.75 + rng.uniform(-0.1, 0.1), "lng": 107.4 + rng.uniform(-0.1, 0.1)}
        located = {"arrive_location": where} if rng.random() < 0.97 else {}
        s.step(at, "arrive", Status.ON_SITE, arrived_at=at, **located)
    resolve_due = due(at).resolve_due
    assert resolve_due is not None
    if rng.random() < 0.06:
        resolved = resolve_due + rng.uniform(5, 120) * MIN
        if t.type is T.FAULT_REPAIR:
            s.step(resolve_due, "escalate", level=3, overdue=True, resolve_escalated_at=resolve_due)
    else:
        resolved = at + max(MIN, (resolve_due - at) * rng.uniform(0.05, 0.7))
    cause = (
        {"cause": rng.choice(CAUSES)} if t.type is T.FAULT_REPAIR and rng.random() < 0.97 else {}
    )
    s.step(
        resolved, "resolve", Status.RESOLVED, resolve_due=resolve_due, resolved_at=resolved, **cause
    )
    return resolved


def _story(rng: random.Random, t: Ticket, policy: ServicePolicy, cal: WorkCalendar) -> _Story:
    s = _Story(t)
    if rng.random() < 0.03:
        cancelled = t.created_at + rng.uniform(1, 4) * MIN
        s.step(cancelled, "cancel", Status.CANCELLED, cancelled_at=cancelled)
        return s
    resolved = _round(rng, s, t.created_at, policy, cal)
    if rng.random() < 0.04:
        reopened = resolved + rng.uniform(60, 1440) * MIN
        resolved = _round(rng, s, reopened, policy, cal, reopen=True)
    if rng.random() < 0.06:
        closed = resolved + policy.callback_auto_close
        s.step(closed, "auto_close", Status.CLOSED, closed_at=closed, no_callback=True)
    else:
        closed = resolved + rng.uniform(10, 2880) * MIN
        rated = {"rating": _pick(rng, RATINGS)} if rng.random() < 0.85 else {}
        s.step(closed, "confirm", Status.CLOSED, closed_at=closed, no_callback=False, **rated)
    return s


def generate_month(
    district: DemoDistrict,
    month_start: datetime,
    count: int,
    now: datetime,
    policy: ServicePolicy = DEFAULT_POLICY,
    seed: int = 2021,
) -> Iterator[tuple[Ticket, list[TimelineEvent]]]:
    rng, calendar = random.Random(seed), MainlandCalendar()
    grid_of = {ta.ta_id: ta for ta in district.transformer_areas}
    grids = {g.grid_id: g for g in district.grids}
    hot = rng.sample(district.customers, 6)  # customers behind six troubled transformers
    days = ((month_start + timedelta(days=32)).replace(day=1) - month_start).days
    for n in range(count):
        customer = rng.choice(hot) if rng.random() < 0.01 else rng.choice(district.customers)
        kind = T.FAULT_REPAIR if customer in hot else _pick(rng, TYPES)
        ta = grid_of[customer.ta_id]
        grid = grids[ta.grid_id]
        hour = rng.choices(range(24), [1] * 7 + [4] * 14 + [2] * 3)[0]
        created = month_start + timedelta(
            days=rng.randrange(days), hours=hour, seconds=rng.randrange(3600)
        )
        ticket_id = new_ulid(created, rng.getrandbits(80))
        details = (
            {"category": "residential", "capacity_kw": 8.0} if kind is T.NEW_CONNECTION else {}
        )
        ticket = Ticket(
            ticket_id,
            ticket_number(ticket_id, created),
            kind,
            Status.SUBMITTED,
            f"demo-openid-{n % 997}",
            customer.account_no,
            f"139{rng.randrange(10**8):08d}",
            "演示工单",
            customer.address,
            ta.ta_id,
            grid.grid_id,
            grid.station_id,
            grid.branch_id,
            grid.area_class,
            created,
            created,
            channel=_pick(rng, CHANNELS),
            priority=customer.important or customer.special,
            assignee_id=grid.manager_id,
            details=details,
        )
        first = creation_event(ticket)
        done, events = _story(rng, ticket, policy, calendar).until(now)
        yield replace(done, updated_at=events[-1].at if events else created), [first, *events]


def seed_demo_month(
    settings: Any,
    district: DemoDistrict,
    now: datetime,
    count: int = 3000,
    policy: ServicePolicy = DEFAULT_POLICY,
    timeline: bool = True,
) -> int:
    """Write the Asia/Shanghai month before `now` (with each ticket's timeline unless
    `timeline` is False); returns the number of tickets."""
    from chalicelib.store.models import OrgModel, TicketEventModel, TicketModel
    from chalicelib.store.ticket_items import event_item, to_item

    this_month = now.astimezone(SHANGHAI).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    start = (this_month - timedelta(days=1)).replace(day=1)
    grid_of = {ta.ta_id: ta.grid_id for ta in district.transformer_areas}
    for grid_id, customers in Counter(grid_of[c.ta_id] for c in district.customers).items():
        OrgModel(f"grid#{grid_id}").update(actions=[OrgModel.customer_count.set(customers)])
    shards = {"due_shards": settings.due_shards, "month_shards": settings.month_shards}
    written = 0
    with TicketModel.batch_write() as tickets, TicketEventModel.batch_write() as history:
        for ticket, events in generate_month(district, start, count, now, policy):
            tickets.save(to_item(replace(ticket, next_due=None), **shards))
            for event in events if timeline else ():
                history.save(event_item(event))
            written += 1
    return written
