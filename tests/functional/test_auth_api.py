"""/v1/auth/* through chalice.test.Client, with in-memory collaborators."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest
from chalice import Chalice
from chalice.test import Client

from chalicelib.auth.authorizer import denial, gateway_error, gateway_responses
from chalicelib.auth.otp import InMemoryOtpStore, OtpService
from chalicelib.auth.tokens import TokenService
from chalicelib.auth.wechat import FakeWeChatExchange
from chalicelib.bootstrap import Services, use
from chalicelib.config import Settings
from chalicelib.domain.errors import Unauthorized
from chalicelib.domain.org import Role, Staff
from chalicelib.notify.fakes import RecordingSmsSender
from tests.clock import Clock
from tests.keys import StaticKeys, phone_key

STAFF_PHONE = "13800001234"
UNKNOWN_PHONE = "13900005678"
CHIEF = Staff(staff_id="st-042", name="所长乙", phone=STAFF_PHONE, role=Role.CHIEF)


@dataclass
class World:
    client: Client
    clock: Clock
    sms: RecordingSmsSender
    tokens: TokenService
    settings: Settings

    def post(self, path: str, body: Any, content_type: str = "application/json") -> Any:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        return self.client.http.post(path, headers={"Content-Type": content_type}, body=raw)

    def last_code(self) -> str:
        (code,) = re.findall(r"验证码为(\d{6})", self.sms.to(STAFF_PHONE)[-1].text)
        return code


@pytest.fixture(scope="module")
def yunge_app() -> Chalice:
    """The real app, where app.py registered auth_api. A blueprint must not be registered
    into a second app: chalice 1.34 pops `methods`/`content_types` out of the blueprint's
    stored route options while registering, so a second registration — in whichever app
    comes second — gets GET-only routes (aws/chalice#1908)."""
    import app

    assert set(app.app.routes["/v1/auth/wechat"]) == {"POST"}, "auth_api registered twice"
    return app.app


@pytest.fixture
def world(yunge_app: Chalice) -> Iterator[World]:
    settings = replace(
        Settings.from_env({"YUNGE_STAGE": "test", "AWS_DEFAULT_REGION": "us-east-1"}),
        customer_token_ttl=7 * 24 * 3600,
        staff_token_ttl=12 * 3600,
    )
    clock, sms = Clock(), RecordingSmsSender()
    svc = Services(settings, clock=clock)
    svc.tokens = TokenService(
        StaticKeys(b"functional-test-key-" * 3),
        settings.jwt_issuer,
        settings.jwt_audience,
        clock,
        phone_secret=phone_key,
    )
    svc.wechat = FakeWeChatExchange()
    svc.otp = OtpService(
        InMemoryOtpStore(),
        staff_by_phone={STAFF_PHONE: CHIEF}.get,
        sms=sms,
        signature=settings.sms_signature,
        clock=clock,
        key=phone_key,
    )
    use(svc)
    try:
        with Client(yunge_app) as client:
            yield World(client, clock, sms, svc.tokens, settings)
    finally:
        use(None)


def error_of(response: Any) -> dict[str, Any]:
    body = json.loads(response.body)
    assert set(body) == {"error"}
    return dict(body["error"])


# ---------------------------------------------------------------- customers
def test_wechat_dev_code_logs_a_customer_in(world: World) -> None:
    response = world.post("/v1/auth/wechat", {"code": "dev:o-customer-1"})

    assert response.status_code == 200
    body = json.loads(response.body)
    assert body["role"] == "customer"
    assert body["expires_in"] == world.settings.customer_token_ttl
    claims = world.tokens.verify(body["token"])
    assert (claims.subject, claims.role) == ("o-customer-1", Role.CUSTOMER)


def test_an_invalid_wechat_code_is_401(world: World) -> None:
    response = world.post("/v1/auth/wechat", {"code": "not-a-dev-code"})

    assert response.status_code == 401
    assert error_of(response) == {
        "code": "invalid_wechat_code",
        "message": "微信登录凭证无效，请重试",
    }


# ---------------------------------------------------------------- staff: codes
def test_a_known_phone_gets_202_and_one_sms_with_a_six_digit_code(world: World) -> None:
    response = world.post("/v1/auth/staff/otp", {"phone": STAFF_PHONE})

    assert response.status_code == 202
    assert json.loads(response.body) == {"status": "sent"}
    (sms,) = world.sms.to(STAFF_PHONE)
    assert re.fullmatch(r"\d{6}", world.last_code())
    assert sms.key == "staff_login_code"


def test_an_unknown_phone_gets_the_same_202_and_no_sms(world: World) -> None:
    response = world.post("/v1/auth/staff/otp", {"phone": UNKNOWN_PHONE})

    assert response.status_code == 202
    assert json.loads(response.body) == {"status": "sent"}
    assert world.sms.sent == []


def test_a_second_code_within_a_minute_is_429_with_retry_after(world: World) -> None:
    world.post("/v1/auth/staff/otp", {"phone": STAFF_PHONE})
    world.clock.advance(20)

    response = world.post("/v1/auth/staff/otp", {"phone": STAFF_PHONE})

    assert response.status_code == 429
    assert response.headers["Retry-After"] == "40"
    assert error_of(response)["code"] == "rate_limited"
    assert len(world.sms.sent) == 1


def test_one_client_cannot_spray_codes_over_many_phones(world: World) -> None:
    # Given one client address (the test gateway's 127.0.0.1) asking for six phones in a minute
    replies = [world.post("/v1/auth/staff/otp", {"phone": f"1390000{n:04d}"}) for n in range(6)]

    # Then the sixth is refused, whichever phone it names, and says when to come back
    assert [r.status_code for r in replies] == [202] * 5 + [429]
    assert int(replies[-1].headers["Retry-After"]) == 60
    assert error_of(replies[-1])["code"] == "rate_limited"


# ---------------------------------------------------------------- staff: tokens
def test_the_right_code_returns_a_staff_token(world: World) -> None:
    world.post("/v1/auth/staff/otp", {"phone": STAFF_PHONE})

    response = world.post("/v1/auth/staff/token", {"phone": STAFF_PHONE, "code": world.last_code()})

    assert response.status_code == 200
    body = json.loads(response.body)
    assert (body["staff_id"], body["role"]) == ("st-042", "chief")
    assert body["expires_in"] == world.settings.staff_token_ttl
    claims = world.tokens.verify(body["token"])
    assert (claims.subject, claims.role) == ("st-042", Role.CHIEF)


def test_a_wrong_code_is_401(world: World) -> None:
    world.post("/v1/auth/staff/otp", {"phone": STAFF_PHONE})
    wrong = "000000" if world.last_code() != "000000" else "111111"

    response = world.post("/v1/auth/staff/token", {"phone": STAFF_PHONE, "code": wrong})

    assert response.status_code == 401
    assert error_of(response) == {"code": "invalid_code", "message": "验证码错误或已过期"}


def test_five_wrong_codes_then_the_right_one_is_429(world: World) -> None:
    world.post("/v1/auth/staff/otp", {"phone": STAFF_PHONE})
    code = world.last_code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        world.post("/v1/auth/staff/token", {"phone": STAFF_PHONE, "code": wrong})

    response = world.post("/v1/auth/staff/token", {"phone": STAFF_PHONE, "code": code})

    assert response.status_code == 429
    assert error_of(response)["code"] == "too_many_attempts"
    assert int(response.headers["Retry-After"]) > 0


# ---------------------------------------------------------------- malformed requests
def test_bad_json_is_400(world: World) -> None:
    response = world.post("/v1/auth/staff/otp", b'{"phone": ')

    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_json"


def test_a_body_that_is_not_json_is_415(world: World) -> None:
    response = world.post("/v1/auth/wechat", b"code=dev:o-1", content_type="text/plain")

    assert response.status_code == 415
    assert error_of(response)["code"] == "unsupported_media_type"


def test_a_missing_phone_is_400_with_fields(world: World) -> None:
    response = world.post("/v1/auth/staff/otp", {})

    assert response.status_code == 400
    assert error_of(response)["fields"] == {"phone": "必填"}


def test_a_malformed_phone_is_400_with_fields(world: World) -> None:
    response = world.post("/v1/auth/staff/token", {"phone": "12345", "code": "123456"})

    assert response.status_code == 400
    assert error_of(response)["fields"] == {"phone": "手机号格式不正确"}


# ---------------------------------------------------------------- the authorizer
# Through the real app and the local gateway that mirrors API Gateway's responses
# (tests/functional/conftest.py installs infra.local.gateway for the `api` fixture).
def test_stock_chalice_answers_a_denial_with_its_own_403(memory_services: Any) -> None:
    import app

    with Client(app.app) as client:  # without the gateway that mirrors AWS
        response = client.http.get("/v1/staff/me", headers={"Authorization": "Bearer x"})

    assert response.status_code == 403
    assert json.loads(response.body) == {
        "Message": "User is not authorized to access this resource"
    }


def test_a_valid_token_reaches_the_route_as_its_caller(api: Any) -> None:
    reply = api.call("GET", "/v1/staff/me", as_=("C1", Role.CHIEF))

    assert reply.status == 200
    assert (reply.body["staff_id"], reply.body["role"]) == ("C1", "chief")


def test_no_token_is_401_in_our_shape(api: Any) -> None:
    reply = api.call("GET", "/v1/staff/me")

    assert reply.status == 401
    assert reply.body == {"error": {"code": "unauthorized", "message": "请先登录"}}


def test_an_expired_token_is_401_token_expired(api: Any, clock: Any) -> None:
    token = api.token("C1", Role.CHIEF)
    clock.advance(seconds=3601)

    reply = api.call("GET", "/v1/staff/me", headers={"Authorization": f"Bearer {token}"})

    assert reply.status == 401
    assert reply.body["error"] == {"code": "token_expired", "message": "登录已过期，请重新登录"}


@pytest.mark.parametrize("header", ["Bearer garbage", "Basic dXNlcjpwdw==", "Bearer"])
def test_a_bad_token_is_401_invalid(api: Any, header: str) -> None:
    reply = api.call("GET", "/v1/staff/me", headers={"Authorization": header})

    assert reply.status == 401
    assert reply.body["error"]["code"] in {"invalid_token", "unauthorized"}


def test_an_unknown_route_is_404_in_our_shape(api: Any) -> None:
    reply = api.call("GET", "/v1/nowhere")

    assert reply.status == 404
    assert reply.body["error"]["code"] == "not_found"


def test_the_aws_templates_render_what_the_local_gateway_sends() -> None:
    context = {"code": "token_expired", "message": "登录已过期，请重新登录"}
    for kind, response in gateway_responses().items():
        template = response["responseTemplates"]["application/json"]
        rendered = template.replace("$context.authorizer.code", context["code"]).replace(
            "$context.authorizer.message", context["message"]
        )
        status, _, body = gateway_error(kind, context)

        assert response["statusCode"] == status
        assert json.loads(rendered) == json.loads(body)


def test_a_denial_denies_the_whole_api_and_carries_our_error() -> None:
    arn = "arn:aws:execute-api:cn-north-1:123456789012:abc123/api/GET/v1/staff/me"

    result = denial(arn, Unauthorized("登录已过期，请重新登录", code="token_expired"))

    (statement,) = result["policyDocument"]["Statement"]
    assert statement["Effect"] == "Deny"
    assert statement["Resource"] == ["arn:aws:execute-api:cn-north-1:123456789012:abc123/*"]
    assert result["context"] == {"code": "token_expired", "message": "登录已过期，请重新登录"}
