"""TokenService (HS256 only, checked against the injected clock), key providers, authorize."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest

from chalicelib.auth.authorizer import authorize
from chalicelib.auth.keys import (
    FileSecret,
    RefreshingSecret,
    SecretKeyRing,
    SsmSecret,
    fingerprint,
)
from chalicelib.auth.tokens import TokenService
from chalicelib.domain.errors import Unauthorized
from chalicelib.domain.org import Role
from tests.clock import Clock
from tests.keys import StaticKeys, phone_key

KEY = b"k" * 64


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 27, 2, 15, tzinfo=UTC))


@pytest.fixture
def tokens(clock: Clock) -> TokenService:
    return TokenService(StaticKeys(KEY), "yunge", "yunge-api", clock, phone_secret=phone_key)


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


class Parameter:
    """A key parameter an operator edits; counts how often it is read."""

    def __init__(self, *keys: bytes) -> None:
        self.text = "\n".join(k.decode() for k in keys)
        self.reads = 0

    def read(self) -> str:
        self.reads += 1
        return self.text


def from_parameter(parameter: Parameter, clock: Clock) -> TokenService:
    keys = SecretKeyRing(RefreshingSecret(parameter, clock))
    return TokenService(keys, "yunge", "yunge-api", clock, phone_secret=phone_key)


def test_a_token_names_its_signing_key_by_fingerprint_only(tokens: TokenService) -> None:
    token, _ = tokens.issue("s-1", Role.MANAGER, 60)

    kid = jwt.get_unverified_header(token)["kid"]
    assert kid == fingerprint(KEY) and KEY.decode() not in kid


def test_rotation_signs_with_the_newest_key_and_keeps_old_tokens_valid(clock: Clock) -> None:
    parameter = Parameter(b"old-key-" * 8)
    tokens = from_parameter(parameter, clock)
    old_token, _ = tokens.issue("s-1", Role.MANAGER, 3600)

    parameter.text += "\n" + "new-key-" * 8  # the operator appends a key
    clock.advance(minutes=10)  # every container re-reads within ten minutes
    new_token, _ = tokens.issue("s-1", Role.MANAGER, 3600)

    assert jwt.get_unverified_header(new_token)["kid"] == fingerprint(b"new-key-" * 8)
    assert tokens.verify(old_token).subject == tokens.verify(new_token).subject == "s-1"
    unchecked_time = {"verify_exp": False, "verify_iat": False}
    assert jwt.decode(
        new_token, b"new-key-" * 8, ["HS256"], options=unchecked_time, audience="yunge-api"
    )


def test_rotating_the_signing_key_keeps_the_staff_phone_fingerprint(clock: Clock) -> None:
    parameter = Parameter(b"old-key-" * 8)
    tokens = from_parameter(parameter, clock)
    before = tokens.phone_key("13910000001")

    parameter.text += "\n" + "new-key-" * 8
    clock.advance(minutes=10)

    assert tokens.phone_key("13910000001") == before  # device sessions survive a rotation


def test_a_token_whose_key_was_retired_is_refused(clock: Clock) -> None:
    parameter = Parameter(b"old-key-" * 8, b"new-key-" * 8)
    tokens = from_parameter(parameter, clock)
    old_token = jwt.encode(
        claims(clock), b"old-key-" * 8, "HS256", headers={"kid": fingerprint(b"old-key-" * 8)}
    )
    assert tokens.verify(old_token).subject == "s-1"

    parameter.text = "new-key-" * 8  # the old tokens have expired: the operator drops it
    clock.advance(minutes=10)

    assert refused_code(tokens, old_token) == "invalid_token"


def test_a_key_another_container_already_signs_with_is_picked_up_at_once(
    clock: Clock,
) -> None:
    parameter = Parameter(b"old-key-" * 8)
    tokens = from_parameter(parameter, clock)
    tokens.issue("s-1", Role.MANAGER, 60)
    parameter.text += "\n" + "new-key-" * 8
    clock.advance(seconds=61)  # well inside the ten minutes of this container's copy
    elsewhere = TokenService(StaticKeys(b"new-key-" * 8), "yunge", "yunge-api", clock)
    token, _ = elsewhere.issue("s-2", Role.CHIEF, 60)

    assert tokens.verify(token).subject == "s-2"
    assert parameter.reads == 2


def test_unknown_key_ids_cannot_make_a_container_hammer_ssm(clock: Clock) -> None:
    parameter = Parameter(KEY)
    tokens = from_parameter(parameter, clock)
    tokens.issue("s-1", Role.MANAGER, 60)

    for n in range(20):
        forged = jwt.encode(claims(clock), b"x" * 64, "HS256", headers={"kid": f"k{n}"})
        assert refused_code(tokens, forged) == "invalid_token"

    assert parameter.reads == 1  # re-read at most once a minute
    clock.advance(seconds=60)
    refused_code(tokens, jwt.encode(claims(clock), b"x" * 64, "HS256", headers={"kid": "k"}))
    assert parameter.reads == 2


def test_tokens_from_before_key_ids_stay_valid_until_they_expire(
    tokens: TokenService, clock: Clock
) -> None:
    legacy = jwt.encode(claims(clock), KEY, algorithm="HS256")

    assert "kid" not in jwt.get_unverified_header(legacy)
    assert tokens.verify(legacy).subject == "s-1"


def test_file_key_is_generated_once_with_owner_only_permissions(tmp_path: Path) -> None:
    path = tmp_path / ".local" / "jwt.key"

    first = FileSecret(path).read()
    again = FileSecret(path).read()

    assert first == again and len(first.strip()) == 64
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_tokens_survive_a_restart_with_the_same_key_file(tmp_path: Path, clock: Clock) -> None:
    def service() -> TokenService:
        keys = SecretKeyRing(RefreshingSecret(FileSecret(tmp_path / "jwt.key"), clock))
        return TokenService(keys, "yunge", "yunge-api", clock)

    token, _ = service().issue("s-1", Role.ADMIN, 60)

    assert service().verify(token).role is Role.ADMIN


def test_ssm_key_is_read_decrypted_and_again_after_ten_minutes(clock: Clock) -> None:
    calls: list[dict[str, Any]] = []

    class FakeSsm:
        def get_parameter(self, **kwargs: Any) -> dict[str, Any]:
            calls.append(kwargs)
            return {"Parameter": {"Value": "secret-from-ssm\n"}}

    secret = RefreshingSecret(SsmSecret("/yunge/prod/jwt-key", client=FakeSsm), clock)

    assert secret.text() == secret.text() == "secret-from-ssm"
    assert calls == [{"Name": "/yunge/prod/jwt-key", "WithDecryption": True}]
    clock.advance(seconds=599)
    secret.text()
    assert len(calls) == 1
    clock.advance(seconds=1)
    secret.text()
    assert len(calls) == 2


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


def test_a_new_key_file_is_never_read_empty_by_a_reader_racing_its_creation(
    tmp_path: Path,
) -> None:
    """Balance reminders hash phones on 8 threads: on a fresh stack they all reach for the
    phone key at once. Each gets the one key, whole (a reader once saw the file between its
    creation and its first write, and failed with an empty key)."""
    from concurrent.futures import ThreadPoolExecutor

    for attempt in range(20):
        path = tmp_path / str(attempt) / "phone.key"
        with ThreadPoolExecutor(max_workers=8) as pool:
            keys = list(pool.map(lambda where: FileSecret(where).read(), [path] * 16))
        assert len(set(keys)) == 1 and len(keys[0].strip()) == 64
        assert [p.name for p in path.parent.iterdir()] == ["phone.key"]  # no draft left
