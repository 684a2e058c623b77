"""SMS replies to the restoration callback, as Aliyun pushes them (POST /v1/sms/replies/{token},
a JSON array of SmsUp items): "2" opens one linked ticket however often the push is retried,
"1" is noted, anything else is ignored, and only a push carrying our secret is taken."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.outage_vocabulary import OutageAction
from chalicelib.domain.outages import act
from chalicelib.notify.replies import MAX_BATCH, MAX_TEXT
from tests.functional.test_hostile_inputs import FUZZ, shaped, spoilt
from tests.functional.test_outage_callback import minute
from tests.functional.test_outage_notices import NEIGHBOURS, Desk

PHONES = [f"1381111000{n}" for n in range(3)]  # one reporter each


@pytest.fixture
def asked(api, clock):  # type: ignore[no-untyped-def]
    """Three neighbours reported an outage, it was restored and half an hour later each was
    asked "供电已恢复？回复1已恢复，回复2仍停电"."""
    svc = api.services
    svc.customers.put_customers(NEIGHBOURS)
    desk = Desk(svc)
    desk.stream(*[desk.report(n, contact=PHONES[n]) for n in range(3)])
    clock.advance(hours=1)
    current = desk.outage()
    svc.outages.commit(current, act(current, OutageAction.RESTORE, actor="staff:M1", now=clock()))
    clock.advance(minutes=31)
    minute(desk)
    assert sorted(desk.sent("outage_callback_customer")) == PHONES
    return desk


def push(api, items: Any, token: str | None = None, raw: bytes | None = None):  # type: ignore[no-untyped-def]
    token = api.services.sms_reply_token.text() if token is None else token
    body = raw if raw is not None else json.dumps(items, ensure_ascii=False).encode()
    return api.call("POST", f"/v1/sms/replies/{token}", raw=body)


def item(phone: str, content: str, sequence_id: int | str = 1) -> dict[str, Any]:
    return {
        "phone_number": phone,
        "send_time": "2026-11-24 12:01:00",
        "content": content,
        "sign_name": "云格供电",
        "dest_code": "1234",
        "sequence_id": sequence_id,
    }


def opened(desk: Desk) -> list[Any]:
    """Tickets opened by callback replies (the reports themselves came before)."""
    return [t for t in desk.svc.tickets.tickets.values() if t.description.startswith("复电回访")]


def replies(desk: Desk) -> list[dict[str, Any]]:
    return [dict(e.data) for e in desk.outage().timeline if e.action == "callback_reply"]


def test_a_pushed_2_opens_one_linked_ticket_and_a_retried_push_none_more(api, asked) -> None:  # type: ignore[no-untyped-def]
    first = push(api, [item(PHONES[0], "2", sequence_id=9001)])

    assert (first.status, first.body) == (200, {"code": 0, "msg": "接收成功"})
    (ticket,) = opened(asked)
    assert ticket.account_no == NEIGHBOURS[0].account_no and ticket.owner_id == "wx-0"
    assert asked.outage().outage_id in ticket.description
    assert replies(asked) == [
        {"account_no": ticket.account_no, "reply": "still_out", "ticket_id": ticket.ticket_id}
    ]

    again = push(api, [item(PHONES[0], "2", sequence_id=9001)])  # Aliyun pushes it again

    assert (again.status, again.body) == (200, {"code": 0, "msg": "接收成功"})
    assert opened(asked) == [ticket] and len(replies(asked)) == 1


def test_a_pushed_1_is_noted_and_other_texts_and_phones_are_ignored(api, asked) -> None:  # type: ignore[no-untyped-def]
    batch = [
        item(PHONES[1], "1", sequence_id="9002"),  # the current page types it as a string
        item(PHONES[2], "谢谢，已经来电了", 9003),  # not 1 or 2
        item("13700000000", "2", 9004),  # never asked
        item("0478-8123456", "2", 9005),  # not a mobile
    ]

    reply = push(api, batch)

    assert (reply.status, reply.body) == (200, {"code": 0, "msg": "接收成功"})
    assert opened(asked) == []
    assert replies(asked) == [{"account_no": NEIGHBOURS[1].account_no, "reply": "restored"}]


def test_a_full_width_2_with_a_country_code_is_still_a_2(api, asked) -> None:  # type: ignore[no-untyped-def]
    reply = push(api, [item("+86" + PHONES[2], "２ 还是没电")])

    assert reply.status == 200
    (ticket,) = opened(asked)
    assert ticket.account_no == NEIGHBOURS[2].account_no


@pytest.mark.parametrize("token", ["wrong", "x" * 64])
def test_a_push_without_our_secret_is_404_and_takes_nothing(api, asked, token) -> None:  # type: ignore[no-untyped-def]
    reply = push(api, [item(PHONES[0], "2")], token=token)

    assert reply.status == 404 and reply.body["error"]["code"] == "not_found"
    assert token not in json.dumps(reply.body)
    assert opened(asked) == [] and replies(asked) == []


def test_a_deployment_without_the_secret_takes_no_replies(api, asked) -> None:  # type: ignore[no-untyped-def]
    class NoParameter:
        def text(self) -> str:
            missing = Exception("ParameterNotFound")
            missing.response = {"Error": {"Code": "ParameterNotFound"}}  # type: ignore[attr-defined]
            raise missing

    api.services.sms_reply_token = NoParameter()

    reply = push(api, [item(PHONES[0], "2")], token="anything")

    assert reply.status == 404 and opened(asked) == []


MALFORMED = {
    "not JSON": b"2",
    "an object, not an array": json.dumps(item("13811110000", "2")).encode(),
    "no content": json.dumps([{"phone_number": "13811110000", "sequence_id": 1}]).encode(),
    "content too long": json.dumps([item("13811110000", "2" * (MAX_TEXT + 1))]).encode(),
    "too many": json.dumps([item("13811110000", "1", n) for n in range(MAX_BATCH + 1)]).encode(),
    "a float sequence id": json.dumps([item("13811110000", "2", 1.5)]).encode(),  # type: ignore[arg-type]
    "not UTF-8": '[{"content": "仍停电"}]'.encode("gbk"),
}


@pytest.mark.parametrize("raw", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_push_is_400_in_the_api_error_shape_and_takes_nothing(api, asked, raw) -> None:  # type: ignore[no-untyped-def]
    reply = push(api, None, raw=raw)

    assert reply.status == 400
    assert reply.body["error"]["code"] in ("invalid_json", "invalid_request")
    assert opened(asked) == [] and replies(asked) == []


def test_a_push_that_is_not_json_by_its_type_is_415(api, asked) -> None:  # type: ignore[no-untyped-def]
    token = api.services.sms_reply_token.text()
    body = json.dumps([item(PHONES[0], "2")])
    plain = {"Content-Type": "text/plain"}
    reply = api.call("POST", f"/v1/sms/replies/{token}", raw=body.encode(), headers=plain)

    assert reply.status == 415 and opened(asked) == []


def test_a_2_by_sms_and_by_the_mini_program_make_one_ticket(api, clock) -> None:  # type: ignore[no-untyped-def]
    """Reports store their contact phone in E.164 (POST /v1/tickets); Aliyun pushes the
    national number. Either channel first, the other finds the same ticket."""
    from chalicelib.domain.org import Role

    svc = api.services
    svc.customers.put_customers(NEIGHBOURS)
    desk = Desk(svc)
    desk.stream(*[desk.report(n, contact="+86" + PHONES[n]) for n in range(3)])
    current = desk.outage()
    svc.outages.commit(current, act(current, OutageAction.RESTORE, actor="staff:M1", now=clock()))
    clock.advance(minutes=31)
    minute(desk)
    path = f"/v1/outages/{current.outage_id}/callback"

    assert push(api, [item(PHONES[0], "2")]).status == 200
    app = api.call(
        "POST",
        path,
        {"account_no": NEIGHBOURS[0].account_no, "reply": "2"},
        as_=("wx-0", Role.CUSTOMER),
    )
    first = api.call(
        "POST",
        path,
        {"account_no": NEIGHBOURS[1].account_no, "reply": "2"},
        as_=("wx-1", Role.CUSTOMER),
    )
    assert push(api, [item(PHONES[1], "2")]).status == 200

    (by_sms, by_app) = sorted(opened(desk), key=lambda t: t.account_no)
    assert app.status == 200 and app.body["ticket_id"] == by_sms.ticket_id
    assert first.status == 200 and first.body["ticket_id"] == by_app.ticket_id
    assert by_sms.contact_phone == "+86" + PHONES[0]


def test_one_customer_with_two_accounts_out_gets_a_ticket_for_each(api, asked, clock) -> None:  # type: ignore[no-untyped-def]
    from chalicelib.domain.org import Role

    svc = api.services
    svc.customers.bind("wx-0", NEIGHBOURS[1].account_no, clock())  # a landlord's two homes
    path = f"/v1/outages/{asked.outage().outage_id}/callback"
    answers = [
        api.call(
            "POST", path, {"account_no": a.account_no, "reply": "2"}, as_=("wx-0", Role.CUSTOMER)
        )
        for a in NEIGHBOURS[:2]
    ]

    assert [a.status for a in answers] == [200, 200]
    assert sorted(t.account_no for t in opened(asked)) == [a.account_no for a in NEIGHBOURS[:2]]


@FUZZ
@given(data=st.data())
def test_fuzzed_pushes_never_answer_5xx(api, asked, data) -> None:  # type: ignore[no-untyped-def]
    """An item with one field spoilt (or any bytes at all) is taken or refused, never a 500."""
    if data.draw(st.integers(0, 9)) == 0:
        raw = bytes(data.draw(st.binary(max_size=120)))
    else:
        field = data.draw(st.sampled_from([*item(PHONES[0], "1"), "extra"]))
        marked = json.dumps([{**item(PHONES[0], "1"), field: "@SPOILT@"}]).encode()
        raw = marked.replace(b'"@SPOILT@"', data.draw(spoilt))
    shaped(push(api, None, raw=raw))
