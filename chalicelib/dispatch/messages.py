"""Which SMS a ticket change calls for: the template, its wording and its business key for
each recipient that domain.notices says the change concerns. Pure.

Each SMS gets a business key "<ticket>#v<version>#<role>#<template>": one stream MODIFY
is one ticket version, so a redelivery — or the same change under a new eventID — yields the
same keys, and the notification log lets each through once.

    (customer SMS go only to a mobile contact number, never to a landline)
    dispatched            assignee: dispatch_manager · customer: dispatched_customer (only
                          when the contact phone is the account's phone on record)
                          · station chief: chief_alert (important/special customer)
    accepted              customer: dispatched_customer, when the contact phone is not the
                          account's phone on record (dispatch/contact.py caps those too)
    reopened              assignee: dispatch_manager (accept again)
    transferred           new assignee: transfer_manager (with its accept deadline)
                          · customer: reassigned_customer (the new manager's name and phone)
    transferred by an     new assignee: reassigned_manager (why: 超时未接单, and the accept
      escalation (the     deadline) · previous assignee: taken_manager · customer:
      watchdog's level 2) reassigned_customer · station chief: escalation_chief
    resolved              customer: resolved_customer
    escalated_to_chief    station chief: escalation_chief
    dispatch_stuck        station chief: dispatch_stuck_chief
    escalated_to_branch   branch duty officer: overdue_branch
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain.dates import SHANGHAI, day_and_time
from chalicelib.domain.labels import CLOCK_LABELS, TYPE_LABELS
from chalicelib.domain.notices import (
    ASKS_TO_CONFIRM,
    Change,
    Recipient,
    StillTrue,
    names_manager,
    newly_escalated,
    taken_by_escalation,
)
from chalicelib.domain.org import Staff
from chalicelib.domain.phone import is_mobile_contact, number_to_call
from chalicelib.domain.tickets import ClockName, Ticket
from chalicelib.notify.templates import TemplateKey

PRIORITY_CLASS = "重点客户"  # important (重要) or special (特殊): the ticket carries one flag
# why an escalation took the ticket (notices.taken_by_escalation), in taken/reassigned_manager
MISSED_REASONS: Mapping[ClockName, str] = {
    ClockName.ACCEPT: "超时未接单",
    ClockName.ARRIVE: "超时未到达",
    ClockName.RESOLVE: "超时未处理完成",
}


@dataclass(frozen=True, slots=True)
class People:
    """Who the change concerns, looked up by the caller for the changes found."""

    assignee: Staff | None = None
    previous: Staff | None = None  # the assignee before the change
    chief: Staff | None = None
    branch_officer: Staff | None = None
    contact_on_record: bool = False  # contact_phone is the account's phone on record


@dataclass(frozen=True, slots=True)
class Outgoing:
    business_key: str
    ticket_id: str
    recipient: Recipient
    phone: str
    template: TemplateKey
    params: Mapping[str, object]
    still_true: StillTrue | None = None  # a customer SMS is dropped as superseded otherwise


def local_moment(moment: datetime | None, today: datetime) -> str:
    if moment is None:
        return "尽快"
    local = moment.astimezone(SHANGHAI)
    same_day = local.date() == today.astimezone(SHANGHAI).date()
    return local.strftime("%H:%M") if same_day else day_and_time(local)


def compose(
    old: Ticket, new: Ticket, found: list[Change], people: People, auto_close: timedelta
) -> list[Outgoing]:
    """The SMS for `found`; a recipient missing from `people` is skipped (nobody to tell)."""
    out: list[Outgoing] = []
    number, type_label = new.number, TYPE_LABELS[new.type]
    assignee, since = people.assignee, new.updated_at
    assignee_name = assignee.name if assignee else "待定"
    assignee_phone = assignee.phone if assignee else None
    # a landline contact number takes no SMS: the customer is told by the manager's call
    customer_phone = new.contact_phone if is_mobile_contact(new.contact_phone) else None

    def add(
        recipient: Recipient,
        phone: str | None,
        key: TemplateKey,
        *,
        still_true: StillTrue | None = None,
        **params: object,
    ) -> None:
        if phone:
            business_key = f"{new.ticket_id}#v{new.version}#{recipient}#{key}"
            out.append(
                Outgoing(business_key, new.ticket_id, recipient, phone, key, params, still_true)
            )

    job: dict[str, Any] = {"number": number, "type_label": type_label, "address": new.address}
    if Change.DISPATCHED in found or Change.REOPENED in found:
        accept_by = local_moment(new.clocks.get("accept_due"), since)
        add(
            Recipient.ASSIGNEE,
            assignee_phone,
            TemplateKey.DISPATCH_MANAGER,
            number=number,
            type_label=type_label,
            accept_by=accept_by,
        )
    on_record = people.contact_on_record
    if (Change.DISPATCHED in found and on_record) or (Change.ACCEPTED in found and not on_record):
        arrive_due = new.clocks.get("arrive_due")
        commitment = (
            f"承诺{local_moment(arrive_due, since)}前到达现场"
            if arrive_due
            else f"将于{local_moment(new.clocks.get('accept_due'), since)}前与您联系"
        )
        add(
            Recipient.CUSTOMER,
            customer_phone,
            TemplateKey.DISPATCHED_CUSTOMER,
            still_true=names_manager(new),
            number=number,
            manager_name=assignee_name,
            manager_phone=number_to_call(assignee_phone),
            commitment=commitment,
        )
    if Change.DISPATCHED in found:
        chief = people.chief
        if new.priority and chief and assignee and chief.staff_id != assignee.staff_id:
            add(
                Recipient.CHIEF,
                chief.phone,
                TemplateKey.CHIEF_ALERT,
                customer_class=PRIORITY_CLASS,
                manager_name=assignee_name,
                **job,
            )
    if Change.TRANSFERRED in found:
        accept_by = local_moment(new.clocks.get("accept_due"), since)
        before = people.previous
        taken = taken_by_escalation(old, new)
        if taken:
            reason = MISSED_REASONS[taken]
            add(
                Recipient.ASSIGNEE,
                assignee_phone,
                TemplateKey.REASSIGNED_MANAGER,
                previous_name=before.name if before else "原网格经理",
                reason=reason,
                number=number,
                accept_by=accept_by,
            )
            add(
                Recipient.PREVIOUS,
                before.phone if before else None,
                TemplateKey.TAKEN_MANAGER,
                number=number,
                reason=reason,
                new_name=assignee_name,
            )
        else:
            add(
                Recipient.ASSIGNEE,
                assignee_phone,
                TemplateKey.TRANSFER_MANAGER,
                from_name=before.name if before else "系统",
                number=number,
                type_label=type_label,
                accept_by=accept_by,
            )
        add(
            Recipient.CUSTOMER,
            customer_phone,
            TemplateKey.REASSIGNED_CUSTOMER,
            still_true=names_manager(new),
            number=number,
            manager_name=assignee_name,
            manager_phone=number_to_call(assignee_phone),
        )
    if Change.RESOLVED in found:
        add(
            Recipient.CUSTOMER,
            customer_phone,
            TemplateKey.RESOLVED_CUSTOMER,
            still_true=ASKS_TO_CONFIRM,
            number=number,
            auto_close_days=max(1, round(auto_close / timedelta(days=1))),
        )
    if Change.DISPATCH_STUCK in found:
        add(
            Recipient.CHIEF,
            people.chief.phone if people.chief else None,
            TemplateKey.DISPATCH_STUCK_CHIEF,
            number=number,
            type_label=TYPE_LABELS[new.type],
            minutes=str(round((new.updated_at - new.created_at) / timedelta(minutes=1))),
        )
    if Change.ESCALATED_TO_CHIEF in found:
        moved = Change.TRANSFERRED in found
        previous = people.previous.name if moved and people.previous else assignee_name
        add(
            Recipient.CHIEF,
            people.chief.phone if people.chief else None,
            TemplateKey.ESCALATION_CHIEF,
            number=number,
            manager_name=previous,
            reassigned_to=assignee_name if moved else "暂无可用人员",
        )
    if Change.ESCALATED_TO_BRANCH in found:
        missed = "resolve" if "resolve" in newly_escalated(old, new) else "arrive"
        add(
            Recipient.BRANCH,
            people.branch_officer.phone if people.branch_officer else None,
            TemplateKey.OVERDUE_BRANCH,
            number=number,
            type_label=type_label,
            clock_label=CLOCK_LABELS[missed],
            manager_name=assignee_name,
        )
    return out
