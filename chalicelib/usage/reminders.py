"""Balance reminders (余额/欠费提醒): after a bill load, each account whose bill left
arrears or a settlement balance under the threshold gets one SMS per bill period.

The SMS goes through the notification outbox with the business key
`usage#<account>#<period>#balance_reminder`, so a re-delivered or corrected bill file, a
second reason, or a retry after a crash never sends a second one, and the SMS log and
provider rules hold as for ticket SMS. An account with no phone on file is skipped.

A monthly bill file can call for tens of thousands of reminders: they go out in chunks on
a few threads (each SMS is independent: its own claim in the log), phones are read 100
accounts at a time, and a transient failure of some is raised only after all had their
chance, so the retry (the ledger is not written) sends just those.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from chalicelib.dispatch.messages import Outgoing, Recipient
from chalicelib.dispatch.outbox import DeliveryReport, RetryLater
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

    workers: int = 8
    chunk: int = 100

    def send(self, bills: Sequence[MonthlyBill]) -> list[str]:
        """SMS the holders of `bills` (already found due); the business keys sent now."""
        from concurrent.futures import ThreadPoolExecutor

        chunks = [bills[at : at + self.chunk] for at in range(0, len(bills), self.chunk)]
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            results = list(pool.map(self._send_chunk, chunks))
        failed = [key for _, retry in results for key in retry]
        if failed:
            raise RetryLater(", ".join(failed))
        return [key for sent, _ in results for key in sent]

    def _send_chunk(self, bills: Sequence[MonthlyBill]) -> tuple[list[str], list[str]]:
        people = self.customers(b.account_no for b in bills)
        messages = [
            message(b, phone)
            for b in bills
            if (phone := getattr(people.get(b.account_no), "phone", None))
        ]
        if not messages:
            return [], []
        try:
            return self.deliver(messages).sent, []
        except RetryLater as retry:
            return [], str(retry).split(", ")


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
