"""Who the caller is: the scope every request is checked against, looked up on the server.
Its own module so that the routes can name it without loading the ticket queries and their
store (they load on the first request that reads tickets)."""

from __future__ import annotations

from chalicelib.bootstrap import Services
from chalicelib.domain.commands import Caller
from chalicelib.domain.errors import Forbidden, StaffChanged, Unauthorized
from chalicelib.domain.org import Role, Scope


def scope_of(svc: Services, caller: Caller, *allowed: Role) -> Scope:
    """The caller's scope, looked up on the server (never trusted from the token). `allowed`
    limits roles by the stored staff record: a staff member demoted out of them gets 403,
    one removed from the store 401, one whose token names another role 401 (log in again)."""
    if caller.role is Role.CUSTOMER:
        if allowed and Role.CUSTOMER not in allowed:
            raise Forbidden()
        return Scope(role=Role.CUSTOMER, subject=caller.subject)
    staff = svc.org.staff(caller.subject)
    if staff is None:
        raise StaffChanged()
    if allowed and staff.role not in allowed:
        raise Forbidden()
    if staff.role is not caller.role:
        raise StaffChanged()
    if caller.phone_key is not None and caller.phone_key != svc.tokens.phone_key(staff.phone):
        raise Unauthorized("账号手机号已变更，请重新登录", code="staff_changed")
    if caller.session_id is not None and svc.sessions.ended(caller.session_id):
        raise Unauthorized("已退出登录，请重新登录", code="session_ended")
    return Scope(
        role=staff.role,
        subject=staff.staff_id,
        grid_ids=frozenset(staff.grid_ids),
        station_id=staff.station_id,
        branch_id=staff.branch_id,
    )
