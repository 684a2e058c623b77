"""Exactly-once SMS: claim in the notification log, send, record the outcome.

Per SMS, first delivery: PutItem (claim, conditional) → provider send → UpdateItem (sent):
two DynamoDB calls and one provider call. A duplicate finds the claim (one GetItem more) and
sends nothing unless the claim is still `pending` from a transient failure, in which case it
takes the next attempt (conditional on the attempt count it saw) and sends again.

Outcomes: sent → `sent` + provider message id. TransientSmsError → stays `pending` with the
error; the caller fails the stream record so Lambda redelivers it. PermanentSmsError, or a
transient failure on the last allowed attempt → parked: `failed`, `failed_bureau` set (the
admin list), metric `SmsFailed`; never tried again. A customer SMS whose premise no longer
holds when its turn comes (`Outgoing.still_true` against the ticket as it is now: "please
confirm" after the customer confirmed, "your manager is …" after a reassignment) is logged
`superseded` and never sent — terminal, like `sent`, so exactly-once still holds.

The one window left: a crash between the provider accepting and the `sent` update leaves
`pending`, and the retry sends again — the price of having no provider-side idempotency key.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from chalicelib.dispatch.messages import Outgoing
from chalicelib.domain.phone import mask
from chalicelib.domain.tickets import Ticket
from chalicelib.notify.log import NotificationLog, NotificationRecord, redacted
from chalicelib.notify.sender import PermanentSmsError, SmsError, SmsSender, TransientSmsError
from chalicelib.notify.status import SmsStatus
from chalicelib.notify.templates import render
from chalicelib.observability import logger

MAX_ATTEMPTS = 5


class RetryLater(Exception):
    """Some SMS failed transiently: fail the stream record so Lambda redelivers it."""


class MetricSink(Protocol):
    def add_metric(self, name: str, unit: str, value: float) -> None: ...


@dataclass
class DeliveryReport:
    sent: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # already sent, parked, or in flight
    superseded: list[str] = field(default_factory=list)  # stale by the time of sending
    retryable: list[str] = field(default_factory=list)
    parked: list[str] = field(default_factory=list)


@dataclass
class Outbox:
    log: NotificationLog
    sender: SmsSender
    metrics: MetricSink
    signature: str
    bureau: str
    clock: Callable[[], datetime]
    hash_phone: Callable[[str], str]  # keyed: see chalicelib/auth/keys.py
    max_attempts: int = MAX_ATTEMPTS
    current: Callable[[str], Ticket | None] | None = None  # the ticket now, by id

    def deliver(self, messages: Sequence[Outgoing]) -> DeliveryReport:
        """Every message gets its chance; raises RetryLater afterwards if any may succeed
        on a redelivery."""
        report = DeliveryReport()
        for message in messages:
            self._one(message, report)
        if report.retryable:
            raise RetryLater(", ".join(report.retryable))
        return report

    def _one(self, message: Outgoing, report: DeliveryReport) -> None:
        sms = render(message.template, message.params, self.signature)
        record = NotificationRecord(
            business_key=message.business_key,
            ticket_id=message.ticket_id,
            recipient_role=message.recipient.value,
            recipient_masked=mask(message.phone),
            recipient_hash=self.hash_phone(message.phone),
            template_id=sms.template_id,
            template_key=sms.key,
            created_at=self.clock(),
            params=redacted(sms.params),
        )
        key = record.business_key
        existing = self.log.claim(record)
        attempt = 1
        if existing is not None:
            if existing.status is not SmsStatus.PENDING:
                report.skipped.append(key)
                return
            if existing.attempts >= self.max_attempts:
                self._park(key, f"gave up after {existing.attempts} attempts", report)
                return
            if not self.log.take_attempt(key, existing.attempts):
                report.skipped.append(key)
                return
            attempt = existing.attempts + 1
        if self._stale(message):
            self.log.mark_superseded(key, "superseded: the ticket moved on before sending")
            report.superseded.append(key)
            logger.info("sms %s superseded: the ticket moved on", key)
            return
        try:
            message_id = self.sender.send(message.phone, sms)
        except TransientSmsError as error:
            if attempt >= self.max_attempts:
                self._park(key, f"gave up after {attempt} attempts: {_describe(error)}", report)
            else:
                self.log.mark_retryable(key, _describe(error))
                report.retryable.append(key)
                logger.warning("sms %s will be retried (attempt %d): %s", key, attempt, error)
            return
        except PermanentSmsError as error:
            self._park(key, _describe(error), report)
            return
        self.log.mark_sent(key, message_id, self.clock())
        report.sent.append(key)

    def _stale(self, message: Outgoing) -> bool:
        premise, current = message.still_true, self.current
        return (
            premise is not None
            and current is not None
            and not premise.holds(current(message.ticket_id))
        )

    def _park(self, key: str, error: str, report: DeliveryReport) -> None:
        self.log.mark_failed(key, error, self.bureau)
        self.metrics.add_metric(name="SmsFailed", unit="Count", value=1)
        report.parked.append(key)
        logger.error("sms %s parked as failed: %s", key, error)


def _describe(error: SmsError) -> str:
    return f"{error.code or type(error).__name__}: {error}"
