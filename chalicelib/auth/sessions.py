"""Staff sessions: the token a login by SMS code earns. Every staff token carries a keyed
fingerprint of the phone it logged in with, so a changed staff phone ends it; a device
session (the manager's work page, up to 30 days on one phone) also carries a session id,
so logging out ends it on the server, not only in the browser."""

from __future__ import annotations

import secrets
from datetime import datetime

from chalicelib.auth.tokens import TokenService
from chalicelib.domain.org import Staff
from chalicelib.store.sessions import SessionStore

DEVICE_SESSION_TTL = 30 * 24 * 3600


def staff_token(
    tokens: TokenService, staff: Staff, *, device: bool, ttl_seconds: int
) -> tuple[str, int]:
    """(token, seconds it lives) for a staff member who just proved their phone."""
    return tokens.issue(
        staff.staff_id,
        staff.role,
        DEVICE_SESSION_TTL if device else ttl_seconds,
        session_id=secrets.token_urlsafe(16) if device else None,
        phone_key=tokens.phone_key(staff.phone),
    )


def end_session(sessions: SessionStore, session_id: str | None, now: datetime) -> bool:
    """End a device session for good (remembered as long as its token could live);
    False for a token without one (it simply expires)."""
    if session_id is None:
        return False
    sessions.end(session_id, int(now.timestamp()) + DEVICE_SESSION_TTL)
    return True
