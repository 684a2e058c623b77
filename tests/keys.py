"""Fixed keys for tests: a token key ring that never changes and a phone key."""

from __future__ import annotations

from chalicelib.auth.keys import KeyRing, fingerprint

PHONE_KEY = b"test-phone-key-" * 3


def phone_key() -> bytes:
    return PHONE_KEY


class StaticKeys:
    """TokenKeys holding `keys` (oldest first; the last signs)."""

    def __init__(self, *keys: bytes) -> None:
        self._ring = KeyRing(tuple((fingerprint(key), key) for key in keys))

    def ring(self) -> KeyRing:
        return self._ring

    def reload(self) -> KeyRing:
        return self._ring
