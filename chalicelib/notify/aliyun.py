"""SmsSender over Alibaba Cloud SMS (阿里云短信服务, dysmsapi SendSms), for mainland numbers.

SNS cannot deliver to mainland mobiles in practice; a bureau's deployment sets
``YUNGE_SMS=aliyun``. Aliyun only sends registered templates under a registered signature:

* ``SignName`` is the bureau's signature without its brackets (``【云格供电】`` → ``云格供电``);
* ``TemplateCode`` is the code Aliyun assigned when our template was registered (the texts
  in notify/templates.py, with ``{name}`` written as ``${name}``), looked up by our
  template id (``SMS_YG_0001`` …) in the account's configuration;
* ``TemplateParam`` is the rendered params as JSON.

The account configuration is one SSM SecureString (JSON), read on the first send and kept:
``{"access_key_id": "…", "access_key_secret": "…", "template_codes": {"SMS_YG_0001":
"SMS_123456789", …}}``. Requests are RPC-style POSTs signed with HMAC-SHA1 (signature
version 1.0); the transport is injectable, so tests run without the network.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from chalicelib.domain.phone import mask
from chalicelib.notify.sender import (
    PermanentSmsError,
    SmsError,
    TransientSmsError,
    mainland_e164,
)
from chalicelib.notify.templates import RenderedSms

logger = logging.getLogger(__name__)

ENDPOINT = "https://dysmsapi.aliyuncs.com/"
TIMEOUT_SECONDS = 5.0

# Codes after which the same SMS may go through later: flow control and Aliyun's own faults.
TRANSIENT_CODES = frozenset(
    {
        "isv.BUSINESS_LIMIT_CONTROL",  # per-number minute/hour flow control
        "Throttling",
        "Throttling.User",
        "Throttling.Api",
        "isp.SYSTEM_ERROR",
        "ServiceUnavailable",
        "InternalError",
        "SignatureNonceUsed",  # a retried request reused its nonce: a new one is drawn
    }
)
# Everything else (bad number, template or signature not approved, wrong parameters,
# account out of balance, permissions, a day's limit reached) will not fix itself: parked.

Transport = Callable[[str, bytes, float], tuple[int, bytes]]  # (url, body, timeout) → reply
ReadAccount = Callable[[], Mapping[str, Any]]


def urllib_post(url: str, body: bytes, timeout: float) -> tuple[int, bytes]:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status), response.read()
    except urllib.error.HTTPError as error:  # 4xx/5xx still carry Aliyun's JSON error
        return int(error.code), error.read()


def ssm_account(parameter_name: str) -> ReadAccount:
    def read() -> Mapping[str, Any]:
        import boto3

        reply = boto3.client("ssm").get_parameter(Name=parameter_name, WithDecryption=True)
        account = json.loads(reply["Parameter"]["Value"])
        if not isinstance(account, dict):
            raise ValueError(f"{parameter_name} must hold a JSON object")
        return account

    return read


def percent_encode(value: str) -> str:
    """RFC 3986 as Aliyun's RPC signing wants it: only A–Z a–z 0–9 - _ . ~ stay."""
    return quote(value, safe="-_.~")


def encode_query(pairs: Iterable[tuple[str, str]]) -> str:
    """``k=v&…`` with both sides percent-encoded: the signed string and the request body."""
    return "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in pairs)


def signature(params: Mapping[str, str], secret: str, method: str = "POST") -> str:
    """Signature version 1.0: HMAC-SHA1 over METHOD&%2F&encode(sorted, encoded query),
    keyed with the secret plus "&", in Base64."""
    canonical = encode_query(sorted((k, v) for k, v in params.items() if k != "Signature"))
    to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


@dataclass(frozen=True, slots=True)
class _Account:
    key_id: str
    secret: str
    template_codes: Mapping[str, str]


class AliyunSmsSender:
    def __init__(
        self,
        read_account: ReadAccount,
        *,
        transport: Transport = urllib_post,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        nonce: Callable[[], str] | None = None,
        endpoint: str = ENDPOINT,
        region: str = "cn-hangzhou",
        timeout: float = TIMEOUT_SECONDS,
    ) -> None:
        self._read_account = read_account
        self._transport = transport
        self._clock = clock
        self._nonce = nonce or _uuid4
        self._endpoint = endpoint
        self._region = region
        self._timeout = timeout
        self._account: _Account | None = None

    def send(self, phone: str, sms: RenderedSms) -> str:
        national = mainland_e164(phone).removeprefix("+86")
        account = self._loaded_account()
        template_code = account.template_codes.get(sms.template_id)
        if not template_code:
            raise PermanentSmsError(
                f"template {sms.template_id} ({sms.key}) has no Aliyun TemplateCode configured",
                code="TemplateNotConfigured",
            )
        params = {
            "AccessKeyId": account.key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "PhoneNumbers": national,
            "RegionId": self._region,
            "SignName": sms.signature.strip().removeprefix("【").removesuffix("】"),
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": self._nonce(),
            "SignatureVersion": "1.0",
            "TemplateCode": template_code,
            "TemplateParam": json.dumps(dict(sms.params), ensure_ascii=False),
            "Timestamp": self._clock().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
        }
        params["Signature"] = signature(params, account.secret)
        body = encode_query(params.items())
        status, reply = self._post(body.encode(), sms, phone)
        code = str(reply.get("Code", "Unknown"))
        if code != "OK" or status >= 500:
            transient = code in TRANSIENT_CODES or status >= 500
            kind: type[SmsError] = TransientSmsError if transient else PermanentSmsError
            logger.warning(
                "sms %s to %s refused: %s (%s)", sms.key, mask(phone), code, kind.__name__
            )
            raise kind(f"Aliyun SendSms refused: {code} {reply.get('Message', '')}", code=code)
        biz_id = str(reply.get("BizId") or reply.get("RequestId") or "")
        logger.info("sms %s sent to %s as %s", sms.key, mask(phone), biz_id)
        return biz_id

    def _loaded_account(self) -> _Account:
        if self._account is None:
            raw = self._read_account()
            try:
                self._account = _Account(
                    key_id=str(raw["access_key_id"]),
                    secret=str(raw["access_key_secret"]),
                    template_codes={str(k): str(v) for k, v in raw["template_codes"].items()},
                )
            except (KeyError, AttributeError) as error:
                raise PermanentSmsError(
                    f"the Aliyun SMS account configuration lacks {error}", code="BadAccount"
                ) from None
        return self._account

    def _post(self, body: bytes, sms: RenderedSms, phone: str) -> tuple[int, Mapping[str, Any]]:
        import http.client
        import urllib.error

        try:
            status, raw = self._transport(self._endpoint, body, self._timeout)
        except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
            code = type(error).__name__
            logger.warning("sms %s to %s failed: %s", sms.key, mask(phone), code)
            raise TransientSmsError(f"Aliyun SMS unreachable: {code}", code=code) from None
        try:
            reply = json.loads(raw)
        except ValueError:
            reply = None
        if not isinstance(reply, dict):
            kind = TransientSmsError if status >= 500 else PermanentSmsError
            raise kind(f"Aliyun SMS replied {status} without JSON", code=f"HTTP{status}")
        return status, reply


def _uuid4() -> str:
    import uuid

    return str(uuid.uuid4())
