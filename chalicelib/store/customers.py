"""CustomerStore: 户号 records and the WeChat users bound to them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any, Protocol

from chalicelib.domain.org import Customer

PROFILE = "profile"


def _binding(openid: str) -> str:
    return f"bind#{openid}"


class CustomerStore(Protocol):
    def get(self, account_no: str) -> Customer | None: ...
    def bound_customer(self, openid: str, account_no: str) -> Customer | None:
        """The customer if `openid` has bound `account_no`, else None (one read)."""
        ...

    def bind(self, openid: str, account_no: str, at: datetime) -> None: ...
    def accounts_of(self, openid: str) -> list[Customer]: ...
    def put_customers(self, customers: Iterable[Customer]) -> None: ...
    def get_many(self, account_nos: Iterable[str]) -> dict[str, Customer]:
        """The customers of those numbers that exist (one BatchGetItem per 100)."""
        ...

    def in_area(self, ta_id: str) -> list[Customer]:
        """The customers of one 台区, by 户号 (an outage's affected customers)."""
        ...

    def count_in_area(self, ta_id: str) -> int: ...
    def account_nos(self) -> Iterator[str]:
        """Every customer's 户号 (a dry run's report of those a file leaves out). A Scan:
        for the import Lambda, never on a request path."""
        ...


class InMemoryCustomerStore:
    def __init__(self, customers: Iterable[Customer] = ()) -> None:
        self.customers: dict[str, Customer] = {}
        self.bindings: dict[tuple[str, str], datetime] = {}
        self.put_customers(customers)

    def get(self, account_no: str) -> Customer | None:
        return self.customers.get(account_no)

    def bound_customer(self, openid: str, account_no: str) -> Customer | None:
        if (openid, account_no) not in self.bindings:
            return None
        return self.customers.get(account_no)

    def bind(self, openid: str, account_no: str, at: datetime) -> None:
        self.bindings.setdefault((openid, account_no), at)

    def accounts_of(self, openid: str) -> list[Customer]:
        numbers = sorted(acct for who, acct in self.bindings if who == openid)
        return [self.customers[n] for n in numbers if n in self.customers]

    def put_customers(self, customers: Iterable[Customer]) -> None:
        for customer in customers:
            self.customers[customer.account_no] = customer

    def get_many(self, account_nos: Iterable[str]) -> dict[str, Customer]:
        return {n: self.customers[n] for n in account_nos if n in self.customers}

    def in_area(self, ta_id: str) -> list[Customer]:
        return sorted(
            (c for c in self.customers.values() if c.ta_id == ta_id), key=lambda c: c.account_no
        )

    def count_in_area(self, ta_id: str) -> int:
        return len(self.in_area(ta_id))

    def account_nos(self) -> Iterator[str]:
        return iter(sorted(self.customers))


class DynamoCustomerStore:
    def get(self, account_no: str) -> Customer | None:
        from pynamodb.exceptions import DoesNotExist

        from chalicelib.store.models import CustomerModel

        try:
            return _customer(CustomerModel.get(account_no, PROFILE))
        except DoesNotExist:
            return None

    def bound_customer(self, openid: str, account_no: str) -> Customer | None:
        from chalicelib.store.models import CustomerModel

        items = {
            item.sk: item
            for item in CustomerModel.batch_get(
                [(account_no, PROFILE), (account_no, _binding(openid))]
            )
        }
        if PROFILE not in items or _binding(openid) not in items:
            return None
        return _customer(items[PROFILE])

    def bind(self, openid: str, account_no: str, at: datetime) -> None:
        from chalicelib.store.models import CustomerModel

        item = CustomerModel(account_no, _binding(openid), openid=openid, bound_at=at.isoformat())
        item.save()  # binding twice is harmless: same key, same meaning

    def accounts_of(self, openid: str) -> list[Customer]:
        from chalicelib.store.models import CustomerModel

        numbers = [b.account_no for b in CustomerModel.by_openid.query(openid)]
        if not numbers:
            return []
        found = {c.account_no: c for c in CustomerModel.batch_get([(n, PROFILE) for n in numbers])}
        return [_customer(found[n]) for n in numbers if n in found]

    def put_customers(self, customers: Iterable[Customer]) -> None:
        from chalicelib.store.models import CustomerModel

        with CustomerModel.batch_write() as batch:
            for c in customers:
                batch.save(
                    CustomerModel(
                        c.account_no,
                        PROFILE,
                        holder_name=c.holder_name,
                        address=c.address,
                        ta_id=c.ta_id,
                        important=c.important,
                        special=c.special,
                        phone=c.phone or None,
                    )
                )

    def get_many(self, account_nos: Iterable[str]) -> dict[str, Customer]:
        from chalicelib.store.models import CustomerModel

        keys = [(n, PROFILE) for n in dict.fromkeys(account_nos)]
        return {item.account_no: _customer(item) for item in CustomerModel.batch_get(keys)}

    def in_area(self, ta_id: str) -> list[Customer]:
        from chalicelib.store.models import CustomerModel

        return [_customer(item) for item in CustomerModel.by_ta.query(ta_id)]

    def count_in_area(self, ta_id: str) -> int:
        from chalicelib.store.models import CustomerModel

        return int(CustomerModel.by_ta.count(ta_id))

    def account_nos(self) -> Iterator[str]:
        from chalicelib.store.models import CustomerModel

        profiles = CustomerModel.scan(
            filter_condition=CustomerModel.sk == PROFILE, attributes_to_get=["account_no"]
        )
        return (item.account_no for item in profiles)


def _customer(item: Any) -> Customer:
    return Customer(
        account_no=item.account_no,
        holder_name=item.holder_name,
        address=item.address,
        ta_id=item.ta_id,
        important=bool(item.important),
        special=bool(item.special),
        phone=item.phone or "",
    )
