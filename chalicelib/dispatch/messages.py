"""Which SMS a ticket change calls for, derived from the stream's old and new images only.

Pure. Each SMS gets a business key "<ticket>#v<version>#<role>#<template>": one stream MODIFY
is one ticket version, so a redelivery — or the same change under a new eventID — yields the
same keys, and the notification log lets each through once.

    submitted → dispatched            assignee: dispatch_manager · customer: dispatched_customer
                                      · station chief: chief_alert (important/special customer)
    resolved/closed → dispatched      assignee: dispatch_manager (reopened: accept again)
    assignee changed, still open      new assignee: transfer_manager
    → resolved                        customer: resolved_customer
    accept clock escalated            station chief: escalation_chief (level 2)
    dispatch clock escalated          station chief: dispatch_stuck_chief (level 2: still
                                      submitted after policy.dispatch_target)
    arrive/resolve clock escalated    branch duty officer: overdue_branch (level 3)

An escalation is read from the watchdog's mark `<clock>_escalated_at` appearing in the
ticket's clocks, not from the level: a resolve clock missed after a missed arrival stays at
level 3, and a second missed accept after a transfer stays at level 2 — both still tell.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from chalicelib.domain.clocks import escalated_clocks
from chalicelib.domain.dates import SHANGHAI
from chalicelib.domain.labels import CLOCK_LABELS, TYPE_LABELS
from chalicelib.domain.org import Staff
from chalicelib.domain.tickets import Status, Ticket
from chalicelib.notify.templates import TemplateKey

PRIORITY_CLASS = "重点客户"  # important (重要) or special (特殊): the ticket carries one flag


class Change(StrEnum):
    DISPATCHED = "dispatched"
    REOPENED = "reopened"
    TRANSFERRED = "transferred"
    RESOLVED = "resolved"
    ESCALATED_TO_CHIEF = "escalated_to_chief"
    DISPATCH_STUCK = "dispatch_stuck"
    ESCALATED_TO_BRANCH = "escalated_to_branch"


class Recipient(StrEnum):
    ASSIGNEE = "assignee"
    CUSTOMER = "customer"
    CHIEF = "chief"
    BRANCH = "branch"


@dataclass(frozen=True, slots=True)
class People:
    """Who the change concerns, looked up by the caller for the changes found."""

    assignee: Staff | None = None
    previous: Staff | None = None  # the assignee before the change
    chief: Staff | None = None
    branch_officer: Staff | None = None


@dataclass(frozen=True, slots=True)
class Outgoing:
    business_key: str
    ticket_id: str
    recipient: Recipient
    phone: str
    template: TemplateKey
    params: Mapping[str, object]


def changes(old: Ticket, new: Ticket) -> list[Change]:
    found: list[Change] = []
    if new.status is Status.DISPATCHED and old.status is Status.SUBMITTED:
        found.append(Change.DISPATCHED)
    elif new.status is Status.DISPATCHED and old.status in (Status.RESOLVED, Status.CLOSED):
        found.append(Change.REOPENED)
    elif new.is_open and old.assignee_id and new.assignee_id not in (None, old.assignee_id):
        found.append(Change.TRANSFERRED)
    if new.status is Status.RESOLVED and old.status is not Status.RESOLVED:
        found.append(Change.RESOLVED)
    escalated = newly_escalated(old, new)
    if "dispatch" in escalated:
        found.append(Change.DISPATCH_STUCK)
    if "accept" in escalated:
        found.append(Change.ESCALATED_TO_CHIEF)
    if escalated & {"arrive", "resolve"}:
        found.append(Change.ESCALATED_TO_BRANCH)
    return found


def newly_escalated(old: Ticket, new: Ticket) -> frozenset[str]:
    """The clocks the watchdog escalated in this change."""
    return escalated_clocks(new) - escalated_clocks(old)


def local_moment(moment: datetime | None, today: datetime) -> str:
    if moment is None:
        return "尽快"
    local = moment.astimezone(SHANGHAI)
    same_day = local.date() == today.astimezone(SHANGHAI).date()
    return local.strftime("%H:%M") if same_day else f"{local.month}月{local.day}日{local:%H:%M}"


def compose(
    old: Ticket, new: Ticket, found: list[Change], people: People, auto_close: timedelta
) -> list[Outgoing]:
    """The SMS for `found`; a recipient missing from `people` is skipped (nobody to tell)."""
    out: list[Outgoing] = []
    number, type_label = new.number, TYPE_LABELS[new.type]
    assignee, since = people.assignee, new.updated_at
    assignee_name = assignee.name if assignee else "待定"
    assignee_phone = assignee.phone if assignee else None

    def add(recipient: Recipient, phone: str | None, key: TemplateKey, **params: object) -> None:
        if phone:
            business_key = f"{new.ticket_id}#v{new.version}#{recipient}#{key}"
            out.append(Outgoing(business_key, new.ticket_id, recipient, phone, key, params))

    job = {"number": number, "type_label": type_label, "address": new.address}
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
    if Change.DISPATCHED in found:
        arrive_due = new.clocks.get("arrive_due")
        commitment = (
            f"承诺{local_moment(arrive_due, since)}前到达现场"
            if arrive_due
            else f"将于{local_moment(new.clocks.get('accept_due'), since)}前与您联系"
        )
        add(
            Recipient.CUSTOMER,
            new.contact_phone,
            TemplateKey.DISPATCHED_CUSTOMER,
            number=number,
            manager_name=assignee_name,
            manager_phone=assignee.phone if assignee else "95598",
            commitment=commitment,
        )
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
        add(
            Recipient.ASSIGNEE,
            assignee_phone,
            TemplateKey.TRANSFER_MANAGER,
            from_name=people.previous.name if people.previous else "系统",
            contact_phone=new.contact_phone,
            **job,
        )
    if Change.RESOLVED in found:
        add(
            Recipient.CUSTOMER,
            new.contact_phone,
            TemplateKey.RESOLVED_CUSTOMER,
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
