"""Staff self-service: who am I, and am I on duty."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.bootstrap import Services
from chalicelib.domain.assignment import on_duty
from chalicelib.domain.commands import StaffProfile
from chalicelib.domain.errors import StaffChanged, ValidationFailed
from chalicelib.domain.org import MutualAidGroup, Scope, Staff, Station


@dataclass(frozen=True, slots=True)
class DutyGroup:
    station: Station
    group: MutualAidGroup
    members: tuple[tuple[Staff, bool], ...]  # (member, on duty now)


MAX_OFF_DUTY = timedelta(days=366)


def _staff(svc: Services, staff_id: str) -> Staff:
    staff = svc.org.staff(staff_id)
    if staff is None:
        raise StaffChanged()
    return staff


def staff_me(svc: Services, staff_id: str) -> StaffProfile:
    staff = _staff(svc, staff_id)
    grids = (svc.org.grid(gid) for gid in staff.grid_ids)
    return StaffProfile(staff, tuple(g for g in grids if g is not None))


def mutual_aid_peers(svc: Services, staff_id: str) -> list[tuple[Staff, bool]]:
    """The other members of my mutual-aid group (互助组), each with whether they are on duty
    now: whom a manager may transfer a ticket to."""
    me = _staff(svc, staff_id)
    if not me.mutual_aid_group_id:
        return []
    now = svc.clock()
    members = svc.org.members(me.mutual_aid_group_id)
    return [(m, on_duty(m, now)) for m in members if m.staff_id != me.staff_id]


def duty_board(svc: Services, scope: Scope) -> list[DutyGroup]:
    """Who is on or off duty in each mutual-aid group of the caller's scope, by station.
    Three reads of the org by kind, whatever the size of the bureau's duty roster."""
    stations = {s.station_id: s for s in svc.org.all_of("station") if isinstance(s, Station)}
    people = {s.staff_id: s for s in svc.org.all_of("staff") if isinstance(s, Staff)}
    now = svc.clock()
    board = []
    for group in svc.org.all_of("group"):
        if not isinstance(group, MutualAidGroup) or group.station_id not in stations:
            continue
        station = stations[group.station_id]
        where = {"station_id": station.station_id, "branch_id": station.branch_id}
        if not scope.covers(grid_id="", **where):
            continue
        members = [people[m] for m in group.member_ids if m in people]
        board.append(DutyGroup(station, group, tuple((m, on_duty(m, now)) for m in members)))
    return sorted(board, key=lambda g: (g.station.station_id, g.group.group_id))


def set_duty(svc: Services, staff_id: str, on_duty: bool, until: datetime | None) -> StaffProfile:
    """On or off duty, until `until` (then it flips back) or until changed."""
    _staff(svc, staff_id)
    if until is not None:
        if until <= svc.clock():
            raise ValidationFailed(fields={"until": "应晚于当前时间"})
        if until > svc.clock() + MAX_OFF_DUTY:
            raise ValidationFailed(fields={"until": f"最长 {MAX_OFF_DUTY.days} 天以内"})
    svc.org.set_duty(staff_id, on_duty, until)
    return staff_me(svc, staff_id)
