"""Who gets a new ticket: level 1 of the three-level rapid response (SERVICE_STANDARDS.md).

The grid's manager when on duty; otherwise the on-duty member of the grid's mutual-aid group
with the fewest open tickets (ties: the least recently assigned, then staff id, so the choice
is deterministic); otherwise the station chief. Important and special customers also alert the
station chief (unless the chief is the assignee). Pure: staff, workloads and `now` come in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from .org import Role, Staff

_NEVER = datetime.min.replace(tzinfo=UTC)


class Route(StrEnum):
    GRID_MANAGER = "grid_manager"
    MUTUAL_AID = "mutual_aid"
    STATION_CHIEF = "station_chief"


@dataclass(frozen=True, slots=True)
class Workload:
    open_tickets: int
    last_assigned_at: datetime | None = None  # None: unknown or never


@dataclass(frozen=True, slots=True)
class Assignment:
    assignee: Staff
    route: Route
    alert_chief: bool


def on_duty(staff: Staff, now: datetime) -> bool:
    """`on_duty` holds until `duty_until` when one is set, and flips after it: off duty
    "until 18:00" is back on at 18:00. Without `duty_until` it holds until changed."""
    if staff.duty_until is not None and now >= staff.duty_until:
        return not staff.on_duty
    return staff.on_duty


def peers_on_duty(manager_id: str | None, members: Sequence[Staff], now: datetime) -> list[Staff]:
    """The group's managers who could take the ticket now (the grid's manager excluded)."""
    return [
        m
        for m in members
        if m.staff_id != manager_id and m.role is Role.MANAGER and on_duty(m, now)
    ]


def tied_for_fewest(peers: Sequence[Staff], open_tickets: Mapping[str, int]) -> list[Staff]:
    """The peers sharing the fewest open tickets: only they need a recency look-up."""
    if not peers:
        return []
    fewest = min(open_tickets[p.staff_id] for p in peers)
    return [p for p in peers if open_tickets[p.staff_id] == fewest]


def peer_workloads(
    peers: Sequence[Staff],
    open_now: Mapping[str, int],
    last_assigned: Callable[[list[str]], Mapping[str, datetime]],
) -> dict[str, Workload]:
    """Each peer's open tickets (`open_now`: open tickets per assignee in their station) and,
    only for the peers tied on the fewest, when they were last given a ticket (asked of
    `last_assigned` once: TicketStore.last_assigned, the assignment ledger)."""
    counts = {p.staff_id: open_now.get(p.staff_id, 0) for p in peers}
    tied = tied_for_fewest(peers, counts)
    last = last_assigned([p.staff_id for p in tied]) if len(tied) > 1 else {}
    return {sid: Workload(n, last.get(sid)) for sid, n in counts.items()}


def least_loaded(peers: Sequence[Staff], workloads: Mapping[str, Workload]) -> Staff:
    def rank(peer: Staff) -> tuple[int, datetime, str]:
        load = workloads.get(peer.staff_id, Workload(0))
        return load.open_tickets, load.last_assigned_at or _NEVER, peer.staff_id

    return min(peers, key=rank)


def assign(
    *,
    manager: Staff | None,
    peers: Sequence[Staff],
    workloads: Mapping[str, Workload],
    chief: Staff | None,
    priority: bool,
    now: datetime,
) -> Assignment:
    """`peers`: the on-duty mutual-aid candidates (see `peers_on_duty`), with a workload
    each. Raises LookupError when nobody at all can take the ticket (no manager, peer or
    chief on record: a topology error, not a duty question)."""
    if manager is not None and on_duty(manager, now):
        chosen, route = manager, Route.GRID_MANAGER
    elif peers:
        chosen, route = least_loaded(peers, workloads), Route.MUTUAL_AID
    elif chief is not None:
        chosen, route = chief, Route.STATION_CHIEF
    elif manager is not None:  # no chief on record: the manager keeps the grid's work
        chosen, route = manager, Route.GRID_MANAGER
    else:
        raise LookupError("no manager, mutual-aid peer or station chief for this grid")
    alert = priority and chief is not None and chief.staff_id != chosen.staff_id
    return Assignment(chosen, route, alert_chief=alert)
