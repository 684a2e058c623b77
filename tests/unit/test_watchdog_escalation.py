"""The watchdog's pure steps (domain.escalation, domain.clocks, domain.transitions):
no stores, no clock but the one passed in."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.calendar import WeekendCalendar
from chalicelib.domain.clocks import CALLBACK, restamp
from chalicelib.domain.commands import TicketActionCommand
from chalicelib.domain.errors import Conflict, ValidationFailed
from chalicelib.domain.escalation import due_clock, escalate
from chalicelib.domain.org import Role, Staff
from chalicelib.domain.policy import DEFAULT_POLICY
from chalicelib.domain.tickets import Action, Status, Ticket, TicketType
from chalicelib.domain.transitions import apply_action

T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # Tuesday 10:00 in Shanghai
MIN = timedelta(minutes=1)
CAL = WeekendCalendar()
PEER = Staff("M5", "网格经理5", "13910000005", Role.MANAGER, station_id="S1")


def dispatched(ticket_type: TicketType = TicketType.FAULT_REPAIR, **kw: object) -> Ticket:
    base = Ticket(
        ticket_id="01T",
        number="N",
        type=ticket_type,
        status=Status.DISPATCHED,
        owner_id="wx",
        account_no="A",
        contact_phone="13812345678",
        description="停电",
        address="地址",
        ta_id="T1",
        grid_id="G1",
        station_id="S1",
        branch_id="B1",
        area_class="urban",
        created_at=T0,
        updated_at=T0,
        assignee_id="M1",
        escalation_level=1,
        clocks={"dispatched_at": T0 + MIN},
        version=2,
    )
    return restamp(replace(base, **kw), DEFAULT_POLICY, CAL)  # type: ignore[arg-type]


def step(ticket: Ticket, now: datetime, peer: Staff | None = None):  # type: ignore[no-untyped-def]
    return escalate(ticket, now=now, policy=DEFAULT_POLICY, calendar=CAL, peer=peer)


def act(ticket: Ticket, action: Action, now: datetime, **kw: object) -> Ticket:
    request = TicketActionCommand(action, **kw)  # type: ignore[arg-type]
    after, _ = apply_action(
        ticket, request, actor="staff:M1", now=now, policy=DEFAULT_POLICY, calendar=CAL
    )
    return replace(after, version=ticket.version + 1)


def test_a_clock_is_missed_only_after_its_due_instant() -> None:
    ticket = dispatched()
    assert ticket.next_due == ("accept", T0 + 11 * MIN)
    assert due_clock(ticket, T0 + 11 * MIN) is None
    assert step(ticket, T0 + 11 * MIN) is None
    assert due_clock(ticket, T0 + 11 * MIN + timedelta(microseconds=1)) == "accept"


def test_level_2_reassigns_marks_the_clock_and_moves_next_due_on() -> None:
    after, event = step(dispatched(), T0 + 12 * MIN, PEER)
    assert (after.assignee_id, after.escalation_level, after.status) == ("M5", 2, Status.DISPATCHED)
    assert after.clocks["accept_escalated_at"] == T0 + 12 * MIN
    assert after.next_due == ("arrive", T0 + 45 * MIN)
    assert (event.action, event.actor, event.version) == ("escalate", "system", 3)
    assert event.from_status is event.to_status is Status.DISPATCHED
    assert step(after, T0 + 12 * MIN) is None  # same minute again: nothing due


def test_level_2_without_another_peer_keeps_the_assignee() -> None:
    me = replace(PEER, staff_id="M1")
    after, event = step(dispatched(), T0 + 12 * MIN, me)
    assert after.assignee_id == "M1" and "to_staff_id" not in event.data


def test_level_3_flags_overdue_and_never_lowers_the_level() -> None:
    accepted = act(dispatched(), Action.ACCEPT, T0 + 2 * MIN)
    after, event = step(replace(accepted, escalation_level=2), T0 + 46 * MIN)
    assert (after.overdue, after.escalation_level, event.data["clock"]) == (True, 3, "arrive")
    assert after.next_due is None  # fault resolve clock waits for the arrival


def test_callback_clock_closes_a_resolved_ticket_as_no_callback() -> None:
    t = act(dispatched(TicketType.CONSULTATION), Action.ACCEPT, T0 + 2 * MIN)
    resolved = act(t, Action.RESOLVE, T0 + 20 * MIN)
    assert resolved.next_due == (CALLBACK, T0 + 20 * MIN + timedelta(days=3))
    closed, event = step(resolved, T0 + timedelta(days=3, minutes=21))
    assert closed.status is Status.CLOSED and closed.outcome["no_callback"] is True
    assert closed.next_due is None
    assert (event.action, event.from_status, event.to_status) == (
        "auto_close",
        Status.RESOLVED,
        Status.CLOSED,
    )


def test_an_index_entry_that_contradicts_its_ticket_is_refused() -> None:
    cancelled = replace(dispatched(), status=Status.CANCELLED)  # next_due left stale
    with pytest.raises(Conflict):
        step(cancelled, T0 + timedelta(hours=1))


@pytest.mark.parametrize("status", [Status.CLOSED, Status.CANCELLED])
def test_no_clock_runs_on_a_final_ticket(status: Status) -> None:
    assert dispatched(status=status).next_due is None


def test_a_ticket_still_submitted_after_5_minutes_goes_to_the_station_chief() -> None:
    stuck = replace(dispatched(status=Status.SUBMITTED), assignee_id=None, clocks={})
    stuck = restamp(stuck, DEFAULT_POLICY, WeekendCalendar())
    assert stuck.next_due == ("dispatch", stuck.created_at + 5 * MIN)
    assert step(stuck, stuck.created_at + 5 * MIN) is None  # due, not yet missed
    after, event = step(stuck, stuck.created_at + 6 * MIN)
    assert (after.status, after.escalation_level, after.next_due) == (Status.SUBMITTED, 2, None)
    assert (event.data["level"], event.data["clock"], event.data["round"]) == (2, "dispatch", 1)
    assert "未派单" in (event.note or "") and "供电所负责人" in (event.note or "")


def test_fault_resolve_clock_starts_at_arrival() -> None:
    accepted = act(dispatched(), Action.ACCEPT, T0 + 2 * MIN)
    on_site = act(accepted, Action.ARRIVE, T0 + 30 * MIN, location={"lat": 1.0, "lng": 2.0})
    assert on_site.clocks["resolve_due"] == T0 + 30 * MIN + timedelta(hours=3)
    assert on_site.next_due == ("resolve", T0 + 30 * MIN + timedelta(hours=3))


def test_unknown_area_class_keeps_the_stored_deadlines() -> None:
    ticket = dispatched()
    blank = restamp(replace(ticket, area_class=None), DEFAULT_POLICY, CAL)
    assert blank.clocks == ticket.clocks and blank.next_due == ticket.next_due


def test_transfer_restarts_the_accept_clock_and_keeps_the_missed_one() -> None:
    escalated, _ = step(dispatched(), T0 + 12 * MIN, PEER)
    moved = act(escalated, Action.TRANSFER, T0 + 20 * MIN, to_staff_id="M2")
    assert moved.assignee_id == "M2"
    assert moved.next_due == ("accept", T0 + 30 * MIN)  # a new accept clock for M2
    assert moved.escalation_level == 2
    # the first dispatch and the missed accept (and its escalation) stay on record
    assert moved.clocks["dispatched_at"] == escalated.clocks["dispatched_at"]
    assert moved.clocks["accept_missed_at"] == escalated.clocks["accept_due"]
    assert moved.clocks["accept_escalated_at"] == T0 + 12 * MIN
    # and M2 missing it too is escalated again
    _, event = step(moved, T0 + 31 * MIN, PEER)
    assert (event.data["level"], event.data["clock"]) == (2, "accept")


def test_a_transfer_at_8_minutes_keeps_the_dispatch_on_time() -> None:
    t = dispatched()
    moved = act(t, Action.TRANSFER, T0 + 8 * MIN, to_staff_id="M2")
    assert moved.clocks["dispatched_at"] == t.clocks["dispatched_at"]
    assert moved.clocks["reassigned_at"] == T0 + 8 * MIN
    assert "accept_missed_at" not in moved.clocks  # M1's accept clock had not run out


def test_reopen_starts_a_new_round() -> None:
    t = act(dispatched(TicketType.CONSULTATION), Action.ACCEPT, T0 + 2 * MIN)
    resolved = act(t, Action.RESOLVE, T0 + 20 * MIN)
    resolved = replace(resolved, escalation_level=3, overdue=True)
    again = act(resolved, Action.REOPEN, T0 + timedelta(days=1))
    # nothing resets: the escalation level and the overdue flag stay
    assert (again.status, again.assignee_id, again.escalation_level) == (Status.DISPATCHED, "M1", 3)
    assert again.overdue is True
    assert again.outcome["reopen_count"] == 1
    assert set(again.clocks) == {"reopened_at", "dispatched_at", "accept_due", "resolve_due"}
    assert again.next_due == ("accept", T0 + timedelta(days=1, minutes=30))
    # the first round is kept, with its clocks and verdicts (its resolve clock: missed)
    (first,) = again.outcome["rounds"]
    assert first["clocks"]["resolved_at"] == (T0 + 20 * MIN).isoformat()
    assert first["verdicts"]["resolve"] == "missed" and first["verdicts"]["accept"] == "met"
    assert first["holders"] == {"accept": "M1", "resolve": "M1"}


@pytest.mark.parametrize(
    ("action", "fields", "bad"),
    [
        (Action.ARRIVE, {}, "location"),
        (Action.RESOLVE, {}, "cause"),
        (Action.TRANSFER, {}, "to_staff_id"),
        (Action.ACCEPT, {"photos": ("k",)}, "photos"),
        (Action.RESOLVE, {"cause": "c", "rating": 5}, "rating"),
    ],
)
def test_fields_an_action_needs_or_refuses(action: Action, fields: dict, bad: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(ValidationFailed) as raised:
        act(dispatched(), action, T0 + 2 * MIN, **fields)
    assert bad in raised.value.fields
