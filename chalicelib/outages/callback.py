"""The restoration callback: 30 minutes after `restored`, those who reported get
"供电已恢复？回复1已恢复，回复2仍停电" (outages/notices.py). A reply comes back either as an
SMS reply (mobile-originated: the provider's push, POST /v1/sms/replies/{token}, parsed by
notify/replies.py, then `on_sms_replies`) or as a mini-program action (`answer`). "1" is
recorded on the outage's timeline; "2" opens a new single-account fault ticket linked to the
outage — dispatched with its own clocks — once per (outage, account), whichever channel and
however often: a later "2" finds the ticket on the timeline, and a racing one the same
Idempotency-Key (the pair) with the same request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.domain.actors import CUSTOMER
from chalicelib.domain.commands import NewTicket
from chalicelib.domain.details import FaultDetails
from chalicelib.domain.errors import Conflict, DomainError, NotFound, ValidationFailed
from chalicelib.domain.outage_vocabulary import OutageAction, OutageState
from chalicelib.domain.outages import CALLBACK_REPLIES, Outage, with_event
from chalicelib.domain.phone import same_number
from chalicelib.domain.tickets import Ticket, TicketType
from chalicelib.notify.log import LogQuery, NotificationLog
from chalicelib.notify.templates import TemplateKey
from chalicelib.observability import logger
from chalicelib.store.outages import OutageStore, StaleOutage
from chalicelib.store.tickets import TicketStore

if TYPE_CHECKING:
    from chalicelib.notify.replies import SmsReply

Submit = Callable[[str, NewTicket, str], Ticket]  # (owner_id, request, idempotency key)


@dataclass
class CallbackDesk:
    outages: OutageStore
    tickets: TicketStore
    log: NotificationLog
    submit: Submit
    hash_phone: Callable[[str], str]
    clock: Callable[[], datetime]

    def answer(
        self,
        outage_id: str,
        account_no: str,
        reply: str,
        owner_id: str | None = None,
        phone: str | None = None,
    ) -> Ticket | None:
        """The ticket a "2" opens (the same one when repeated), None for a "1"."""
        if reply not in CALLBACK_REPLIES:
            raise ValidationFailed(fields={"reply": "请回复1或2"})
        outage = self.outages.get(outage_id)
        if outage is None or account_no not in outage.account_nos:
            raise NotFound("未找到该停电事件", code="outage_not_found")
        if outage.state is not OutageState.RESTORED:
            raise Conflict("停电事件尚未恢复供电", code="bad_state")
        reported = self._reported(outage, account_no)
        ticket = None
        if reply == "2":
            ticket = self._opened(outage, account_no) or self._open(
                outage_id, account_no, reported, owner_id, phone
            )
        self._record(outage, account_no, reply, ticket)
        return ticket

    def on_sms_reply(self, phone: str, text: str) -> Ticket | None:
        """A mobile-originated SMS: matched to the latest callback sent to that phone."""
        reply = text.strip()[:1]
        if reply not in CALLBACK_REPLIES:
            logger.info("sms reply ignored: not 1 or 2")
            return None
        page = self.log.query(LogQuery(by="recipient", key=self.hash_phone(phone), limit=50))
        asked = next(
            (r for r in page.items if r.template_key == TemplateKey.OUTAGE_CALLBACK_CUSTOMER),
            None,
        )
        if asked is None:
            logger.info("sms reply ignored: no callback was sent to this phone")
            return None
        outage_id, _, account_no = asked.business_key.split("#", 2)
        return self.answer(outage_id, account_no, reply, phone=phone)

    def on_sms_replies(self, replies: Iterable[SmsReply]) -> int:
        """One push of the SMS provider: each reply answered as `on_sms_reply` does. A reply
        that can never be taken (the outage moved on, a reply already answered otherwise) is
        logged and skipped, so the provider does not push it again; a store failure raises
        and the provider pushes the whole batch again, which answers nothing twice.
        Returns how many tickets the replies opened or found."""
        tickets = 0
        for reply in replies:
            if not reply.phone:
                logger.info("sms reply %s ignored: not from a mainland mobile", reply.message_id)
                continue
            try:
                ticket = self.on_sms_reply(reply.phone, reply.text)
            except DomainError as error:
                logger.info("sms reply %s not taken: %s", reply.message_id, error.code)
                continue
            tickets += ticket is not None
        return tickets

    def _opened(self, outage: Outage, account_no: str) -> Ticket | None:
        """The ticket an earlier "2" for this account opened, by whichever channel."""
        ticket_id = next(
            (
                e.data["ticket_id"]
                for e in outage.timeline
                if e.action == OutageAction.CALLBACK_REPLY
                and e.data.get("account_no") == account_no
                and "ticket_id" in e.data
            ),
            None,
        )
        return self.tickets.get(str(ticket_id)) if ticket_id else None

    def _open(
        self,
        outage_id: str,
        account_no: str,
        reported: Ticket | None,
        owner_id: str | None,
        phone: str | None,
    ) -> Ticket:
        """One ticket per (outage, account): the request is the same whichever channel asks
        (the reporter's contact phone as stored, the SMS reply's national number being the
        same), so a repeat finds the first through its Idempotency-Key."""
        contact = reported.contact_phone if reported else ""
        if phone and not same_number(phone, contact):
            contact = phone
        request = NewTicket(
            type=TicketType.FAULT_REPAIR,
            account_no=account_no,
            description=f"复电回访：客户回复仍停电（停电事件{outage_id}）",
            contact_phone=contact,
            details=FaultDetails(scope="household"),
        )
        owner = owner_id or (reported.owner_id if reported else "")
        return self.submit(owner, request, f"outage-callback#{outage_id}#{account_no}")

    def _reported(self, outage: Outage, account_no: str) -> Ticket | None:
        for ticket_id in sorted(outage.ticket_ids):
            ticket = self.tickets.get(ticket_id)
            if ticket is not None and ticket.account_no == account_no:
                return ticket
        return None

    def _record(self, outage: Outage, account_no: str, reply: str, ticket: Ticket | None) -> None:
        already = any(
            e.action == OutageAction.CALLBACK_REPLY and e.data.get("account_no") == account_no
            for e in outage.timeline
        )
        if already:
            return
        now = self.clock()
        number = ticket.number if ticket else ""
        note = "客户回复已恢复" if reply == "1" else f"客户回复仍停电，新建工单{number}"
        replied = with_event(
            outage,
            OutageAction.CALLBACK_REPLY,
            now=now,
            note=note,
            actor=CUSTOMER,
            data={"account_no": account_no, "reply": CALLBACK_REPLIES[reply]}
            | ({"ticket_id": ticket.ticket_id} if ticket else {}),
        )
        try:
            self.outages.commit(outage, replied)
        except StaleOutage:  # the reply and its ticket stand; only the note is lost
            logger.info("outage %s changed while recording a callback reply", outage.outage_id)


def callback_desk(svc: Any) -> CallbackDesk:
    from chalicelib.usecases.intake import submit_ticket

    def submit(owner_id: str, request: NewTicket, key: str) -> Ticket:
        ticket, _ = submit_ticket(svc, owner_id, request, key)
        return ticket

    return CallbackDesk(
        svc.outages, svc.tickets, svc.notifications, submit, svc.phone_key.hash_phone, svc.clock
    )


def on_sms_reply(phone: str, text: str) -> Ticket | None:
    """The SMS provider adapter's mobile-originated hook (the local stack's fake calls it)."""
    from chalicelib.bootstrap import services

    return callback_desk(services()).on_sms_reply(phone, text)
