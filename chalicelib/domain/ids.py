"""Ticket identifiers: a ULID (time-sortable key) and a short human-readable number."""

from __future__ import annotations

import secrets
from datetime import datetime

from chalicelib.domain.dates import SHANGHAI

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CROCKFORD_CLASS = "[0-9A-HJKMNP-TV-Z]"  # one CROCKFORD character, in a regex
ULID_PATTERN = f"{CROCKFORD_CLASS}{{26}}"
# a ticket number as `ticket_number` writes it, its Shanghai yy, mm and dd captured
NUMBER_PATTERN = f"([0-9]{{2}})([0-9]{{2}})([0-9]{{2}})-{CROCKFORD_CLASS}{{6}}"


def _encode(value: int, length: int) -> str:
    chars = []
    for _ in range(length):
        value, rem = divmod(value, 32)
        chars.append(CROCKFORD[rem])
    return "".join(reversed(chars))


def new_ulid(now: datetime, randomness: int | None = None) -> str:
    """26-character ULID: 48 bits of milliseconds since the epoch + 80 random bits."""
    millis = int(now.timestamp() * 1000)
    rand = secrets.randbits(80) if randomness is None else randomness
    return _encode(millis, 10) + _encode(rand, 16)


def ticket_number(ticket_id: str, created_at: datetime) -> str:
    """Short number read out on the phone: Shanghai date + six Crockford characters
    (no I, L, O or U) from the ULID's random part, e.g. ``261127-7KQ2MX``."""
    day = created_at.astimezone(SHANGHAI).strftime("%y%m%d")
    return f"{day}-{ticket_id[-6:]}"
