"""Who may read an account's usage, and the read itself.

A customer reads an account bound to them; anything else is 404, as for tickets (API.md:
do not reveal that the account exists). Staff read an account through a ticket in their
scope (`ticket_id`): the ticket must be one they may see and be about that account.
The data come back in one AWS call (UsageStore.read); a customer's binding check is one
more.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from chalicelib.domain.dates import SHANGHAI
from chalicelib.domain.errors import NotFound, ValidationFailed
from chalicelib.domain.org import Customer, Role, Scope
from chalicelib.domain.tariffs import Tariffs
from chalicelib.domain.tickets import Ticket
from chalicelib.domain.usage import UsageView, usage_view, window
from chalicelib.store.usage import UsageStore

NOT_FOUND = "户号不存在或未绑定"


@dataclass(frozen=True, slots=True)
class ReadUsage:
    """The command: whose usage, asked by whom (scope from the server), through which ticket."""

    account_no: str
    scope: Scope
    ticket_id: str | None = None


@dataclass
class UsageReader:
    usage: UsageStore
    bound_customer: Callable[[str, str], Customer | None]  # (openid, account_no)
    ticket: Callable[[str], Ticket | None]
    may_see: Callable[[Scope, Ticket], bool]
    tariffs: Tariffs
    clock: Callable[[], datetime]

    def read(self, command: ReadUsage) -> UsageView:
        self._check(command)
        return self.view(command.account_no)

    def view(self, account_no: str) -> UsageView:
        """The usage of `account_no` today (Asia/Shanghai); no access check."""
        today = self.today()
        bills, days = self.usage.read(account_no, window(today))
        return usage_view(account_no, today, bills, days, self.tariffs)

    def today(self) -> date:
        return self.clock().astimezone(SHANGHAI).date()

    def _check(self, command: ReadUsage) -> None:
        scope = command.scope
        if scope.role is Role.CUSTOMER:
            if self.bound_customer(scope.subject, command.account_no) is None:
                raise NotFound(NOT_FOUND, code="account_not_found")
            return
        if not command.ticket_id:
            raise ValidationFailed(fields={"ticket_id": "工作人员须通过所办工单查询用电信息"})
        found = self.ticket(command.ticket_id)
        if (
            found is None
            or found.account_no != command.account_no
            or not self.may_see(scope, found)
        ):
            raise NotFound(NOT_FOUND, code="account_not_found")
