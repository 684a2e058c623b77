"""GET /v1/admin/notifications: the SMS log for admins and ops."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from chalicelib.domain.org import Role
from chalicelib.domain.phone import mask
from chalicelib.notify.log import InMemoryNotificationLog, NotificationRecord
from tests.functional.api_client import Api

ADMIN, OPS = ("X1", Role.ADMIN), ("O1", Role.OPS)
PHONE = "13700001111"
PATH = "/v1/admin/notifications"


@pytest.fixture
def log(memory_services, clock) -> InMemoryNotificationLog:  # type: ignore[no-untyped-def]
    log = InMemoryNotificationLog()
    memory_services.notifications = log
    for i, (ticket, template) in enumerate(
        [("T1", "dispatch_manager"), ("T1", "dispatched_customer"), ("T2", "resolved_customer")]
    ):
        phone = "13910000001" if template == "dispatch_manager" else PHONE
        log.claim(
            NotificationRecord(
                business_key=f"{ticket}#v{i}#{template}",
                ticket_id=ticket,
                recipient_role="customer",
                recipient_masked=mask(phone),
                recipient_hash=memory_services.phone_key.hash_phone(phone),
                template_id="SMS_YG_000X",
                template_key=template,
                created_at=clock() + timedelta(minutes=i),
            )
        )
    log.mark_sent("T1#v0#dispatch_manager", "msg-1", clock())
    log.mark_failed("T2#v2#resolved_customer", "OptedOut: number opted out", "bayannur")
    return log


def test_without_filters_lists_the_parked_sms(api: Api, log: InMemoryNotificationLog) -> None:
    reply = api.call("GET", PATH, as_=ADMIN)

    assert reply.status == 200
    assert reply.body["next_cursor"] is None
    [item] = reply.body["items"]
    assert (item["ticket_id"], item["template"], item["status"], item["attempts"]) == (
        "T2",
        "resolved_customer",
        "failed",
        1,
    )
    assert item["recipient"] == "137****1111" and "OptedOut" in item["error"]


def test_by_ticket_newest_first_with_send_times(api: Api, log: InMemoryNotificationLog) -> None:
    reply = api.call("GET", f"{PATH}?ticket_id=T1", as_=OPS)

    assert [(i["template"], i["status"]) for i in reply.body["items"]] == [
        ("dispatched_customer", "pending"),
        ("dispatch_manager", "sent"),
    ]
    assert reply.body["items"][1]["sent_at"].endswith("+08:00")


def test_by_phone_finds_a_number_without_ever_returning_it(
    api: Api, log: InMemoryNotificationLog
) -> None:
    reply = api.call("GET", f"{PATH}?phone={PHONE}", as_=ADMIN)

    assert [i["ticket_id"] for i in reply.body["items"]] == ["T2", "T1"]
    assert PHONE not in json.dumps(reply.body)


def test_pages_with_a_cursor(api: Api, log: InMemoryNotificationLog) -> None:
    first = api.call("GET", f"{PATH}?phone={PHONE}&limit=1", as_=ADMIN)
    second = api.call(
        "GET", f"{PATH}?phone={PHONE}&limit=1&cursor={first.body['next_cursor']}", as_=ADMIN
    )

    assert [i["ticket_id"] for i in first.body["items"] + second.body["items"]] == ["T2", "T1"]
    assert second.body["next_cursor"] is None


@pytest.mark.parametrize("who", [("M1", Role.MANAGER), ("C1", Role.CHIEF), ("wx-1", Role.CUSTOMER)])
def test_other_roles_are_forbidden(
    api: Api, log: InMemoryNotificationLog, who: tuple[str, Role]
) -> None:
    assert api.call("GET", PATH, as_=who).status == 403


def test_no_token_is_unauthorized(api: Api, log: InMemoryNotificationLog) -> None:
    assert api.call("GET", PATH).status == 401


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("phone=12345", "phone"),
        ("status=lost", "status"),
        ("status=sent", "status"),
        ("limit=0", "limit"),
        ("cursor=%25%25", "cursor"),
    ],
)
def test_bad_queries_are_400_naming_the_field(
    api: Api, log: InMemoryNotificationLog, query: str, field: str
) -> None:
    reply = api.call("GET", f"{PATH}?{query}", as_=ADMIN)

    assert reply.status == 400
    assert field in reply.body["error"]["fields"]


def test_the_route_is_in_the_openapi_document(api: Api) -> None:
    reply = api.call("GET", "/v1/openapi.json")

    assert "get" in reply.body["paths"][PATH]
