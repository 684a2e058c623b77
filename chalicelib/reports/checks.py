"""How one ticket counts towards the KPIs of a period (SERVICE_STANDARDS.md, "KPI
definitions"). Pure: the ticket, the period and the policy in, its facts in the period out.

Every round of the ticket (domain/rounds.py) is judged, from what the ticket records:
* Volumes: tickets created in the period; one cancelled (in its first round) before the
  period ended counts only in the `cancelled` column and nowhere else.
* Clocks (arrive, resolve; every type) count in the period they fell due, once due by
  `as_of`: done by the due time → met; done late or not done → missed. A round cancelled
  before a clock fell due stops it (not counted).
* A fault's resolve clock runs from arrival; when no arrival was recorded by the time the
  whole job was due (arrive due + resolve clock), it is judged at that time instead, so a
  ticket still waiting for its crew fails fault-fix timeliness and a late arrival after the
  month ended cannot move a clock out of a closed month.
* The average arrival minutes take the arrivals recorded by the period's end (or `as_of`)
  whose arrive clock fell due in it: an arrival after a month ended leaves that month's
  figures as they were when it ended (GET /v1/stats answers a closed month from its report).
* The resolve clock of a round that was reopened counts as missed. A reopen known by the end
  of the period the clock fell due in makes it missed there; a later reopen cannot change
  that closed month, so the miss counts (again) in the period of the reopen.
* Each closing counts in the period it happened: it fails flow compliance when any step of
  any round up to it failed, and its own callback step when neither the customer confirmed
  nor staff recorded a callback.
* Resolutions, reopens and escalations (levels 2 and 3) count in the period they happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.domain.clocks import ARRIVE, RESOLVE
from chalicelib.domain.policy import ServicePolicy
from chalicelib.domain.rounds import Round, rounds_of
from chalicelib.domain.tickets import Outcome, Ticket

from .figures import FLOW_STEPS
from .rules import round_dues, step_failures, verdict

ENDS = ("resolved_at", "closed_at", "cancelled_at")  # moments a round stops being open


@dataclass(frozen=True, slots=True)
class Window:
    start: datetime  # inclusive
    end: datetime  # exclusive
    as_of: datetime  # open clocks are judged at this moment

    def created_in(self, ticket: Ticket) -> bool:
        return self.start <= ticket.created_at < self.end

    def holds(self, moment: datetime | None) -> bool:
        """Did `moment` happen in the period, by `as_of`?"""
        return moment is not None and self.start <= moment < self.end and moment <= self.as_of

    def counts(self, due: datetime | None) -> bool:
        return self.holds(due)

    @property
    def cut(self) -> datetime:
        """Where the period's knowledge stops: its end, or `as_of` if earlier."""
        return min(self.end, self.as_of)


@dataclass(frozen=True, slots=True)
class ClockFact:
    """An arrive or resolve clock of one round, counted in the period."""

    clock: str
    round: int
    due: datetime
    done_at: datetime | None
    outcome: Outcome  # MET or MISSED
    holder: str | None  # the assignee holding the ticket when it fell due or was met
    started_at: datetime  # the round's start (submission or reopen)
    done_by_cut: bool = False  # done before the period's knowledge stops (Window.cut)

    def lateness(self, as_of: datetime) -> timedelta | None:
        if self.outcome is not Outcome.MISSED:
            return None
        return max((self.done_at or max(as_of, self.due)) - self.due, timedelta(0))


@dataclass(frozen=True, slots=True)
class Closing:
    at: datetime
    round: int
    failures: tuple[str, ...]  # flow steps failed in any round up to this closing
    callback: bool
    rating: int | None
    holder: str | None


@dataclass(frozen=True, slots=True)
class Escalation:
    level: int
    clock: str
    at: datetime
    holder: str | None  # who held the ticket when it was escalated


@dataclass(frozen=True, slots=True)
class Check:
    created_in: bool  # created in the period
    cancelled: bool  # … and cancelled (first round) before the period ended
    open_at_end: bool  # created in the period and still open when the period's knowledge stops
    rounds: tuple[Round, ...]
    clocks: tuple[ClockFact, ...]  # arrive / resolve clocks that fell due in the period
    closings: tuple[Closing, ...]  # closings in the period
    resolutions: tuple[str | None, ...]  # who resolved, per resolution in the period
    reopens: tuple[str | None, ...]  # who held the reopened round, per reopen in the period
    escalations: tuple[Escalation, ...]  # levels 2 and 3, in the period

    @property
    def counted(self) -> bool:
        return bool(
            self.created_in
            or self.clocks
            or self.closings
            or self.resolutions
            or self.reopens
            or self.escalations
        )

    @property
    def missed(self) -> tuple[ClockFact, ...]:
        return tuple(f for f in self.clocks if f.outcome is Outcome.MISSED)


def _clocks(
    ticket: Ticket, rnd: Round, window: Window, policy: ServicePolicy, area_class: str
) -> list[ClockFact]:
    c, facts = rnd.clocks, []
    arrive_due, resolve_due = round_dues(ticket, rnd, policy, area_class)
    for clock, due, done in (
        (ARRIVE, arrive_due, c.get("arrived_at")),
        (RESOLVE, resolve_due, c.get("resolved_at")),
    ):
        if due is None:
            continue
        outcome = verdict(due, done, c.get("cancelled_at"))
        reopened = rnd.reopened_at if clock == RESOLVE else None
        if window.counts(due):
            if reopened is not None and reopened < window.cut:
                outcome = Outcome.MISSED
        elif not (
            reopened is not None
            and window.holds(reopened)
            and due < window.start
            and outcome is Outcome.MET
        ):
            continue
        else:
            outcome = Outcome.MISSED  # reopened after the period its clock fell due in
        if outcome is not None:
            holder = rnd.holder(clock)
            by_cut = done is not None and done < window.cut
            fact = ClockFact(clock, rnd.number, due, done, outcome, holder, rnd.started_at, by_cut)
            facts.append(fact)
    return facts


def _closings(
    ticket: Ticket, rounds: tuple[Round, ...], window: Window, policy: ServicePolicy
) -> list[Closing]:
    closings, failed = [], set()
    for rnd in rounds:
        failed.update(step_failures(ticket, rnd, policy))
        closed = rnd.clocks.get("closed_at")
        if closed is None or not window.holds(closed):
            continue
        callback = rnd.callback_done()
        steps = [s for s in FLOW_STEPS if s in failed or (s == "callback" and not callback)]
        rating = rnd.outcome.get("rating")
        rated = int(rating) if isinstance(rating, int | float) else None
        closings.append(Closing(closed, rnd.number, tuple(steps), callback, rated, rnd.assignee_id))
    return closings


def _open_at(ticket: Ticket, rounds: tuple[Round, ...], moment: datetime) -> bool:
    """Was the ticket open (not yet resolved, closed or cancelled) at `moment`?"""
    if ticket.created_at >= moment:
        return False
    changes = [(r.reopened_at, True) for r in rounds if r.reopened_at is not None]
    for r in rounds:
        changes += [(r.clocks[k], False) for k in ENDS if k in r.clocks]
    state = True
    for when, opens in sorted(changes):
        if when < moment:
            state = opens
    return state


def check(ticket: Ticket, window: Window, policy: ServicePolicy, area_class: str) -> Check:
    rounds = rounds_of(ticket)
    first = rounds[0].clocks.get("cancelled_at")
    cancelled = first is not None and first < window.cut
    created_in = window.created_in(ticket)
    if cancelled:
        return Check(created_in, created_in, False, rounds, (), (), (), (), ())
    clocks: list[ClockFact] = []
    for rnd in rounds:
        clocks.extend(_clocks(ticket, rnd, window, policy, area_class))
    escalations = tuple(
        Escalation(level, clock, at, rnd.holder(clock))
        for rnd in rounds
        for level, clock, at in rnd.escalations()
        if window.holds(at)
    )
    return Check(
        created_in=created_in,
        cancelled=False,
        open_at_end=created_in and _open_at(ticket, rounds, window.cut),
        rounds=rounds,
        clocks=tuple(clocks),
        closings=tuple(_closings(ticket, rounds, window, policy)),
        resolutions=tuple(
            r.holder(RESOLVE) for r in rounds if window.holds(r.clocks.get("resolved_at"))
        ),
        reopens=tuple(r.assignee_id for r in rounds if window.holds(r.reopened_at))
        + _legacy_reopen(ticket, window),
        escalations=escalations,
    )


def _legacy_reopen(ticket: Ticket, window: Window) -> tuple[str | None, ...]:
    """A ticket reopened before rounds were archived records only its last reopen."""
    if "rounds" in ticket.outcome or not ticket.outcome.get("reopen_count"):
        return ()
    return (ticket.assignee_id,) if window.holds(ticket.clocks.get("reopened_at")) else ()
