"""A deterministic demo district modelled on 临河 (Linhe): 1 branch, 4 stations, 92 grids,
300+ transformer areas, 46 grid managers in mutual-aid groups, and thousands of customers.

Pure: `generate(customer_count, seed)` draws everything from one seeded `random.Random`,
so two runs give equal districts. The names are invented (see names.py).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from chalicelib.domain.org import (
    AreaClass,
    Branch,
    Customer,
    Grid,
    MutualAidGroup,
    Role,
    Staff,
    Station,
    TransformerArea,
)
from infra.local import names as n
from infra.local.people import PersonMaker, make_customers
from infra.local.places import BRANCH_ID, transformer_areas

DEFAULT_SEED = 2021
OrgEntity = Branch | Station | Grid | TransformerArea | MutualAidGroup | Staff

U, R, X = AreaClass.URBAN, AreaClass.RURAL, AreaClass.REMOTE
# station name, urban streets, rural towns, grids (urban, rural, remote), managers
_PLANS = (
    ("新华供电所", ("新华街道", "解放街道", "车站街道"), (), (24, 0, 0), 12),
    ("铁南营业站", ("铁南街道", "汇丰街道", "团结街道"), (), (24, 0, 0), 12),
    ("北环供电所", ("北环街道", "西环街道", "曙光街道"), ("城关镇",), (18, 4, 0), 11),
    ("干召庙供电所", (), ("干召庙镇", "狼山镇", "乌兰图克镇", "双河镇"), (0, 17, 5), 11),
)


@dataclass(frozen=True, slots=True)
class DemoDistrict:
    branches: tuple[Branch, ...]
    stations: tuple[Station, ...]
    grids: tuple[Grid, ...]
    transformer_areas: tuple[TransformerArea, ...]
    mutual_aid_groups: tuple[MutualAidGroup, ...]
    staff: tuple[Staff, ...]
    customers: tuple[Customer, ...]

    def org_entities(self) -> tuple[OrgEntity, ...]:
        """Everything the org store holds (all but the customers)."""
        return (
            *self.branches,
            *self.stations,
            *self.grids,
            *self.transformer_areas,
            *self.mutual_aid_groups,
            *self.staff,
        )


def group_sizes(members: int) -> list[int]:
    """Split a station's managers into mutual-aid groups of 3-5, as even as possible."""
    count = max(1, -(-members // 4))
    sizes = [members // count + (1 if i < members % count else 0) for i in range(count)]
    if not all(3 <= s <= 5 for s in sizes):
        raise ValueError(f"cannot split {members} managers into groups of 3-5")
    return sizes


def _assign_grids(rng: random.Random, grid_ids: list[str], managers: int) -> list[list[str]]:
    """Two grids each, then move a grid between a couple of pairs so some hold 1 or 3."""
    if len(grid_ids) != 2 * managers:
        raise ValueError("plan two grids per manager before reshuffling")
    per = [grid_ids[2 * i : 2 * i + 2] for i in range(managers)]
    for giver, taker in (rng.sample(range(managers), 2) for _ in range(2)):
        if len(per[giver]) == 2 and len(per[taker]) == 2:
            per[taker].append(per[giver].pop())
    return per


def generate(customer_count: int = 5000, seed: int = DEFAULT_SEED) -> DemoDistrict:
    rng = random.Random(seed)
    build = _Builder(rng)
    for s_no, plan in enumerate(_PLANS, 1):
        build.station(s_no, *plan)
    build.overseers()
    tas, sites, weights = transformer_areas(rng, build.grid_sites)
    return DemoDistrict(
        branches=(Branch(BRANCH_ID, n.BRANCH_NAME),),
        stations=tuple(build.stations),
        grids=tuple(g for g, _ in build.grid_sites),
        transformer_areas=tuple(tas),
        mutual_aid_groups=tuple(build.groups),
        staff=tuple(build.staff),
        customers=make_customers(sites, weights, customer_count, rng),
    )


class _Builder:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.people = PersonMaker(rng)
        self.names = iter(self.people.unique_names(sum(p[4] for p in _PLANS) + len(_PLANS) + 3))
        self.stations: list[Station] = []
        self.groups: list[MutualAidGroup] = []
        self.staff: list[Staff] = []
        self.grid_sites: list[tuple[Grid, str]] = []

    def station(
        self,
        s_no: int,
        name: str,
        streets: tuple[str, ...],
        towns: tuple[str, ...],
        grid_counts: tuple[int, int, int],
        managers: int,
    ) -> None:
        station = Station(f"st-{s_no:02d}", name, BRANCH_ID)
        self.stations.append(station)
        classes = [c for c, k in zip((U, R, X), grid_counts, strict=True) for _ in range(k)]
        grid_ids = [f"g-{len(self.grid_sites) + i + 1:03d}" for i in range(len(classes))]
        first = sum(1 for s in self.staff if s.role is Role.MANAGER)
        manager_ids = [f"mgr-{first + i + 1:02d}" for i in range(managers)]
        owned = _assign_grids(self.rng, grid_ids, managers)
        group_of: dict[str, str] = {}
        start = 0
        for g_no, size in enumerate(group_sizes(managers), 1):
            group_id = f"mag-{len(self.groups) + 1:02d}"
            members = tuple(manager_ids[start : start + size])
            self.groups.append(
                MutualAidGroup(group_id, f"{name}第{g_no}互助组", station.station_id, members)
            )
            group_of.update(dict.fromkeys(members, group_id))
            start += size
        manager_of = {g: m for m, gs in zip(manager_ids, owned, strict=True) for g in gs}
        for m_id, gs in zip(manager_ids, owned, strict=True):
            self._staff(m_id, Role.MANAGER, station.station_id, tuple(gs), group_of[m_id])
        seq: dict[str, int] = {}
        for i, (g_id, cls) in enumerate(zip(grid_ids, classes, strict=True)):
            loc = streets[i % len(streets)] if cls is U else towns[i % len(towns)]
            seq[loc] = seq.get(loc, 0) + 1
            m_id = manager_of[g_id]
            grid = Grid(
                g_id,
                f"{loc}第{seq[loc]}网格",
                station.station_id,
                BRANCH_ID,
                cls,
                m_id,
                group_of[m_id],
            )
            self.grid_sites.append((grid, loc))

    def overseers(self) -> None:
        for s_no, station in enumerate(self.stations, 1):
            self._staff(f"chief-{s_no:02d}", Role.CHIEF, station.station_id)
        self._staff("duty-01", Role.BRANCH)
        self._staff("ops-01", Role.OPS, branch=None)
        self._staff("admin-01", Role.ADMIN, branch=None)

    def _staff(
        self,
        staff_id: str,
        role: Role,
        station_id: str | None = None,
        grid_ids: tuple[str, ...] = (),
        group_id: str | None = None,
        branch: str | None = BRANCH_ID,
    ) -> None:
        name, phone = next(self.names), self.people.mobile()
        self.staff.append(
            Staff(staff_id, name, phone, role, branch, station_id, grid_ids, group_id)
        )
