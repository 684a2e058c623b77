"""Who is told what when a ticket changes. Pure: read from the ticket before and after the
change only (the stream's old and new images), so a redelivery finds the same answer.

    change                            found when                          told
    dispatched                        submitted → dispatched              assignee, customer;
                                                                          the station chief too
                                                                          for an important or
                                                                          special customer
    accepted                          dispatched → accepted (not after    customer, when the
                                      a reopen)                           contact phone is not
                                                                          the account's phone on
                                                                          record (told here
                                                                          instead of at dispatch)
    reopened                          resolved/closed → dispatched        assignee (accept again)
    transferred                       assignee changed, still open        the new assignee and
                                                                          the customer (who now
                                                                          has the ticket); when an
                                                                          escalation took it
                                                                          (`taken_by_escalation`)
                                                                          also the previous
                                                                          assignee
    resolved                          → resolved                          customer
    escalated_to_chief                accept clock escalated (level 2)    station chief
    dispatch_stuck                    dispatch clock escalated (level 2:  station chief
                                      still submitted after
                                      policy.dispatch_target)
    escalated_to_branch               arrive/resolve clock escalated      branch duty officer
                                      (level 3)

An escalation is read from the watchdog's mark `<clock>_escalated_at` appearing in the
ticket's clocks, not from the level: a resolve clock missed after a missed arrival stays at
level 3, and a second missed accept after a transfer stays at level 2 — both still tell.
What each is told (template, wording, business key) is dispatch/messages.py.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum

from .clocks import escalated_clocks
from .tickets import OPEN_STATUSES, ClockName, Status, Ticket


class Change(StrEnum):
    DISPATCHED = "dispatched"
    ACCEPTED = "accepted"
    REOPENED = "reopened"
    TRANSFERRED = "transferred"
    RESOLVED = "resolved"
    ESCALATED_TO_CHIEF = "escalated_to_chief"
    DISPATCH_STUCK = "dispatch_stuck"
    ESCALATED_TO_BRANCH = "escalated_to_branch"


class Recipient(StrEnum):
    ASSIGNEE = "assignee"
    PREVIOUS = "previous"  # the assignee an escalation took the ticket from
    CUSTOMER = "customer"
    CHIEF = "chief"
    BRANCH = "branch"


AUDIENCE: Mapping[Change, frozenset[Recipient]] = {
    Change.DISPATCHED: frozenset({Recipient.ASSIGNEE, Recipient.CUSTOMER}),
    Change.ACCEPTED: frozenset({Recipient.CUSTOMER}),
    Change.REOPENED: frozenset({Recipient.ASSIGNEE}),
    Change.TRANSFERRED: frozenset({Recipient.ASSIGNEE, Recipient.CUSTOMER}),
    Change.RESOLVED: frozenset({Recipient.CUSTOMER}),
    Change.ESCALATED_TO_CHIEF: frozenset({Recipient.CHIEF}),
    Change.DISPATCH_STUCK: frozenset({Recipient.CHIEF}),
    Change.ESCALATED_TO_BRANCH: frozenset({Recipient.BRANCH}),
}


def changes(old: Ticket, new: Ticket) -> list[Change]:
    found: list[Change] = []
    if new.status is Status.DISPATCHED and old.status is Status.SUBMITTED:
        found.append(Change.DISPATCHED)
    elif new.status is Status.DISPATCHED and old.status in (Status.RESOLVED, Status.CLOSED):
        found.append(Change.REOPENED)
    elif moved_on(old, new):
        found.append(Change.TRANSFERRED)
    if (
        new.status is Status.ACCEPTED
        and old.status is Status.DISPATCHED
        and "reopened_at" not in new.clocks
    ):
        found.append(Change.ACCEPTED)
    if new.status is Status.RESOLVED and old.status is not Status.RESOLVED and not new.outage_id:
        found.append(Change.RESOLVED)  # an outage's report hears the outage's restoration
    escalated = newly_escalated(old, new)
    if "dispatch" in escalated:
        found.append(Change.DISPATCH_STUCK)
    if "accept" in escalated:
        found.append(Change.ESCALATED_TO_CHIEF)
    if escalated & {"arrive", "resolve"}:
        found.append(Change.ESCALATED_TO_BRANCH)
    return found


def moved_on(old: Ticket, new: Ticket) -> bool:
    """The open ticket went from one assignee to another."""
    return new.is_open and bool(old.assignee_id) and new.assignee_id not in (None, old.assignee_id)


def newly_escalated(old: Ticket, new: Ticket) -> frozenset[str]:
    """The clocks the watchdog escalated in this change."""
    return escalated_clocks(new) - escalated_clocks(old)


TAKING_CLOCKS = (ClockName.ACCEPT, ClockName.ARRIVE, ClockName.RESOLVE)  # first named first


def taken_by_escalation(old: Ticket, new: Ticket) -> ClockName | None:
    """The missed clock for which an escalation took the ticket from its assignee in this
    change, else None. The one rule for who hears of it: the previous assignee is told, once
    (whatever the clock: the watchdog reassigns on a missed accept today), and the new one is
    told why instead of a plain transfer's "X转给您"."""
    if not moved_on(old, new):
        return None
    escalated = newly_escalated(old, new)
    return next((c for c in TAKING_CLOCKS if c in escalated), None)


def recipients(old: Ticket, new: Ticket, found: Collection[Change]) -> frozenset[Recipient]:
    """Everyone the changes `found` (from `old` to `new`) concern (the table above)."""
    told = {r for change in found for r in AUDIENCE[change]}
    if Change.DISPATCHED in found and new.priority:
        told.add(Recipient.CHIEF)
    if taken_by_escalation(old, new):
        told.add(Recipient.PREVIOUS)
    return frozenset(told)


@dataclass(frozen=True, slots=True)
class StillTrue:
    """What must still hold of the ticket when a customer SMS is sent, else it is stale and
    dropped as `superseded` (the SMS was composed from a change the stream delivered late, or
    is being retried): its status still one of `statuses`, and, for an SMS naming the
    manager, the same assignee."""

    statuses: frozenset[Status]
    assignee_id: str | None = None

    def holds(self, now: Ticket | None) -> bool:
        if now is None or now.status not in self.statuses:
            return False
        return self.assignee_id is None or now.assignee_id == self.assignee_id


ASKS_TO_CONFIRM = StillTrue(frozenset({Status.RESOLVED}))


def names_manager(ticket: Ticket) -> StillTrue:
    """A "your manager is …" SMS: stale once the ticket moved on or to someone else."""
    return StillTrue(OPEN_STATUSES, ticket.assignee_id)
