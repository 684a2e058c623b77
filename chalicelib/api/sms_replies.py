"""Replies customers send by SMS, as the SMS provider pushes them (no user token: the URL's
secret is the credential). Thin: check the secret, parse through the provider adapter
(notify/replies.py), hand the replies to the restoration callback desk, acknowledge."""

from __future__ import annotations

import msgspec
from chalice import Blueprint
from chalice.app import Response

from chalicelib.api.docs import doc
from chalicelib.api.http import ANY_CONTENT, endpoint, json_body, respond
from chalicelib.api.validation import field_errors
from chalicelib.bootstrap import services
from chalicelib.domain.errors import NotFound, ValidationFailed
from chalicelib.notify.replies import (
    ACK,
    AliyunSmsUpPush,
    SmsUpAck,
    parse_aliyun_push,
    token_matches,
)

sms_api = Blueprint(__name__)


@sms_api.route("/v1/sms/replies/{token}", methods=["POST"], content_types=ANY_CONTENT)
@endpoint
@doc(
    "客户回复的短信（上行短信），由短信服务商按阿里云 HTTP 批量推送格式推送："
    "复电回访回复 1 已恢复，2 仍停电（新建工单）；路径中的 token 是部署配置的密钥，不符即 404",
    body=AliyunSmsUpPush,
    response=SmsUpAck,
    errors=(404,),
    auth=False,
)
def sms_replies(token: str) -> Response:
    from chalicelib.outages.callback import callback_desk  # its first request loads it

    svc = services()
    if not token_matches(token, svc.sms_reply_token):
        raise NotFound()
    raw = json_body(sms_api.current_request)
    try:
        replies = parse_aliyun_push(raw)
    except msgspec.ValidationError as error:
        raise ValidationFailed(fields=field_errors(error)) from None
    except msgspec.DecodeError:
        raise ValidationFailed("请求内容不是合法的 JSON", code="invalid_json") from None
    callback_desk(svc).on_sms_replies(replies)
    return respond(ACK)
