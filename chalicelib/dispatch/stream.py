"""The `ticket_stream` handler: INSERT → an outage's report, a first report held for its
neighbours (outages/clustering.py; the sla_watchdog dispatches it when the hold ends) or a
dispatch; a change of status, assignee or escalation level → the SMS it calls for, each
exactly once (dispatch/outbox.py).

Powertools `BatchProcessor` with partial batch responses: a record that raises — malformed,
or an SMS to retry — is named in `batchItemFailures` and nothing else is. Every side effect is
idempotent on a business key, so the records Lambda redelivers after it are harmless.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)

from chalicelib.dispatch.contact import ContactSmsCap
from chalicelib.dispatch.dispatcher import Dispatcher
from chalicelib.dispatch.messages import People, compose
from chalicelib.dispatch.outbox import Outbox, RetryLater
from chalicelib.domain.notices import Change, Recipient, changes, recipients
from chalicelib.domain.phone import same_number
from chalicelib.domain.tickets import Ticket
from chalicelib.observability import logger, metrics
from chalicelib.store.customers import CustomerStore
from chalicelib.store.org import OrgStore
from chalicelib.store.ticket_items import ticket_from_image

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
        DynamoDBRecord,
    )
    from chalice.app import DynamoDBEvent

    from chalicelib.bootstrap import Services
    from chalicelib.outages.clustering import OutageClustering


def outbox_of(svc: Services) -> Outbox:
    return Outbox(
        log=svc.notifications,
        sender=svc.sms,
        metrics=metrics,
        signature=svc.settings.sms_signature,
        bureau=svc.settings.bureau,
        clock=svc.clock,
        hash_phone=svc.phone_key.hash_phone,
        current=svc.tickets.get,
    )


@dataclass
class TicketStreamProcessor:
    dispatcher: Dispatcher
    outbox: Outbox
    org: OrgStore
    customers: CustomerStore
    contact_cap: ContactSmsCap
    auto_close: timedelta
    clustering: OutageClustering | None = None

    @classmethod
    def from_services(cls, svc: Services) -> TicketStreamProcessor:
        dispatcher = Dispatcher(svc.tickets, svc.org, svc.policy, svc.calendar, svc.clock)
        outbox = outbox_of(svc)
        from chalicelib.outages.clustering import OutageClustering
        from chalicelib.outages.notices import notifier_of

        clustering = OutageClustering(
            outages=svc.outages,
            tickets=svc.tickets,
            customers=svc.customers,
            org=svc.org,
            policy=svc.policy,
            calendar=svc.calendar,
            outbox=outbox,
            notifier=notifier_of(svc, outbox),
            choose=dispatcher.choose,
            clock=svc.clock,
        )
        cap = ContactSmsCap(
            svc.counters, svc.notifications, metrics, svc.phone_key.hash_phone, svc.clock
        )
        auto_close = svc.policy.callback_auto_close
        return cls(dispatcher, outbox, svc.org, svc.customers, cap, auto_close, clustering)

    def prepare(self, records: list[dict[str, Any]]) -> None:
        """Let the batch's new fault reports meet before any is dispatched alone. Best
        effort: a record that cannot be read here fails (or succeeds) in `handle`."""
        if self.clustering is None:
            return
        tickets = []
        for record in records:
            if record.get("eventName") != "INSERT":
                continue
            try:
                tickets.append(ticket_from_image(record["dynamodb"]["NewImage"]))
            except Exception:  # a poison record fails alone, in `handle`
                logger.warning("stream pre-pass: record %s unreadable", record.get("eventID"))
        try:
            self.clustering.prepare(tickets)
        except Exception:  # each record is still handled (and retried) on its own
            logger.warning("stream batch: clustering pre-pass skipped", exc_info=True)

    def handle(self, record: dict[str, Any]) -> None:
        name, images = record["eventName"], record["dynamodb"]
        if name == "INSERT":
            ticket = ticket_from_image(images["NewImage"])
            if self.clustering is None or self.clustering.on_report(ticket) is None:
                self.dispatcher.dispatch(replace(ticket, outage_id=None))
        elif name == "MODIFY":
            self.notify(
                ticket_from_image(images["OldImage"]), ticket_from_image(images["NewImage"])
            )

    def notify(self, old: Ticket, new: Ticket) -> None:
        found = changes(old, new)
        if found:
            people = self.people(old, new, found)
            messages = compose(old, new, found, people, self.auto_close)
            self.outbox.deliver(self.contact_cap.admit(messages, people.contact_on_record))

    def people(self, old: Ticket, new: Ticket, found: list[Change]) -> People:
        org, told = self.org, recipients(old, new, found)
        moved = old.assignee_id and old.assignee_id != new.assignee_id
        return People(
            assignee=org.staff(new.assignee_id) if new.assignee_id else None,
            previous=org.staff(old.assignee_id) if moved and old.assignee_id else None,
            chief=org.station_chief(new.station_id) if Recipient.CHIEF in told else None,
            branch_officer=org.branch_officer(new.branch_id) if Recipient.BRANCH in told else None,
            contact_on_record=Recipient.CUSTOMER in told and self.on_record(new),
        )

    def on_record(self, ticket: Ticket) -> bool:
        """The contact phone is the phone on record for the (bound) account: one GetItem."""
        customer = self.customers.get(ticket.account_no) if ticket.account_no else None
        # on record as 13812345678, a contact phone is stored as +8613812345678 (E.164)
        return customer is not None and same_number(customer.phone, ticket.contact_phone)


def handle_ticket_stream(event: dict[str, Any], context: Any, svc: Services | None = None) -> Any:
    """The Lambda entry point in raw form: (event, context) → {"batchItemFailures": [...]}."""
    if svc is None:
        from chalicelib.bootstrap import services

        svc = services()
    processor = TicketStreamProcessor.from_services(svc)
    processor.prepare(list(event.get("Records", [])))

    def record_handler(record: DynamoDBRecord) -> None:
        raw = record.raw_event
        try:
            processor.handle(raw)
        except RetryLater as retry:
            logger.warning("stream record %s: SMS to retry (%s)", raw.get("eventID"), retry)
            raise
        except Exception:
            logger.exception("stream record %s failed", raw.get("eventID"))
            raise

    batch = BatchProcessor(
        event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False
    )
    try:
        return process_partial_response(
            event=event, record_handler=record_handler, processor=batch, context=context
        )
    finally:
        if metrics.metric_set:
            metrics.flush_metrics()


def on_ticket_stream(event: DynamoDBEvent) -> Any:
    """Chalice's one-argument handler (app.py registers it as `ticket_stream`)."""
    return handle_ticket_stream(event.to_dict(), event.context)
