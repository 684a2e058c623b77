"""Staff self-service: who am I, and am I on duty."""

from __future__ import annotations

from datetime import datetime, timedelta

from chalicelib.bootstrap import Services
from chalicelib.domain.assignment import on_duty
from chalicelib.domain.commands import StaffProfile
from chalicelib.domain.errors import Unauthorized, ValidationFailed
from chalicelib.domain.org import Staff

MAX_OFFSET = timedelta(hours=14)  # real UTC offsets run from -12:00 to +14:00
MAX_OFF_DUTY = timedelta(days=366)


def _staff(svc: Services, staff_id: str) -> Staff:
    staff = svc.org.staff(staff_id)
    if staff is None:
        raise Unauthorized("账号状态已变化，请重新登录", code="staff_changed")
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


def set_duty(svc: Services, staff_id: str, on_duty: bool, until: str | None) -> StaffProfile:
    _staff(svc, staff_id)
    until_at: datetime | None = None
    if until is not None:
        try:
            until_at = datetime.fromisoformat(until)
        except ValueError:
            raise ValidationFailed(fields={"until": "应为带时区的 ISO 8601 时间"}) from None
        offset = until_at.utcoffset()
        if offset is None or abs(offset) > MAX_OFFSET:
            raise ValidationFailed(fields={"until": "应为带时区的 ISO 8601 时间"})
        if until_at <= svc.clock():
            raise ValidationFailed(fields={"until": "应晚于当前时间"})
        if until_at > svc.clock() + MAX_OFF_DUTY:
            raise ValidationFailed(fields={"until": f"最长 {MAX_OFF_DUTY.days} 天以内"})
    svc.org.set_duty(staff_id, on_duty, until_at)
    return staff_me(svc, staff_id)
