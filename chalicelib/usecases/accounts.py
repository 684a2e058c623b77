"""Customer accounts (户号): binding and the grid-manager card (网格经理公示牌)."""

from __future__ import annotations

from chalicelib.bootstrap import Services
from chalicelib.domain.commands import AccountCard
from chalicelib.domain.errors import NotFound, RateLimited
from chalicelib.domain.org import Customer


def _same_name(given: str, recorded: str) -> bool:
    return "".join(given.split()) == "".join(recorded.split())


BIND_ATTEMPTS_PER_HOUR = 10  # a household binds a few accounts; guessing names takes many


def bind_account(svc: Services, openid: str, account_no: str, holder_name: str) -> AccountCard:
    now = int(svc.clock().timestamp())
    wait = svc.counters.hit(f"rl#bind#{openid}", now, 3600, BIND_ATTEMPTS_PER_HOUR)
    if wait is not None:
        raise RateLimited("绑定尝试过于频繁，请稍后再试", retry_after=wait)
    customer = svc.customers.get(account_no.strip())
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
