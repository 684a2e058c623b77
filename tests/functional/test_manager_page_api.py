"""What the manager's work page (/m/) asks of the API: my open tickets in one call, my
mutual-aid peers for a transfer, an arrival stored with its accuracy."""

from __future__ import annotations

from chalicelib.domain.org import Role
from tests.functional.lifecycle_support import LOCATION, open_ticket

M1 = ("M1", Role.MANAGER)  # grid manager of G1 (group A1 with M2, M5)
M2 = ("M2", Role.MANAGER)
OPEN = "dispatched,accepted,on_site"


def numbers(reply) -> set[str]:  # type: ignore[no-untyped-def]
    assert reply.status == 200, reply.body
    return {t["ticket_id"] for t in reply.body["items"]}


def test_my_open_tickets_are_those_assigned_to_me_in_any_open_status(api) -> None:  # type: ignore[no-untyped-def]
    # Given two tickets of M1's grid, one transferred to M2 and one accepted by M1
    mine, given_away = open_ticket(api.services), open_ticket(api.services)
    act = f"/v1/tickets/{given_away.ticket_id}/actions"
    moved = api.call("POST", act, {"action": "transfer", "to_staff_id": "M2", "note": "忙"}, as_=M1)
    assert moved.status == 200, moved.body
    api.call("POST", f"/v1/tickets/{mine.ticket_id}/actions", {"action": "accept"}, as_=M1)
    # When each asks for their open tickets in one call
    m1 = api.call("GET", f"/v1/tickets?mine=1&status={OPEN}&limit=100", as_=M1)
    m2 = api.call("GET", f"/v1/tickets?mine=1&status={OPEN}", as_=M2)
    # Then each sees exactly what they hold; the grid view still shows both to M1
    assert numbers(m1) == {mine.ticket_id}
    assert numbers(m2) == {given_away.ticket_id}
    assert numbers(api.call("GET", "/v1/tickets", as_=M1)) == {mine.ticket_id, given_away.ticket_id}
    # and neither holds a finished one
    assert numbers(api.call("GET", "/v1/tickets?mine=1&status=resolved,closed", as_=M1)) == set()


def test_a_bad_status_in_the_list_is_named(api) -> None:  # type: ignore[no-untyped-def]
    reply = api.call("GET", "/v1/tickets?status=dispatched,bogus", as_=M1)
    assert reply.status == 400 and reply.body["error"]["fields"]["status"].startswith("取值无效")
    reply = api.call("GET", "/v1/tickets?mine=yes", as_=M1)
    assert reply.status == 400


def test_peers_are_my_mutual_aid_group_with_their_duty(api) -> None:  # type: ignore[no-untyped-def]
    # Given M2 goes off duty
    assert api.call("PUT", "/v1/staff/me/duty", {"on_duty": False}, as_=M2).status == 200
    # When M1 opens the transfer form
    reply = api.call("GET", "/v1/staff/me/peers", as_=M1)
    # Then the group's other members are listed with who can take the ticket now
    assert reply.status == 200
    assert {(p["staff_id"], p["on_duty"]) for p in reply.body["items"]} == {
        ("M2", False),
        ("M5", True),
    }


def test_an_arrival_keeps_the_accuracy_the_browser_reported(api) -> None:  # type: ignore[no-untyped-def]
    ticket = open_ticket(api.services)
    act = f"/v1/tickets/{ticket.ticket_id}/actions"
    api.call("POST", act, {"action": "accept"}, as_=M1)
    where = {**LOCATION, "accuracy": 12.5}
    reply = api.call("POST", act, {"action": "arrive", "location": where}, as_=M1)
    assert reply.status == 200, reply.body
    stored = api.services.tickets.get(ticket.ticket_id)
    assert stored is not None
    assert stored.outcome["arrive_location"]["accuracy"] == 12.5
    negative = {**LOCATION, "accuracy": -1}
    bad = api.call("POST", act, {"action": "arrive", "location": negative}, as_=M1)
    assert (bad.status, bad.body["error"]["fields"]) == (400, {"location.accuracy": "超出允许范围"})


def test_the_duty_board_shows_each_group_by_station_within_scope(api) -> None:  # type: ignore[no-untyped-def]
    # Given M2 is off duty
    assert api.call("PUT", "/v1/staff/me/duty", {"on_duty": False}, as_=M2).status == 200
    # When ops open the duty board
    reply = api.call("GET", "/v1/staff/duty", as_=("O1", Role.OPS))
    assert reply.status == 200, reply.body
    board = {
        (g["station_id"], g["group_id"]): {m["staff_id"]: m["on_duty"] for m in g["members"]}
        for g in reply.body["items"]
    }
    # Then every mutual-aid group is listed under its station with who is on duty
    assert board[("S1", "A1")] == {"M1": True, "M2": False, "M5": True}
    assert set(board) == {("S1", "A1"), ("S2", "A2")}
    # and a station chief sees his own station only; a manager may not look
    chief = api.call("GET", "/v1/staff/duty", as_=("C2", Role.CHIEF)).body["items"]
    assert [g["group_id"] for g in chief] == ["A2"]
    assert api.call("GET", "/v1/staff/duty", as_=M1).status == 403


def test_a_tickets_photos_open_through_short_lived_links_for_those_who_may_see_it(api) -> None:  # type: ignore[no-untyped-def]
    # Given M1 resolves a ticket with one photo he uploaded
    ticket = open_ticket(api.services)
    act = f"/v1/tickets/{ticket.ticket_id}/actions"
    slot = api.call("POST", "/v1/uploads", {"content_type": "image/jpeg", "size": 1000}, as_=M1)
    api.services.uploads.put(slot.body["key"])
    api.call("POST", act, {"action": "accept"}, as_=M1)
    api.call("POST", act, {"action": "arrive", "location": LOCATION}, as_=M1)
    done = {"action": "resolve", "cause": "线路故障", "photos": [slot.body["key"]]}
    assert api.call("POST", act, done, as_=M1).status == 200
    # When the manager and the customer open the photos
    path = f"/v1/tickets/{ticket.ticket_id}/photos"
    mine = api.call("GET", path, as_=M1)
    theirs = api.call("GET", path, as_=("wx-wang", Role.CUSTOMER))
    # Then both get a view link per photo, labelled by when it was taken
    assert mine.status == theirs.status == 200
    (photo,) = mine.body["items"]
    assert (photo["label"], photo["key"]) == ("处理完成", slot.body["key"])
    assert slot.body["key"] in photo["url"]
    # and nobody outside the ticket's scope learns anything
    assert api.call("GET", path, as_=("M3", Role.MANAGER)).status == 403
    assert api.call("GET", path, as_=("wx-stranger", Role.CUSTOMER)).status == 404
