"""POST /v1/tickets/{ticket_id}/actions over HTTP: every action, every refusal."""

from __future__ import annotations

from datetime import datetime

import pytest

from chalicelib.domain.commands import TicketActionCommand
from chalicelib.domain.org import Role
from chalicelib.domain.tickets import Action, TicketType
from chalicelib.domain.transitions import apply_action
from chalicelib.domain.uploads import upload_prefix
from chalicelib.store.tickets import StaleTicket
from tests.functional.lifecycle_support import (
    LOCATION,
    WANG,
    open_ticket,
    submit,
)

M1 = ("M1", Role.MANAGER)  # grid manager of G1, assignee of WANG's tickets
M2 = ("M2", Role.MANAGER)  # same station, other grid
M3 = ("M3", Role.MANAGER)  # other station
C1 = ("C1", Role.CHIEF)  # chief of station S1
C2 = ("C2", Role.CHIEF)  # chief of station S2
D1 = ("D1", Role.BRANCH)
O1 = ("O1", Role.OPS)
STRANGER = ("wx-stranger", Role.CUSTOMER)


def path(ticket_id: str) -> str:
    return f"/v1/tickets/{ticket_id}/actions"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture
def fault(api):  # type: ignore[no-untyped-def]
    return open_ticket(api.services)


def test_fault_walks_the_whole_loop_with_clocks_and_timeline(api, fault, clock) -> None:  # type: ignore[no-untyped-def]
    tid = fault.ticket_id
    clock.advance(minutes=4)
    accepted = api.call("POST", path(tid), {"action": "accept"}, as_=M1)
    assert accepted.status == 200, accepted.body
    assert accepted.body["status"] == "accepted"
    assert accepted.body["assignee"]["staff_id"] == "M1"
    accept_clock = accepted.body["deadlines"][0]
    assert (accept_clock["clock"], accept_clock["outcome"]) == ("accept", "met")

    clock.advance(minutes=30)
    arrived = api.call(
        "POST", path(tid), {"action": "arrive", "location": LOCATION, "note": "已到"}, as_=M1
    )
    assert arrived.status == 200, arrived.body
    assert arrived.body["status"] == "on_site"
    clocks = {d["clock"]: d for d in arrived.body["deadlines"]}
    assert clocks["arrive"]["outcome"] == "met"
    # the fault's resolve clock starts at arrival: 3 h for an urban grid
    assert at(clocks["resolve"]["due"]) - at(clocks["arrive"]["done_at"]) == (
        at("2026-01-01T03:00:00+08:00") - at("2026-01-01T00:00:00+08:00")
    )

    clock.advance(hours=1)
    resolved = api.call(
        "POST", path(tid), {"action": "resolve", "cause": "表箱空开老化跳闸，已更换"}, as_=M1
    )
    assert resolved.status == 200, resolved.body
    assert resolved.body["status"] == "resolved"
    assert resolved.body["outcome"]["cause"] == "表箱空开老化跳闸，已更换"

    confirmed = api.call(
        "POST", path(tid), {"action": "confirm", "rating": 5, "comment": "很及时"}, as_=WANG
    )
    assert confirmed.status == 200, confirmed.body
    body = confirmed.body
    assert body["status"] == "closed"
    assert body["outcome"]["rating"] == 5 and body["outcome"]["no_callback"] is False
    assert [e["action"] for e in body["timeline"]] == [
        "submit", "dispatch", "accept", "arrive", "resolve", "confirm",
    ]  # fmt: skip
    assert [(e["from_status"], e["to_status"]) for e in body["timeline"]] == [
        (None, "submitted"), ("submitted", "dispatched"), ("dispatched", "accepted"),
        ("accepted", "on_site"), ("on_site", "resolved"), ("resolved", "closed"),
    ]  # fmt: skip
    assert body["timeline"][3]["note"] == "已到"
    assert {d["outcome"] for d in body["deadlines"]} == {"met"}
    assert api.services.tickets.get(tid).next_due is None


def test_missing_fields_are_400_with_the_field_named(api, fault) -> None:  # type: ignore[no-untyped-def]
    tid = fault.ticket_id
    api.call("POST", path(tid), {"action": "accept"}, as_=M1)
    no_location = api.call("POST", path(tid), {"action": "arrive"}, as_=M1)
    assert no_location.status == 400
    assert "location" in no_location.body["error"]["fields"]
    api.call("POST", path(tid), {"action": "arrive", "location": LOCATION}, as_=M1)
    no_cause = api.call("POST", path(tid), {"action": "resolve"}, as_=M1)
    assert (no_cause.status, list(no_cause.body["error"]["fields"])) == (400, ["cause"])
    bad_rating = api.call("POST", path(tid), {"action": "confirm", "rating": 6}, as_=WANG)
    assert (bad_rating.status, list(bad_rating.body["error"]["fields"])) == (400, ["rating"])
    unknown = api.call("POST", path(tid), {"action": "teleport"}, as_=M1)
    assert unknown.status == 400
    no_target = api.call("POST", path(tid), {"action": "transfer"}, as_=M1)
    assert no_target.status == 400


def test_photos_must_be_the_callers_uploads(api, fault) -> None:  # type: ignore[no-untyped-def]
    tid = fault.ticket_id
    api.call("POST", path(tid), {"action": "accept"}, as_=M1)
    slot = api.call("POST", "/v1/uploads", {"content_type": "image/jpeg", "size": 5000}, as_=M1)
    key = slot.body["key"]
    arrive = {"action": "arrive", "location": LOCATION}

    foreign = api.call("POST", path(tid), {**arrive, "photos": ["uploads/elsewhere/a.jpg"]}, as_=M1)
    escaping = api.call(
        "POST", path(tid), {**arrive, "photos": [f"{upload_prefix('M1')}../x/a.jpg"]}, as_=M1
    )
    not_yet = api.call("POST", path(tid), {**arrive, "photos": [key]}, as_=M1)
    assert [r.status for r in (foreign, escaping, not_yet)] == [400, 400, 400]
    assert not_yet.body["error"]["fields"] == {"photos[0]": "图片尚未上传成功，请重新上传"}

    api.services.uploads.put(key)  # the work page PUTs the photo
    arrived = api.call("POST", path(tid), {**arrive, "photos": [key]}, as_=M1)
    assert arrived.status == 200
    assert arrived.body["outcome"]["work_photos"] == [key]


@pytest.mark.parametrize(
    ("who", "action", "status"),
    [
        (STRANGER, "cancel", 404),  # another customer's ticket: not even its existence
        (M3, "accept", 403),  # staff of another station
        (C2, "accept", 403),
        (M2, "accept", 403),  # same station, but neither assignee nor chief
        (O1, "accept", 403),  # sees everything, acts on nothing
        (WANG, "accept", 403),  # a staff action asked by the customer
        (M1, "cancel", 403),  # a customer action asked by staff
    ],
)
def test_who_may_act(api, fault, who, action, status) -> None:  # type: ignore[no-untyped-def]
    reply = api.call("POST", path(fault.ticket_id), {"action": action}, as_=who)
    assert reply.status == status, reply.body
    assert api.services.tickets.get(fault.ticket_id).version == fault.version


@pytest.mark.parametrize("who", [C1, D1])
def test_chief_and_branch_officer_act_within_their_scope(api, fault, who) -> None:  # type: ignore[no-untyped-def]
    reply = api.call("POST", path(fault.ticket_id), {"action": "accept"}, as_=who)
    assert reply.status == 200
    assert reply.body["timeline"][-1]["actor"] == f"staff:{who[0]}"


def test_unknown_ticket_is_404(api) -> None:  # type: ignore[no-untyped-def]
    assert api.call("POST", path("01NOPE"), {"action": "accept"}, as_=M1).status == 404


@pytest.mark.parametrize(
    ("steps", "refused"),
    [
        ([], "arrive"),  # dispatched: not accepted yet
        ([], "resolve"),
        ([], "confirm"),
        ([], "reopen"),
        (["accept"], "accept"),
        (["accept"], "cancel"),  # cancel only before accepted
        (["accept"], "resolve"),  # a fault needs the visit first
    ],
)
def test_illegal_for_the_status_is_409(api, fault, steps, refused) -> None:  # type: ignore[no-untyped-def]
    for step in steps:
        assert api.call("POST", path(fault.ticket_id), {"action": step}, as_=M1).status == 200
    who = WANG if refused in ("cancel", "confirm", "reopen") else M1
    body = {"action": refused, "location": LOCATION, "cause": "x"}
    reply = api.call("POST", path(fault.ticket_id), body, as_=who)
    assert reply.status == 409, reply.body
    assert reply.body["error"]["code"] == "illegal_transition"
    assert "不能执行" in reply.body["error"]["message"]


def test_customer_cancels_before_acceptance_and_it_stays_cancelled(api) -> None:  # type: ignore[no-untyped-def]
    submitted = submit(api.services)  # not even dispatched yet
    cancelled = api.call("POST", path(submitted.ticket_id), {"action": "cancel"}, as_=WANG)
    assert cancelled.status == 200
    assert cancelled.body["status"] == "cancelled"
    assert api.services.tickets.get(submitted.ticket_id).next_due is None
    for action, who in (("reopen", WANG), ("confirm", WANG), ("accept", C1)):
        assert (
            api.call("POST", path(submitted.ticket_id), {"action": action}, as_=who).status == 409
        )


def test_consultation_resolves_without_a_visit(api) -> None:  # type: ignore[no-untyped-def]
    ticket = open_ticket(api.services, TicketType.CONSULTATION)
    api.call("POST", path(ticket.ticket_id), {"action": "accept"}, as_=M1)
    reply = api.call("POST", path(ticket.ticket_id), {"action": "resolve"}, as_=M1)
    assert reply.status == 200 and reply.body["status"] == "resolved"


def test_transfer_goes_to_an_on_duty_manager_of_the_station(api, fault, clock) -> None:  # type: ignore[no-untyped-def]
    tid = fault.ticket_id
    api.call("POST", path(tid), {"action": "accept"}, as_=M1)
    assert (
        api.call("POST", path(tid), {"action": "transfer", "to_staff_id": "M3"}, as_=M1).status
        == 400
    )
    assert (
        api.call("POST", path(tid), {"action": "transfer", "to_staff_id": "M1"}, as_=M1).status
        == 400
    )
    assert (
        api.call("POST", path(tid), {"action": "transfer", "to_staff_id": "C1"}, as_=M1).status
        == 400
    )
    api.services.org.set_duty("M5", False, None)
    off = api.call("POST", path(tid), {"action": "transfer", "to_staff_id": "M5"}, as_=M1)
    assert (off.status, off.body["error"]["code"]) == (409, "staff_off_duty")

    clock.advance(minutes=3)
    moved = api.call(
        "POST", path(tid), {"action": "transfer", "to_staff_id": "M2", "note": "片区调整"}, as_=M1
    )
    assert moved.status == 200, moved.body
    assert moved.body["status"] == "dispatched"
    assert moved.body["assignee"]["staff_id"] == "M2"
    accept = next(d for d in moved.body["deadlines"] if d["clock"] == "accept")
    assert accept["outcome"] == "pending"  # the new assignee's accept clock restarted
    assert at(accept["due"]) == clock.now + (
        api.services.policy.accept_clock(fault.type, priority=False)
    )
    # the new assignee may now accept; the old one no longer may
    assert api.call("POST", path(tid), {"action": "accept"}, as_=M1).status == 403
    assert api.call("POST", path(tid), {"action": "accept"}, as_=M2).status == 200


def test_reopen_within_seven_days_goes_back_to_the_same_assignee(api, fault, clock) -> None:  # type: ignore[no-untyped-def]
    tid = fault.ticket_id
    for body in (
        {"action": "accept"},
        {"action": "arrive", "location": LOCATION},
        {"action": "resolve", "cause": "熔丝熔断"},
    ):
        api.call("POST", path(tid), body, as_=M1)
    api.call("POST", path(tid), {"action": "confirm", "rating": 2}, as_=WANG)
    clock.advance(days=6, hours=23)
    reopened = api.call("POST", path(tid), {"action": "reopen", "note": "又停电了"}, as_=WANG)
    assert reopened.status == 200, reopened.body
    body = reopened.body
    assert (body["status"], body["assignee"]["staff_id"], body["escalation_level"]) == (
        "dispatched",
        "M1",
        1,
    )
    assert body["outcome"]["reopen_count"] == 1 and "rating" not in body["outcome"]
    accept = next(d for d in body["deadlines"] if d["clock"] == "accept")
    assert (accept["outcome"], at(accept["due"])) == (
        "pending",
        clock.now + (at("2026-01-01T00:10:00+08:00") - at("2026-01-01T00:00:00+08:00")),
    )
    assert api.services.tickets.get(tid).next_due[0] == "accept"


def test_reopen_after_seven_days_is_refused(api, fault, clock) -> None:  # type: ignore[no-untyped-def]
    tid = fault.ticket_id
    for body in (
        {"action": "accept"},
        {"action": "arrive", "location": LOCATION},
        {"action": "resolve", "cause": "熔丝熔断"},
    ):
        api.call("POST", path(tid), body, as_=M1)
    clock.advance(days=7, seconds=1)
    late = api.call("POST", path(tid), {"action": "reopen"}, as_=WANG)
    assert (late.status, late.body["error"]["code"]) == (409, "reopen_window_closed")


def test_concurrent_accepts_one_wins_one_gets_409(api, fault) -> None:  # type: ignore[no-untyped-def]
    svc = api.services
    before = svc.tickets.get(fault.ticket_id)
    real_get = svc.tickets.get
    svc.tickets.get = lambda ticket_id: before  # both requests read the same version
    try:
        first = api.call("POST", path(fault.ticket_id), {"action": "accept"}, as_=M1)
        second = api.call("POST", path(fault.ticket_id), {"action": "accept"}, as_=C1)
    finally:
        svc.tickets.get = real_get
    assert sorted([first.status, second.status]) == [200, 409]
    assert second.body["error"]["code"] == "concurrent_change"
    stored = svc.tickets.get(fault.ticket_id)
    assert stored.version == before.version + 1
    assert [e.action for e in svc.tickets.timeline(fault.ticket_id)].count("accept") == 1


def test_two_commits_from_the_same_before_exactly_one_lands(memory_services) -> None:  # type: ignore[no-untyped-def]
    svc = memory_services
    before = open_ticket(svc)
    accept = TicketActionCommand(Action.ACCEPT)
    step = {"now": svc.clock(), "policy": svc.policy, "calendar": svc.calendar}
    first = svc.tickets.commit(before, *apply_action(before, accept, actor="staff:M1", **step))
    with pytest.raises(StaleTicket):
        svc.tickets.commit(before, *apply_action(before, accept, actor="staff:C1", **step))
    assert svc.tickets.get(before.ticket_id) == first
    assert [e.actor for e in svc.tickets.timeline(before.ticket_id)][-1] == "staff:M1"


def _resolved(api, fault) -> str:  # type: ignore[no-untyped-def]
    tid = fault.ticket_id
    api.call("POST", path(tid), {"action": "accept"}, as_=M1)
    api.call("POST", path(tid), {"action": "arrive", "location": LOCATION}, as_=M1)
    api.call("POST", path(tid), {"action": "resolve", "cause": "熔断器熔断，已更换"}, as_=M1)
    return str(tid)


def test_a_phone_callback_that_reaches_the_customer_closes_with_a_rating(api, fault) -> None:  # type: ignore[no-untyped-def]
    """The customer never tapped 确认: the callback desk phones, records the rating the
    customer gives, and the closing counts as a callback (回访) in the KPIs."""
    from chalicelib.domain.rounds import rounds_of

    tid = _resolved(api, fault)
    missed = api.call("POST", path(tid), {"action": "callback", "outcome": "unreachable"}, as_=O1)
    assert missed.status == 200, missed.body
    assert missed.body["status"] == "resolved"  # nobody answered: still waiting
    last = missed.body["timeline"][-1]
    assert (last["action"], last["from_status"], last["to_status"]) == (
        "callback", "resolved", "resolved",
    )  # fmt: skip
    reached = api.call(
        "POST", path(tid), {"action": "callback", "outcome": "reached", "rating": 4}, as_=O1
    )
    assert reached.status == 200, reached.body
    assert reached.body["status"] == "closed"
    assert reached.body["outcome"]["rating"] == 4
    assert reached.body["timeline"][-1]["actor"] == "staff:O1"
    stored = api.services.tickets.get(tid)
    assert rounds_of(stored)[-1].callback_done()  # the flow's callback step passes
    assert stored.next_due is None  # no automatic closing left to run
    again = api.call("POST", path(tid), {"action": "callback", "outcome": "reached"}, as_=O1)
    assert again.status == 409  # closed: the callback is on record once


@pytest.mark.parametrize(
    ("who", "body", "status", "field"),
    [
        (O1, {"action": "callback"}, 400, "outcome"),
        (O1, {"action": "callback", "outcome": "unreachable", "rating": 5}, 400, "rating"),
        (M1, {"action": "resolve", "cause": "x", "outcome": "reached"}, 400, "outcome"),
        (WANG, {"action": "callback", "outcome": "reached"}, 403, None),  # staff's, not hers
        (M3, {"action": "callback", "outcome": "reached"}, 403, None),  # another station
        (C2, {"action": "callback", "outcome": "reached"}, 403, None),
    ],
)
def test_callback_refusals(api, fault, who, body, status, field) -> None:  # type: ignore[no-untyped-def]
    tid = _resolved(api, fault)
    reply = api.call("POST", path(tid), body, as_=who)
    assert reply.status == status, reply.body
    if field:
        assert field in reply.body["error"]["fields"]
    assert api.services.tickets.get(tid).status == "resolved"


def test_callback_before_resolution_is_409(api, fault) -> None:  # type: ignore[no-untyped-def]
    reply = api.call(
        "POST", path(fault.ticket_id), {"action": "callback", "outcome": "reached"}, as_=M1
    )
    assert reply.status == 409 and reply.body["error"]["code"] == "illegal_transition"
