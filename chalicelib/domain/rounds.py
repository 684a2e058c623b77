"""A ticket's rounds (轮次): a reopen ends one round and starts the next, and every round is
judged on its own (SERVICE_STANDARDS.md, "Reopened tickets"). Pure.

The current round lives in `Ticket.clocks` and `Ticket.outcome` as always. A reopen archives
the round it ends into `outcome["rounds"]` (`archive`): its moments, deadlines and
escalation marks, its cause, arrival location, closing and who held each clock, and the
verdict of each of its clocks — facts a report reads back (`rounds_of`), never rebuilds.

Round facts (`Round.clocks`, names as in domain/clocks.py): `dispatched_at` (the round's
first dispatch), `accept_due`, `accepted_at`, `accept_missed_at` (an accept clock missed
before a transfer restarted it), `arrive_due`, `arrived_at`, `resolve_due`, `resolved_at`,
`closed_at`, `<clock>_escalated_at` (level 2: `dispatch`, `accept`; level 3: `arrive`,
`resolve`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .tickets import Status, Ticket

ROUNDS = "rounds"  # the outcome key holding the archived rounds
# What a round keeps of `Ticket.outcome`; the rest (reopen_count, rounds, …) is the ticket's.
ROUND_OUTCOME = ("cause", "arrive_location", "rating", "comment", "no_callback", "callback")
LEVEL_OF_MARK = {"dispatch": 2, "accept": 2, "arrive": 3, "resolve": 3}
HOLDERS = "holders"  # outcome key: clock → staff id holding the ticket when it fell due / was met


@dataclass(frozen=True, slots=True)
class Round:
    number: int  # 1 for the ticket as submitted, + 1 per reopen
    started_at: datetime  # submission, or the reopen that started it
    clocks: Mapping[str, datetime]
    outcome: Mapping[str, Any]  # ROUND_OUTCOME keys
    assignee_id: str | None  # the assignee when the round ended (or now)
    holders: Mapping[str, str] = field(default_factory=dict)
    reopened_at: datetime | None = None  # when a reopen ended it; None: the current round

    def holder(self, clock: str) -> str | None:
        return self.holders.get(clock, self.assignee_id)

    def escalations(self) -> list[tuple[int, str, datetime]]:
        """(level, clock, when) of each escalation in this round."""
        return [
            (level, clock, at)
            for clock, level in LEVEL_OF_MARK.items()
            if (at := self.clocks.get(f"{clock}_escalated_at")) is not None
        ]

    def located(self) -> bool:
        return bool(self.outcome.get("arrive_location"))

    def callback_done(self) -> bool:
        """回访: the customer confirmed (a rating comes only with a confirmation or a callback),
        or staff recorded a callback. An automatic closing is neither."""
        o = self.outcome
        return o.get("no_callback") is False or "rating" in o or bool(o.get("callback"))


# After its last recorded moment, how long a closed or cancelled ticket can still produce a
# KPI fact: a reopen (within policy.reopen_window of resolved_at, checked ≤ this by the
# policy tests) and nothing else — a final ticket runs no clock.
SETTLE_AFTER = timedelta(days=31)
FINAL = frozenset({Status.CLOSED, Status.CANCELLED})


def settles_at(ticket: Ticket) -> datetime | None:
    """When no KPI fact of the ticket can happen any more; None while it is not final.
    Reports find tickets created before a period with a fact in it by this (the by_settle
    index): a fact of a period is always before the ticket settles."""
    if ticket.status not in FINAL:
        return None
    moments = [ticket.created_at, *ticket.clocks.values()]
    for archived in ticket.outcome.get(ROUNDS, ()):
        moments.append(datetime.fromisoformat(archived["reopened_at"]))
    return max(moments) + SETTLE_AFTER


def round_number(ticket: Ticket) -> int:
    """The ticket's current round: 1 + the reopens so far."""
    return (
        max(len(ticket.outcome.get(ROUNDS, ())), int(ticket.outcome.get("reopen_count") or 0)) + 1
    )


def held(outcome: Mapping[str, Any], clock: str, staff_id: str | None) -> dict[str, Any]:
    """`outcome` noting that `staff_id` held the ticket when `clock` fell due or was met —
    the first of the two, so a late step stays with whoever held it when it fell due."""
    holders = dict(outcome.get(HOLDERS, {}))
    if staff_id is None or clock in holders:
        return dict(outcome)
    return {**outcome, HOLDERS: {**holders, clock: staff_id}}


def transferred(clocks: Mapping[str, datetime], now: datetime) -> dict[str, datetime]:
    """A round's clocks after a transfer at `now`: the first dispatch stays (the dispatch step
    is judged on it), the accept clock restarts from `reassigned_at`, and an accept clock
    already missed stays missed (`accept_missed_at` = its due time)."""
    out = dict(clocks)
    due, accepted = out.get("accept_due"), out.pop("accepted_at", None)
    missed = due is not None and (
        (accepted is None and now > due) or (accepted is not None and accepted > due)
    )
    if (missed or "accept_escalated_at" in out) and "accept_missed_at" not in out:
        out["accept_missed_at"] = due if due is not None else now
    out["reassigned_at"] = now
    return out


def _iso(moment: datetime) -> str:
    return moment.isoformat()


DONE = {"accept": "accepted_at", "arrive": "arrived_at", "resolve": "resolved_at"}


def verdicts(clocks: Mapping[str, datetime]) -> dict[str, str]:
    """Each clock of a round a reopen ends: met (done by its due time) or missed. The resolve
    clock of a reopened round is missed: the work was not fixed."""
    out = {}
    for clock, done_key in DONE.items():
        due, done = clocks.get(f"{clock}_due"), clocks.get(done_key)
        if due is not None:
            out[clock] = "met" if done is not None and done <= due else "missed"
    if "accept_missed_at" in clocks or "accept_escalated_at" in clocks:
        out["accept"] = "missed"
    if "resolve" in out:
        out["resolve"] = "missed"
    return out


def archive(ticket: Ticket, reopened_at: datetime) -> dict[str, Any]:
    """The current round of `ticket` as stored in `outcome["rounds"]` when a reopen ends it."""
    o = ticket.outcome
    return {
        "round": len(o.get(ROUNDS, ())) + 1,
        "started_at": _iso(ticket.clocks.get("reopened_at", ticket.created_at)),
        "reopened_at": _iso(reopened_at),
        "clocks": {k: _iso(v) for k, v in ticket.clocks.items() if k != "reopened_at"},
        "outcome": {k: o[k] for k in ROUND_OUTCOME if k in o},
        "assignee_id": ticket.assignee_id,
        "holders": dict(o.get(HOLDERS, {})),
        "verdicts": verdicts(ticket.clocks),
    }


def reopened(ticket: Ticket, at: datetime) -> dict[str, Any]:
    """`ticket.outcome` once a reopen at `at` has archived the current round: the round's own
    keys move into the archive, the ticket's (reopen count, …) stay."""
    kept = {k: v for k, v in ticket.outcome.items() if k not in ROUND_OUTCOME and k != HOLDERS}
    kept[ROUNDS] = [*ticket.outcome.get(ROUNDS, ()), archive(ticket, at)]
    kept["reopen_count"] = len(kept[ROUNDS])
    return kept


def _decode(raw: Mapping[str, Any]) -> Round:
    return Round(
        number=int(raw["round"]),
        started_at=datetime.fromisoformat(raw["started_at"]),
        clocks={k: datetime.fromisoformat(v) for k, v in raw.get("clocks", {}).items()},
        outcome=dict(raw.get("outcome", {})),
        assignee_id=raw.get("assignee_id"),
        holders=dict(raw.get("holders", {})),
        reopened_at=datetime.fromisoformat(raw["reopened_at"]),
    )


def rounds_of(ticket: Ticket) -> tuple[Round, ...]:
    """Every round of the ticket, oldest first; the last is the current one."""
    earlier = [_decode(raw) for raw in ticket.outcome.get(ROUNDS, ())]
    o = ticket.outcome
    current = Round(
        number=max(len(earlier), int(o.get("reopen_count") or 0)) + 1,
        started_at=ticket.clocks.get("reopened_at", ticket.created_at),
        clocks={k: v for k, v in ticket.clocks.items() if k != "reopened_at"},
        outcome={k: o[k] for k in ROUND_OUTCOME if k in o},
        assignee_id=ticket.assignee_id,
        holders=dict(o.get(HOLDERS, {})),
    )
    return (*earlier, current)
