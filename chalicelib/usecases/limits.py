"""Count an event against its limits; 429 with Retry-After once one is used up."""

from __future__ import annotations

from collections.abc import Sequence

from chalicelib.domain.errors import RateLimited
from chalicelib.domain.limits import Limit
from chalicelib.store.otp import OtpStore


def enforce(
    counters: OtpStore,
    limits: Sequence[Limit],
    subject: str,
    now: int,
    message: str | None = None,
) -> None:
    """Count one event for `subject` under each limit in turn (stopping at the first used
    up, so a refused event does not eat the later limits' room)."""
    for limit in limits:
        wait = counters.hit(limit.key(subject), now, limit.window, limit.count)
        if wait is not None:
            raise RateLimited(message, retry_after=wait)
