"""Which SMS each ticket change calls for, and their business keys (pure)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from chalicelib.dispatch.messages import People, compose
from chalicelib.domain.assignment import Assignment, Route
from chalicelib.domain.calendar import WeekendCalendar
from chalicelib.domain.notices import Change, Recipient, changes, recipients
from chalicelib.domain.policy import DEFAULT_POLICY
from chalicelib.domain.tickets import Status, Ticket, TicketType
from chalicelib.domain.transitions import dispatched
from tests import district

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
M1, M5, C1, D1 = (district.staff(s) for s in ("M1", "M5", "C1", "D1"))
GRID = district.GRIDS[0]
CUSTOMER_PHONE = "13700001111"
AUTO_CLOSE = timedelta(days=3)


def submitted(**overrides: object) -> Ticket:
    base = Ticket(
        ticket_id="01TICKET",
        number="241100001",
        type=TicketType.FAULT_REPAIR,
        status=Status.SUBMITTED,
        owner_id="wx-1",
        account_no="0601000001",
        contact_phone=CUSTOMER_PHONE,
        description="家里停电了",
        address="临河区新华街道幸福小区1号楼101",
        ta_id="T1",
        grid_id="G1",
        station_id="S1",
        branch_id="B1",
        area_class=None,
        created_at=NOW,
        updated_at=NOW,
        version=1,
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def dispatch(ticket: Ticket, to: str = "M1") -> Ticket:
    assignee = district.staff(to)
    after, _ = dispatched(
        ticket,
        GRID,
        Assignment(assignee, Route.GRID_MANAGER, alert_chief=False),
        policy=DEFAULT_POLICY,
        calendar=WeekendCalendar(),
        now=NOW,
    )
    return replace(after, version=ticket.version + 1)


def test_a_dispatch_tells_the_chief_only_for_an_important_or_special_customer() -> None:
    # Given the same dispatch for an ordinary and for a priority customer
    plain, vip = submitted(), submitted(priority=True)
    # Then the assignee and the customer are told either way, the station chief only for the VIP
    assert recipients(plain, dispatch(plain), changes(plain, dispatch(plain))) == {
        Recipient.ASSIGNEE,
        Recipient.CUSTOMER,
    }
    assert Recipient.CHIEF in recipients(vip, dispatch(vip), changes(vip, dispatch(vip)))


class TestDispatchedTicket:
    def test_carries_assignee_level_area_class_and_clocks(self) -> None:
        after = dispatch(submitted())

        assert after.status is Status.DISPATCHED
        assert (after.assignee_id, after.escalation_level, after.area_class) == ("M1", 1, "urban")
        assert after.clocks["dispatched_at"] == NOW
        assert after.clocks["accept_due"] == NOW + timedelta(minutes=10)
        assert after.clocks["arrive_due"] == NOW + timedelta(minutes=45)
        assert after.next_due == ("accept", NOW + timedelta(minutes=10))

    def test_priority_customers_get_half_the_accept_clock(self) -> None:
        after = dispatch(submitted(priority=True))

        assert after.clocks["accept_due"] == NOW + timedelta(minutes=5)


class TestChanges:
    def test_dispatch_tells_the_manager_and_the_customer(self) -> None:
        old = submitted()
        new = dispatch(old)
        people = People(assignee=M1, chief=C1, contact_on_record=True)

        out = compose(old, new, changes(old, new), people, AUTO_CLOSE)

        assert [(o.recipient, o.phone, o.template) for o in out] == [
            ("assignee", M1.phone, "dispatch_manager"),
            ("customer", CUSTOMER_PHONE, "dispatched_customer"),
        ]
        manager_sms, customer_sms = out
        assert manager_sms.params["accept_by"] == "10:10"
        assert customer_sms.params["manager_name"] == M1.name
        assert customer_sms.params["commitment"] == "承诺10:45前到达现场"

    def test_business_keys_name_ticket_version_and_recipient(self) -> None:
        old = submitted()
        new = dispatch(old)

        people = People(assignee=M1, contact_on_record=True)
        out = compose(old, new, changes(old, new), people, AUTO_CLOSE)

        assert [o.business_key for o in out] == [
            "01TICKET#v2#assignee#dispatch_manager",
            "01TICKET#v2#customer#dispatched_customer",
        ]

    def test_an_important_customer_also_alerts_the_station_chief(self) -> None:
        old = submitted(priority=True)
        new = dispatch(old)

        out = compose(old, new, changes(old, new), People(assignee=M1, chief=C1), AUTO_CLOSE)

        assert [(o.phone, o.template) for o in out][-1] == (C1.phone, "chief_alert")

    def test_a_transfer_tells_the_new_assignee_by_when_and_the_customer_who(self) -> None:
        old = dispatch(submitted())
        accept_due = NOW + timedelta(minutes=25)  # the new assignee's own accept clock
        new = replace(
            old,
            assignee_id="M5",
            clocks={**old.clocks, "accept_due": accept_due},
            version=old.version + 1,
        )

        found = changes(old, new)
        out = compose(old, new, found, People(assignee=M5, previous=M1), AUTO_CLOSE)

        assert found == [Change.TRANSFERRED]
        assert [(o.recipient, o.phone, o.template) for o in out] == [
            ("assignee", M5.phone, "transfer_manager"),
            ("customer", CUSTOMER_PHONE, "reassigned_customer"),
        ]
        manager_sms, customer_sms = out
        assert (manager_sms.params["from_name"], manager_sms.params["accept_by"]) == (
            M1.name,
            "10:25",
        )
        assert customer_sms.params["manager_name"] == M5.name  # not the one who passed it on
        assert customer_sms.params["manager_phone"] == M5.phone

    def test_a_level_2_reassignment_says_why_tells_the_previous_assignee_and_the_customer(
        self,
    ) -> None:
        """赵亮 missed his accept clock: the peer is told why and by when (not "赵亮转给您"),
        赵亮 is told the ticket was taken, the customer gets the new manager, the chief is
        told to supervise."""
        old = dispatch(submitted())
        missed = NOW + timedelta(minutes=10)
        new = replace(
            old,
            assignee_id="M5",
            escalation_level=2,
            clocks={
                **old.clocks,
                "accept_escalated_at": missed,
                "accept_missed_at": missed,
                "accept_due": missed + timedelta(minutes=10),
            },
            updated_at=missed,
            version=old.version + 1,
        )

        found = changes(old, new)
        told = recipients(old, new, found)
        out = compose(old, new, found, People(assignee=M5, previous=M1, chief=C1), AUTO_CLOSE)

        assert Recipient.PREVIOUS in told and Recipient.CUSTOMER in told
        assert [(o.recipient, o.phone, o.template) for o in out] == [
            ("assignee", M5.phone, "reassigned_manager"),
            ("previous", M1.phone, "taken_manager"),
            ("customer", CUSTOMER_PHONE, "reassigned_customer"),
            ("chief", C1.phone, "escalation_chief"),
        ]
        peer, previous, customer, chief = out
        assert peer.params == {
            "previous_name": M1.name,
            "reason": "超时未接单",
            "number": "241100001",
            "accept_by": "10:20",
        }
        assert previous.params["new_name"] == M5.name and previous.params["reason"] == "超时未接单"
        assert customer.params["manager_name"] == M5.name
        assert chief.params["reassigned_to"] == M5.name

    def test_a_manager_whose_ticket_an_escalation_takes_is_told_once_whatever_the_clock(
        self,
    ) -> None:
        """Today the watchdog reassigns only on a missed accept; should a missed arrival ever
        move the ticket too, 赵亮 still hears that it was taken, and why, and only once."""
        old = replace(dispatch(submitted()), status=Status.ACCEPTED)
        new = replace(
            old,
            status=Status.DISPATCHED,
            assignee_id="M5",
            escalation_level=3,
            clocks={**old.clocks, "arrive_escalated_at": NOW},
            version=old.version + 1,
        )

        found = changes(old, new)
        out = compose(old, new, found, People(assignee=M5, previous=M1, chief=C1), AUTO_CLOSE)

        assert Recipient.PREVIOUS in recipients(old, new, found)
        taken = [o for o in out if o.recipient == "previous"]
        assert [(o.phone, o.template, o.params["reason"]) for o in taken] == [
            (M1.phone, "taken_manager", "超时未到达")
        ]
        assert out[0].template == "reassigned_manager"  # not "赵亮转给您"

    def test_a_manager_who_passes_a_ticket_on_himself_is_not_told_it_was_taken(self) -> None:
        old = dispatch(submitted())
        new = replace(old, assignee_id="M5", version=old.version + 1)

        found = changes(old, new)
        out = compose(old, new, found, People(assignee=M5, previous=M1), AUTO_CLOSE)

        assert Recipient.PREVIOUS not in recipients(old, new, found)
        assert "previous" not in {o.recipient for o in out}

    def test_the_customer_is_told_the_manager_s_number_as_it_is_dialled_in_china(self) -> None:
        # Given a manager whose phone came in E.164 (+86…), and a ticket without an assignee
        old = dispatch(submitted())
        e164 = replace(M5, phone="+86" + M5.phone)
        new = replace(old, assignee_id="M5", version=old.version + 1)

        out = compose(old, new, changes(old, new), People(assignee=e164, previous=M1), AUTO_CLOSE)
        nobody = compose(old, new, changes(old, new), People(previous=M1), AUTO_CLOSE)

        # Then the "your manager is …" SMS names the 11 digits, or the hotline
        told = next(o for o in out if o.template == "reassigned_customer")
        assert told.params["manager_phone"] == M5.phone and not M5.phone.startswith("+")
        assert [o.params["manager_phone"] for o in nobody] == ["95598"]

    def test_resolving_asks_the_customer_to_confirm(self) -> None:
        old = replace(dispatch(submitted()), status=Status.ON_SITE)
        new = replace(old, status=Status.RESOLVED, version=old.version + 1)

        out = compose(old, new, changes(old, new), People(assignee=M1), AUTO_CLOSE)

        assert [(o.phone, o.template, o.params["auto_close_days"]) for o in out] == [
            (CUSTOMER_PHONE, "resolved_customer", 3)
        ]

    def test_level_two_tells_the_chief_who_missed_and_who_took_over(self) -> None:
        old = dispatch(submitted())
        new = replace(
            old,
            escalation_level=2,
            assignee_id="M5",
            clocks={**old.clocks, "accept_escalated_at": NOW},
            version=old.version + 1,
        )

        out = compose(
            old, new, changes(old, new), People(assignee=M5, previous=M1, chief=C1), AUTO_CLOSE
        )

        chief_sms = next(o for o in out if o.template == "escalation_chief")
        assert chief_sms.phone == C1.phone
        assert (chief_sms.params["manager_name"], chief_sms.params["reassigned_to"]) == (
            M1.name,
            M5.name,
        )

    def test_level_three_tells_the_branch_officer_which_clock_was_missed(self) -> None:
        old = replace(
            dispatch(submitted()),
            status=Status.ACCEPTED,
            next_due=("arrive", NOW + timedelta(minutes=45)),
        )
        new = replace(
            old,
            escalation_level=3,
            overdue=True,
            clocks={**old.clocks, "arrive_escalated_at": NOW},
            version=old.version + 1,
        )

        out = compose(
            old, new, changes(old, new), People(assignee=M1, branch_officer=D1), AUTO_CLOSE
        )

        assert [(o.phone, o.template, o.params["clock_label"]) for o in out] == [
            (D1.phone, "overdue_branch", "到达现场")
        ]

    def test_a_missed_resolve_after_a_missed_arrival_still_tells_the_branch(self) -> None:
        late = replace(
            dispatch(submitted()),
            status=Status.ON_SITE,
            escalation_level=3,
            overdue=True,
            clocks={**dispatch(submitted()).clocks, "arrive_escalated_at": NOW},
        )
        new = replace(
            late,
            clocks={**late.clocks, "resolve_escalated_at": NOW + timedelta(hours=4)},
            version=late.version + 1,
        )

        out = compose(
            late, new, changes(late, new), People(assignee=M1, branch_officer=D1), AUTO_CLOSE
        )

        assert [(o.template, o.params["clock_label"]) for o in out] == [
            ("overdue_branch", "处理完成")
        ]

    def test_a_second_missed_accept_after_a_transfer_still_tells_the_chief(self) -> None:
        old = replace(dispatch(submitted()), escalation_level=2)
        new = replace(
            old,
            clocks={**old.clocks, "accept_escalated_at": NOW},
            version=old.version + 1,
        )

        out = compose(old, new, changes(old, new), People(assignee=M1, chief=C1), AUTO_CLOSE)

        assert [(o.phone, o.template) for o in out] == [(C1.phone, "escalation_chief")]

    def test_a_ticket_stuck_in_submitted_tells_the_chief(self) -> None:
        old = submitted()
        later = old.created_at + timedelta(minutes=6)
        new = replace(
            old,
            clocks={**old.clocks, "dispatch_escalated_at": later},
            escalation_level=2,
            updated_at=later,
            version=old.version + 1,
        )

        found = changes(old, new)
        out = compose(old, new, found, People(chief=C1), AUTO_CLOSE)

        assert [(o.phone, o.template) for o in out] == [(C1.phone, "dispatch_stuck_chief")]
        assert out[0].params["minutes"] == "6"

    def test_a_contact_not_on_record_is_told_at_acceptance_not_at_dispatch(self) -> None:
        old = submitted()
        dispatched = dispatch(old)
        accepted = replace(dispatched, status=Status.ACCEPTED, version=dispatched.version + 1)
        people = People(assignee=M1)  # contact_on_record defaults to False: safe

        at_dispatch = compose(old, dispatched, changes(old, dispatched), people, AUTO_CLOSE)
        at_accept = compose(dispatched, accepted, changes(dispatched, accepted), people, AUTO_CLOSE)

        assert [(o.recipient, o.template) for o in at_dispatch] == [
            ("assignee", "dispatch_manager")
        ]
        assert [(o.recipient, o.phone, o.template) for o in at_accept] == [
            ("customer", CUSTOMER_PHONE, "dispatched_customer")
        ]
        assert at_accept[0].business_key == "01TICKET#v3#customer#dispatched_customer"

    def test_acceptance_tells_nobody_when_the_contact_is_on_record_or_after_a_reopen(
        self,
    ) -> None:
        old = dispatch(submitted())
        new = replace(old, status=Status.ACCEPTED, version=old.version + 1)
        reopened_old = replace(old, clocks={**old.clocks, "reopened_at": NOW})
        reopened_new = replace(reopened_old, status=Status.ACCEPTED, version=old.version + 1)

        on_record = People(assignee=M1, contact_on_record=True)
        assert compose(old, new, changes(old, new), on_record, AUTO_CLOSE) == []
        assert changes(reopened_old, reopened_new) == []
