"""Customer accounts (户号): binding and the grid-manager card (网格经理公示牌)."""

from __future__ import annotations

from chalicelib.bootstrap import Services
from chalicelib.domain.commands import AccountCard
from chalicelib.domain.errors import NotFound
from chalicelib.domain.limits import BIND_PER_ACCOUNT, BIND_PER_OPENID
from chalicelib.domain.org import Customer
from chalicelib.usecases.limits import enforce


def _same_name(given: str, recorded: str) -> bool:
    return "".join(given.split()) == "".join(recorded.split())


TOO_MANY_BINDS = "绑定尝试过于频繁，请稍后再试"


def bind_account(svc: Services, openid: str, account_no: str, holder_name: str) -> AccountCard:
    now = int(svc.clock().timestamp())
    account_no = account_no.strip()
    enforce(svc.counters, BIND_PER_OPENID, openid, now, TOO_MANY_BINDS)
    enforce(svc.counters, BIND_PER_ACCOUNT, account_no, now, TOO_MANY_BINDS)
    customer = svc.customers.get(account_no)
    if customer is None or not _same_name(holder_name, customer.holder_name):
        # one answer for "unknown" and "wrong name": nothing to enumerate
        raise NotFound("户号或户主姓名不正确", code="account_not_found")
    svc.customers.bind(openid, customer.account_no, svc.clock())
    return account_card(svc, customer)


def my_accounts(svc: Services, openid: str) -> list[AccountCard]:
    return [account_card(svc, c) for c in svc.customers.accounts_of(openid)]


def account_card(svc: Services, customer: Customer) -> AccountCard:
    area = svc.org.transformer_area(customer.ta_id)
    grid = svc.org.grid(area.grid_id) if area else None
    manager = svc.org.staff(grid.manager_id) if grid else None
    return AccountCard(customer, grid, manager)
