"""Org entities ⇄ their pynamodb items: one item kind per entity type, key "<kind>#<id>"."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from chalicelib.domain.org import (
    AreaClass,
    Branch,
    Grid,
    MutualAidGroup,
    Role,
    Staff,
    Station,
    TransformerArea,
)

OrgEntity = Branch | Station | Grid | TransformerArea | Staff | MutualAidGroup
_KINDS: dict[type, tuple[str, str]] = {
    Branch: ("branch", "branch_id"),
    Station: ("station", "station_id"),
    Grid: ("grid", "grid_id"),
    TransformerArea: ("ta", "ta_id"),
    Staff: ("staff", "staff_id"),
    MutualAidGroup: ("group", "group_id"),
}


def key_of(entity: OrgEntity) -> str:
    kind, id_field = _KINDS[type(entity)]
    return f"{kind}#{getattr(entity, id_field)}"


def to_item(entity: OrgEntity, bureau: str, hash_phone: Callable[[str], str]) -> Any:
    from chalicelib.store.models import OrgModel

    kind, _ = _KINDS[type(entity)]
    item = OrgModel(key_of(entity), kind=kind, bureau_kind=f"{bureau}#{kind}", name=entity.name)
    if isinstance(entity, Station):
        item.branch_id = entity.branch_id
    elif isinstance(entity, Grid):
        item.branch_id, item.station_id = entity.branch_id, entity.station_id
        item.area_class, item.manager_id = entity.area_class.value, entity.manager_id
        item.group_id = entity.mutual_aid_group_id
    elif isinstance(entity, TransformerArea):
        item.branch_id, item.station_id = entity.branch_id, entity.station_id
        item.grid_id, item.line_id = entity.grid_id, entity.line_id or None
    elif isinstance(entity, MutualAidGroup):
        item.station_id, item.member_ids = entity.station_id, list(entity.member_ids)  # type: ignore[arg-type]
    elif isinstance(entity, Staff):
        item.role, item.phone, item.phone_hash = (
            entity.role.value,
            entity.phone,
            hash_phone(entity.phone),
        )
        item.branch_id, item.station_id = entity.branch_id, entity.station_id
        item.grid_ids = list(entity.grid_ids)  # type: ignore[arg-type]
        item.group_id = entity.mutual_aid_group_id
        item.on_duty = entity.on_duty
        item.duty_until = entity.duty_until.isoformat() if entity.duty_until else None
    return item


def from_item(item: Any) -> OrgEntity:
    entity_id = item.pk.split("#", 1)[1]
    if item.kind == "branch":
        return Branch(entity_id, item.name)
    if item.kind == "station":
        return Station(entity_id, item.name, item.branch_id)
    if item.kind == "grid":
        return Grid(
            entity_id,
            item.name,
            item.station_id,
            item.branch_id,
            AreaClass(item.area_class),
            item.manager_id,
            item.group_id,
        )
    if item.kind == "ta":
        return TransformerArea(
            entity_id,
            item.name,
            item.grid_id,
            item.station_id,
            item.branch_id,
            line_id=item.line_id or "",
        )
    if item.kind == "group":
        return MutualAidGroup(entity_id, item.name, item.station_id, tuple(item.member_ids or ()))
    return Staff(
        staff_id=entity_id,
        name=item.name,
        phone=item.phone,
        role=Role(item.role),
        branch_id=item.branch_id,
        station_id=item.station_id,
        grid_ids=tuple(item.grid_ids or ()),
        mutual_aid_group_id=item.group_id,
        on_duty=bool(item.on_duty) if item.on_duty is not None else True,
        duty_until=datetime.fromisoformat(item.duty_until) if item.duty_until else None,
    )
