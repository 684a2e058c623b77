"""Storage for staff one-time codes and their rate limits (times in epoch seconds):
a port, its in-memory fake and the DynamoDB implementation on the counters table."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:  # pynamodb loads on first use: the authorizer and OTP fakes never pay it
    from pynamodb.exceptions import DeleteError, UpdateError


@dataclass(frozen=True, slots=True)
class Attempt:
    status: Literal["counted", "missing", "exhausted"]
    code_hash: str | None = None
    expires_at: int | None = None


class OtpStore(Protocol):
    def hit(self, key: str, now: int, window: int, limit: int) -> int | None:
        """Count one event in the window that started with the first event; None when
        within `limit`, else the seconds until the window ends. Atomic."""
        ...

    def put_code(self, key: str, code_hash: str, expires_at: int) -> None:
        """Store a new code (replacing any earlier one) with no attempts yet."""
        ...

    def attempt(self, key: str, now: int, max_attempts: int) -> Attempt:
        """Count one verification attempt against a live code. Atomic."""
        ...

    def consume(self, key: str, code_hash: str) -> bool:
        """Delete the code if it is still `code_hash`; False if someone spent it first."""
        ...


@dataclass(slots=True)
class _Entry:
    count: int = 0
    expires_at: int = 0
    code_hash: str | None = None
    attempts: int = 0


class InMemoryOtpStore:
    def __init__(self) -> None:
        self.entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, now: int, window: int, limit: int) -> int | None:
        with self._lock:
            entry = self.entries.get(key)
            if entry is None or entry.expires_at <= now:
                self.entries[key] = _Entry(count=1, expires_at=now + window)
                return None
            if entry.count < limit:
                entry.count += 1
                return None
            return max(1, entry.expires_at - now)

    def put_code(self, key: str, code_hash: str, expires_at: int) -> None:
        with self._lock:
            self.entries[key] = _Entry(code_hash=code_hash, expires_at=expires_at)

    def attempt(self, key: str, now: int, max_attempts: int) -> Attempt:
        with self._lock:
            entry = self.entries.get(key)
            if entry is None or entry.code_hash is None or entry.expires_at <= now:
                return Attempt("missing")
            if entry.attempts >= max_attempts:
                return Attempt("exhausted", expires_at=entry.expires_at)
            entry.attempts += 1
            return Attempt("counted", entry.code_hash, entry.expires_at)

    def consume(self, key: str, code_hash: str) -> bool:
        with self._lock:
            entry = self.entries.get(key)
            if entry is None or entry.code_hash != code_hash:
                return False
            del self.entries[key]
            return True


def _at(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def _epoch(value: datetime | None) -> int | None:
    return int(value.timestamp()) if value is not None else None


def _condition_failed(error: UpdateError | DeleteError) -> bool:
    return error.cause_response_code == "ConditionalCheckFailedException"


class DynamoOtpStore:
    """CounterModel items; a check-and-count is one conditional UpdateItem while its window
    is open, two for the first event of a window."""

    def hit(self, key: str, now: int, window: int, limit: int) -> int | None:
        from pynamodb.exceptions import UpdateError

        from chalicelib.store.models import CounterModel as m

        live = m.key.exists() & (m.expires_at > _at(now))

        def room_left() -> bool:  # the current window still has room: one call, usually
            try:
                m(key).update(actions=[m.hits.add(1)], condition=live & (m.hits < limit))
                return True
            except UpdateError as error:
                if not _condition_failed(error):
                    raise
                return False

        if room_left():
            return None
        try:  # a fresh window (none yet, or the last one is over)
            m(key).update(
                actions=[m.hits.set(1), m.expires_at.set(_at(now + window))],
                condition=~live,
            )
            return None
        except UpdateError as error:
            if not _condition_failed(error):
                raise
        if room_left():  # someone else opened the window between our two calls
            return None
        _, expires_at = self._read(key)
        return max(1, expires_at - now)

    def put_code(self, key: str, code_hash: str, expires_at: int) -> None:
        from chalicelib.store.models import CounterModel

        CounterModel(key, code_hash=code_hash, attempts=0, expires_at=_at(expires_at)).save()

    def attempt(self, key: str, now: int, max_attempts: int) -> Attempt:
        from pynamodb.exceptions import UpdateError

        from chalicelib.store.models import CounterModel as m

        live = m.code_hash.exists() & (m.expires_at > _at(now))
        item = m(key)
        try:
            item.update(actions=[m.attempts.add(1)], condition=live & (m.attempts < max_attempts))
        except UpdateError as error:
            if not _condition_failed(error):
                raise
            return self._refused(key, now)
        return Attempt("counted", item.code_hash, _epoch(item.expires_at))

    def consume(self, key: str, code_hash: str) -> bool:
        from pynamodb.exceptions import DeleteError

        from chalicelib.store.models import CounterModel

        try:
            CounterModel(key).delete(condition=CounterModel.code_hash == code_hash)
            return True
        except DeleteError as error:
            if not _condition_failed(error):
                raise
            return False

    def _refused(self, key: str, now: int) -> Attempt:
        code_hash, expires_at = self._read(key)
        if code_hash is None or expires_at <= now:
            return Attempt("missing")
        return Attempt("exhausted", expires_at=expires_at)

    def _read(self, key: str) -> tuple[str | None, int]:
        """(code_hash, expires_at) as stored now; (None, 0) for no item."""
        from pynamodb.exceptions import DoesNotExist

        from chalicelib.store.models import CounterModel

        try:
            item = CounterModel.get(key, consistent_read=True)
        except DoesNotExist:
            return None, 0
        return item.code_hash, _epoch(item.expires_at) or 0
