"""Access tokens this service issues: HS256 JWTs with iss/aud/sub/iat/exp, checked against
the injected clock (never the wall clock), and the keys that sign them."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import jwt

from chalicelib.domain.errors import Unauthorized
from chalicelib.domain.org import Role

ALGORITHM = "HS256"  # fixed: a token's own header never chooses how it is checked
MAX_CLOCK_SKEW = 60  # seconds an `iat` may lie in our future (another Lambda's clock)
_REQUIRED = ["exp", "iat", "iss", "aud", "sub"]


class KeyProvider(Protocol):
    def key(self) -> bytes:
        """The HMAC signing key."""
        ...


class FileKeyProvider:
    """Local stack: a random key kept in a file (mode 0600), generated on first use."""

    def __init__(self, path: Path) -> None:
        self._path = Path(path)
        self._key: bytes | None = None

    def key(self) -> bytes:
        if self._key is None:
            if not self._path.exists():
                self._create()
            self._key = self._path.read_text(encoding="ascii").strip().encode()
        return self._key

    def _create(self) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(self._path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process won the race: use its key
            return
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32) + "\n")


class SsmKeyProvider:
    """AWS: a SecureString parameter, read once per container."""

    def __init__(self, param_name: str, client: Callable[[], Any] | None = None) -> None:
        self._param_name = param_name
        self._client_factory = client
        self._key: bytes | None = None

    def key(self) -> bytes:
        if self._key is None:
            response = self._client().get_parameter(Name=self._param_name, WithDecryption=True)
            self._key = str(response["Parameter"]["Value"]).strip().encode()
        return self._key

    def _client(self) -> Any:
        if self._client_factory is not None:
            return self._client_factory()
        import boto3

        return boto3.client("ssm")


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
        self, keys: KeyProvider, issuer: str, audience: str, clock: Callable[[], datetime]
    ) -> None:
        self._keys = keys
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
        return jwt.encode(claims, self._keys.key(), algorithm=ALGORITHM), ttl_seconds

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
        digest = hmac.new(self._keys.key(), f"staff-phone:{phone}".encode(), hashlib.sha256)
        return digest.hexdigest()[:16]

    def _decode(self, token: str) -> Mapping[str, Any]:
        if not isinstance(token, str) or not token:
            raise _invalid()
        try:
            return jwt.decode(
                token,
                self._keys.key(),
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
        except jwt.PyJWTError:
            raise _invalid() from None


def _epoch(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
