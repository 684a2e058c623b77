"""Ticket intake and reading over HTTP (chalice test client, in-memory stores)."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.domain.org import Role
from chalicelib.domain.uploads import upload_prefix

WANG = ("wx-wang", Role.CUSTOMER)  # will bind 0601000001 (grid G1)
OTHER = ("wx-other", Role.CUSTOMER)


def fault(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "fault_repair",
        "account_no": "0601000001",
        "description": "家里突然停电，邻居也没电",
        "contact_phone": "13812345678",
        "details": {"scope": "building"},
    }
    body.update(overrides)
    return body


@pytest.fixture
def bound(api):  # type: ignore[no-untyped-def]
    reply = api.call(
        "POST", "/v1/me/accounts", {"account_no": "0601000001", "holder_name": "王建国"}, as_=WANG
    )
    assert reply.status == 201
    return api


def test_bound_customer_submits_a_fault_and_reads_it_back(bound) -> None:  # type: ignore[no-untyped-def]
    created = bound.call("POST", "/v1/tickets", fault(), as_=WANG)
    assert created.status == 201
    ticket = created.body
    assert ticket["status"] == "submitted"
    assert ticket["grid_id"] == "G1"
    assert ticket["created_at"].endswith("+08:00")
    assert len(ticket["number"]) == 13 and ticket["number"][6] == "-"

    read = bound.call("GET", f"/v1/tickets/{ticket['ticket_id']}", as_=WANG)
    assert read.status == 200
    assert read.body["description"] == "家里突然停电，邻居也没电"
    assert [e["action"] for e in read.body["timeline"]] == ["submit"]
    # the creation step comes from no status: the timeline shows every status passed through
    (step,) = read.body["timeline"]
    assert (step["from_status"], step["to_status"]) == (None, "submitted")
    assert step["actor"] == "customer"

    listed = bound.call("GET", "/v1/tickets", as_=WANG)
    assert [t["ticket_id"] for t in listed.body["items"]] == [ticket["ticket_id"]]
    assert listed.body["next_cursor"] is None


def test_account_card_shows_the_grid_manager(bound) -> None:  # type: ignore[no-untyped-def]
    cards = bound.call("GET", "/v1/me/accounts", as_=WANG).body["items"]
    assert cards == [
        {
            "account_no": "0601000001",
            "address": "临河区新华街道幸福小区1号楼101",
            "grid": {"grid_id": "G1", "name": "新华街网格"},
            "manager": {"name": "网格经理1", "phone": "13910000001"},
        }
    ]


def test_binding_twice_is_harmless(bound) -> None:  # type: ignore[no-untyped-def]
    again = bound.call(
        "POST", "/v1/me/accounts", {"account_no": "0601000001", "holder_name": "王 建国"}, as_=WANG
    )
    assert again.status == 201
    assert len(bound.call("GET", "/v1/me/accounts", as_=WANG).body["items"]) == 1


@pytest.mark.parametrize(
    ("account_no", "holder_name"), [("0601000001", "李四"), ("0609999999", "王建国")]
)
def test_wrong_name_and_unknown_account_look_the_same(api, account_no, holder_name) -> None:  # type: ignore[no-untyped-def]
    reply = api.call(
        "POST",
        "/v1/me/accounts",
        {"account_no": account_no, "holder_name": holder_name},
        as_=WANG,
    )
    assert reply.status == 404
    assert reply.body["error"]["code"] == "account_not_found"


def test_ticket_for_an_account_not_bound_is_404(bound) -> None:  # type: ignore[no-untyped-def]
    reply = bound.call("POST", "/v1/tickets", fault(account_no="0601000003"), as_=WANG)
    assert reply.status == 404
    assert reply.body["error"]["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (fault(contact_phone="12345"), "contact_phone"),
        (fault(type="teleport"), "type"),
        ({k: v for k, v in fault().items() if k != "description"}, "description"),
        (fault(description=""), "description"),
        (fault(details={"scope": "galaxy"}), "details.scope"),
        (fault(type="meter_service", details={}), "details.service"),
        (fault(type="new_connection", details={"category": "residential"}), "details.capacity_kw"),
        (fault(location={"lat": 123, "lng": 10}), "location.lat"),
        (fault(photos=["https://evil.example/x.jpg"]), "photos[0]"),
    ],
)
def test_invalid_ticket_fields_are_named(bound, body, field) -> None:  # type: ignore[no-untyped-def]
    reply = bound.call("POST", "/v1/tickets", body, as_=WANG)
    assert reply.status == 400
    assert field in reply.body["error"]["fields"], reply.body
    assert reply.body["error"]["message"]


def test_one_400_names_every_bad_field_at_once(bound) -> None:  # type: ignore[no-untyped-def]
    # Given a body wrong in six places, two of them nested and one in its details
    body = fault(
        type="fault_repair",
        description="",
        contact_phone="12345",
        location={"lat": 123, "lng": "east"},
        photos=[1, "ok", 3],
        details={"scope": "galaxy", "colour": "red"},
    )
    # When it is submitted
    reply = bound.call("POST", "/v1/tickets", body, as_=WANG)
    # Then one 400 names them all
    assert reply.status == 400
    assert set(reply.body["error"]["fields"]) == {
        "description",
        "contact_phone",
        "location.lat",
        "location.lng",
        "photos[0]",
        "photos[2]",
        "details.scope",
        "details.colour",
    }
    assert bound.services.tickets.tickets == {}


def test_a_list_too_long_is_named_beside_its_bad_items(bound) -> None:  # type: ignore[no-untyped-def]
    reply = bound.call("POST", "/v1/tickets", fault(photos=[1] * 50), as_=WANG)
    fields = reply.body["error"]["fields"]
    assert fields["photos"] == "长度不符合要求"
    assert fields["photos[0]"] == "应为字符串"
    assert len(fields) <= 21  # items are named up to 20, however long the list


def test_an_invalid_choice_lists_the_allowed_values(bound) -> None:  # type: ignore[no-untyped-def]
    reply = bound.call(
        "POST", "/v1/tickets", fault(type="teleport", description=" ", details=[]), as_=WANG
    )
    assert reply.body["error"]["fields"]["type"] == (
        "取值无效，可选：fault_repair、meter_service、consultation、new_connection"
    )
    assert reply.body["error"]["fields"]["description"] == "不能只有空白"
    scope = bound.call("POST", "/v1/tickets", fault(details={"scope": "galaxy"}), as_=WANG)
    assert scope.body["error"]["fields"] == {
        "details.scope": "取值无效，可选：household、building、area、socket"
    }
    action = bound.call("POST", "/v1/tickets/T404/actions", {"action": "fly"}, as_=WANG)
    assert action.body["error"]["fields"]["action"].startswith("取值无效，可选：accept、arrive")
    listed = bound.call("GET", "/v1/tickets?type=x&status=open", as_=WANG)
    assert listed.body["error"]["fields"]["type"].endswith("consultation、new_connection")
    assert "submitted" in listed.body["error"]["fields"]["status"]


@pytest.mark.parametrize(
    ("given", "stored", "shown"),
    [
        ("13812345678", "+8613812345678", "13812345678"),
        ("+86 138 1234 5678", "+8613812345678", "13812345678"),
        ("138-1234-5678", "+8613812345678", "13812345678"),
        ("0478-8123456", "+864788123456", "0478-8123456"),
    ],
)
def test_a_mobile_or_a_landline_with_area_code_is_a_contact_phone(
    bound, given, stored, shown
) -> None:  # type: ignore[no-untyped-def]
    reply = bound.call("POST", "/v1/tickets", fault(contact_phone=given), as_=WANG)
    assert reply.status == 201, reply.body
    # E.164 for the tel: link, and the number as a person in China reads it
    assert (reply.body["contact_phone"], reply.body["contact_phone_display"]) == (stored, shown)


@pytest.mark.parametrize("given", ["8123456", "+1 650 253 0000", "12812345678"])
def test_a_number_nobody_can_call_back_is_refused_with_a_hint(bound, given) -> None:  # type: ignore[no-untyped-def]
    reply = bound.call("POST", "/v1/tickets", fault(contact_phone=given), as_=WANG)
    assert reply.status == 400
    assert "0478-8123456" in reply.body["error"]["fields"]["contact_phone"]


def test_photos_from_own_uploads_are_accepted(bound) -> None:  # type: ignore[no-untyped-def]
    upload = bound.call(
        "POST", "/v1/uploads", {"content_type": "image/jpeg", "size": 1000}, as_=WANG
    )
    assert upload.status == 201
    assert upload.body["key"].startswith(upload_prefix("wx-wang"))
    bound.services.uploads.put(upload.body["key"])  # the mini-program PUTs the photo
    reply = bound.call("POST", "/v1/tickets", fault(photos=[upload.body["key"]]), as_=WANG)
    assert reply.status == 201
    assert reply.body["photos"] == [upload.body["key"]]


def uploaded(api, as_) -> str:  # type: ignore[no-untyped-def]
    reply = api.call("POST", "/v1/uploads", {"content_type": "image/jpeg", "size": 900}, as_=as_)
    api.services.uploads.put(reply.body["key"])
    return str(reply.body["key"])


@pytest.mark.parametrize(
    "photo",
    [
        pytest.param(lambda own: own.rsplit("/", 1)[0] + "/../../reports/x.jpg", id="dot-dot"),
        pytest.param(lambda own: own + "/../x.jpg", id="dot-dot-after-a-real-key"),
        pytest.param(lambda own: own.replace(".jpg", ".jpg\n"), id="trailing-newline"),
        pytest.param(
            lambda own: own.rsplit("/", 1)[0] + "/sub/" + own.rsplit("/", 1)[1], id="subfolder"
        ),
        pytest.param(lambda own: own.replace(".jpg", ".svg"), id="not-an-image-key"),
        pytest.param(lambda own: "/" + own, id="leading-slash"),
    ],
)
def test_photo_keys_must_be_exactly_an_upload_of_the_caller(bound, photo) -> None:  # type: ignore[no-untyped-def]
    own = uploaded(bound, WANG)

    reply = bound.call("POST", "/v1/tickets", fault(photos=[own, photo(own)]), as_=WANG)

    assert reply.status == 400
    assert reply.body["error"]["fields"] == {"photos[1]": "图片需先通过 /v1/uploads 上传"}
    assert bound.call("GET", "/v1/tickets", as_=WANG).body["items"] == []


def test_a_photo_that_was_never_uploaded_is_refused(bound) -> None:  # type: ignore[no-untyped-def]
    own = uploaded(bound, WANG)
    signed_only = bound.call(
        "POST", "/v1/uploads", {"content_type": "image/png", "size": 10}, as_=WANG
    ).body["key"]  # asked for a URL, never PUT anything

    reply = bound.call("POST", "/v1/tickets", fault(photos=[own, signed_only]), as_=WANG)

    assert reply.status == 400
    assert reply.body["error"]["fields"] == {"photos[1]": "图片尚未上传成功，请重新上传"}
    assert bound.call("GET", "/v1/tickets", as_=WANG).body["items"] == []


def test_another_customers_upload_is_not_the_callers(bound) -> None:  # type: ignore[no-untyped-def]
    theirs = uploaded(bound, ("wx-li", Role.CUSTOMER))

    reply = bound.call("POST", "/v1/tickets", fault(photos=[theirs]), as_=WANG)

    assert reply.status == 400 and "photos[0]" in reply.body["error"]["fields"]


@pytest.mark.parametrize(
    ("raw", "content_type", "status"),
    [
        (b"{not json", "application/json", 400),
        (b"[1, 2]", "application/json", 400),
        (b'{"type": "fault_repair"}', "text/plain", 415),
        (b'{"description": "' + b"x" * 70_000 + b'"}', "application/json", 413),
    ],
)
def test_malformed_bodies_get_clear_errors(bound, raw, content_type, status) -> None:  # type: ignore[no-untyped-def]
    reply = bound.call(
        "POST", "/v1/tickets", raw=raw, as_=WANG, headers={"Content-Type": content_type}
    )
    assert reply.status == status
    assert set(reply.body["error"]) >= {"code", "message"}


def test_same_idempotency_key_returns_the_same_ticket(bound) -> None:  # type: ignore[no-untyped-def]
    headers = {"Idempotency-Key": "k-123"}
    first = bound.call("POST", "/v1/tickets", fault(), as_=WANG, headers=headers)
    second = bound.call("POST", "/v1/tickets", fault(), as_=WANG, headers=headers)
    assert first.status == 201 and second.status == 201
    assert first.body["ticket_id"] == second.body["ticket_id"]
    assert len(bound.services.tickets.tickets) == 1

    reused = bound.call(
        "POST", "/v1/tickets", fault(description="别的事"), as_=WANG, headers=headers
    )
    assert reused.status == 409
    assert reused.body["error"]["code"] == "idempotency_key_reused"


def test_another_customer_cannot_see_the_ticket(bound) -> None:  # type: ignore[no-untyped-def]
    ticket_id = bound.call("POST", "/v1/tickets", fault(), as_=WANG).body["ticket_id"]
    assert bound.call("GET", f"/v1/tickets/{ticket_id}", as_=OTHER).status == 404
    assert bound.call("GET", "/v1/tickets/01NOPE", as_=WANG).status == 404
    assert bound.call("GET", "/v1/tickets", as_=OTHER).body["items"] == []


@pytest.mark.parametrize(
    ("staff_id", "role", "status"),
    [
        ("M1", Role.MANAGER, 200),  # the grid's manager
        ("M2", Role.MANAGER, 403),  # another grid
        ("C1", Role.CHIEF, 200),  # the grid's station
        ("C2", Role.CHIEF, 403),
        ("D1", Role.BRANCH, 200),
        ("O1", Role.OPS, 200),
    ],
)
def test_staff_see_tickets_in_their_scope_only(bound, staff_id, role, status) -> None:  # type: ignore[no-untyped-def]
    ticket_id = bound.call("POST", "/v1/tickets", fault(), as_=WANG).body["ticket_id"]
    reply = bound.call("GET", f"/v1/tickets/{ticket_id}", as_=(staff_id, role))
    assert reply.status == status
    listed = bound.call("GET", "/v1/tickets", as_=(staff_id, role)).body["items"]
    assert ([t["ticket_id"] for t in listed] == [ticket_id]) == (status == 200)


def test_staff_cannot_submit_tickets(bound) -> None:  # type: ignore[no-untyped-def]
    reply = bound.call("POST", "/v1/tickets", fault(), as_=("M1", Role.MANAGER))
    assert reply.status == 403


def test_lists_page_with_a_cursor_newest_first(bound, clock) -> None:  # type: ignore[no-untyped-def]
    ids = []
    for n in range(5):
        clock.advance(minutes=1)
        ids.append(
            bound.call("POST", "/v1/tickets", fault(description=f"第{n}次"), as_=WANG).body[
                "ticket_id"
            ]
        )
    seen, cursor = [], None
    while True:
        path = "/v1/tickets?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = bound.call("GET", path, as_=WANG).body
        seen += [t["ticket_id"] for t in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(ids))


@pytest.mark.parametrize(
    "query",
    ["limit=0", "limit=101", "limit=abc", "status=open", "type=x", "from=2026-13-01", "cursor=@@@"],
)
def test_bad_list_parameters_are_400(bound, query) -> None:  # type: ignore[no-untyped-def]
    reply = bound.call("GET", f"/v1/tickets?{query}", as_=WANG)
    assert reply.status == 400
    assert reply.body["error"]["fields"]


def test_list_filters_by_status_type_and_dates(bound, clock) -> None:  # type: ignore[no-untyped-def]
    bound.call("POST", "/v1/tickets", fault(), as_=WANG)
    bound.call(
        "POST", "/v1/tickets", fault(type="consultation", details={"topic": "billing"}), as_=WANG
    )
    only = bound.call("GET", "/v1/tickets?type=consultation", as_=WANG).body["items"]
    assert [t["type"] for t in only] == ["consultation"]
    assert bound.call("GET", "/v1/tickets?status=closed", as_=WANG).body["items"] == []
    today = "2026-11-24"
    assert (
        len(bound.call("GET", f"/v1/tickets?from={today}&to={today}", as_=WANG).body["items"]) == 2
    )
    assert bound.call("GET", "/v1/tickets?from=2026-11-25", as_=WANG).body["items"] == []


def test_guessing_holder_names_is_rate_limited(api) -> None:  # type: ignore[no-untyped-def]
    # one WeChat user trying many accounts: ten attempts an hour
    guesses = [
        api.call(
            "POST",
            "/v1/me/accounts",
            {"account_no": f"06019900{n:02d}", "holder_name": f"猜{n}"},
            as_=OTHER,
        )
        for n in range(11)
    ]
    assert [g.status for g in guesses] == [404] * 10 + [429]
    assert int(guesses[-1].headers["Retry-After"]) > 0
    assert guesses[-1].body["error"]["code"] == "rate_limited"


def test_guessing_one_accounts_holder_from_many_wechat_ids_is_limited(api, clock) -> None:  # type: ignore[no-untyped-def]
    def guess(n: int) -> Any:
        body = {"account_no": "0601000002", "holder_name": f"猜{n}"}
        return api.call("POST", "/v1/me/accounts", body, as_=(f"wx-guess-{n}", Role.CUSTOMER))

    hour = [guess(n) for n in range(6)]
    assert [g.status for g in hour] == [404] * 5 + [429]
    assert hour[-1].headers["Retry-After"] == "3600"
    # the right name from yet another id waits too: the account is what is being guessed
    right = {"account_no": "0601000002", "holder_name": "李秀英"}
    assert api.call("POST", "/v1/me/accounts", right, as_=("wx-li", Role.CUSTOMER)).status == 429

    for hours in range(1, 4):  # five an hour, twenty a day
        clock.advance(hours=1)
        assert [guess(100 * hours + n).status for n in range(5)] == [404] * 5
    clock.advance(hours=1)
    day = guess(999)
    assert day.status == 429 and int(day.headers["Retry-After"]) == 24 * 3600 - 4 * 3600
    clock.advance(hours=20)
    assert api.call("POST", "/v1/me/accounts", right, as_=("wx-li", Role.CUSTOMER)).status == 201


def test_a_customer_submits_ten_tickets_an_hour_and_thirty_a_day(bound, clock) -> None:  # type: ignore[no-untyped-def]
    def submit() -> Any:
        return bound.call("POST", "/v1/tickets", fault(), as_=WANG)

    assert [submit().status for _ in range(10)] == [201] * 10
    refused = submit()
    assert refused.status == 429 and refused.headers["Retry-After"] == "3600"
    assert (
        refused.body["error"]["code"] == "rate_limited"
        and "95598" in refused.body["error"]["message"]
    )

    for _ in range(2):
        clock.advance(hours=1)
        assert [submit().status for _ in range(10)] == [201] * 10
    clock.advance(hours=1)
    day = submit()
    assert day.status == 429 and day.headers["Retry-After"] == str(24 * 3600 - 3 * 3600)
    listed = bound.call("GET", "/v1/tickets?limit=100", as_=WANG).body["items"]
    assert len(listed) == 30  # nothing was saved for a refused request
    assert bound.call("POST", "/v1/tickets", fault(), as_=OTHER).status != 429  # per customer


def test_a_retry_with_the_same_idempotency_key_is_answered_even_at_the_limit(bound) -> None:  # type: ignore[no-untyped-def]
    # Given a customer whose tenth ticket of the hour was sent with an Idempotency-Key
    for _ in range(9):
        assert bound.call("POST", "/v1/tickets", fault(), as_=WANG).status == 201
    key = {"Idempotency-Key": "k-tenth"}
    tenth = bound.call("POST", "/v1/tickets", fault(), as_=WANG, headers=key)
    assert tenth.status == 201

    # When the app retries it (its answer was lost) after the limit is reached
    retry = bound.call("POST", "/v1/tickets", fault(), as_=WANG, headers=key)
    other = bound.call("POST", "/v1/tickets", fault(description="别的事"), as_=WANG, headers=key)
    new = bound.call("POST", "/v1/tickets", fault(), as_=WANG)

    # Then the retry gets the ticket already made; anything else is still refused
    assert retry.status == 201 and retry.body["ticket_id"] == tenth.body["ticket_id"]
    assert (other.status, new.status) == (429, 429)
    assert len(bound.services.tickets.tickets) == 10


def test_the_ticket_limits_are_settings(bound) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from chalicelib.config import Settings

    env = {"YUNGE_STAGE": "test", "YUNGE_TICKETS_PER_HOUR": "2", "YUNGE_TICKETS_PER_DAY": "5"}
    configured = Settings.from_env(env)
    assert (configured.tickets_per_hour, configured.tickets_per_day) == (2, 5)
    bound.services.settings = replace(bound.services.settings, tickets_per_hour=2)

    statuses = [bound.call("POST", "/v1/tickets", fault(), as_=WANG).status for _ in range(3)]

    assert statuses == [201, 201, 429]
