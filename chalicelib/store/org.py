"""OrgStore: the topology (branches … staff). Small and read-mostly, so reads go through a
short-TTL in-memory cache; duty changes write through and drop the cached staff member."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from chalicelib.domain.org import (
    Grid,
    MutualAidGroup,
    Role,
    Staff,
    Station,
    TransformerArea,
)
from chalicelib.store.org_items import OrgEntity, from_item, key_of, to_item


class OrgStore(Protocol):
    def transformer_area(self, ta_id: str) -> TransformerArea | None: ...
    def grid(self, grid_id: str) -> Grid | None: ...
    def station(self, station_id: str) -> Station | None: ...
    def staff(self, staff_id: str) -> Staff | None: ...
    def staff_by_phone(self, phone: str) -> Staff | None: ...
    def group(self, group_id: str) -> MutualAidGroup | None: ...
    def members(self, group_id: str) -> list[Staff]:
        """The mutual-aid group's staff, in the group's order (unknown ids left out)."""
        ...

    def station_chief(self, station_id: str) -> Staff | None: ...
    def branch_officer(self, branch_id: str) -> Staff | None: ...
    def set_duty(self, staff_id: str, on_duty: bool, until: datetime | None) -> Staff: ...
    def put_all(self, entities: Iterable[OrgEntity]) -> None:
        """Upsert; state only Yunge keeps (a grid's customer_count) survives."""
        ...

    def all_of(self, kind: str) -> list[OrgEntity]:
        """Every entity of a kind ("grid", "ta", "staff", …) in the bureau."""
        ...

    def customer_counts(self, grid_ids: Iterable[str]) -> dict[str, int]:
        """The grids' customer counts (a grid without one: absent)."""
        ...

    def set_customer_counts(self, counts: Mapping[str, int]) -> None:
        """Set grids' customer counts (grids that do not exist are left out)."""
        ...


class _LookupsByKey:
    """The typed getters, over one `_get(kind, id)` each store implements."""

    def _get(self, kind: str, entity_id: str) -> Any:
        raise NotImplementedError

    def transformer_area(self, ta_id: str) -> TransformerArea | None:
        return self._get("ta", ta_id)

    def grid(self, grid_id: str) -> Grid | None:
        return self._get("grid", grid_id)

    def station(self, station_id: str) -> Station | None:
        return self._get("station", station_id)

    def staff(self, staff_id: str) -> Staff | None:
        return self._get("staff", staff_id)

    def group(self, group_id: str) -> MutualAidGroup | None:
        return self._get("group", group_id)

    def members(self, group_id: str) -> list[Staff]:
        group = self.group(group_id)
        found = (self.staff(m) for m in (group.member_ids if group else ()))
        return [m for m in found if m is not None]


class InMemoryOrgStore(_LookupsByKey):
    def __init__(self, entities: Iterable[OrgEntity] = ()) -> None:
        self.items: dict[str, OrgEntity] = {}
        self.counts: dict[str, int] = {}  # grid id -> customer_count
        self.put_all(entities)

    def _get(self, kind: str, entity_id: str) -> Any:
        return self.items.get(f"{kind}#{entity_id}")

    def staff_by_phone(self, phone: str) -> Staff | None:
        return next(
            (e for e in self.items.values() if isinstance(e, Staff) and e.phone == phone), None
        )

    def station_chief(self, station_id: str) -> Staff | None:
        return self._first_staff(Role.CHIEF, station_id=station_id)

    def branch_officer(self, branch_id: str) -> Staff | None:
        return self._first_staff(Role.BRANCH, branch_id=branch_id)

    def _first_staff(self, role: Role, **where: str) -> Staff | None:
        found = sorted(
            (
                e
                for e in self.items.values()
                if isinstance(e, Staff)
                and e.role is role
                and all(getattr(e, k) == v for k, v in where.items())
            ),
            key=lambda e: e.staff_id,
        )
        return found[0] if found else None

    def set_duty(self, staff_id: str, on_duty: bool, until: datetime | None) -> Staff:
        member = self.staff(staff_id)
        if member is None:
            raise KeyError(staff_id)
        updated = replace(member, on_duty=on_duty, duty_until=until)
        self.items[key_of(updated)] = updated
        return updated

    def put_all(self, entities: Iterable[OrgEntity]) -> None:
        for entity in entities:
            self.items[key_of(entity)] = entity

    def all_of(self, kind: str) -> list[OrgEntity]:
        prefix = f"{kind}#"
        return [e for k, e in sorted(self.items.items()) if k.startswith(prefix)]

    def customer_counts(self, grid_ids: Iterable[str]) -> dict[str, int]:
        return {g: self.counts[g] for g in grid_ids if g in self.counts}

    def set_customer_counts(self, counts: Mapping[str, int]) -> None:
        self.counts.update({g: n for g, n in counts.items() if f"grid#{g}" in self.items})


class CachedOrgStore:
    """Read-through cache in front of any OrgStore (per Lambda container)."""

    def __init__(
        self, inner: OrgStore, clock: Callable[[], datetime], ttl: timedelta = timedelta(seconds=30)
    ) -> None:
        self.inner = inner
        self.clock = clock
        self.ttl = ttl
        self._cache: dict[tuple[str, str], tuple[datetime, Any]] = {}

    def _cached(self, kind: str, key: str, load: Callable[[str], Any]) -> Any:
        now = self.clock()
        hit = self._cache.get((kind, key))
        if hit and now - hit[0] < self.ttl:
            return hit[1]
        value = load(key)
        if value is not None:
            self._cache[(kind, key)] = (now, value)
        return value

    def transformer_area(self, ta_id: str) -> TransformerArea | None:
        return self._cached("ta", ta_id, self.inner.transformer_area)

    def grid(self, grid_id: str) -> Grid | None:
        return self._cached("grid", grid_id, self.inner.grid)

    def station(self, station_id: str) -> Station | None:
        return self._cached("station", station_id, self.inner.station)

    def staff(self, staff_id: str) -> Staff | None:
        return self._cached("staff", staff_id, self.inner.staff)

    def group(self, group_id: str) -> MutualAidGroup | None:
        return self._cached("group", group_id, self.inner.group)

    def members(self, group_id: str) -> list[Staff]:
        return self._cached("members", group_id, self.inner.members)

    def staff_by_phone(self, phone: str) -> Staff | None:
        return self.inner.staff_by_phone(phone)

    def station_chief(self, station_id: str) -> Staff | None:
        return self._cached("chief", station_id, self.inner.station_chief)

    def branch_officer(self, branch_id: str) -> Staff | None:
        return self._cached("branch_officer", branch_id, self.inner.branch_officer)

    def set_duty(self, staff_id: str, on_duty: bool, until: datetime | None) -> Staff:
        updated = self.inner.set_duty(staff_id, on_duty, until)
        self._cache[("staff", staff_id)] = (self.clock(), updated)
        for (kind, group_id), (at, members) in list(self._cache.items()):
            if kind == "members" and any(m.staff_id == staff_id for m in members):
                swapped = [updated if m.staff_id == staff_id else m for m in members]
                self._cache[(kind, group_id)] = (at, swapped)
        return updated

    def put_all(self, entities: Iterable[OrgEntity]) -> None:
        self.inner.put_all(entities)
        self._cache.clear()

    def all_of(self, kind: str) -> list[OrgEntity]:
        return self.inner.all_of(kind)

    def customer_counts(self, grid_ids: Iterable[str]) -> dict[str, int]:
        return self.inner.customer_counts(grid_ids)

    def set_customer_counts(self, counts: Mapping[str, int]) -> None:
        self.inner.set_customer_counts(counts)


class DynamoOrgStore(_LookupsByKey):
    def __init__(self, bureau: str, hash_phone: Callable[[str], str]) -> None:
        self.bureau = bureau
        self.hash_phone = hash_phone  # keyed: see chalicelib/auth/keys.py

    def _get(self, kind: str, entity_id: str) -> Any:
        from pynamodb.exceptions import DoesNotExist

        from chalicelib.store.models import OrgModel

        try:
            return from_item(OrgModel.get(f"{kind}#{entity_id}"))
        except DoesNotExist:
            return None

    def members(self, group_id: str) -> list[Staff]:
        """The group (GetItem), then all its staff in one BatchGetItem."""
        from chalicelib.store.models import OrgModel

        group = self.group(group_id)
        if group is None or not group.member_ids:
            return []
        found: dict[str, Staff] = {}
        for item in OrgModel.batch_get([f"staff#{m}" for m in dict.fromkeys(group.member_ids)]):
            staff = from_item(item)
            if isinstance(staff, Staff):
                found[staff.staff_id] = staff
        return [found[m] for m in group.member_ids if m in found]

    def staff_by_phone(self, phone: str) -> Staff | None:
        from chalicelib.store.models import OrgModel

        for item in OrgModel.by_phone.query(self.hash_phone(phone), limit=1):
            found = from_item(item)
            return found if isinstance(found, Staff) else None
        return None

    def station_chief(self, station_id: str) -> Staff | None:
        from chalicelib.store.models import OrgModel

        return self._first_staff(Role.CHIEF, OrgModel.station_id == station_id)

    def branch_officer(self, branch_id: str) -> Staff | None:
        from chalicelib.store.models import OrgModel

        return self._first_staff(Role.BRANCH, OrgModel.branch_id == branch_id)

    def _first_staff(self, role: Role, where: Any) -> Staff | None:
        """One Query of the bureau's staff partition (hundreds of items), cached above."""
        from chalicelib.store.models import OrgModel

        condition = (OrgModel.role == role.value) & where
        for item in OrgModel.by_kind.query(f"{self.bureau}#staff", filter_condition=condition):
            found = from_item(item)
            return found if isinstance(found, Staff) else None
        return None

    def set_duty(self, staff_id: str, on_duty: bool, until: datetime | None) -> Staff:
        from chalicelib.store.models import OrgModel

        item = OrgModel(f"staff#{staff_id}")
        item.update(
            actions=[
                OrgModel.on_duty.set(on_duty),
                OrgModel.duty_until.set(until.isoformat())
                if until
                else OrgModel.duty_until.remove(),
            ],
            condition=OrgModel.pk.exists(),
        )
        updated = from_item(item)
        assert isinstance(updated, Staff)
        return updated

    def put_all(self, entities: Iterable[OrgEntity]) -> None:
        """BatchWriteItem replaces whole items, so a grid's customer_count (kept by Yunge,
        not by any import) is read first (one BatchGetItem per 100 grids) and carried over."""
        from chalicelib.store.models import OrgModel

        pending = list(entities)
        grids = [key_of(e) for e in pending if isinstance(e, Grid)]
        counts: dict[str, Any] = {}
        if grids:
            for found in OrgModel.batch_get(grids, attributes_to_get=["pk", "customer_count"]):
                if found.customer_count is not None:
                    counts[found.pk] = found.customer_count
        with OrgModel.batch_write() as batch:
            for entity in pending:
                item = to_item(entity, self.bureau, self.hash_phone)
                if item.pk in counts:
                    item.customer_count = counts[item.pk]
                batch.save(item)

    def all_of(self, kind: str) -> list[OrgEntity]:
        from chalicelib.store.models import OrgModel

        return [from_item(item) for item in OrgModel.by_kind.query(f"{self.bureau}#{kind}")]

    def customer_counts(self, grid_ids: Iterable[str]) -> dict[str, int]:
        """One BatchGetItem per 100 grids, projecting the count only."""
        from chalicelib.store.models import OrgModel

        keys = [f"grid#{g}" for g in dict.fromkeys(grid_ids)]
        found = OrgModel.batch_get(keys, attributes_to_get=["pk", "customer_count"]) if keys else []
        return {
            item.pk.split("#", 1)[1]: int(item.customer_count)
            for item in found
            if item.customer_count is not None
        }

    def set_customer_counts(self, counts: Mapping[str, int]) -> None:
        """One UpdateItem SET per grid: setting a value, so doing it twice is harmless."""
        from pynamodb.exceptions import UpdateError

        from chalicelib.store.models import OrgModel

        for grid_id, count in sorted(counts.items()):
            item = OrgModel(f"grid#{grid_id}")
            try:
                item.update(
                    actions=[OrgModel.customer_count.set(count)], condition=OrgModel.pk.exists()
                )
            except UpdateError as error:
                if error.cause_response_code != "ConditionalCheckFailedException":
                    raise
