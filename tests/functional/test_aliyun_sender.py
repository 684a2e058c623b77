"""AliyunSmsSender: Aliyun's documented signature, the request a registered template needs,
error classification, and the account read from SSM (moto)."""

from __future__ import annotations

import json
import urllib.error
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from moto import mock_aws

from chalicelib.notify.aliyun import AliyunSmsSender, signature, ssm_account
from chalicelib.notify.sender import PermanentSmsError, TransientSmsError
from chalicelib.notify.templates import render
from tests.functional.aliyun_fake import ACCOUNT, FakeAliyun, aliyun_sender

NOW = datetime(2026, 11, 27, 14, 5, 9, tzinfo=UTC)
DISPATCH = render(
    "dispatch_manager",
    {
        "number": "GD20261127-0001",
        "type_label": "故障报修",
        "accept_by": "22:15",
    },
)


def test_the_signature_reproduces_aliyuns_documented_example() -> None:
    # help.aliyun.com, 短信服务 签名机制: the SendSms example and its published signature
    params = {
        "AccessKeyId": "testId", "Action": "SendSms", "Format": "XML", "OutId": "123",
        "PhoneNumbers": "15300000001", "RegionId": "cn-hangzhou",
        "SignName": "阿里云短信测试专用", "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466", "SignatureVersion": "1.0",
        "TemplateCode": "SMS_71390007", "TemplateParam": '{"customer":"test"}',
        "Timestamp": "2017-07-12T02:42:19Z", "Version": "2017-05-25",
    }  # fmt: skip
    assert signature(params, "testSecret", "GET") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="


def test_a_dispatch_sms_goes_out_as_its_registered_template() -> None:
    endpoint = FakeAliyun()
    sender = aliyun_sender(endpoint, clock=lambda: NOW, nonce=lambda: "nonce-1")

    biz_id = sender.send("+8613800001234", DISPATCH)

    sent = endpoint.received[0]
    assert biz_id == "900001^0"
    assert sent["Action"] == "SendSms" and sent["AccessKeyId"] == "LTAI-test"
    assert sent["PhoneNumbers"] == "13800001234"
    assert sent["SignName"] == "云格供电"  # registered without the brackets
    assert sent["TemplateCode"] == "SMS_900001"
    assert json.loads(sent["TemplateParam"]) == dict(DISPATCH.params)
    assert "故障报修" in sent["TemplateParam"]  # UTF-8, not \\u escapes
    assert (sent["Timestamp"], sent["SignatureNonce"]) == ("2026-11-27T14:05:09Z", "nonce-1")


def test_each_request_draws_a_new_nonce_and_the_account_is_read_once() -> None:
    reads: list[int] = []

    def read_account() -> dict[str, Any]:
        reads.append(1)
        return ACCOUNT

    endpoint = FakeAliyun()
    sender = AliyunSmsSender(read_account, transport=endpoint)
    sender.send("13800001234", DISPATCH)
    sender.send("13800001234", DISPATCH)

    assert len(reads) == 1
    assert endpoint.received[0]["SignatureNonce"] != endpoint.received[1]["SignatureNonce"]


def test_a_template_without_a_registered_code_is_permanent_and_sends_nothing() -> None:
    endpoint = FakeAliyun()
    resolved = render("resolved_customer", {"number": "GD1", "auto_close_days": 3})

    with pytest.raises(PermanentSmsError) as refused:
        aliyun_sender(endpoint).send("13800001234", resolved)

    assert refused.value.code == "TemplateNotConfigured"
    assert endpoint.received == []


@pytest.mark.parametrize(
    ("status", "reply"),
    [
        (200, {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发小时级流控Permits:5"}),
        (200, {"Code": "Throttling.User", "Message": "Request was denied due to user flow"}),
        (200, {"Code": "isp.SYSTEM_ERROR", "Message": "系统错误"}),
        (503, {"Code": "ServiceUnavailable.Maintenance", "Message": "maintenance"}),
        (502, b"<html>Bad Gateway</html>"),
    ],
)
def test_flow_control_and_server_faults_are_transient(status: int, reply: Any) -> None:
    endpoint = FakeAliyun(replies=[(status, reply)])
    with pytest.raises(TransientSmsError):
        aliyun_sender(endpoint).send("13800001234", DISPATCH)


@pytest.mark.parametrize(
    "code",
    [
        "isv.MOBILE_NUMBER_ILLEGAL",
        "isv.SMS_TEMPLATE_ILLEGAL",
        "isv.SMS_SIGNATURE_ILLEGAL",
        "isv.TEMPLATE_MISSING_PARAMETERS",
        "isv.AMOUNT_NOT_ENOUGH",
        "isv.DAY_LIMIT_CONTROL",
        "isp.RAM_PERMISSION_DENY",
        "SignatureDoesNotMatch",
    ],
)
def test_bad_numbers_templates_and_accounts_are_permanent(code: str) -> None:
    endpoint = FakeAliyun(replies=[(400 if code == "SignatureDoesNotMatch" else 200,
                                    {"Code": code, "Message": "x"})])  # fmt: skip
    with pytest.raises(PermanentSmsError) as refused:
        aliyun_sender(endpoint).send("13800001234", DISPATCH)
    assert refused.value.code == code


def test_a_wrong_secret_is_refused_by_the_signature_check() -> None:
    endpoint = FakeAliyun(secret="the-real-secret")
    with pytest.raises(PermanentSmsError) as refused:
        aliyun_sender(endpoint).send("13800001234", DISPATCH)
    assert refused.value.code == "SignatureDoesNotMatch"


def test_an_unreachable_endpoint_is_transient_and_the_log_masks_the_phone(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def unreachable(url: str, body: bytes, timeout: float) -> tuple[int, bytes]:
        raise urllib.error.URLError("timed out")

    sender = AliyunSmsSender(lambda: ACCOUNT, transport=unreachable)
    with caplog.at_level("WARNING"), pytest.raises(TransientSmsError):
        sender.send("13800001234", DISPATCH)
    assert "138****1234" in caplog.text and "13800001234" not in caplog.text


def test_an_incomplete_account_configuration_is_permanent() -> None:
    sender = AliyunSmsSender(lambda: {"access_key_id": "x"}, transport=FakeAliyun())
    with pytest.raises(PermanentSmsError):
        sender.send("13800001234", DISPATCH)


@pytest.fixture
def ssm() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("ssm", region_name="us-east-1")


def test_the_account_comes_from_one_ssm_secure_string(ssm: Any) -> None:
    ssm.put_parameter(Name="/yunge/prod/aliyun-sms", Type="SecureString", Value=json.dumps(ACCOUNT))
    endpoint = FakeAliyun()
    sender = AliyunSmsSender(ssm_account("/yunge/prod/aliyun-sms"), transport=endpoint)

    sender.send("13800001234", DISPATCH)

    assert endpoint.received[0]["AccessKeyId"] == "LTAI-test"


def test_the_deployment_setting_picks_the_aliyun_sender(tmp_path: Any) -> None:
    from chalicelib.bootstrap import Services
    from chalicelib.config import Settings

    settings = Settings.from_env(
        {"YUNGE_STAGE": "prod", "YUNGE_SMS": "aliyun", "YUNGE_JWT_KEY_FILE": str(tmp_path)}
    )
    assert settings.aliyun_sms_param == "/yunge/prod/aliyun-sms"
    assert isinstance(Services(settings).sms, AliyunSmsSender)
