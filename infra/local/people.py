"""Invented people for the demo district: names, mobile numbers, customers and addresses.

Pure and deterministic: everything is drawn from the `random.Random` it is given.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from chalicelib.domain.org import Customer
from infra.local import names as n

_SURNAME_WEIGHTS = [1.0 / (rank + 6) for rank in range(len(n.SURNAMES))]


@dataclass(frozen=True, slots=True)
class Site:
    """Where a transformer area's customers live: a compound (城区) or a village (农村)."""

    ta_id: str
    locality: str  # street (街道) or town (镇)
    place: str  # compound or village name
    rural: bool


class PersonMaker:
    """Chinese person names and mainland mobile numbers, unique where they must be."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._phones: set[str] = set()

    def name(self) -> str:
        rng = self._rng
        while True:
            surname = rng.choices(n.SURNAMES, weights=_SURNAME_WEIGHTS)[0]
            if rng.random() < 0.62:
                given = rng.choice(n.GIVEN_FIRST) + rng.choice(n.GIVEN_SECOND)
            else:
                given = rng.choice(n.GIVEN_SINGLE)
            if surname + given not in n.FORBIDDEN_NAMES:
                return surname + given

    def unique_names(self, count: int) -> list[str]:
        seen: list[str] = []
        while len(seen) < count:
            candidate = self.name()
            if candidate not in seen:
                seen.append(candidate)
        return seen

    def mobile(self) -> str:
        while True:
            number = self._rng.choice(n.MOBILE_PREFIXES) + f"{self._rng.randrange(10**8):08d}"
            if number not in self._phones:
                self._phones.add(number)
                return number


def allocate(total: int, weights: list[float], rng: random.Random) -> list[int]:
    """Split `total` into integer shares proportional to `weights` (largest remainder,
    ties broken by the rng so the result does not favour the first items)."""
    scale = total / sum(weights)
    exact = [w * scale for w in weights]
    shares = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (exact[i] - shares[i], rng.random()))
    for i in reversed(order[len(order) - (total - sum(shares)) :]):
        shares[i] += 1
    return shares


def make_customers(
    sites: list[Site], weights: list[float], total: int, rng: random.Random
) -> tuple[Customer, ...]:
    people = PersonMaker(rng)
    counts = allocate(total, weights, rng)
    numbers = sorted(rng.sample(range(10**6), total))
    important = set(rng.sample(range(total), max(3, total // 200)))
    ordinary = [i for i in range(total) if i not in important]
    special = set(rng.sample(ordinary, max(3, total * 15 // 1000)))
    addresses = _AddressMaker(rng)
    customers: list[Customer] = []
    for site, count in zip(sites, counts, strict=True):
        for _ in range(count):
            i = len(customers)
            if i in important:
                holder, address = addresses.institution(site)
            else:
                holder, address = people.name(), addresses.home(site)
            customers.append(
                Customer(
                    account_no=f"0601{numbers[i]:06d}",
                    holder_name=holder,
                    address=address,
                    ta_id=site.ta_id,
                    important=i in important,
                    special=i in special,
                )
            )
    return tuple(customers)


class _AddressMaker:
    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: set[str] = set()
        self._kind = 0

    def _fresh(self, build: str) -> bool:
        if build in self._used:
            return False
        self._used.add(build)
        return True

    def home(self, site: Site) -> str:
        rng = self._rng
        while True:
            if site.rural:
                group = n.GROUP_NUMERALS[rng.randrange(8)]
                address = f"{n.DISTRICT}{site.locality}{site.place}{group}组{rng.randint(1, 160)}号"
            else:
                floors = 6 if len(site.place) % 2 else 18
                address = (
                    f"{n.DISTRICT}{site.locality}{site.place}{rng.randint(1, 24)}号楼"
                    f"{rng.randint(1, 4)}单元{rng.randint(1, floors)}{rng.randint(1, 4):02d}"
                )
            if self._fresh(address):
                return address

    def institution(self, site: Site) -> tuple[str, str]:
        rng = self._rng
        kind = n.IMPORTANT_KINDS[self._kind % len(n.IMPORTANT_KINDS)]
        self._kind += 1
        short = site.locality.removesuffix("街道").removesuffix("镇")
        for prefix in (short, site.place, *n.ROADS):
            name = f"{n.DISTRICT}{prefix}{kind}"
            if self._fresh(name):
                break
        while True:
            address = f"{n.DISTRICT}{site.locality}{rng.choice(n.ROADS)}{rng.randint(1, 300)}号"
            if self._fresh(address):
                return name, address
