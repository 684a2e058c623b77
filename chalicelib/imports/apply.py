"""Applying checked rows to the store, one chunk at a time: each kind's rows become org
entities or customers, compared with what the store holds (idempotent upsert), and only
the new or changed ones are written. State only Yunge keeps — duty status, a grid's
manager when a grids file is re-imported, group members — is carried over, never reset.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from chalicelib.domain.imports import Upsert, classify
from chalicelib.domain.org import (
    Branch,
    Customer,
    Grid,
    MutualAidGroup,
    Role,
    Staff,
    Station,
    TransformerArea,
)
from chalicelib.store.customers import CustomerStore
from chalicelib.store.org import OrgStore
from chalicelib.store.org_items import OrgEntity, key_of

from .columns import Kind
from .records import CustomerRow, GridRow, ImportRow, StaffRow, TransformerAreaRow


class Shapes(Protocol):
    """Where grid polygons live (one document, so the locate index is one read)."""

    def merge(self, geometries: dict[str, dict[str, Any]]) -> None: ...


@dataclass
class OrgSnapshot:
    """The org entities a chunk is compared with, loaded once per invocation."""

    org: OrgStore
    _kinds: dict[str, dict[str, OrgEntity]] = field(default_factory=dict)

    def of(self, kind: str) -> dict[str, OrgEntity]:
        if kind not in self._kinds:
            self._kinds[kind] = {key_of(e): e for e in self.org.all_of(kind)}
        return self._kinds[kind]

    def get(self, kind: str, entity_id: str) -> Any:
        return self.of(kind).get(f"{kind}#{entity_id}")

    def grid_of_area(self, ta_id: str) -> str:
        area: TransformerArea | None = self.get("ta", ta_id)
        return area.grid_id if area else ""

    def put(self, entities: Sequence[OrgEntity]) -> None:
        if not entities:
            return
        self.org.put_all(entities)
        for entity in entities:
            kind = key_of(entity).split("#", 1)[0]
            self.of(kind)[key_of(entity)] = entity


def _customer(row: CustomerRow) -> Customer:
    return Customer(
        account_no=row.account_no,
        holder_name=row.holder_name,
        address=row.address,
        ta_id=row.ta_id,
        important=row.important,
        special=row.special,
        phone=row.phone,
    )


@dataclass(frozen=True, slots=True)
class Applied:
    """A chunk applied: how it counts, and how each grid's customer count changes."""

    created: int
    updated: int
    unchanged: int
    counts: dict[str, int] = field(default_factory=dict)  # grid id -> change


def _applied(result: Upsert[Any], counts: dict[str, int] | None = None) -> Applied:
    return Applied(result.created, result.updated, result.unchanged, counts or {})


def apply_customers(
    customers: CustomerStore, rows: Sequence[CustomerRow], snapshot: OrgSnapshot
) -> Applied:
    """Upsert a chunk of customers. A new customer adds one to its 台区's grid's count, one
    whose 台区 changed moves from the old grid to the new; the caller keeps the changes with
    its checkpoint and writes them once, at the end."""
    incoming = [_customer(r) for r in rows]
    existing = customers.get_many(c.account_no for c in incoming)
    sorted_out = classify(incoming, existing, key=lambda c: c.account_no)
    deltas: Counter[str] = Counter()
    if sorted_out.writes:
        customers.put_customers(sorted_out.writes)
        for customer in sorted_out.writes:
            before = existing.get(customer.account_no)
            if before is not None and before.ta_id == customer.ta_id:
                continue
            deltas[snapshot.grid_of_area(customer.ta_id)] += 1
            if before is not None:
                deltas[snapshot.grid_of_area(before.ta_id)] -= 1
    return _applied(sorted_out, {g: d for g, d in deltas.items() if g and d})


def _area(row: TransformerAreaRow, snapshot: OrgSnapshot) -> TransformerArea:
    grid: Grid | None = snapshot.get("grid", row.grid_id)
    station_id = grid.station_id if grid else row.station_id
    branch_id = grid.branch_id if grid else ""
    return TransformerArea(row.ta_id, row.name, row.grid_id, station_id, branch_id)


def _grid(row: GridRow, snapshot: OrgSnapshot) -> Grid:
    before: Grid | None = snapshot.get("grid", row.grid_id)
    return Grid(
        grid_id=row.grid_id,
        name=row.name,
        station_id=row.station_id,
        branch_id=row.branch_id,
        area_class=row.area_class,
        manager_id=before.manager_id if before else "",  # set by the staff file
        mutual_aid_group_id=row.group_id or (before.mutual_aid_group_id if before else ""),
    )


def _staff(row: StaffRow, snapshot: OrgSnapshot) -> Staff:
    before: Staff | None = snapshot.get("staff", row.staff_id)
    grid: Grid | None = next(
        (g for g in (snapshot.get("grid", i) for i in row.grid_ids) if g), None
    )
    station_id = row.station_id or (grid.station_id if grid else "") or None
    station: Station | None = snapshot.get("station", station_id) if station_id else None
    branch_id = (station.branch_id if station else None) or (grid.branch_id if grid else None)
    return Staff(
        staff_id=row.staff_id,
        name=row.name,
        phone=row.phone,
        role=row.role,
        branch_id=branch_id,
        station_id=station_id,
        grid_ids=row.grid_ids,
        mutual_aid_group_id=row.group_id or None,
        on_duty=before.on_duty if before else True,  # duty lives only in Yunge
        duty_until=before.duty_until if before else None,
    )


def _places(grids: Sequence[Grid], snapshot: OrgSnapshot) -> list[OrgEntity]:
    """Stations, branches and groups a grids file names that the store lacks (named by id
    until a richer file names them)."""
    added: dict[str, OrgEntity] = {}
    for g in grids:
        if not snapshot.get("branch", g.branch_id):
            added.setdefault(f"branch#{g.branch_id}", Branch(g.branch_id, g.branch_id))
        if not snapshot.get("station", g.station_id):
            station = Station(g.station_id, g.station_id, g.branch_id)
            added.setdefault(f"station#{g.station_id}", station)
        group = g.mutual_aid_group_id
        if group and not snapshot.get("group", group):
            added.setdefault(f"group#{group}", MutualAidGroup(group, group, g.station_id, ()))
    return list(added.values())


def _assignments(people: Sequence[Staff], snapshot: OrgSnapshot) -> list[OrgEntity]:
    """A manager's grids name them as manager; a group lists its members once each."""
    changed: dict[str, OrgEntity] = {}
    for person in people:
        if person.role is Role.MANAGER:
            for grid_id in person.grid_ids:
                grid: Grid | None = snapshot.get("grid", grid_id)
                if grid and grid.manager_id != person.staff_id:
                    changed[key_of(grid)] = replace(grid, manager_id=person.staff_id)
        if person.mutual_aid_group_id:
            key = f"group#{person.mutual_aid_group_id}"
            group: MutualAidGroup | None = changed.get(key) or snapshot.get(  # type: ignore[assignment]
                "group", person.mutual_aid_group_id
            )
            if group is None:
                group = MutualAidGroup(key[6:], key[6:], person.station_id or "", ())
            if person.staff_id not in group.member_ids:
                changed[key] = replace(group, member_ids=(*group.member_ids, person.staff_id))
    return list(changed.values())


def _moves(
    areas: Sequence[TransformerArea], snapshot: OrgSnapshot, customers: CustomerStore
) -> dict[str, int]:
    """A 台区 moving to another grid takes its customers' count with it."""
    deltas: Counter[str] = Counter()
    for area in areas:
        before = snapshot.grid_of_area(area.ta_id)
        if before and before != area.grid_id:
            served = customers.count_in_area(area.ta_id)
            deltas[before] -= served
            deltas[area.grid_id] += served
    return {g: d for g, d in deltas.items() if d}


def apply_org(
    kind: Kind,
    rows: Sequence[ImportRow],
    snapshot: OrgSnapshot,
    shapes: Shapes | None,
    customers: CustomerStore,
) -> Applied:
    """A chunk of 台区, grids or staff rows upserted; supporting entities written alongside."""
    if kind is Kind.TRANSFORMER_AREAS:
        areas = [_area(r, snapshot) for r in rows if isinstance(r, TransformerAreaRow)]
        result: Upsert[Any] = classify(areas, snapshot.of("ta"), key=key_of)
        moved = _moves(result.writes, snapshot, customers)
        snapshot.put(result.writes)
        return _applied(result, moved)
    if kind is Kind.GRIDS:
        grid_rows = [r for r in rows if isinstance(r, GridRow)]
        grids = [_grid(r, snapshot) for r in grid_rows]
        result = classify(grids, snapshot.of("grid"), key=key_of)
        snapshot.put(_places(grids, snapshot) + list(result.writes))
        drawn = {r.grid_id: r.geometry for r in grid_rows if r.geometry}
        if drawn and shapes is not None:
            shapes.merge(drawn)
        return _applied(result)
    people = [_staff(r, snapshot) for r in rows if isinstance(r, StaffRow)]
    result = classify(people, snapshot.of("staff"), key=key_of)
    snapshot.put(list(result.writes))
    snapshot.put(_assignments(people, snapshot))
    return _applied(result)
