"""SnsSmsSender against moto, error classification, and one contract run on every sender."""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError, ReadTimeoutError
from botocore.stub import Stubber
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.sns.models import sns_backends

from chalicelib.notify.fakes import RecordingSmsSender
from chalicelib.notify.local import LocalSmsSender
from chalicelib.notify.sender import PermanentSmsError, SmsSender, TransientSmsError
from chalicelib.notify.sns import SnsSmsSender
from chalicelib.notify.templates import render
from tests.functional.aliyun_fake import FakeAliyun, aliyun_sender

REGION = "ap-southeast-1"
PHONE = "13800001234"
SMS = render("staff_login_code", {"code": "482913", "valid_minutes": 5})


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fake credentials and region, set before moto starts and before any client exists."""
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SNS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    with mock_aws():
        yield


def sms_delivered() -> list[tuple[str, str]]:
    return list(sns_backends[DEFAULT_ACCOUNT_ID][REGION].sms_messages.values())


def test_sends_transactional_sms_to_the_plus86_number(aws: None) -> None:
    sender = SnsSmsSender()  # production default client factory

    message_id = sender.send(PHONE, SMS)

    assert message_id
    assert sms_delivered() == [("+8613800001234", SMS.text)]


def test_client_is_created_on_first_send_and_reused(aws: None) -> None:
    made: list[Any] = []

    def factory() -> Any:
        made.append(boto3.client("sns", region_name=REGION))
        return made[-1]

    sender = SnsSmsSender(factory)
    assert made == []

    sender.send(PHONE, SMS)
    sender.send("+8613900005678", SMS)

    assert len(made) == 1
    assert [to for to, _ in sms_delivered()] == ["+8613800001234", "+8613900005678"]


def test_publish_asks_for_a_transactional_sms() -> None:
    client = boto3.client(
        "sns", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x"
    )
    with Stubber(client) as stubber:
        expected = {
            "PhoneNumber": "+8613800001234",
            "Message": SMS.text,
            "MessageAttributes": {
                "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}
            },
        }
        stubber.add_response("publish", {"MessageId": "m-1"}, expected)
        assert SnsSmsSender(lambda: client).send(PHONE, SMS) == "m-1"
        stubber.assert_no_pending_responses()


def test_importing_notify_creates_no_client_and_imports_no_boto3() -> None:
    code = "import sys, chalicelib.notify; print('boto3' in sys.modules)"
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr


def stubbed_sender(code: str, http_status: int) -> tuple[SnsSmsSender, Stubber]:
    client = boto3.client(
        "sns", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x"
    )
    stubber = Stubber(client)
    stubber.add_client_error(
        "publish", service_error_code=code, http_status_code=http_status, service_message=code
    )
    stubber.activate()
    return SnsSmsSender(lambda: client), stubber


@pytest.mark.parametrize(
    ("code", "status"),
    [("Throttling", 400), ("ThrottlingException", 400), ("InternalError", 500),
     ("ServiceUnavailable", 503), ("KMSThrottling", 400), ("SomethingNew", 502)],
)  # fmt: skip
def test_throttling_and_server_errors_are_transient(code: str, status: int) -> None:
    sender, stubber = stubbed_sender(code, status)
    with pytest.raises(TransientSmsError) as caught:
        sender.send(PHONE, SMS)
    assert caught.value.code == code and caught.value.retryable
    stubber.assert_no_pending_responses()


@pytest.mark.parametrize(
    ("code", "status"),
    [("InvalidParameter", 400), ("InvalidParameterValue", 400), ("OptedOut", 400),
     ("AuthorizationError", 403), ("SomethingNew", 400)],
)  # fmt: skip
def test_bad_requests_are_permanent(code: str, status: int) -> None:
    sender, stubber = stubbed_sender(code, status)
    with pytest.raises(PermanentSmsError) as caught:
        sender.send(PHONE, SMS)
    assert caught.value.code == code and not caught.value.retryable
    stubber.assert_no_pending_responses()


class UnreachableClient:
    def __init__(self, error: Exception) -> None:
        self.error = error

    def publish(self, **_: Any) -> dict[str, Any]:
        raise self.error


@pytest.mark.parametrize(
    "error",
    [
        EndpointConnectionError(endpoint_url="https://sns.ap-southeast-1.amazonaws.com"),
        ReadTimeoutError(endpoint_url="https://sns.ap-southeast-1.amazonaws.com"),
    ],
)
def test_network_failures_are_transient(error: Exception) -> None:
    sender = SnsSmsSender(lambda: UnreachableClient(error))
    with pytest.raises(TransientSmsError) as caught:
        sender.send(PHONE, SMS)
    assert caught.value.code == type(error).__name__


def test_failure_logs_mask_the_phone(caplog: pytest.LogCaptureFixture) -> None:
    sender, _ = stubbed_sender("Throttling", 400)
    with caplog.at_level("DEBUG"), pytest.raises(TransientSmsError):
        sender.send(PHONE, SMS)
    assert "138****1234" in caplog.text and PHONE not in caplog.text


# One contract, every sender: the fake, SNS under moto, Aliyun against a fake endpoint and the
# local stack's sender.
SenderFactory = Callable[[Path], SmsSender]
SENDERS: dict[str, SenderFactory] = {
    "fake": lambda _: RecordingSmsSender(),
    "sns": lambda _: SnsSmsSender(),
    "aliyun": lambda _: aliyun_sender(FakeAliyun()),
    "local": lambda tmp: LocalSmsSender(
        tmp / "sms.jsonl", lambda: datetime(2026, 11, 27, tzinfo=UTC), io.StringIO()
    ),
}


@pytest.fixture(params=sorted(SENDERS))
def sender(request: pytest.FixtureRequest, aws: None, tmp_path: Path) -> SmsSender:
    return SENDERS[request.param](tmp_path)


def test_contract_each_send_returns_a_distinct_message_id(sender: SmsSender) -> None:
    ids = {sender.send(PHONE, SMS), sender.send("+8613900005678", SMS)}
    assert len(ids) == 2 and all(ids)


@pytest.mark.parametrize("phone", ["12345", "010-88886666", "+8520000000", ""])
def test_contract_a_number_no_provider_can_reach_is_permanent(
    sender: SmsSender, phone: str
) -> None:
    with pytest.raises(PermanentSmsError):
        sender.send(phone, SMS)
