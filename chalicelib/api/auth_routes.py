"""/v1/auth/*: customer login with a wx.login code, staff login with an SMS code."""

from __future__ import annotations

import msgspec
from chalice.app import Blueprint, Response

from chalicelib.api.docs import doc
from chalicelib.api.http import ANY_CONTENT, decode, endpoint, respond, source_ip
from chalicelib.bootstrap import services
from chalicelib.domain.org import Role

auth_api = Blueprint(__name__)


class WeChatLogin(msgspec.Struct):
    code: str


class OtpRequest(msgspec.Struct):
    phone: str


class StaffLogin(msgspec.Struct):
    phone: str
    code: str
    device: bool = False  # a device session of up to 30 days (the work page on a phone)


class TokenOut(msgspec.Struct):
    token: str
    expires_in: int
    role: Role


class StaffTokenOut(TokenOut):
    staff_id: str


class OtpSent(msgspec.Struct):
    status: str = "sent"


@auth_api.route("/v1/auth/wechat", methods=["POST"], content_types=ANY_CONTENT)
@endpoint
@doc(
    "客户微信登录（wx.login 的 code 换取令牌）",
    body=WeChatLogin,
    response=TokenOut,
    errors=(401, 503),
    auth=False,
)
def wechat_login() -> Response:
    body = decode(auth_api.current_request, WeChatLogin)
    svc = services()
    openid = svc.wechat.openid_for(body.code)
    token, expires_in = svc.tokens.issue(openid, Role.CUSTOMER, svc.settings.customer_token_ttl)
    return respond(TokenOut(token=token, expires_in=expires_in, role=Role.CUSTOMER))


@auth_api.route("/v1/auth/staff/otp", methods=["POST"], content_types=ANY_CONTENT)
@endpoint
@doc(
    "员工短信验证码（未登记的手机号同样返回 202，但不发短信）",
    body=OtpRequest,
    response=OtpSent,
    status=202,
    errors=(429,),
    auth=False,
)
def staff_otp() -> Response:
    request = auth_api.current_request
    body = decode(request, OtpRequest)
    services().otp.request_code(body.phone, source_ip(request))
    return respond(OtpSent(), status=202)


@auth_api.route("/v1/auth/staff/token", methods=["POST"], content_types=ANY_CONTENT)
@endpoint
@doc(
    "员工以验证码换取令牌",
    body=StaffLogin,
    response=StaffTokenOut,
    errors=(401, 429),
    auth=False,
)
def staff_token() -> Response:
    body = decode(auth_api.current_request, StaffLogin)
    svc = services()
    from chalicelib.auth.sessions import staff_token as issue_staff_token

    staff = svc.otp.verify(body.phone, body.code)
    token, expires_in = issue_staff_token(
        svc.tokens, staff, device=body.device, ttl_seconds=svc.settings.staff_token_ttl
    )
    return respond(
        StaffTokenOut(token=token, expires_in=expires_in, role=staff.role, staff_id=staff.staff_id)
    )
