"""Staff login by SMS one-time code.

A code is 6 random digits, lives 5 minutes, allows 5 verification attempts and is used once.
Only an HMAC of it is stored (keyed by the phone hash). A phone gets at most one code a
minute and five an hour. Unknown phones go through exactly the same steps — rate limits,
a stored (never sent) code, attempt counting — minus the SMS, so neither the answers nor
the limits reveal who is staff.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, Protocol

from pynamodb.exceptions import DeleteError, DoesNotExist, UpdateError

from chalicelib.domain.errors import RateLimited, Unauthorized, ValidationFailed
from chalicelib.domain.org import Staff
from chalicelib.domain.phone import is_mobile, mask, phone_hash
from chalicelib.notify import SmsError, SmsSender, TemplateKey, render
from chalicelib.observability import logger
from chalicelib.store.models import CounterModel

CODE_DIGITS = 6
CODE_TTL_SECONDS = 5 * 60
MAX_ATTEMPTS = 5
LIMITS = ((1, 60), (5, 3600))  # (codes, per seconds) for each phone


def code_hash(phone: str, code: str) -> str:
    return hmac.new(phone_hash(phone).encode(), code.encode(), hashlib.sha256).hexdigest()


def invalid_code() -> Unauthorized:
    return Unauthorized("验证码错误或已过期", code="invalid_code")


class OtpService:
    def __init__(
        self,
        store: OtpStore,
        staff_by_phone: Callable[[str], Staff | None],
        sms: SmsSender,
        signature: str,
        clock: Callable[[], datetime],
    ) -> None:
        self._store = store
        self._staff_by_phone = staff_by_phone
        self._sms = sms
        self._signature = signature
        self._clock = clock

    def request_code(self, phone: str) -> None:
        """Send a login code to a staff phone; unknown phones get the same answer, no SMS."""
        _require_mobile(phone)
        now = self._now()
        subject = phone_hash(phone)
        for limit, window in LIMITS:
            retry_after = self._store.hit(f"rl#otp_{window}s#{subject}", now, window, limit)
            if retry_after is not None:
                raise RateLimited(retry_after=retry_after)
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        self._store.put_code(f"otp#{subject}", code_hash(phone, code), now + CODE_TTL_SECONDS)
        if self._staff_by_phone(phone) is None:
            return
        sms = render(
            TemplateKey.STAFF_LOGIN_CODE,
            {"code": code, "valid_minutes": CODE_TTL_SECONDS // 60},
            self._signature,
        )
        try:
            self._sms.send(phone, sms)
        except SmsError as error:
            # Answer as for any phone (no enumeration); the user may ask again in a minute.
            logger.warning(
                "login code SMS failed",
                extra={
                    "to": mask(phone),
                    "error": type(error).__name__,
                    "provider_code": error.code,
                },
            )

    def verify(self, phone: str, code: str) -> Staff:
        """The staff member whose phone received `code`; the code is then spent."""
        _require_mobile(phone)
        if not (isinstance(code, str) and len(code) == CODE_DIGITS and code.isascii()):
            raise invalid_code()
        if not code.isdigit():  # malformed codes are refused before any attempt is counted
            raise invalid_code()
        now = self._now()
        key = f"otp#{phone_hash(phone)}"
        attempt = self._store.attempt(key, now, MAX_ATTEMPTS)
        if attempt.status == "exhausted":
            retry_after = max(1, (attempt.expires_at or now) - now)
            raise RateLimited(
                "验证码错误次数过多，请重新获取", code="too_many_attempts", retry_after=retry_after
            )
        expected = code_hash(phone, code)
        if attempt.code_hash is None or not hmac.compare_digest(attempt.code_hash, expected):
            raise invalid_code()
        if not self._store.consume(key, expected):  # a concurrent verify spent it first
            raise invalid_code()
        staff = self._staff_by_phone(phone)
        if staff is None:
            raise invalid_code()
        return staff

    def _now(self) -> int:
        return math.floor(self._clock().timestamp())


def _require_mobile(phone: object) -> None:
    if not is_mobile(phone):
        raise ValidationFailed(fields={"phone": "手机号格式不正确"})


# ---------------------------------------------------------------- storage (times: epoch s)
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
    """CounterModel items; every check-and-count is one conditional UpdateItem."""

    def hit(self, key: str, now: int, window: int, limit: int) -> int | None:
        m = CounterModel
        live = m.key.exists() & (m.expires_at > _at(now))
        try:  # a fresh window (none yet, or the last one is over)
            m(key).update(
                actions=[m.hits.set(1), m.expires_at.set(_at(now + window))],
                condition=~live,
            )
            return None
        except UpdateError as error:
            if not _condition_failed(error):
                raise
        try:  # the current window still has room
            m(key).update(actions=[m.hits.add(1)], condition=live & (m.hits < limit))
            return None
        except UpdateError as error:
            if not _condition_failed(error):
                raise
        _, expires_at = self._read(key)
        return max(1, expires_at - now)

    def put_code(self, key: str, code_hash: str, expires_at: int) -> None:
        CounterModel(key, code_hash=code_hash, attempts=0, expires_at=_at(expires_at)).save()

    def attempt(self, key: str, now: int, max_attempts: int) -> Attempt:
        m = CounterModel
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
        try:
            item = CounterModel.get(key, consistent_read=True)
        except DoesNotExist:
            return None, 0
        return item.code_hash, _epoch(item.expires_at) or 0
