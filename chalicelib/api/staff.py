"""Staff self-service: profile and duty status."""

from __future__ import annotations

from chalice import Blueprint
from chalice.app import Response

from chalicelib.api.docs import doc
from chalicelib.api.http import caller, decode, endpoint, moment, respond
from chalicelib.api.present import staff_me_out
from chalicelib.api.schemas import (
    DutyBoard,
    DutyGroupOut,
    PeerList,
    PeerOut,
    SetDuty,
    StaffMe,
)
from chalicelib.bootstrap import services
from chalicelib.domain.org import STAFF_ROLES, Role
from chalicelib.usecases.scope import scope_of

from .guard import protected

# The staff use cases and the duty rules they apply load on their first request, not with
# `import app` (bench/bench_coldstart.py).

staff_api = Blueprint(__name__)


@staff_api.route("/v1/staff/me", methods=["GET"], **protected())
@endpoint
@doc("我的账号、负责网格与值班状态", response=StaffMe, errors=(403,))
def me() -> Response:
    from chalicelib.usecases.staff import staff_me

    svc = services()
    who = scope_of(svc, caller(staff_api.current_request), *STAFF_ROLES)
    return respond(staff_me_out(staff_me(svc, who.subject)))


@staff_api.route("/v1/staff/me/duty", methods=["PUT"], **protected())
@endpoint
@doc("设置值班状态（离岗期间新工单转互助组）", body=SetDuty, response=StaffMe, errors=(403,))
def duty() -> Response:
    from chalicelib.usecases.staff import set_duty

    request = staff_api.current_request
    svc = services()
    who = scope_of(svc, caller(request), *STAFF_ROLES)
    body = decode(request, SetDuty)
    until = moment(body.until, "until") if body.until is not None else None
    return respond(staff_me_out(set_duty(svc, who.subject, body.on_duty, until)))


@staff_api.route("/v1/staff/me/peers", methods=["GET"], **protected())
@endpoint
@doc("我所在互助组的其他成员及其值班状态（转派对象）", response=PeerList, errors=(403,))
def peers() -> Response:
    from chalicelib.usecases.staff import mutual_aid_peers

    svc = services()
    who = scope_of(svc, caller(staff_api.current_request), *STAFF_ROLES)
    items = [PeerOut(s.staff_id, s.name, ready) for s, ready in mutual_aid_peers(svc, who.subject)]
    return respond(PeerList(items=items))


@staff_api.route("/v1/staff/me/session", methods=["DELETE"], **protected())
@endpoint
@doc("退出登录：结束本设备的登录会话", status=204, errors=(401,))
def logout() -> Response:
    from chalicelib.auth.sessions import end_session

    request = staff_api.current_request
    svc = services()
    who = caller(request)
    scope_of(svc, who, *STAFF_ROLES)
    end_session(svc.sessions, who.session_id, svc.clock())
    return Response(body="", status_code=204)


@staff_api.route("/v1/staff/duty", methods=["GET"], **protected())
@endpoint
@doc(
    "值班表：各供电所、各互助组的在岗与休息人员（运营、管理员全局；所长、分局限本辖区）",
    response=DutyBoard,
    errors=(403,),
)
def duty_roster() -> Response:
    from chalicelib.usecases.staff import duty_board

    svc = services()
    roles = (Role.OPS, Role.ADMIN, Role.CHIEF, Role.BRANCH)
    scope = scope_of(svc, caller(staff_api.current_request), *roles)
    items = [
        DutyGroupOut(
            station_id=g.station.station_id,
            station_name=g.station.name,
            group_id=g.group.group_id,
            group_name=g.group.name,
            members=[PeerOut(m.staff_id, m.name, ready) for m, ready in g.members],
        )
        for g in duty_board(svc, scope)
    ]
    return respond(DutyBoard(items=items))
