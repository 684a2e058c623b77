"""Secrets the service keys its hashes and tokens with, read lazily and re-read every
ten minutes, so a value changed in SSM reaches every warm container without a deploy.

Two secrets:
- the phone key (`/yunge/<stage>/phone-key`, locally `.local/phone.key`): one key, the HMAC
  key of `phone_hash` and of stored one-time-code hashes. Stored hashes depend on it, so it
  is not rotated by editing the parameter (that would orphan every staff phone lookup).
- the token keys (`/yunge/<stage>/jwt-key`, locally `.local/jwt.key`): one key per line,
  oldest first. Tokens are signed with the last (newest) line and name it in their `kid`
  header, a fingerprint of the key; a token is accepted while any line still holds its key.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from chalicelib.domain.phone import phone_hash

MAX_AGE_SECONDS = 10 * 60  # a changed parameter reaches every container within this
RELOAD_GAP_SECONDS = 60  # an unknown kid re-reads the keys at most this often


class SecretSource(Protocol):
    def read(self) -> str:
        """The secret's current text."""
        ...


class FileSecret:
    """Local stack: a random key kept in a file (mode 0600), generated on first read."""

    def __init__(self, path: Path) -> None:
        self._path = Path(path)

    def read(self) -> str:
        if not self._path.exists():
            self._create()
        return self._path.read_text(encoding="ascii")

    def _create(self) -> None:
        """Write the key to a private temporary file, then link it into place: the key file
        appears whole or not at all, so a reader in another thread or process never sees it
        empty, and the first link wins."""
        self._path.parent.mkdir(parents=True, exist_ok=True)
        draft = self._path.with_name(f".{self._path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32) + "\n")
        try:
            os.link(draft, self._path)
        except FileExistsError:  # another thread or process won the race: use its key
            pass
        finally:
            draft.unlink()


class SsmSecret:
    """AWS: a SecureString parameter, read decrypted."""

    def __init__(self, param_name: str, client: Callable[[], Any] | None = None) -> None:
        self._param_name = param_name
        self._client_factory = client
        self._client: Any = None  # made on the first read, kept for the re-reads

    def read(self) -> str:
        if self._client is None:
            self._client = self._make_client()
        response = self._client.get_parameter(Name=self._param_name, WithDecryption=True)
        return str(response["Parameter"]["Value"])

    def _make_client(self) -> Any:
        if self._client_factory is not None:
            return self._client_factory()
        import boto3

        return boto3.client("ssm")


class RefreshingSecret:
    """A source's text, read on first use and again once it is `max_age` seconds old."""

    def __init__(
        self,
        source: SecretSource,
        clock: Callable[[], datetime],
        max_age: int = MAX_AGE_SECONDS,
    ) -> None:
        self._source = source
        self._clock = clock
        self._max_age = max_age
        self._text: str | None = None
        self._read_at = 0.0

    def text(self) -> str:
        if self._text is None or self._age() >= self._max_age:
            self._load()
        assert self._text is not None
        return self._text

    def reload(self, min_age: int = RELOAD_GAP_SECONDS) -> str:
        """Read again now, unless the text in hand is younger than `min_age` seconds."""
        if self._text is None or self._age() >= min_age:
            self._load()
        return self.text()

    def _age(self) -> float:
        return self._clock().timestamp() - self._read_at

    def _load(self) -> None:
        text = self._source.read().strip()
        if not text:
            raise RuntimeError("a key parameter is empty")
        self._text, self._read_at = text, self._clock().timestamp()


def fingerprint(key: bytes) -> str:
    """The key id tokens carry: says which key signed them, reveals nothing of it."""
    return hashlib.sha256(b"yunge-kid:" + key).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class KeyRing:
    keys: tuple[tuple[str, bytes], ...]  # (kid, key), oldest first

    @classmethod
    def parse(cls, text: str) -> KeyRing:
        lines = [line.strip().encode() for line in text.splitlines() if line.strip()]
        if not lines:
            raise RuntimeError("no token signing key")
        return cls(tuple((fingerprint(key), key) for key in lines))

    @property
    def signing(self) -> tuple[str, bytes]:
        return self.keys[-1]

    def get(self, kid: str) -> bytes | None:
        return next((key for k, key in self.keys if k == kid), None)


class TokenKeys(Protocol):
    def ring(self) -> KeyRing: ...

    def reload(self) -> KeyRing:
        """A fresh look at the keys (rate-limited): a token names a kid not in hand."""
        ...


class SecretKeyRing:
    """TokenKeys over a refreshing secret, one key per line."""

    def __init__(self, secret: RefreshingSecret) -> None:
        self._secret = secret

    def ring(self) -> KeyRing:
        return KeyRing.parse(self._secret.text())

    def reload(self) -> KeyRing:
        return KeyRing.parse(self._secret.reload())


class PhoneKey:
    """The HMAC key of phone hashes and one-time-code hashes."""

    def __init__(self, secret: RefreshingSecret) -> None:
        self._secret = secret

    def __call__(self) -> bytes:
        return self._secret.text().encode()

    def hash_phone(self, phone: str) -> str:
        return phone_hash(phone, self())
