"""Outbound SMS: the SmsSender port, its adapters and the zh-CN templates."""

from chalicelib.notify.fakes import RecordingSmsSender, SentSms
from chalicelib.notify.local import LocalSmsSender
from chalicelib.notify.log import (
    InMemoryNotificationLog,
    NotificationLog,
    NotificationRecord,
    SmsStatus,
)
from chalicelib.notify.sender import (
    PermanentSmsError,
    SmsError,
    SmsSender,
    TransientSmsError,
    mainland_e164,
)
from chalicelib.notify.sns import SnsSmsSender
from chalicelib.notify.templates import (
    DEFAULT_SIGNATURE,
    TEMPLATES,
    RenderedSms,
    SmsTemplate,
    TemplateError,
    TemplateKey,
    render,
)

__all__ = [
    "DEFAULT_SIGNATURE",
    "TEMPLATES",
    "InMemoryNotificationLog",
    "LocalSmsSender",
    "NotificationLog",
    "NotificationRecord",
    "PermanentSmsError",
    "RecordingSmsSender",
    "RenderedSms",
    "SentSms",
    "SmsError",
    "SmsSender",
    "SmsStatus",
    "SmsTemplate",
    "SnsSmsSender",
    "TemplateError",
    "TemplateKey",
    "TransientSmsError",
    "mainland_e164",
    "render",
]
