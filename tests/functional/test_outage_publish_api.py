"""Planned and temporary notices: POST /v1/outages validated against the notice rules, and
a fault report from inside a published window answered at once with the notice, not
dispatched (chalice test client, in-memory stores)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from chalicelib.dispatch.stream import TicketStreamProcessor
from chalicelib.domain.org import Role
from chalicelib.domain.tickets import Status
from tests import district

CHIEF_S1 = ("C1", Role.CHIEF)
CHIEF_S2 = ("C2", Role.CHIEF)
MANAGER = ("M1", Role.MANAGER)
OPS = ("O1", Role.OPS)
WANG = ("wx-wang", Role.CUSTOMER)  # 0601000001 in T1


def shanghai(clock: Any, days: float) -> str:
    """A moment `days` from now, written as a client would (Asia/Shanghai offset)."""
    from chalicelib.domain.dates import SHANGHAI

    return (clock() + timedelta(days=days)).astimezone(SHANGHAI).isoformat(timespec="minutes")


def notice(clock: Any, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "planned",
        "transformer_area_ids": ["T1"],
        "starts_at": shanghai(clock, 8),
        "ends_at": shanghai(clock, 8.25),
        "cause": "9211花城Ⅰ回线路检修",
        "publisher": "临河供电分局",
        "contact_phone": "0478-8123456",
    }
    body.update(overrides)
    return body


def test_a_planned_notice_three_days_ahead_is_rejected_with_the_rule(api, clock) -> None:  # type: ignore[no-untyped-def]
    reply = api.call(
        "POST", "/v1/outages", notice(clock, starts_at=shanghai(clock, 3)), as_=CHIEF_S1
    )

    assert reply.status == 400
    assert reply.body["error"]["code"] == "notice_rejected"
    assert reply.body["error"]["fields"] == {
        "starts_at": "计划停电须提前7天公告；不足7天请按临时检修发布并说明理由"
    }


def test_a_temporary_notice_needs_a_day_and_the_important_customers_told(api, clock) -> None:  # type: ignore[no-untyped-def]
    early = notice(clock, kind="temporary", starts_at=shanghai(clock, 0.5))
    reply = api.call("POST", "/v1/outages", early, as_=CHIEF_S1)
    assert reply.status == 400
    assert set(reply.body["error"]["fields"]) == {"starts_at", "important_notified"}

    told = notice(
        clock, kind="temporary", starts_at=shanghai(clock, 2), ends_at=shanghai(clock, 2.2)
    )
    told["important_notified"] = True
    accepted = api.call("POST", "/v1/outages", told, as_=CHIEF_S1)
    assert accepted.status == 201
    assert (accepted.body["kind"], accepted.body["important_notified"]) == ("temporary", True)


def test_a_notice_needs_an_area_and_an_end_after_its_start(api, clock) -> None:  # type: ignore[no-untyped-def]
    body = notice(clock, transformer_area_ids=[], ends_at=shanghai(clock, 7.5))
    reply = api.call("POST", "/v1/outages", body, as_=OPS)

    assert reply.status == 400
    assert set(reply.body["error"]["fields"]) == {"transformer_area_ids", "ends_at"}
    unknown = api.call("POST", "/v1/outages", notice(clock, transformer_area_ids=["T9"]), as_=OPS)
    assert unknown.body["error"]["fields"] == {"transformer_area_ids": "未知的台区：T9"}


def test_only_chiefs_branch_and_ops_publish_and_only_within_scope(api, clock) -> None:  # type: ignore[no-untyped-def]
    assert api.call("POST", "/v1/outages", notice(clock), as_=MANAGER).status == 403
    assert api.call("POST", "/v1/outages", notice(clock), as_=CHIEF_S2).status == 403

    created = api.call("POST", "/v1/outages", notice(clock), as_=CHIEF_S1)

    assert created.status == 201
    body = created.body
    assert (body["kind"], body["state"], body["scope"]) == (
        "planned",
        "confirmed",
        "transformer_area",
    )
    assert body["transformer_area_ids"] == ["T1"] and body["customers_affected"] == 2
    assert body["publisher"] == "临河供电分局" and body["timeline"][0]["action"] == "publish"


def test_a_line_notice_covers_every_area_on_the_line(api, clock) -> None:  # type: ignore[no-untyped-def]
    on_line = [replace(a, line_id="L9211") for a in district.AREAS if a.ta_id in ("T1", "T2")]
    api.services.org.put_all(on_line)

    body = notice(clock, transformer_area_ids=[], line_id="L9211")
    created = api.call("POST", "/v1/outages", body, as_=CHIEF_S1)

    assert created.status == 201, created.body
    assert created.body["scope"] == "line" and created.body["line_id"] == "L9211"
    assert sorted(created.body["transformer_area_ids"]) == ["T1", "T2"]


def test_a_report_inside_a_planned_window_is_answered_with_the_notice_not_dispatched(
    api, clock
) -> None:  # type: ignore[no-untyped-def]
    bind = {"account_no": "0601000001", "holder_name": "王建国"}
    assert api.call("POST", "/v1/me/accounts", bind, as_=WANG).status == 201
    published = api.call("POST", "/v1/outages", notice(clock), as_=CHIEF_S1).body
    ahead = api.call("GET", "/v1/outages?account_no=0601000001", as_=WANG).body["items"]
    assert [o["outage_id"] for o in ahead] == [published["outage_id"]]  # seen before it starts
    clock.advance(days=8, hours=1)

    fault = {
        "type": "fault_repair",
        "account_no": "0601000001",
        "description": "家里停电了",
        "contact_phone": "13812345678",
        "details": {"scope": "household"},
    }
    reply = api.call("POST", "/v1/tickets", fault, as_=WANG)
    processor = TicketStreamProcessor.from_services(api.services)
    ticket = api.services.tickets.get(reply.body["ticket_id"])
    assert processor.clustering is not None
    assert processor.clustering.on_report(ticket) is not None  # the stream: no dispatch

    assert reply.status == 201 and reply.body["outage_id"] == published["outage_id"]
    assert (
        "计划停电" in reply.body["outage_notice"] and "0478-8123456" in reply.body["outage_notice"]
    )
    stored = api.services.tickets.get(ticket.ticket_id)
    assert stored.status is Status.SUBMITTED and stored.next_due is None
    assert api.services.sms.sent == []
    assert api.services.outages.get(published["outage_id"]).reports == 1


def test_the_customers_of_a_notice_are_told_when_published_and_reminded_the_day_before(
    api, clock
) -> None:  # type: ignore[no-untyped-def]
    from chalicelib.dispatch.stream import outbox_of
    from chalicelib.domain.org import Customer
    from chalicelib.outages.notices import notifier_of, watch_outages

    svc = api.services
    svc.customers.put_customers(
        [
            Customer("0601000101", "赵一", "临河区新华街道1号", "T1", phone="13600000101"),
            Customer(
                "0601000102",
                "市一中",
                "临河区新华街道2号",
                "T1",
                important=True,
                phone="13600000102",
            ),
            Customer("0601000103", "钱三", "临河区新华街道3号", "T1"),  # no phone
        ]
    )

    def minute() -> list[tuple[str, str]]:
        before = len(svc.sms.sent)
        watch_outages(notifier_of(svc, outbox_of(svc)), svc.outages)
        return svc.sms.keys()[before:]

    assert api.call("POST", "/v1/outages", notice(clock), as_=CHIEF_S1).status == 201
    published = minute()
    assert published == [
        ("13600000102", "outage_notice_customer"),  # the important customer first
        ("13600000101", "outage_notice_customer"),
    ]
    from chalicelib.domain.dates import SHANGHAI

    start = (clock() + timedelta(days=8)).astimezone(SHANGHAI)
    end = (clock() + timedelta(days=8.25)).astimezone(SHANGHAI)
    window = f"{start.month}月{start.day}日{start:%H:%M}至{end:%H:%M}"
    said = f"{window}计划停电（9211花城Ⅰ回线路检修），咨询0478-8123456。"
    assert said in svc.sms.sent[0].sms.text, svc.sms.sent[0].sms.text
    assert minute() == []
    clock.advance(days=6, hours=12)
    assert minute() == []  # a day and a half before: not yet
    clock.advance(hours=12)
    reminded = minute()
    assert [key for _, key in reminded] == ["outage_reminder_customer"] * 2
    clock.advance(hours=1)
    assert minute() == []
