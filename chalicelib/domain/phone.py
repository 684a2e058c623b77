"""Mainland mobile numbers: validation, masking for logs and display, hashing for lookups."""

from __future__ import annotations

import hashlib
import hmac
import re

# Read alike by Python and ECMA-262 (the OpenAPI document): `[0-9]`, not `\d` (Python's
# takes any Unicode digit), and `(?!\n)$` (Python's `$` also matches before a trailing newline).
MOBILE_PATTERN = r"^1[3-9][0-9]{9}(?!\n)$"
_MOBILE = re.compile(MOBILE_PATTERN)


def is_mobile(value: object) -> bool:
    return isinstance(value, str) and _MOBILE.fullmatch(value) is not None


def mask(phone: str) -> str:
    """138****1234 — the only form a phone number may take in a log line."""
    if len(phone) < 7:
        return "*" * len(phone)
    return f"{phone[:3]}****{phone[-4:]}"


def phone_hash(phone: str, key: bytes) -> str:
    """Stable key for finding records by phone without storing it twice. Keyed (HMAC with
    the phone key, kept apart from the tables), so a leaked table cannot be reversed by
    hashing every one of the 10⁸ mobile numbers."""
    return hmac.new(key, f"yunge-phone:{phone}".encode(), hashlib.sha256).hexdigest()[:32]
