"""Where an SMS stands in the notification log (`notify/log.py`). Its own module, as the admin
API's schema names it at `import app` while the log and its store load with the first
request that reads or writes it."""

from __future__ import annotations

from enum import StrEnum


class SmsStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    SUPERSEDED = "superseded"  # stale when its turn came (e.g. "please confirm" after a confirm)
