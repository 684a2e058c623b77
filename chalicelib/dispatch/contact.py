"""SMS to a contact phone the customer typed: the bureau must not become a free SMS gateway.

A number that is the account's phone on record goes through as before. Any other number gets
at most 3 SMS a day (domain/limits.py), counted per number across all tickets and callers;
beyond that the SMS is skipped — logged masked and counted in the `ContactSmsCapped` metric —
and the ticket carries on (the manager still calls the customer). A message already in the
notification log passes untouched, so a redelivered stream record is not counted twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from chalicelib.dispatch.messages import Outgoing
from chalicelib.dispatch.outbox import MetricSink
from chalicelib.domain.limits import CONTACT_SMS_PER_DAY
from chalicelib.domain.notices import Recipient
from chalicelib.domain.phone import mask
from chalicelib.notify.log import NotificationLog
from chalicelib.observability import logger
from chalicelib.store.otp import OtpStore


@dataclass
class ContactSmsCap:
    counters: OtpStore
    log: NotificationLog
    metrics: MetricSink
    hash_phone: Callable[[str], str]
    clock: Callable[[], datetime]

    def admit(self, messages: Sequence[Outgoing], on_record: bool) -> list[Outgoing]:
        """The messages that may go out; `on_record`: the contact is the account's phone."""
        if on_record:
            return list(messages)
        return [m for m in messages if self._allowed(m)]

    def _allowed(self, message: Outgoing) -> bool:
        if message.recipient is not Recipient.CUSTOMER:
            return True
        if self.log.get(message.business_key) is not None:
            return True  # counted when first claimed; the outbox decides about a retry
        limit = CONTACT_SMS_PER_DAY
        now = int(self.clock().timestamp())
        key = limit.key(self.hash_phone(message.phone))
        if self.counters.hit(key, now, limit.window, limit.count) is None:
            return True
        self.metrics.add_metric(name="ContactSmsCapped", unit="Count", value=1)
        logger.warning(
            "contact SMS skipped: daily cap for a number not on record",
            extra={"to": mask(message.phone), "ticket_id": message.ticket_id},
        )
        return False
