"""Inbound SMS (上行短信, mobile-originated): the replies customers send back to our SMS, as the
provider pushes them. Outbound SMS is `sender.py`; this is the other direction.

Only Aliyun delivers replies here (SNS does not take mainland replies). Aliyun's "HTTP 批量推送"
mode of the SmsUp message POSTs a JSON array to a URL set in its console, and retries a push
that was not answered HTTP 200 with a numeric ``code``. What we rely on, from Aliyun's own
pages (checked 2026-12-06):

* help.aliyun.com/zh/sms/developer-reference/smsup-http ("SmsUp"): a POST, application/json,
  UTF-8, a JSON array, "单次请求可能包含多个上行短信内容"; each item ``phone_number``,
  ``content``, ``send_time`` ("2017-09-01 00:00:00"), ``dest_code``, ``sequence_id``; the
  answer ``{"code": 0, "msg": "接收成功"}`` ("系统仅校验code是否为数字"); HTTP 200 is success,
  any other status or a timeout is pushed again 1, 5 and 10 minutes later, then dropped; on a
  system fault or failed consumption answer 50X.
* help.aliyun.com/knowledge_detail/60127.html (the older page of the same message) adds
  ``sign_name`` and types ``sequence_id`` as a Number; the current page types it as a String,
  so both are taken. help.aliyun.com/document_detail/414223.htm (``POST /api/v2/recall/up``)
  gives the same fields and a longer retry schedule (up to 10 pushes over about six hours).

Not verified (no page says): the largest batch Aliyun sends (we take `MAX_BATCH`), the longest
``content`` (we take `MAX_TEXT`), whether ``phone_number`` may carry a ``+86``/``86`` prefix
(we accept both), and whether a retried push keeps its ``sequence_id`` (the restoration
callback does not rely on it: a reply is answered once per outage and account, whatever the
push). Aliyun does not sign its pushes, so the URL carries a secret (`token_matches`).

The local stack has no provider: ``python -m infra.local.reply <phone> <text>`` posts the same
shape to the local route, so a reply takes the production path.
"""

from __future__ import annotations

import hmac
import unicodedata
from dataclasses import dataclass
from typing import Annotated, Protocol

import msgspec
from msgspec import Meta

from chalicelib.domain.phone import is_mobile

MAX_BATCH = 100  # replies in one push; a longer batch is refused whole (400)
MAX_TEXT = 500  # characters of one reply: an answer is "1" or "2", this leaves room for words
ACK = {"code": 0, "msg": "接收成功"}  # what Aliyun wants back for a push taken


class AliyunSmsUp(msgspec.Struct, frozen=True):
    """One item of an Aliyun SmsUp push (unknown fields are ignored: Aliyun may add some)."""

    phone_number: Annotated[str, Meta(max_length=20, description="回复短信的手机号码")]
    content: Annotated[str, Meta(max_length=MAX_TEXT, description="客户回复的内容")]
    sequence_id: (
        Annotated[int, Meta(ge=0, description="序列号")]
        | Annotated[str, Meta(max_length=64, description="序列号")]
    )
    send_time: Annotated[str, Meta(max_length=40, description="运营商推送上行的时间")] = ""
    dest_code: Annotated[str, Meta(max_length=40, description="上行扩展号码")] = ""
    sign_name: Annotated[str, Meta(max_length=40, description="签名")] = ""


AliyunSmsUpPush = Annotated[list[AliyunSmsUp], Meta(max_length=MAX_BATCH)]


class SmsUpAck(msgspec.Struct, frozen=True):
    """The answer Aliyun checks: a numeric `code` (0) with HTTP 200 means the push was taken."""

    code: int
    msg: str


@dataclass(frozen=True, slots=True)
class SmsReply:
    phone: str  # the 11-digit mainland mobile it came from; "" when it is none
    text: str  # NFKC-normalised: a full-width "２" reads as "2"
    message_id: str  # the provider's sequence id, for the logs
    sent_at: str  # as the provider wrote it


def parse_aliyun_push(raw: bytes) -> list[SmsReply]:
    """The replies of one push body. Raises msgspec.DecodeError when it is not JSON and
    msgspec.ValidationError naming the first bad item (wrong shape, too many, too long)."""
    items = msgspec.json.decode(raw, type=AliyunSmsUpPush)
    return [
        SmsReply(
            phone=national_mobile(item.phone_number),
            text=unicodedata.normalize("NFKC", item.content),
            message_id=str(item.sequence_id),
            sent_at=item.send_time,
        )
        for item in items
    ]


def national_mobile(number: str) -> str:
    """``13812345678``, ``+8613812345678``, ``8613812345678`` or ``008613812345678`` →
    ``13812345678``; "" for anything that is not a mainland mobile."""
    number = number.strip()
    for prefix in ("+86", "0086", "86"):
        if len(number) == 11 + len(prefix) and number.startswith(prefix):
            number = number[len(prefix) :]
            break
    return number if is_mobile(number) else ""


class Secret(Protocol):
    def text(self) -> str: ...


def token_matches(given: str, secret: Secret) -> bool:
    """Whether a push URL carries our secret (compared in constant time). A deployment whose
    parameter was never created takes no replies: nothing matches."""
    try:
        expected = secret.text()
    except Exception as error:
        if getattr(error, "response", {}).get("Error", {}).get("Code") == "ParameterNotFound":
            return False
        raise
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())
