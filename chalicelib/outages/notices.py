"""Customers told, first-hand: everyone an outage affects who has a phone — from the customer
import, or the phone they reported with — hears the acknowledgement with the ETR, an update
when the ETR moves by 30 minutes or more (at most one an hour), and the restoration notice.
Important and special customers come first, with their own template.

Exactly once per (outage, customer, notice): each SMS goes through the outbox under the key
"<outage>#<notice>#<account_no>" (ETR updates are numbered), and the outage records what was
told (`domain.outages.told`) so the next pass has nothing to do. The acknowledgement goes out
from the stream the moment the outage forms; everything else — and anything a crash left
undone — from the minute schedule (`on_schedule`), which reads the bureau's recent outages.

A line outage (roll-up, domain/outages.py) tells each customer about their own 台区 by name.
A 台区 rolled up after the acknowledgement went out gets it then: its customers and its
reporters (anyone already told is skipped by the outbox, under the same key).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from chalicelib.dispatch.messages import Outgoing, Recipient, local_moment
from chalicelib.dispatch.outbox import Outbox, RetryLater
from chalicelib.domain.outage_vocabulary import Notice, OutageKind
from chalicelib.domain.outages import (
    Outage,
    notices_due,
    rolled_up_reporters,
    told,
    unacknowledged_areas,
)
from chalicelib.domain.phone import is_mobile_contact, number_to_call
from chalicelib.domain.policy import ServicePolicy
from chalicelib.notify.templates import TemplateKey
from chalicelib.observability import logger
from chalicelib.store.customers import CustomerStore
from chalicelib.store.org import OrgStore
from chalicelib.store.outages import OutageStore, StaleOutage

if TYPE_CHECKING:
    from chalicelib.outages.settle import ReportSettler

LOOK_BACK = timedelta(days=2)  # outages older than this have nothing left to tell
NOTICE_LOOK_BACK = timedelta(days=62)  # … but notices are published ahead of time
NOTICE_KINDS = frozenset({OutageKind.PLANNED, OutageKind.TEMPORARY})


@dataclass(frozen=True, slots=True)
class Affected:
    account_no: str
    phone: str
    priority: bool  # important or special customer: told first, with their own template
    ta_id: str | None = None  # their 台区, when the customer import says


@dataclass
class OutageNotifier:
    outages: OutageStore
    customers: CustomerStore
    org: OrgStore
    outbox: Outbox
    policy: ServicePolicy
    clock: Callable[[], datetime]

    def tell(self, outage: Outage) -> Outage:
        """Send what is due now; the outage as recorded afterwards."""
        now = self.clock()
        due = notices_due(outage, now, self.policy.outages)
        if not due:
            return outage
        joined = unacknowledged_areas(outage) if outage.acked_at is not None else ()
        newcomers = self.affected(outage, joined) if joined else None  # rolled up since
        only_ack = newcomers is not None and due == [Notice.ACK]
        everyone = newcomers if only_ack and newcomers is not None else self.affected(outage)
        acked = newcomers if newcomers is not None else everyone
        reporters = [p for p in everyone if p.account_no in outage.account_nos]
        chosen = {Notice.ACK: acked, Notice.CALLBACK: reporters}
        self.outbox.deliver(
            [
                m
                for notice in due
                for m in self.messages(outage, notice, chosen.get(notice, everyone), now)
            ]
        )
        told_count = len(acked) if Notice.ACK in due else len(everyone)
        try:
            return self.outages.commit(outage, told(outage, due, told_count, now))
        except StaleOutage:  # moved meanwhile: the next pass finds the SMS already claimed
            return outage

    def tell_reporter(
        self, outage: Outage, account_no: str, phone: str, priority: bool, ta_id: str = ""
    ) -> None:
        """A report that joined after the acknowledgement went out gets its own, once."""
        if outage.acked_at is None or not is_mobile_contact(phone):
            return  # a landline takes no SMS
        person = Affected(account_no, phone, priority, ta_id or None)
        self.outbox.deliver(self.messages(outage, Notice.ACK, [person], self.clock()))

    def affected(self, outage: Outage, areas: tuple[str, ...] = ()) -> list[Affected]:
        """Everyone with a phone in the outage's 台区 (or only in `areas`, rolled up), and
        every reporter (of those 台区) at the phone they reported with."""
        people: dict[str, Affected] = {}
        in_areas: set[str] = set(rolled_up_reporters(outage, areas)) if areas else set()
        for ta_id in areas or outage.ta_ids:
            for c in self.customers.in_area(ta_id):
                in_areas.add(c.account_no)
                if c.phone:
                    people[c.account_no] = Affected(
                        c.account_no, c.phone, c.important or c.special, c.ta_id
                    )
        for entry in outage.contacts:  # the phone a reporter gave is the one they watch
            account, _, phone = entry.partition("#")
            if not is_mobile_contact(phone) or (areas and account not in in_areas):
                continue  # a landline takes no SMS: the phone on file (if any) is told instead
            known = people.get(account)
            people[account] = Affected(
                account, phone, bool(known and known.priority), known.ta_id if known else None
            )
        return sorted(people.values(), key=lambda p: (not p.priority, p.account_no))

    def messages(
        self, outage: Outage, notice: Notice, people: list[Affected], now: datetime
    ) -> list[Outgoing]:
        names = _AreaNames(self.org, outage)
        etr = local_moment(outage.etr, now)
        manager = self.org.staff(outage.manager_id) if outage.manager_id else None
        label = f"etr{outage.etr_updates + 1}" if notice is Notice.ETR else notice.value
        out = []
        for person in people:
            place = names.of(person.ta_id) if outage.kind is OutageKind.FAULT else names.first
            template, params = self._template(notice, person, place, etr, manager, outage)
            out.append(
                Outgoing(
                    business_key=f"{outage.outage_id}#{label}#{person.account_no}",
                    ticket_id=outage.outage_id,
                    recipient=Recipient.CUSTOMER,
                    phone=person.phone,
                    template=template,
                    params=params,
                )
            )
        return out

    @staticmethod
    def _template(
        notice: Notice, person: Affected, place: str, etr: str, manager: Any, outage: Outage
    ) -> tuple[TemplateKey, dict[str, object]]:
        if notice is Notice.ACK and person.priority:
            return TemplateKey.OUTAGE_ACK_PRIORITY, {
                "area": place,
                "etr": etr,
                "manager_phone": number_to_call(manager.phone if manager else None),
            }
        if notice is Notice.ACK:
            return TemplateKey.OUTAGE_ACK_CUSTOMER, {"area": place, "etr": etr}
        if notice is Notice.ETR:
            return TemplateKey.OUTAGE_ETR_CUSTOMER, {"area": place, "etr": etr}
        if notice is Notice.CALLBACK:
            return TemplateKey.OUTAGE_CALLBACK_CUSTOMER, {"area": place}
        if notice in (Notice.PUBLISHED, Notice.REMINDER):
            return _notice_template(notice, place, outage)
        return TemplateKey.OUTAGE_RESTORED_CUSTOMER, {"area": place}


class _AreaNames:
    """台区 names as customers read them: their own; the outage's when theirs is unknown
    ("新华1号台区", or "新华1号台区等2个台区" for a line outage)."""

    def __init__(self, org: OrgStore, outage: Outage) -> None:
        self.org = org
        self.names: dict[str, str] = {}
        self.first = self._name(outage.ta_ids[0])
        many = len(outage.ta_ids) > 1 and outage.kind is OutageKind.FAULT
        self.fallback = f"{self.first}等{len(outage.ta_ids)}个台区" if many else self.first
        self.ta_ids = frozenset(outage.ta_ids)

    def _name(self, ta_id: str) -> str:
        if ta_id not in self.names:
            area = self.org.transformer_area(ta_id)
            self.names[ta_id] = area.name if area else "您所在台区"
        return self.names[ta_id]

    def of(self, ta_id: str | None) -> str:
        return self._name(ta_id) if ta_id in self.ta_ids and ta_id else self.fallback


def _notice_template(
    notice: Notice, place: str, outage: Outage
) -> tuple[TemplateKey, dict[str, object]]:
    from chalicelib.domain.dates import SHANGHAI, day_and_time
    from chalicelib.domain.outages import NOTICE_KIND_LABELS

    start, end = outage.starts_at, outage.ends_at
    window = f"{day_and_time(start)}至{end.astimezone(SHANGHAI):%H:%M}" if start and end else "近期"
    if len(outage.ta_ids) > 1:
        place = f"{place}等{len(outage.ta_ids)}个台区"
    params: dict[str, object] = {
        "area": place,
        "window": window,
        "label": NOTICE_KIND_LABELS.get(outage.kind, ""),
        "contact_phone": number_to_call(outage.contact_phone),
    }
    if notice is Notice.PUBLISHED:
        return TemplateKey.OUTAGE_NOTICE_CUSTOMER, {**params, "cause": outage.cause or "检修"}
    return TemplateKey.OUTAGE_REMINDER_CUSTOMER, params


def notifier_of(svc: Any, outbox: Outbox) -> OutageNotifier:
    return OutageNotifier(svc.outages, svc.customers, svc.org, outbox, svc.policy, svc.clock)


def watch_outages(
    notifier: OutageNotifier, outages: OutageStore, settler: ReportSettler | None = None
) -> dict[str, int]:
    """The minute pass: every recent outage gets what is due — its customers told, its
    tickets settled. A transient SMS failure leaves that outage for the next minute; the
    others go on."""
    looked = retry = settled = 0
    now = notifier.clock()
    recent = outages.since(now - LOOK_BACK)
    seen = {o.outage_id for o in recent}
    notices = [
        o for o in outages.since(now - NOTICE_LOOK_BACK, NOTICE_KINDS) if o.outage_id not in seen
    ]
    for outage in recent + notices:
        looked += 1
        try:
            outage = notifier.tell(outage)
        except RetryLater as error:
            retry += 1
            logger.warning("outage %s: SMS to retry next minute (%s)", outage.outage_id, error)
            continue
        if settler is not None:
            settled += settler.settle(outage)
    return {"outages": looked, "retry": retry, "tickets_settled": settled}


def on_schedule(event: Any) -> dict[str, int]:
    """Called with the sla_watchdog tick (app.py)."""
    from chalicelib.bootstrap import services
    from chalicelib.dispatch.stream import outbox_of

    svc = services()
    return watch_outages(notifier_of(svc, outbox_of(svc)), svc.outages, settler_of(svc))


def settler_of(svc: Any) -> ReportSettler:
    from chalicelib.dispatch.dispatcher import Dispatcher
    from chalicelib.outages.settle import ReportSettler

    dispatcher = Dispatcher(svc.tickets, svc.org, svc.policy, svc.calendar, svc.clock)
    return ReportSettler(svc.outages, svc.tickets, dispatcher, svc.policy, svc.calendar, svc.clock)
