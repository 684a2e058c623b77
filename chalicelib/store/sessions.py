"""Device sessions that were ended (logout) before their token expired: a port, its
in-memory fake and the DynamoDB implementation on the counters table ("session_end#<sid>",
kept until the token would have expired anyway, then dropped by TTL)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Protocol


class SessionStore(Protocol):
    def end(self, session_id: str, keep_until: int) -> None:
        """Mark the session ended; remember it until `keep_until` (epoch seconds)."""
        ...

    def ended(self, session_id: str) -> bool:
        """Whether the session was ended."""
        ...


def _key(session_id: str) -> str:
    return f"session_end#{session_id}"


class InMemorySessionStore:
    def __init__(self) -> None:
        self.ended_ids: dict[str, int] = {}
        self._lock = threading.Lock()

    def end(self, session_id: str, keep_until: int) -> None:
        with self._lock:
            self.ended_ids[session_id] = keep_until

    def ended(self, session_id: str) -> bool:
        with self._lock:
            return session_id in self.ended_ids


class DynamoSessionStore:
    def end(self, session_id: str, keep_until: int) -> None:
        from chalicelib.store.models import CounterModel

        CounterModel(_key(session_id), expires_at=datetime.fromtimestamp(keep_until, UTC)).save()

    def ended(self, session_id: str) -> bool:
        from pynamodb.exceptions import DoesNotExist

        from chalicelib.store.models import CounterModel

        try:
            CounterModel.get(_key(session_id), consistent_read=True)
        except DoesNotExist:
            return False
        return True
