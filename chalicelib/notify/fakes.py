"""In-memory SmsSender that records what was sent and can be scripted to fail."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from chalicelib.notify.sender import PermanentSmsError, TransientSmsError, mainland_e164
from chalicelib.notify.templates import RenderedSms


@dataclass(frozen=True)
class SentSms:
    phone: str
    sms: RenderedSms
    message_id: str


class RecordingSmsSender:
    """``sent`` holds the accepted SMS in order; ``attempts`` counts every call.

    Message ids are deterministic: ``fake-0001``, ``fake-0002``... in order of success.
    """

    def __init__(self) -> None:
        self.sent: list[SentSms] = []
        self.attempts = 0
        self._transient_failures = 0
        self._rejected: dict[str, str] = {}
        self._lock = threading.Lock()  # senders may be called from several threads

    def fail_transiently(self, times: int = 1) -> None:
        """The next ``times`` sends (to anyone) raise TransientSmsError."""
        self._transient_failures = times

    def reject(self, phone: str, code: str = "OptedOut") -> None:
        """Every send to ``phone`` raises PermanentSmsError with ``code``."""
        self._rejected[phone] = code

    def send(self, phone: str, sms: RenderedSms) -> str:
        with self._lock:
            self.attempts += 1
            mainland_e164(phone)  # refuse what a real provider would refuse
            if phone in self._rejected:
                code = self._rejected[phone]
                raise PermanentSmsError(f"fake rejection: {code}", code=code)
            if self._transient_failures > 0:
                self._transient_failures -= 1
                raise TransientSmsError("fake throttling", code="Throttling")
            message_id = f"fake-{len(self.sent) + 1:04d}"
            self.sent.append(SentSms(phone, sms, message_id))
            return message_id

    def to(self, phone: str) -> list[RenderedSms]:
        """What ``phone`` received, oldest first."""
        return [s.sms for s in self.sent if s.phone == phone]

    def keys(self) -> list[tuple[str, str]]:
        """(phone, template key) per accepted SMS: handy for asserting who got what."""
        return [(s.phone, s.sms.key) for s in self.sent]
