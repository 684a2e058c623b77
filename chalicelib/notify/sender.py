"""The outbound SMS port.

A sender takes the recipient's phone and the whole RenderedSms, so each adapter picks what
its provider wants: SNS sends ``text``; Aliyun / Tencent send ``template_id`` + ``params``
+ ``signature``. Adding a provider is one new module implementing ``SmsSender``.

Errors say what the caller should do, not which provider failed: retry a
TransientSmsError later; never retry a PermanentSmsError.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from chalicelib.domain.phone import is_mobile, mask
from chalicelib.notify.templates import RenderedSms


class SmsError(Exception):
    """The SMS was not accepted by the provider. ``code`` is the provider's error code."""

    retryable = False

    def __init__(self, message: str, *, code: str | None = None) -> None:
        self.code = code
        super().__init__(message)


class TransientSmsError(SmsError):
    """Throttling, timeouts, provider 5xx: the same SMS may succeed later."""

    retryable = True


class PermanentSmsError(SmsError):
    """Invalid or opted-out number, template rejected, not authorised: do not retry."""


@runtime_checkable
class SmsSender(Protocol):
    def send(self, phone: str, sms: RenderedSms) -> str:
        """Send ``sms`` to ``phone`` (11-digit mainland mobile, or E.164) and return the
        provider's message id. Raises TransientSmsError or PermanentSmsError."""
        ...


def mainland_e164(phone: str) -> str:
    """``13800001234`` → ``+8613800001234``; an E.164 ``+86`` number passes through.

    Raises PermanentSmsError for anything else: no provider can deliver it.
    """
    national = phone.removeprefix("+86") if phone.startswith("+86") else phone
    if not is_mobile(national):
        raise PermanentSmsError(
            f"not a mainland mobile number: {mask(phone)}", code="InvalidPhoneNumber"
        )
    return f"+86{national}"
