"""Staff login by SMS one-time code.

A code is 6 random digits, lives 5 minutes, allows 5 verification attempts and is used once.
Only an HMAC of it is stored, keyed with the phone key (chalicelib/auth/keys.py), as is the
phone hash that names it. A phone gets at most one code a minute and five an hour; a source
address and the service as a whole have limits of their own (domain/limits.py), checked
first, so one client can neither spray many phones nor use up staff members' quotas. Unknown
phones go through exactly the same steps — rate limits, a stored (never sent) code, attempt
counting — minus the SMS, so neither the answers nor the limits reveal who is staff.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from collections.abc import Callable
from datetime import datetime

from chalicelib.domain.errors import RateLimited, Unauthorized, ValidationFailed
from chalicelib.domain.limits import OTP_OVERALL, OTP_PER_PHONE, OTP_PER_SOURCE
from chalicelib.domain.org import Staff
from chalicelib.domain.phone import is_mobile, mask, phone_hash
from chalicelib.notify.sender import SmsError, SmsSender
from chalicelib.notify.templates import TemplateKey, render
from chalicelib.observability import logger
from chalicelib.store.otp import DynamoOtpStore, InMemoryOtpStore, OtpStore
from chalicelib.usecases.limits import enforce

CODE_DIGITS = 6
CODE_TTL_SECONDS = 5 * 60
MAX_ATTEMPTS = 5


def code_hash(key: bytes, phone: str, code: str) -> str:
    return hmac.new(key, f"yunge-otp:{phone}:{code}".encode(), hashlib.sha256).hexdigest()


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
        key: Callable[[], bytes],
    ) -> None:
        self._key = key
        self._store = store
        self._staff_by_phone = staff_by_phone
        self._sms = sms
        self._signature = signature
        self._clock = clock

    def request_code(self, phone: str, source: str | None = None) -> None:
        """Send a login code to a staff phone; unknown phones get the same answer, no SMS.
        `source` is the client's address (None only for a caller with no network source)."""
        _require_mobile(phone)
        now = self._now()
        key = self._key()
        subject = phone_hash(phone, key)
        if source is not None:
            enforce(self._store, OTP_PER_SOURCE, _address_key(source), now)
        enforce(self._store, OTP_OVERALL, "all", now)
        enforce(self._store, OTP_PER_PHONE, subject, now)
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        self._store.put_code(f"otp#{subject}", code_hash(key, phone, code), now + CODE_TTL_SECONDS)
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
        secret = self._key()
        key = f"otp#{phone_hash(phone, secret)}"
        attempt = self._store.attempt(key, now, MAX_ATTEMPTS)
        if attempt.status == "exhausted":
            retry_after = max(1, (attempt.expires_at or now) - now)
            raise RateLimited(
                "验证码错误次数过多，请重新获取", code="too_many_attempts", retry_after=retry_after
            )
        expected = code_hash(secret, phone, code)
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


def _address_key(source: str) -> str:
    """A client address as a counter key: hashed, so the table holds no addresses."""
    return hashlib.sha256(f"yunge-source:{source}".encode()).hexdigest()[:24]


def _require_mobile(phone: object) -> None:
    if not is_mobile(phone):
        raise ValidationFailed(fields={"phone": "手机号格式不正确"})


__all__ = ["DynamoOtpStore", "InMemoryOtpStore", "OtpService", "OtpStore", "code_hash"]
