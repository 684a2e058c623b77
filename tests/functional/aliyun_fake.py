"""A stand-in for Aliyun's SendSms endpoint: it checks the request the way Aliyun does
(signature with the account's secret, known template code, mainland number) and answers
with Aliyun's JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from chalicelib.notify.aliyun import AliyunSmsSender, signature

ACCOUNT = {
    "access_key_id": "LTAI-test",
    "access_key_secret": "test-secret",
    "template_codes": {"SMS_YG_0001": "SMS_900001", "SMS_YG_0008": "SMS_900008"},
}


@dataclass
class FakeAliyun:
    secret: str = "test-secret"
    replies: list[tuple[int, dict[str, Any] | bytes]] = field(default_factory=list)
    received: list[dict[str, str]] = field(default_factory=list)

    def __call__(self, url: str, body: bytes, timeout: float) -> tuple[int, bytes]:
        params = dict(parse_qsl(body.decode(), keep_blank_values=True, strict_parsing=True))
        self.received.append(params)
        if self.replies:
            status, reply = self.replies.pop(0)
            return status, reply if isinstance(reply, bytes) else json.dumps(reply).encode()
        if params.get("Signature") != signature(params, self.secret, "POST"):
            return 400, json.dumps({"Code": "SignatureDoesNotMatch", "Message": "x"}).encode()
        biz_id = f"9{len(self.received):05d}^0"
        return 200, json.dumps({"Code": "OK", "Message": "OK", "BizId": biz_id}).encode()


def aliyun_sender(transport: FakeAliyun, **kw: Any) -> AliyunSmsSender:
    return AliyunSmsSender(lambda: ACCOUNT, transport=transport, **kw)
