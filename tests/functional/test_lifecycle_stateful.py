"""Random action sequences through the use-case layer (in-memory stores), checking the
lifecycle's invariants after every step:

* the status is always one the state machine allows after the action taken;
* the version rises by exactly one per accepted action (or watchdog step), and the timeline
  holds exactly one event per version;
* a refused action changes nothing;
* cancelled is final; closed is final except a reopen within 7 days of the resolution;
* no clock runs on a submitted, closed or cancelled ticket; a resolved one runs the callback.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import mkdtemp

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from chalicelib.bootstrap import Services
from chalicelib.config import Settings
from chalicelib.domain.errors import DomainError
from chalicelib.domain.lifecycle import _MOVES
from chalicelib.domain.tickets import Action, Status, Ticket, TicketType
from chalicelib.lifecycle.watchdog import Watchdog
from chalicelib.notify.fakes import RecordingSmsSender
from chalicelib.store.customers import InMemoryCustomerStore
from chalicelib.store.org import InMemoryOrgStore
from chalicelib.store.otp import InMemoryOtpStore
from chalicelib.store.outages import InMemoryOutageStore
from chalicelib.store.tickets import InMemoryTicketStore
from tests import district
from tests.conftest import Clock
from tests.functional.lifecycle_support import (
    LOCATION,
    act,
    customer_scope,
    open_ticket,
    staff_scope,
)

REOPEN_WINDOW = timedelta(days=7)
STAFF_ACTIONS = ("accept", "arrive", "resolve", "transfer")
CUSTOMER_ACTIONS = ("cancel", "confirm", "reopen")


def fresh_services(clock: Clock) -> Services:
    tmp = Path(mkdtemp())
    config = Settings.from_env(
        {
            "YUNGE_STAGE": "local",
            "AWS_DEFAULT_REGION": "us-east-1",
            "YUNGE_SMS": "local",
            "YUNGE_SMS_LOG": str(tmp / "sms.jsonl"),
            "YUNGE_PHONE_KEY_FILE": str(tmp / "phone.key"),
        }
    )
    svc = Services(config, clock=clock)
    svc.org = InMemoryOrgStore(district.ORG)  # type: ignore[misc]
    svc.customers = InMemoryCustomerStore(district.CUSTOMERS)  # type: ignore[misc]
    svc.tickets = InMemoryTicketStore()  # type: ignore[misc]
    svc.sms = RecordingSmsSender()  # type: ignore[misc]
    svc.counters = InMemoryOtpStore()  # type: ignore[misc]
    svc.outages = InMemoryOutageStore(config.bureau)  # type: ignore[misc]
    return svc


class Lifecycle(RuleBasedStateMachine):
    @initialize(ticket_type=st.sampled_from(list(TicketType)))
    def open(self, ticket_type: TicketType) -> None:
        self.clock = Clock(datetime(2026, 11, 24, 2, 0, tzinfo=UTC))
        self.svc = fresh_services(self.clock)
        self.ticket_id = open_ticket(self.svc, ticket_type).ticket_id
        self.last_resolved_at: datetime | None = None

    def stored(self) -> Ticket:
        ticket = self.svc.tickets.get(self.ticket_id)
        assert ticket is not None
        return ticket

    def attempt(self, action: str, run: object) -> None:
        before = self.stored()
        events_before = len(self.svc.tickets.timeline(self.ticket_id))
        try:
            after = run()  # type: ignore[operator]
        except DomainError:
            assert self.stored() == before, "a refused action changed the ticket"
            assert len(self.svc.tickets.timeline(self.ticket_id)) == events_before
            return
        assert after.version == before.version + 1
        assert len(self.svc.tickets.timeline(self.ticket_id)) == events_before + 1
        assert _MOVES[Action(action)][before.status] is after.status
        assert before.status is not Status.CANCELLED, "cancelled is final"
        if before.status is Status.CLOSED:
            assert action == "reopen"
        if action == "reopen":
            assert self.last_resolved_at is not None
            assert self.clock.now - self.last_resolved_at <= REOPEN_WINDOW
        if action == "resolve":
            self.last_resolved_at = self.clock.now

    @rule(
        action=st.sampled_from(STAFF_ACTIONS),
        who=st.sampled_from(["M1", "M2", "M5", "C1", "D1", "M3"]),
        to=st.sampled_from(["M1", "M2", "M5"]),
    )
    def staff_acts(self, action: str, who: str, to: str) -> None:
        fields = (
            {"location": LOCATION, "cause": "线路故障"} if action in ("arrive", "resolve") else {}
        )
        if action == "transfer":
            fields = {"to_staff_id": to}
        scope = staff_scope(self.svc, who)
        self.attempt(action, lambda: act(self.svc, scope, self.stored(), action, **fields))

    @rule(
        action=st.sampled_from(CUSTOMER_ACTIONS),
        owner=st.sampled_from(["wx-wang", "wx-wang", "wx-stranger"]),
        rating=st.none() | st.integers(1, 5),
    )
    def customer_acts(self, action: str, owner: str, rating: int | None) -> None:
        fields = {"rating": rating} if action == "confirm" and rating else {}
        scope = customer_scope(owner)
        self.attempt(action, lambda: act(self.svc, scope, self.stored(), action, **fields))

    @rule(minutes=st.sampled_from([1, 11, 50, 200, 60 * 24 * 3 + 1, 60 * 24 * 8]))
    def time_passes(self, minutes: int) -> None:
        self.clock.advance(minutes=minutes)

    @rule()
    def watchdog(self) -> None:
        before = self.stored()
        report = Watchdog.from_services(self.svc).tick()
        after = self.stored()
        moved = sum(report.committed.values())
        assert after.version == before.version + moved
        if moved:
            assert after.status in (before.status, Status.CLOSED)
            assert after.escalation_level >= before.escalation_level
        rerun = Watchdog.from_services(self.svc).tick()
        assert rerun.committed == {}, "a rerun must change nothing"

    @invariant()
    def consistent(self) -> None:
        if not hasattr(self, "svc"):
            return
        ticket = self.stored()
        assert ticket.status in Status
        assert len(self.svc.tickets.timeline(self.ticket_id)) == ticket.version
        versions = [e.version for e in self.svc.tickets.timeline(self.ticket_id)]
        assert versions == sorted(set(versions))
        if ticket.status in (Status.SUBMITTED, Status.CLOSED, Status.CANCELLED):
            assert ticket.next_due is None
        if ticket.status is Status.RESOLVED:
            assert ticket.next_due is not None and ticket.next_due[0] == "callback"


Lifecycle.TestCase.settings = settings(
    max_examples=60,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestLifecycle = Lifecycle.TestCase
