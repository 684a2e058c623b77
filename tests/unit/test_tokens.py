"""TokenService (HS256 only, checked against the injected clock), key providers, authorize."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest

from chalicelib.auth.authorizer import authorize
from chalicelib.auth.tokens import FileKeyProvider, SsmKeyProvider, TokenService
from chalicelib.domain.errors import Unauthorized
from chalicelib.domain.org import Role
from tests.clock import Clock

KEY = b"k" * 64


class StaticKey:
    def __init__(self, key: bytes = KEY) -> None:
        self._key = key

    def key(self) -> bytes:
        return self._key


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 27, 2, 15, tzinfo=UTC))


@pytest.fixture
def tokens(clock: Clock) -> TokenService:
    return TokenService(StaticKey(), issuer="yunge", audience="yunge-api", clock=clock)


def claims(clock: Clock, **override: Any) -> dict[str, Any]:
    now = int(clock().timestamp())
    base = {"iss": "yunge", "aud": "yunge-api", "sub": "s-1", "role": "manager"}
    return {**base, "iat": now, "exp": now + 600, **override}


def refused_code(tokens: TokenService, token: str) -> str:
    with pytest.raises(Unauthorized) as caught:
        tokens.verify(token)
    return caught.value.code


def test_issued_token_verifies_to_its_subject_and_role(tokens: TokenService) -> None:
    token, expires_in = tokens.issue("o-abc", Role.CUSTOMER, 3600)

    verified = tokens.verify(token)

    assert expires_in == 3600
    assert (verified.subject, verified.role) == ("o-abc", Role.CUSTOMER)
    assert jwt.get_unverified_header(token)["alg"] == "HS256"


def test_expiry_follows_the_injected_clock_not_the_wall_clock(
    tokens: TokenService, clock: Clock
) -> None:
    token, _ = tokens.issue("s-1", Role.MANAGER, 600)

    clock.now += timedelta(seconds=599)
    assert tokens.verify(token).subject == "s-1"

    clock.now += timedelta(seconds=1)
    with pytest.raises(Unauthorized) as caught:
        tokens.verify(token)
    assert caught.value.code == "token_expired"
    assert caught.value.message == "登录已过期，请重新登录"


def test_token_signed_with_another_key_is_invalid(tokens: TokenService, clock: Clock) -> None:
    forged = jwt.encode(claims(clock), b"x" * 64, algorithm="HS256")

    assert refused_code(tokens, forged) == "invalid_token"


@pytest.mark.parametrize("algorithm", ["HS384", "HS512"])
def test_other_algorithms_are_refused_even_with_the_right_key(
    tokens: TokenService, clock: Clock, algorithm: str
) -> None:
    assert refused_code(tokens, jwt.encode(claims(clock), KEY, algorithm=algorithm)) == (
        "invalid_token"
    )


def test_unsigned_alg_none_token_is_refused(tokens: TokenService, clock: Clock) -> None:
    unsigned = jwt.encode(claims(clock), "", algorithm="none")

    assert refused_code(tokens, unsigned) == "invalid_token"


@pytest.mark.parametrize(
    "override",
    [
        {"iss": "someone-else"},
        {"aud": "other-api"},
        {"aud": ["yunge-api", "other"]},
        {"role": "superuser"},
        {"sub": ""},
        {"iat": 10**10},
    ],
    ids=["issuer", "audience", "audience-list", "role", "empty-sub", "iat-in-future"],
)
def test_wrong_claims_are_invalid(
    tokens: TokenService, clock: Clock, override: dict[str, Any]
) -> None:
    token = jwt.encode(claims(clock, **override), KEY, algorithm="HS256")

    assert refused_code(tokens, token) == "invalid_token"


@pytest.mark.parametrize("missing", ["exp", "iat", "iss", "aud", "sub"])
def test_required_claims_must_be_present(tokens: TokenService, clock: Clock, missing: str) -> None:
    payload = claims(clock)
    del payload[missing]

    assert refused_code(tokens, jwt.encode(payload, KEY, algorithm="HS256")) == "invalid_token"


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", "Bearer x"])
def test_garbage_is_invalid(tokens: TokenService, garbage: str) -> None:
    assert refused_code(tokens, garbage) == "invalid_token"


def test_file_key_is_generated_once_with_owner_only_permissions(tmp_path: Path) -> None:
    path = tmp_path / ".local" / "jwt.key"

    first = FileKeyProvider(path).key()
    again = FileKeyProvider(path).key()

    assert first == again and len(first) == 64
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_tokens_survive_a_restart_with_the_same_key_file(tmp_path: Path, clock: Clock) -> None:
    path = tmp_path / "jwt.key"
    token, _ = TokenService(FileKeyProvider(path), "yunge", "yunge-api", clock).issue(
        "s-1", Role.ADMIN, 60
    )

    restarted = TokenService(FileKeyProvider(path), "yunge", "yunge-api", clock)

    assert restarted.verify(token).role is Role.ADMIN


def test_ssm_key_is_read_decrypted_once() -> None:
    calls: list[dict[str, Any]] = []

    class FakeSsm:
        def get_parameter(self, **kwargs: Any) -> dict[str, Any]:
            calls.append(kwargs)
            return {"Parameter": {"Value": "secret-from-ssm"}}

    provider = SsmKeyProvider("/yunge/prod/jwt-key", client=FakeSsm)

    assert provider.key() == provider.key() == b"secret-from-ssm"
    assert calls == [{"Name": "/yunge/prod/jwt-key", "WithDecryption": True}]


# ---------------------------------------------------------------- authorize
def test_authorize_returns_principal_and_context(tokens: TokenService) -> None:
    token, _ = tokens.issue("s-7", Role.CHIEF, 60)

    principal, context = authorize(f"Bearer {token}", tokens)

    assert principal == "s-7"
    assert context == {"role": "chief", "subject": "s-7"}


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer ", "Basic abc", "Token x"])
def test_authorize_refuses_a_missing_or_malformed_header(
    tokens: TokenService, header: str | None
) -> None:
    with pytest.raises(Unauthorized):
        authorize(header, tokens)


def test_authorize_accepts_any_case_of_the_scheme(tokens: TokenService) -> None:
    token, _ = tokens.issue("o-1", Role.CUSTOMER, 60)

    assert authorize(f"bearer {token}", tokens)[0] == "o-1"


def test_a_device_session_token_carries_its_session_and_phone_key(tokens: TokenService) -> None:
    # Given a device-session token issued with a session id and the phone's key
    key = tokens.phone_key("13910000001")
    token, _ = tokens.issue("M1", Role.MANAGER, 3600, session_id="s-1", phone_key=key)
    # Then the authorizer hands both on, and the key names the phone without revealing it
    principal, context = authorize(f"Bearer {token}", tokens)
    assert (principal, context["session_id"], context["phone_key"]) == ("M1", "s-1", key)
    assert len(key) == 16 and "13910000001" not in key
    assert tokens.phone_key("13910000002") != key
    # and an ordinary token carries neither
    plain, _ = tokens.issue("M1", Role.MANAGER, 3600)
    assert set(authorize(f"Bearer {plain}", tokens)[1]) == {"role", "subject"}
