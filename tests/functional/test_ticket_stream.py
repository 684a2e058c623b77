"""The ticket_stream handler end to end under moto: real tables with streams, the real
DynamoTicketStore and notification log, records read with GetRecords and fed in Lambda's
shape. SMS go to the recording sender."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from moto import mock_aws

from chalicelib import bootstrap
from chalicelib.config import Settings
from chalicelib.dispatch.stream import handle_ticket_stream
from chalicelib.domain.commands import NewTicket
from chalicelib.domain.details import FaultDetails
from chalicelib.domain.org import Customer
from chalicelib.domain.tickets import Status, Ticket, TicketType, TimelineEvent
from chalicelib.notify.fakes import RecordingSmsSender
from chalicelib.notify.log import LogQuery
from chalicelib.usecases.intake import submit_ticket
from infra.local.streams import StreamReader
from tests import district

REGION = "us-east-1"
CUSTOMER_PHONE = "13700001111"  # on record for 0601000001 (the customer import's 手机号)
STRANGER_PHONE = "13600002222"  # on record for no account


class Stack:
    """Services over moto, plus a reader of the tickets stream (every shard, in order)."""

    def __init__(self, svc: bootstrap.Services) -> None:
        self.svc = svc
        self.sms: RecordingSmsSender = svc.sms  # type: ignore[assignment]
        self.stream = StreamReader(svc.settings.table("tickets"), REGION)
        self.stream.open()

    def read(self) -> dict[str, Any]:
        """The stream records not read yet, as one Lambda event."""
        return self.stream.event()

    def deliver(self, event: dict[str, Any]) -> list[str]:
        result = handle_ticket_stream(event, None, self.svc)
        return [f["itemIdentifier"] for f in result["batchItemFailures"]]

    def pump(self) -> list[dict[str, Any]]:
        """Deliver until the stream is quiet, like Lambda without failures; every event."""
        delivered = []
        while (event := self.read())["Records"]:
            assert self.deliver(event) == []
            delivered.append(event)
        return delivered

    def submit(
        self, account_no: str = "0601000001", openid: str = "wx-1", contact: str = CUSTOMER_PHONE
    ) -> Ticket:
        self.svc.customers.bind(openid, account_no, self.svc.clock())
        request = NewTicket(
            type=TicketType.FAULT_REPAIR,
            account_no=account_no,
            description="家里突然停电了",
            contact_phone=contact,
            details=FaultDetails(),
        )
        ticket, _ = submit_ticket(self.svc, openid, request, None)
        return ticket

    def ticket(self, ticket_id: str) -> Ticket:
        found = self.svc.tickets.get(ticket_id)
        assert found is not None
        return found

    def received(self) -> list[tuple[str, str]]:
        """(phone, template) per SMS the provider accepted, in order."""
        return self.sms.keys()

    def off_duty(self, *staff_ids: str) -> None:
        for staff_id in staff_ids:
            self.svc.org.set_duty(staff_id, False, None)


@contextmanager
def streamed_services(
    settings: Settings, clock: Any, org: Iterable[Any], customers: Iterable[Customer]
) -> Iterator[bootstrap.Services]:
    """Services over moto (tables with streams) with `org` and `customers` loaded, SMS to the
    recording sender and their log in DynamoDB; the app's container while open."""
    with mock_aws():
        from chalicelib.store.models import bind_tables, create_tables
        from chalicelib.store.notifications import DynamoNotificationLog

        bind_tables(settings.table_prefix, REGION)
        create_tables()
        svc = bootstrap.Services(settings, clock=clock)
        svc.org.put_all(org)
        svc.customers.put_customers(customers)
        svc.sms = RecordingSmsSender()
        svc.notifications = DynamoNotificationLog()
        bootstrap.use(svc)
        try:
            yield svc
        finally:
            bootstrap.use(None)


@pytest.fixture
def stack(settings, clock) -> Iterator[Stack]:  # type: ignore[no-untyped-def]
    customers = (
        replace(c, phone=CUSTOMER_PHONE) if c.account_no == "0601000001" else c
        for c in district.CUSTOMERS
    )
    with streamed_services(settings, clock, district.ORG, customers) as svc:
        # These tests are about dispatch itself, so a lone "no power" report goes at once
        # (YUNGE_REPORT_HOLD_SECONDS=0); the default 2-minute wait is test_outage_hold's.
        svc.policy = svc.policy.with_report_hold(timedelta(0))
        yield Stack(svc)


def manager_phone(staff_id: str) -> str:
    return district.staff(staff_id).phone


# ---------------------------------------------------------------- dispatch
def test_a_new_ticket_is_dispatched_to_its_grid_manager_and_both_sides_told(stack: Stack) -> None:
    submitted = stack.submit()

    stack.pump()

    ticket = stack.ticket(submitted.ticket_id)
    assert (ticket.status, ticket.assignee_id, ticket.escalation_level) == ("dispatched", "M1", 1)
    assert ticket.area_class == "urban" and ticket.next_due is not None
    assert ticket.next_due[0] == "accept"
    dispatch = stack.svc.tickets.timeline(ticket.ticket_id)[-1]
    assert (dispatch.action, dispatch.actor, dispatch.to_status) == (
        "dispatch",
        "system",
        "dispatched",
    )
    assert dispatch.note is not None and "网格经理1" in dispatch.note
    assert stack.received() == [
        (manager_phone("M1"), "dispatch_manager"),
        (CUSTOMER_PHONE, "dispatched_customer"),
    ]
    assert stack.svc.tickets.open_counts("S1") == {"M1": 1}
    assert stack.svc.tickets.last_assigned(["M1"]) == {}  # own grid: no ledger stamp


def test_a_duplicate_delivery_changes_nothing_and_sends_one_sms_each(stack: Stack) -> None:
    submitted = stack.submit()

    events = stack.pump()
    for event in events:  # Lambda delivers every batch a second time
        assert stack.deliver(event) == []
    stack.pump()

    assert stack.ticket(submitted.ticket_id).version == 2
    assert len(stack.svc.tickets.timeline(submitted.ticket_id)) == 2
    assert len(stack.sms.sent) == 2


def test_the_same_transition_under_a_new_event_id_sends_nothing_new(stack: Stack) -> None:
    stack.submit()
    events = stack.pump()
    modify = next(r for e in events for r in e["Records"] if r["eventName"] == "MODIFY")

    again = json.loads(json.dumps(modify))
    again["eventID"] = "a-brand-new-event-id"
    again["dynamodb"]["SequenceNumber"] = "99999999999999999999"
    assert stack.deliver({"Records": [again]}) == []

    assert len(stack.sms.sent) == 2


def test_a_poison_record_fails_alone(stack: Stack) -> None:
    first, second = stack.submit("0601000001", "wx-1"), stack.submit("0601000003", "wx-3")
    event = stack.read()
    good_a, good_b = event["Records"]
    poison = json.loads(json.dumps(good_a))
    poison["dynamodb"]["NewImage"].pop("type")
    poison["dynamodb"]["SequenceNumber"] = "1" + poison["dynamodb"]["SequenceNumber"]

    failed = stack.deliver({"Records": [good_a, poison, good_b]})

    assert failed == [poison["dynamodb"]["SequenceNumber"]]
    assert stack.ticket(first.ticket_id).assignee_id == "M1"
    assert stack.ticket(second.ticket_id).assignee_id == "M3"


# ---------------------------------------------------------------- who gets it
def test_off_duty_manager_falls_to_the_peer_with_fewest_open_tickets(stack: Stack) -> None:
    stack.submit("0601000002", "wx-2")  # G2 → M2 now has one open ticket
    stack.pump()
    stack.off_duty("M1")

    ticket = stack.submit("0601000001", "wx-1")
    stack.pump()

    assert stack.ticket(ticket.ticket_id).assignee_id == "M5"
    assert (manager_phone("M1"), "dispatch_manager") not in stack.received()
    assert (manager_phone("M5"), "dispatch_manager") in stack.received()
    assert set(stack.svc.tickets.last_assigned(["M2", "M5"])) == {"M5"}  # mutual aid: stamped


def test_a_tie_on_open_tickets_goes_to_the_peer_assigned_least_recently(stack, clock) -> None:  # type: ignore[no-untyped-def]
    from tests.functional.lifecycle_support import act, customer_scope

    def next_g1_ticket() -> Ticket:
        clock.advance(minutes=1)
        ticket = stack.submit()
        stack.pump()
        return stack.ticket(ticket.ticket_id)

    stack.off_duty("M1")  # G1's tickets go to its peers M2 and M5
    first = next_g1_ticket()
    assert first.assignee_id == "M2"  # none open, never assigned: by staff id
    assert next_g1_ticket().assignee_id == "M5"  # fewer open
    assert next_g1_ticket().assignee_id == "M2"  # one each: M2 was helped out longer ago
    act(stack.svc, customer_scope("wx-1"), first, "cancel")
    stack.pump()
    assert stack.svc.tickets.open_counts("S1") == {"M2": 1, "M5": 1}

    # one each again, and now M5 is the one assigned longer ago (staff id order says M2)
    assert next_g1_ticket().assignee_id == "M5"


def test_a_mutual_aid_dispatch_makes_at_most_three_aws_calls(stack, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from collections import Counter

    from botocore.client import BaseClient

    calls: Counter[str] = Counter()
    original = BaseClient._make_api_call

    def counted(self: BaseClient, operation: str, params: Any) -> Any:
        calls[operation] += 1
        return original(self, operation, params)

    def dispatch_next() -> Counter[str]:
        stack.submit()
        insert = stack.read()
        calls.clear()
        with monkeypatch.context() as patched:
            patched.setattr(BaseClient, "_make_api_call", counted)
            assert stack.deliver(insert) == []
        stack.pump()  # the dispatch's own records (SMS), not counted
        return Counter(calls)

    stack.off_duty("M1")
    # A "no power" report is first an outage candidate (issue 14): one PutItem remembers it
    # and one Query reads its 台区 (open outage, recent reports); below the threshold, one
    # PutItem and one Query more read whether its station is in a storm (then it would be
    # held, outages/clustering.py). Then the dispatch proper.
    outage_check = Counter({"PutItem": 2, "Query": 2})
    # a cold container also reads the org: the manager and the group (GetItem each), the
    # group's members (one BatchGetItem) and the station chief (a Query); peers tie at none
    assert dispatch_next() == outage_check + Counter({
        "GetItem": 2, "BatchGetItem": 2, "Query": 2, "TransactWriteItems": 1
    })  # fmt: skip

    # M2 has one open, M5 none: the station's open tickets, then the dispatch
    assert dispatch_next() == outage_check + Counter({"Query": 1, "TransactWriteItems": 1})
    # one each: a tie, so also the assignment ledger of the two tied peers
    assert dispatch_next() == outage_check + Counter(
        {"Query": 1, "BatchGetItem": 1, "TransactWriteItems": 1}
    )


def test_a_manager_who_goes_off_duty_over_the_api_gets_no_new_dispatch(stack: Stack) -> None:
    from chalice.test import Client

    import app
    from chalicelib.domain.org import Role
    from tests.functional.api_client import Api

    with Client(app.app) as client:
        reply = Api(client, stack.svc).call(
            "PUT", "/v1/staff/me/duty", {"on_duty": False}, as_=("M1", Role.MANAGER)
        )
    assert reply.status == 200 and reply.body["on_duty"] is False

    ticket = stack.submit()
    stack.pump()

    assert stack.ticket(ticket.ticket_id).assignee_id in {"M2", "M5"}
    assert all(phone != manager_phone("M1") for phone, _ in stack.received())


def test_whole_group_off_duty_goes_to_the_station_chief(stack: Stack) -> None:
    stack.off_duty("M1", "M2", "M5")

    ticket = stack.submit()
    stack.pump()

    assert stack.ticket(ticket.ticket_id).assignee_id == "C1"
    assert (manager_phone("C1"), "dispatch_manager") in stack.received()


def test_an_important_customer_alerts_the_station_chief(stack: Stack) -> None:
    ticket = stack.submit("0601000005", "wx-5")  # 市第二医院: important

    stack.pump()

    assert stack.ticket(ticket.ticket_id).assignee_id == "M1"
    assert (manager_phone("C1"), "chief_alert") in stack.received()


# ---------------------------------------------------------------- a busy table
def test_a_transaction_conflict_fails_the_record_and_the_retry_dispatches_once(  # type: ignore[no-untyped-def]
    stack, monkeypatch
) -> None:
    """DynamoDB cancels a transaction that collides with another one on an item (here: the
    assignment ledger). That is not "already dispatched": the record must be retried."""
    from botocore.client import BaseClient
    from botocore.exceptions import ClientError

    ticket = stack.submit()
    insert = stack.read()
    original = BaseClient._make_api_call

    def conflicting(self: BaseClient, operation: str, params: Any) -> Any:
        if operation == "TransactWriteItems":
            reasons = [{"Code": "None"}, {"Code": "None"}, {"Code": "TransactionConflict"}]
            error = {"Code": "TransactionCanceledException", "Message": "conflict"}
            raise ClientError({"Error": error, "CancellationReasons": reasons}, operation)
        return original(self, operation, params)

    with monkeypatch.context() as patched:
        patched.setattr(BaseClient, "_make_api_call", conflicting)
        failed = stack.deliver(insert)

    assert failed == [insert["Records"][0]["dynamodb"]["SequenceNumber"]]
    assert stack.ticket(ticket.ticket_id).status is Status.SUBMITTED
    assert stack.sms.sent == []

    assert stack.deliver(insert) == []  # Lambda retries from the failed record
    stack.pump()
    assert stack.ticket(ticket.ticket_id).assignee_id == "M1"
    assert stack.received() == [
        (manager_phone("M1"), "dispatch_manager"),
        (CUSTOMER_PHONE, "dispatched_customer"),
    ]


# ---------------------------------------------------------------- provider failures
def test_a_throttled_provider_is_retried_and_each_sms_sent_once(stack: Stack) -> None:
    ticket = stack.submit()
    stack.deliver(stack.read())  # INSERT → dispatch
    stack.sms.fail_transiently(1)
    modify = stack.read()

    failed = stack.deliver(modify)
    assert failed == [modify["Records"][0]["dynamodb"]["SequenceNumber"]]
    assert stack.deliver(modify) == []  # Lambda's retry of the failed record

    assert sorted(stack.received()) == sorted(
        [(manager_phone("M1"), "dispatch_manager"), (CUSTOMER_PHONE, "dispatched_customer")]
    )
    log = stack.svc.notifications.query(LogQuery("ticket", ticket.ticket_id))
    assert {(r.template_key, r.status, r.attempts) for r in log.items} == {
        ("dispatch_manager", "sent", 2),
        ("dispatched_customer", "sent", 1),
    }


def test_a_permanent_failure_is_parked_counted_and_listed(stack: Stack, capsys) -> None:  # type: ignore[no-untyped-def]
    stack.sms.reject(CUSTOMER_PHONE, code="OptedOut")
    ticket = stack.submit()

    stack.pump()

    parked = stack.svc.notifications.query(LogQuery("failed", stack.svc.settings.bureau))
    assert [(r.ticket_id, r.template_key, r.status) for r in parked.items] == [
        (ticket.ticket_id, "dispatched_customer", "failed")
    ]
    emitted = [
        json.loads(line) for line in capsys.readouterr().out.splitlines() if "SmsFailed" in line
    ]
    assert [m["SmsFailed"] for m in emitted] == [[1.0]]  # one EMF blob, one data point
    assert CUSTOMER_PHONE not in json.dumps(emitted)


# ---------------------------------------------------------------- later transitions
def _commit(stack: Stack, ticket: Ticket, **changes: Any) -> Ticket:
    after = replace(ticket, updated_at=stack.svc.clock(), **changes)
    event = TimelineEvent(
        ticket.ticket_id, stack.svc.clock(), "test", "system", ticket.status, after.status,
        ticket.version + 1,
    )  # fmt: skip
    return stack.svc.tickets.commit(ticket, after, event)


def test_transfer_resolve_and_escalations_reach_the_right_people(stack: Stack) -> None:
    ticket = stack.submit()
    stack.pump()
    ticket = stack.ticket(ticket.ticket_id)

    now = stack.svc.clock()
    marked = {**ticket.clocks, "accept_escalated_at": now}  # as the watchdog marks them
    ticket = _commit(stack, ticket, assignee_id="M5", escalation_level=2, clocks=marked)
    stack.pump()
    marked = {**ticket.clocks, "arrive_escalated_at": now}
    ticket = _commit(stack, ticket, escalation_level=3, overdue=True, clocks=marked)
    stack.pump()
    ticket = _commit(stack, ticket, status=Status.RESOLVED)
    stack.pump()

    assert stack.received()[2:] == [
        (manager_phone("M5"), "reassigned_manager"),  # why (超时未接单) and by when
        (manager_phone("M1"), "taken_manager"),  # the ticket was taken from him
        (CUSTOMER_PHONE, "reassigned_customer"),  # the new manager's name and phone
        (manager_phone("C1"), "escalation_chief"),
        (manager_phone("D1"), "overdue_branch"),
        (CUSTOMER_PHONE, "resolved_customer"),
    ]


# ---------------------------------------------------------------- contact phones
def accept(stack: Stack, ticket_id: str, manager: str = "M1") -> list[dict[str, Any]]:
    from chalicelib.domain.commands import TicketActionCommand
    from chalicelib.domain.org import Role, Scope
    from chalicelib.domain.tickets import Action
    from chalicelib.usecases.actions import act_on_ticket

    scope = Scope(Role.MANAGER, manager, frozenset(district.staff(manager).grid_ids))
    act_on_ticket(stack.svc, scope, ticket_id, TicketActionCommand(Action.ACCEPT))
    return stack.pump()


def test_a_number_not_on_record_hears_nothing_until_a_manager_accepts(stack: Stack) -> None:
    # Given a ticket whose contact phone is not the account's phone on record
    ticket = stack.submit(contact=STRANGER_PHONE)
    stack.pump()
    # Then dispatch tells the manager only
    assert stack.received() == [(manager_phone("M1"), "dispatch_manager")]

    # When the manager accepts, the contact is told who is coming
    accept(stack, ticket.ticket_id)

    assert stack.received()[1:] == [(STRANGER_PHONE, "dispatched_customer")]
    assert stack.sms.to(STRANGER_PHONE)[0].params["manager_name"] == district.staff("M1").name


def test_the_phone_on_record_is_told_at_dispatch_and_not_again_at_accept(stack: Stack) -> None:
    ticket = stack.submit()
    stack.pump()
    accept(stack, ticket.ticket_id)

    assert stack.received() == [
        (manager_phone("M1"), "dispatch_manager"),
        (CUSTOMER_PHONE, "dispatched_customer"),
    ]


def test_the_phone_on_record_in_e164_is_still_on_record(stack: Stack) -> None:
    # Given the contact phone as the API stores it (+86…), the account's phone on record bare
    stack.submit(contact="+86" + CUSTOMER_PHONE)
    stack.pump()
    # Then the customer is told at dispatch, as for the bare number
    assert stack.received() == [
        (manager_phone("M1"), "dispatch_manager"),
        ("+86" + CUSTOMER_PHONE, "dispatched_customer"),
    ]


def test_a_number_not_on_record_gets_three_sms_a_day_across_all_tickets(stack, clock) -> None:  # type: ignore[no-untyped-def]
    # Given four tickets from four customers naming the same stranger's phone
    accounts = ["0601000001", "0601000002", "0601000003", "0601000004"]
    tickets = [stack.submit(a, f"wx-{n}", STRANGER_PHONE) for n, a in enumerate(accounts)]
    stack.pump()
    accepted = []
    for ticket in tickets:
        stored = stack.ticket(ticket.ticket_id)
        assert stored.assignee_id is not None
        accepted += accept(stack, ticket.ticket_id, stored.assignee_id)

    # Then the stranger gets three SMS; the fourth ticket goes on without one
    assert len(stack.sms.to(STRANGER_PHONE)) == 3
    assert stack.ticket(tickets[3].ticket_id).status is Status.ACCEPTED
    # and a redelivery of the same change is not counted again
    for event in accepted:
        assert stack.deliver(event) == []
    assert len(stack.sms.to(STRANGER_PHONE)) == 3

    # A day later the number may be told again
    clock.advance(hours=24)
    done = _commit(stack, stack.ticket(tickets[3].ticket_id), status=Status.RESOLVED)
    stack.pump()
    assert stack.received()[-1] == (STRANGER_PHONE, "resolved_customer")
    assert done.contact_phone == STRANGER_PHONE


def test_please_confirm_after_the_customer_confirmed_is_superseded(stack: Stack) -> None:
    """The stream is behind: by the time the resolve reaches it, the customer has already
    confirmed. The "please confirm" SMS is logged superseded and never sent."""
    ticket = stack.submit()
    stack.pump()
    ticket = stack.ticket(ticket.ticket_id)
    resolved = _commit(stack, ticket, status=Status.RESOLVED)
    _commit(stack, resolved, status=Status.CLOSED)
    stack.pump()

    assert stack.received()[2:] == []  # dispatch SMS only
    log = stack.svc.notifications.query(LogQuery("ticket", ticket.ticket_id, limit=20))
    statuses = {r.template_key: r.status.value for r in log.items}
    assert statuses["resolved_customer"] == "superseded"


def test_the_app_registers_the_handler_for_lambda(stack: Stack) -> None:
    import app

    ticket = stack.submit()
    result = app.ticket_stream(stack.read(), None)

    assert result == {"batchItemFailures": []}
    assert stack.ticket(ticket.ticket_id).status is Status.DISPATCHED
