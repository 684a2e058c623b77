"""What the KPI engine knows about the organisation besides the tickets: names for the
groups, and each grid's place, area class, manager and customer count. Plain values.

Customer counts come from the org table's grid items (`customer_count`, kept by whatever
loads the customer register — the demo seeding in the local stack): one Query per kind per
report instead of counting 346,000 customer records. A grid without a count makes its
"per 1,000 customers" figure unknown (None), never a division by a guess."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from chalicelib.domain.org import Branch, Grid, Staff, Station, TransformerArea


@dataclass(frozen=True, slots=True)
class GridInfo:
    station_id: str
    branch_id: str
    area_class: str
    manager_id: str
    customers: int | None = None


@dataclass(frozen=True, slots=True)
class Reference:
    grids: Mapping[str, GridInfo] = field(default_factory=dict)
    names: Mapping[str, str] = field(default_factory=dict)  # "<kind>#<id>" → name

    def name(self, kind: str, entity_id: str) -> str:
        prefix = "staff" if kind == "manager" else kind
        return self.names.get(f"{prefix}#{entity_id}", entity_id)

    def area_class(self, grid_id: str, fallback: str = "") -> str:
        return fallback or (self.grids[grid_id].area_class if grid_id in self.grids else "")

    def members(self) -> Iterable[tuple[str, str]]:
        """(kind, id) of every branch, station, grid and grid manager of the reference."""
        for grid_id, grid in self.grids.items():
            yield "branch", grid.branch_id
            yield "station", grid.station_id
            yield "grid", grid_id
            yield "manager", grid.manager_id

    def customers(self) -> dict[tuple[str, str], int]:
        """Customers per (kind, id), summed over the grids that report a count."""
        totals: dict[tuple[str, str], int] = {}
        for grid_id, grid in self.grids.items():
            if grid.customers is None:
                continue
            for key in (
                ("bureau", ""),
                ("branch", grid.branch_id),
                ("station", grid.station_id),
                ("grid", grid_id),
                ("manager", grid.manager_id),
            ):
                totals[key] = totals.get(key, 0) + grid.customers
        return totals

    def within(self, grid_ids: Iterable[str]) -> Reference:
        keep = set(grid_ids)
        return Reference({g: i for g, i in self.grids.items() if g in keep}, self.names)


def reference_of(entities: Iterable[object], customers: Mapping[str, int]) -> Reference:
    """A Reference from org entities and customer counts per grid (tests, local tools)."""
    names: dict[str, str] = {}
    grids: dict[str, GridInfo] = {}
    for entity in entities:
        if isinstance(entity, Grid):
            names[f"grid#{entity.grid_id}"] = entity.name
            grids[entity.grid_id] = GridInfo(
                entity.station_id,
                entity.branch_id,
                entity.area_class.value,
                entity.manager_id,
                customers.get(entity.grid_id),
            )
        elif isinstance(entity, Branch):
            names[f"branch#{entity.branch_id}"] = entity.name
        elif isinstance(entity, Station):
            names[f"station#{entity.station_id}"] = entity.name
        elif isinstance(entity, TransformerArea):
            names[f"ta#{entity.ta_id}"] = entity.name
        elif isinstance(entity, Staff):
            names[f"staff#{entity.staff_id}"] = entity.name
    return Reference(grids, names)
