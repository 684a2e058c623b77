"""The organisation a bureau serves through: branches, stations, grids, transformer areas,
staff and mutual-aid groups, plus the customers located in it. Plain values, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class AreaClass(StrEnum):
    URBAN = "urban"  # 城区
    RURAL = "rural"  # 农村
    REMOTE = "remote"  # 特殊边远


class Role(StrEnum):
    CUSTOMER = "customer"
    MANAGER = "manager"  # 网格经理
    CHIEF = "chief"  # 供电所/营业站负责人
    BRANCH = "branch"  # 分局值班
    OPS = "ops"
    ADMIN = "admin"


STAFF_ROLES = frozenset(Role) - {Role.CUSTOMER}


@dataclass(frozen=True, slots=True)
class Branch:
    branch_id: str
    name: str


@dataclass(frozen=True, slots=True)
class Station:
    station_id: str
    name: str
    branch_id: str


@dataclass(frozen=True, slots=True)
class Grid:
    grid_id: str
    name: str
    station_id: str
    branch_id: str
    area_class: AreaClass
    manager_id: str
    mutual_aid_group_id: str


@dataclass(frozen=True, slots=True)
class TransformerArea:
    ta_id: str
    name: str
    grid_id: str
    station_id: str
    branch_id: str
    line_id: str = ""  # the 10 kV feeder (所属线路); empty when not imported


@dataclass(frozen=True, slots=True)
class MutualAidGroup:
    group_id: str
    name: str
    station_id: str
    member_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Staff:
    staff_id: str
    name: str
    phone: str
    role: Role
    branch_id: str | None = None
    station_id: str | None = None
    grid_ids: tuple[str, ...] = ()
    mutual_aid_group_id: str | None = None
    on_duty: bool = True
    duty_until: datetime | None = None


@dataclass(frozen=True, slots=True)
class Customer:
    account_no: str
    holder_name: str
    address: str
    ta_id: str
    important: bool = False
    special: bool = False
    phone: str = ""  # from the customer import (手机号); empty when not known


@dataclass(frozen=True, slots=True)
class Scope:
    """What a caller may see: resolved on the server from the staff record, never the token."""

    role: Role
    subject: str  # openid for customers, staff_id for staff
    grid_ids: frozenset[str] = field(default_factory=frozenset)
    station_id: str | None = None
    branch_id: str | None = None

    @property
    def bureau_wide(self) -> bool:
        return self.role in (Role.OPS, Role.ADMIN)

    def covers(self, *, grid_id: str, station_id: str, branch_id: str) -> bool:
        if self.bureau_wide:
            return True
        if self.role is Role.BRANCH:
            return branch_id == self.branch_id
        if self.role is Role.CHIEF:
            return station_id == self.station_id
        if self.role is Role.MANAGER:
            return grid_id in self.grid_ids
        return False
