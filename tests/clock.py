"""Injected time for tests: tests move it explicitly; nothing sleeps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

# a Friday morning in Asia/Shanghai (02:15 UTC = 10:15 +08:00)
DEFAULT_START = datetime(2026, 11, 27, 2, 15, tzinfo=UTC)


class Clock:
    def __init__(self, start: datetime = DEFAULT_START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float = 0, **delta: float) -> datetime:
        self.now += timedelta(seconds=seconds, **delta)
        return self.now
