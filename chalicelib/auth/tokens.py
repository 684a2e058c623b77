"""Access tokens this service issues: HS256 JWTs with iss/aud/sub/iat/exp, checked against
the injected clock (never the wall clock). Each names its signing key in a `kid` header, so
the key can be rotated while tokens signed with the old one live out their lifetime
(chalicelib/auth/keys.py)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import jwt

from chalicelib.auth.keys import TokenKeys
from chalicelib.domain.errors import Unauthorized
from chalicelib.domain.org import Role

ALGORITHM = "HS256"  # fixed: a token's own header never chooses how it is checked
MAX_CLOCK_SKEW = 60  # seconds an `iat` may lie in our future (another Lambda's clock)
_REQUIRED = ["exp", "iat", "iss", "aud", "sub"]


@dataclass(frozen=True, slots=True)
class Claims:
    subject: str  # openid (customer) or staff_id (staff)
    role: Role
    session_id: str | None = None  # a device session (ends on logout)
    phone_key: str | None = None  # the staff phone at login, keyed (ends on a phone change)


def _invalid() -> Unauthorized:
    return Unauthorized("登录信息无效，请重新登录", code="invalid_token")


def _expired() -> Unauthorized:
    return Unauthorized("登录已过期，请重新登录", code="token_expired")


class TokenService:
    def __init__(
        self,
        keys: TokenKeys,
        issuer: str,
        audience: str,
        clock: Callable[[], datetime],
        phone_secret: Callable[[], bytes] | None = None,
    ) -> None:
        self._keys = keys
        self._phone_secret = phone_secret  # the phone key (keys.PhoneKey), for phone_key()
        self._issuer = issuer
        self._audience = audience
        self._clock = clock

    def issue(
        self,
        subject: str,
        role: Role,
        ttl_seconds: int,
        *,
        session_id: str | None = None,
        phone_key: str | None = None,
    ) -> tuple[str, int]:
        """A signed token for `subject` and how many seconds it lives."""
        if not subject or ttl_seconds <= 0:
            raise ValueError("a token needs a subject and a positive lifetime")
        now = int(self._clock().timestamp())
        claims: dict[str, object] = {
            "iss": self._issuer,
            "aud": self._audience,
            "sub": subject,
            "role": Role(role).value,
            "iat": now,
            "exp": now + ttl_seconds,
        }
        if session_id:
            claims["sid"] = session_id
        if phone_key:
            claims["pk"] = phone_key
        kid, key = self._keys.ring().signing
        token = jwt.encode(claims, key, algorithm=ALGORITHM, headers={"kid": kid})
        return token, ttl_seconds

    def verify(self, token: str) -> Claims:
        """The claims of an authentic, unexpired token; Unauthorized otherwise."""
        payload = self._decode(token)
        now = int(self._clock().timestamp())
        exp, iat = _epoch(payload.get("exp")), _epoch(payload.get("iat"))
        if exp is None or iat is None or iat > now + MAX_CLOCK_SKEW:
            raise _invalid()
        if now >= exp:
            raise _expired()
        subject, role = payload.get("sub"), payload.get("role")
        if not isinstance(subject, str) or not subject:
            raise _invalid()
        if not isinstance(role, str) or role not in Role._value2member_map_:
            raise _invalid()
        session_id, phone_key = payload.get("sid"), payload.get("pk")
        if not all(v is None or (isinstance(v, str) and v) for v in (session_id, phone_key)):
            raise _invalid()
        return Claims(subject, Role(role), session_id, phone_key)

    def phone_key(self, phone: str) -> str:
        """A short keyed fingerprint of a phone number: a token carries it to notice a changed
        staff phone without carrying (or letting anyone brute-force) the number itself."""
        if self._phone_secret is None:
            raise RuntimeError("this TokenService was given no phone key")
        # keyed with the phone key, not a signing key: rotating those keeps sessions alive
        digest = hmac.new(self._phone_secret(), f"staff-phone:{phone}".encode(), hashlib.sha256)
        return digest.hexdigest()[:16]

    def _candidates(self, token: str) -> list[bytes]:
        """The key the token's kid names (re-reading the keys once if it is new to us);
        every key for a token from before kids."""
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError:
            raise _invalid() from None
        if kid is None:
            return [key for _, key in reversed(self._keys.ring().keys)]
        if not isinstance(kid, str):
            raise _invalid()
        key = self._keys.ring().get(kid) or self._keys.reload().get(kid)
        if key is None:
            raise _invalid()
        return [key]

    def _decode(self, token: str) -> Mapping[str, Any]:
        if not isinstance(token, str) or not token:
            raise _invalid()
        for key in self._candidates(token):
            try:
                return self._decode_with(token, key)
            except jwt.PyJWTError:
                continue
        raise _invalid()

    def _decode_with(self, token: str, key: bytes) -> Mapping[str, Any]:
        return jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=self._audience,
            issuer=self._issuer,
            options={
                "require": _REQUIRED,
                "strict_aud": True,
                # time claims are checked above against the injected clock
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
            },
        )


def _epoch(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
