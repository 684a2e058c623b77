"""CustomerStore: 户号 records and the WeChat users bound to them.

The import's bulk paths (put_customers, get_many: a bureau's 346,000 customers) speak
DynamoDB's wire format on pynamodb's own client, one BatchWriteItem per 25 and one
BatchGetItem per 100, with no model object per row; the request paths use the model."""

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
        found = self.get_many(numbers)
        return [found[n] for n in numbers if n in found]

    def put_customers(self, customers: Iterable[Customer]) -> None:
        from chalicelib.store.batch import put_items

        client, table = _low_level()
        put_items(client, table, map(customer_item, customers))

    def get_many(self, account_nos: Iterable[str]) -> dict[str, Customer]:
        from chalicelib.store.batch import get_items

        client, table = _low_level()
        keys = ({"account_no": {"S": n}, "sk": _PROFILE} for n in dict.fromkeys(account_nos))
        found = (_from_item(item) for item in get_items(client, table, keys))
        return {c.account_no: c for c in found}

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


_PROFILE = {"S": PROFILE}


def _low_level() -> tuple[Any, str]:
    """pynamodb's own botocore client for the table as bound (its settings, its endpoint)
    and the table's name: the import's bulk paths speak DynamoDB's wire format directly."""
    from chalicelib.store.models import CustomerModel

    return CustomerModel._get_connection().connection.client, str(CustomerModel.Meta.table_name)


def customer_item(c: Customer) -> dict[str, Any]:
    """A customer's profile item in DynamoDB's wire format (no phone: no attribute)."""
    item = {
        "account_no": {"S": c.account_no},
        "sk": _PROFILE,
        "holder_name": {"S": c.holder_name},
        "address": {"S": c.address},
        "ta_id": {"S": c.ta_id},
        "important": {"BOOL": c.important},
        "special": {"BOOL": c.special},
    }
    if c.phone:
        item["phone"] = {"S": c.phone}
    return item


def _from_item(item: dict[str, Any]) -> Customer:
    def text(name: str) -> str:
        value = item.get(name)
        return str(value["S"]) if value else ""

    def flag(name: str) -> bool:
        value = item.get(name)
        return bool(value and value.get("BOOL"))

    return Customer(
        account_no=text("account_no"),
        holder_name=text("holder_name"),
        address=text("address"),
        ta_id=text("ta_id"),
        important=flag("important"),
        special=flag("special"),
        phone=text("phone"),
    )
