"""The restoration callback: 30 minutes after restored the reporters are asked; "1" is noted,
"2" — by SMS reply or in the mini-program — opens one linked ticket with its own clocks."""

from __future__ import annotations

import pytest

from chalicelib.dispatch.stream import outbox_of
from chalicelib.domain.org import Role
from chalicelib.domain.outage_vocabulary import OutageAction
from chalicelib.domain.outages import act
from chalicelib.domain.tickets import Status
from chalicelib.lifecycle.watchdog import Watchdog
from chalicelib.outages.callback import callback_desk
from chalicelib.outages.notices import notifier_of, settler_of, watch_outages
from tests.functional.test_outage_notices import REPORTER_PHONE, Desk


@pytest.fixture
def restored(memory_services, clock):  # type: ignore[no-untyped-def]
    """Three neighbours reported (on one shared phone); the outage was restored."""
    from tests.functional.test_outage_notices import NEIGHBOURS

    memory_services.customers.put_customers(NEIGHBOURS)
    desk = Desk(memory_services)
    reports = []
    for n in range(3):
        ticket = desk.report(n)
        reports.append(ticket)
    desk.stream(*reports)
    clock.advance(hours=1)
    current = desk.outage()
    memory_services.outages.commit(
        current, act(current, OutageAction.RESTORE, actor="staff:M1", now=clock())
    )
    return desk


def minute(desk: Desk) -> None:
    svc = desk.svc
    watch_outages(notifier_of(svc, outbox_of(svc)), svc.outages, settler_of(svc))


def test_the_reporters_are_asked_half_an_hour_after_restoration_once(restored, clock) -> None:  # type: ignore[no-untyped-def]
    minute(restored)
    assert restored.sent("outage_callback_customer") == []
    clock.advance(minutes=30)

    minute(restored)
    minute(restored)

    asked = restored.sent("outage_callback_customer")
    assert asked == [REPORTER_PHONE] * 3  # the three who reported, not the whole 台区
    sms = next(s for s in restored.svc.sms.sent if s.sms.key == "outage_callback_customer")
    assert "回复1已恢复，回复2仍停电" in sms.sms.text


def test_replying_2_by_sms_opens_one_linked_ticket_with_its_own_clocks(restored, clock) -> None:  # type: ignore[no-untyped-def]
    clock.advance(minutes=31)
    minute(restored)
    desk = callback_desk(restored.svc)

    ticket = desk.on_sms_reply(REPORTER_PHONE, " 2 ")
    again = desk.on_sms_reply(REPORTER_PHONE, "2")

    assert ticket is not None and again is not None and again.ticket_id == ticket.ticket_id
    outage = restored.outage()
    assert ticket.outage_id is None and outage.outage_id in ticket.description
    assert ticket.status is Status.SUBMITTED and ticket.contact_phone == REPORTER_PHONE
    restored.stream(ticket)  # an ordinary "no power" report: it waits 2 minutes, alone …
    clock.advance(minutes=3)
    Watchdog.from_services(restored.svc).tick()  # … and the minute pass dispatches it
    stored = restored.svc.tickets.get(ticket.ticket_id)
    assert stored.status is Status.DISPATCHED and stored.next_due is not None
    replies = [e for e in restored.outage().timeline if e.action == "callback_reply"]
    assert len(replies) == 1 and replies[0].data["ticket_id"] == ticket.ticket_id


def test_replying_1_is_noted_and_anything_else_ignored(restored, clock) -> None:  # type: ignore[no-untyped-def]
    clock.advance(minutes=31)
    minute(restored)
    desk = callback_desk(restored.svc)

    assert desk.on_sms_reply(REPORTER_PHONE, "1") is None
    assert desk.on_sms_reply(REPORTER_PHONE, "谢谢") is None
    assert desk.on_sms_reply("13700000000", "2") is None  # never asked

    (reply,) = [e for e in restored.outage().timeline if e.action == "callback_reply"]
    assert reply.data["reply"] == "restored"


def test_the_mini_program_answers_the_callback_too(api, clock) -> None:  # type: ignore[no-untyped-def]
    from tests.functional.test_outage_notices import NEIGHBOURS

    svc = api.services
    svc.customers.put_customers(NEIGHBOURS)
    desk = Desk(svc)
    reports = [desk.report(n) for n in range(3)]
    desk.stream(*reports)
    current = desk.outage()
    svc.outages.commit(current, act(current, OutageAction.RESTORE, actor="staff:M1", now=clock()))
    who = ("wx-0", Role.CUSTOMER)  # Desk.report bound 0601100000 to wx-0
    path = f"/v1/outages/{current.outage_id}/callback"

    reply = api.call("POST", path, {"account_no": NEIGHBOURS[0].account_no, "reply": "2"}, as_=who)

    assert reply.status == 200 and reply.body["reply"] == "2" and reply.body["ticket_id"]
    created = svc.tickets.get(reply.body["ticket_id"])
    assert created.owner_id == "wx-0" and created.account_no == NEIGHBOURS[0].account_no
    other = api.call("POST", path, {"account_no": NEIGHBOURS[1].account_no, "reply": "2"}, as_=who)
    assert other.status == 404  # not this customer's account
    bad = api.call("POST", path, {"account_no": NEIGHBOURS[0].account_no, "reply": "3"}, as_=who)
    assert bad.status == 400
