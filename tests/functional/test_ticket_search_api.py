"""Ticket search for the ops console (`GET /v1/tickets?q=`): by number, account or the last
four digits of the contact phone, within the caller's scope and a bounded look-back."""

from __future__ import annotations

from chalicelib.domain.org import Role
from tests.functional.lifecycle_support import open_ticket

O1 = ("O1", Role.OPS)
M3 = ("M3", Role.MANAGER)  # another station: sees none of WANG's tickets


def found(api, q: str, who=O1) -> list[str]:  # type: ignore[no-untyped-def]
    reply = api.call("GET", f"/v1/tickets?q={q}", as_=who)
    assert reply.status == 200, reply.body
    return [t["number"] for t in reply.body["items"]]


def test_ops_find_a_ticket_by_number_account_or_phone_suffix(api, clock) -> None:  # type: ignore[no-untyped-def]
    # Given two tickets of one customer (contact phone 13812345678), a day apart
    first = open_ticket(api.services)
    clock.advance(days=1)
    second = open_ticket(api.services)
    # Then each search finds what it names
    assert found(api, first.number) == [first.number]
    assert found(api, first.number.lower()) == [first.number]
    assert found(api, "0601000001") == [second.number, first.number]
    assert found(api, "5678") == [second.number, first.number]
    assert found(api, "1234") == []  # inside the number, not its last four digits
    # and nobody finds what their scope does not cover
    assert found(api, first.number, who=M3) == []


def test_a_search_looks_back_a_month_unless_dates_say_otherwise(api, clock) -> None:  # type: ignore[no-untyped-def]
    old = open_ticket(api.services)
    clock.advance(days=40)
    assert found(api, "5678") == []
    day = old.created_at.date().isoformat()
    assert found(api, f"5678&from={day}") == [old.number]
    assert found(api, old.number) == [old.number]  # a number names its own day


def test_a_term_that_is_none_of_the_three_is_400(api) -> None:  # type: ignore[no-untyped-def]
    reply = api.call("GET", "/v1/tickets?q=hello", as_=O1)
    assert (reply.status, list(reply.body["error"]["fields"])) == (400, ["q"])
