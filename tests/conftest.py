"""Shared fixtures: an injected clock, a small district, and Services wired with fakes."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.clock import Clock

# moto and boto3 must see a region and fake credentials before any client exists.
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_ACCOUNT_ID_ENDPOINT_MODE", "disabled")
for _var in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB"):
    os.environ.pop(_var, None)


@pytest.fixture
def clock() -> Clock:
    # a Tuesday morning in Asia/Shanghai (02:00 UTC = 10:00 +08:00), not a holiday
    return Clock(datetime(2026, 11, 24, 2, 0, tzinfo=UTC))


@pytest.fixture
def settings(tmp_path: Path):  # type: ignore[no-untyped-def]
    from chalicelib.config import Settings

    return Settings.from_env(
        {
            "YUNGE_STAGE": "local",  # the stand-ins (dev: login, SMS sink) run only here
            "AWS_DEFAULT_REGION": "us-east-1",
            "YUNGE_JWT_KEY_FILE": str(tmp_path / "jwt.key"),
            "YUNGE_PHONE_KEY_FILE": str(tmp_path / "phone.key"),
            "YUNGE_SMS_REPLY_TOKEN_FILE": str(tmp_path / "sms-reply.key"),
            "YUNGE_WECHAT": "fake",
            "YUNGE_SMS": "local",
            "YUNGE_SMS_LOG": str(tmp_path / "sms.jsonl"),
        }
    )


@pytest.fixture
def memory_services(settings, clock) -> Iterator:  # type: ignore[no-untyped-def]
    """Services over in-memory fakes, installed as the app's services."""
    from chalicelib import bootstrap
    from chalicelib.auth.otp import InMemoryOtpStore
    from chalicelib.notify.fakes import RecordingSmsSender
    from chalicelib.notify.log import InMemoryNotificationLog
    from chalicelib.store.customers import InMemoryCustomerStore
    from chalicelib.store.import_files import InMemoryImportFiles
    from chalicelib.store.org import InMemoryOrgStore
    from chalicelib.store.outages import InMemoryOutageStore
    from chalicelib.store.sessions import InMemorySessionStore
    from chalicelib.store.tickets import InMemoryTicketStore
    from chalicelib.store.uploads import FakeUploadSigner
    from chalicelib.store.usage import InMemoryUsageStore
    from tests import district

    svc = bootstrap.Services(settings, clock=clock)
    svc.org = InMemoryOrgStore(district.ORG)
    svc.customers = InMemoryCustomerStore(district.CUSTOMERS)
    svc.tickets = InMemoryTicketStore()
    svc.outages = InMemoryOutageStore(settings.bureau)
    svc.uploads = FakeUploadSigner()
    svc.import_files = InMemoryImportFiles()
    svc.usage = InMemoryUsageStore()
    svc.sms = RecordingSmsSender()
    svc.notifications = InMemoryNotificationLog()
    svc.counters = InMemoryOtpStore()
    svc.sessions = InMemorySessionStore()
    # svc.otp is left to Services, wired as in production: over svc.counters and svc.org
    bootstrap.use(svc)
    yield svc
    bootstrap.use(None)
