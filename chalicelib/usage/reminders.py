"""Balance reminders (余额/欠费提醒): after a bill load, each account whose bill left
arrears or a settlement balance under the threshold gets one SMS per bill period.

The SMS goes through the notification outbox with the business key
`usage#<account>#<period>#balance_reminder`, so a re-delivered or corrected bill file, a
second reason, or a retry after a crash never sends a second one, and the SMS log and
provider rules hold as for ticket SMS. An account with no phone on file is skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from chalicelib.dispatch.messages import Outgoing, Recipient
from chalicelib.dispatch.outbox import DeliveryReport
from chalicelib.domain.dates import SHANGHAI
from chalicelib.domain.org import Customer
from chalicelib.domain.usage import MonthlyBill, reminder_due, reminder_key
from chalicelib.notify.templates import TemplateKey


@dataclass
class BalanceReminders:
    customers: Callable[[Iterable[str]], dict[str, Customer]]  # CustomerStore.get_many
    deliver: Callable[[Sequence[Outgoing]], DeliveryReport]  # Outbox.deliver
    threshold_yuan: float
    clock: Callable[[], datetime]

    def due(self, bill: MonthlyBill) -> bool:
        today = self.clock().astimezone(SHANGHAI).date()
        return reminder_due(bill, self.threshold_yuan, today) is not None

    def send(self, bills: Sequence[MonthlyBill]) -> list[str]:
        """SMS the holders of `bills` (already found due); the business keys sent now."""
        people = self.customers(b.account_no for b in bills)
        messages = [
            message(b, phone)
            for b in bills
            if (phone := getattr(people.get(b.account_no), "phone", None))
        ]
        return self.deliver(messages).sent if messages else []


def message(bill: MonthlyBill, phone: str) -> Outgoing:
    as_of = bill.as_of.astimezone(SHANGHAI)
    return Outgoing(
        business_key=reminder_key(bill),
        ticket_id=f"usage#{bill.account_no}",  # the SMS log's subject: the account
        recipient=Recipient.CUSTOMER,
        phone=phone,
        template=TemplateKey.BALANCE_REMINDER,
        params={
            "account_tail": bill.account_no[-4:],
            "balance": f"{bill.settlement_balance_yuan:.2f}",
            "arrears": f"{bill.arrears_yuan:.2f}",
            "as_of": f"{as_of.month}月{as_of.day}日",
        },
    )
