"""The API's bearer-token check, and how its refusals reach clients in API.md's error shape.

API Gateway answers for a Lambda (TOKEN) authorizer itself, so a refusal cannot come back
through `endpoint`. Instead the authorizer returns an explicit Deny whose context carries
our code and message, and the gateway responses below turn that into
`401 {"error": {"code", "message"}}` — in AWS through the OpenAPI extension
`x-amazon-apigateway-gateway-responses`, locally through `gateway_error` (the local
gateway's emulation of the same table). Plain data here: nothing imports chalice.local.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from chalicelib.auth.tokens import TokenService
from chalicelib.domain.errors import RateLimited, Unauthorized

_BEARER = "bearer"
_TEMPLATE = '{"error":{"code":"%s","message":"%s"}}'
# (status, code, message) per API Gateway response type; None = from the authorizer context
_RESPONSES: dict[str, tuple[int, str | None, str | None]] = {
    "UNAUTHORIZED": (401, Unauthorized.code, Unauthorized.message),  # no Authorization header
    "ACCESS_DENIED": (401, None, None),  # our Deny: code/message from its context
    "MISSING_AUTHENTICATION_TOKEN": (404, "not_found", "未找到相关记录"),  # unknown route
    "AUTHORIZER_FAILURE": (500, "internal_error", "服务暂时不可用，请稍后再试"),
    "AUTHORIZER_CONFIGURATION_ERROR": (500, "internal_error", "服务暂时不可用，请稍后再试"),
    "THROTTLED": (429, RateLimited.code, RateLimited.message),  # the stage's rate or burst
    "QUOTA_EXCEEDED": (429, RateLimited.code, RateLimited.message),
    "DEFAULT_4XX": (400, "bad_request", "请求有误"),
    "DEFAULT_5XX": (500, "internal_error", "服务暂时不可用，请稍后再试"),
}
_CONTEXT_TEMPLATE = _TEMPLATE % ("$context.authorizer.code", "$context.authorizer.message")
THROTTLED_RETRY_AFTER = 1  # seconds: stage throttling is a token bucket refilled each second


def authorize(authorization_header: str | None, tokens: TokenService) -> tuple[str, dict[str, str]]:
    """(principal_id, context) for a valid `Bearer <token>`; Unauthorized otherwise."""
    scheme, _, token = (authorization_header or "").strip().partition(" ")
    token = token.strip()
    if scheme.lower() != _BEARER or not token or " " in token:
        raise Unauthorized()
    claims = tokens.verify(token)
    context = {"role": claims.role.value, "subject": claims.subject}
    if claims.session_id:
        context["session_id"] = claims.session_id
    if claims.phone_key:
        context["phone_key"] = claims.phone_key
    return claims.subject, context


def denial(method_arn: str, error: Unauthorized) -> dict[str, Any]:
    """The authorizer result refusing a request: an explicit Deny on the whole API (so a
    cached result refuses every route) whose context the ACCESS_DENIED response renders."""
    return {
        "principalId": "anonymous",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Action": "execute-api:Invoke",
                    "Effect": "Deny",
                    "Resource": [_whole_api(method_arn)],
                }
            ],
        },
        "context": {"code": error.code, "message": error.message},
    }


def _whole_api(method_arn: str) -> str:
    # arn:aws:execute-api:<region>:<account>:<api-id>/<stage>/<METHOD>/<path> -> .../*
    prefix, _, rest = method_arn.partition("/")
    return f"{prefix}/*" if rest else method_arn


def gateway_responses() -> dict[str, Any]:
    """`x-amazon-apigateway-gateway-responses` for the RestAPI's OpenAPI body."""
    out: dict[str, Any] = {}
    for kind, (status, code, message) in _RESPONSES.items():
        template = _CONTEXT_TEMPLATE if code is None else _TEMPLATE % (code, message)
        headers = {"gatewayresponse.header.Content-Type": "'application/json; charset=utf-8'"}
        if status == 429:
            headers["gatewayresponse.header.Retry-After"] = f"'{THROTTLED_RETRY_AFTER}'"
        out[kind] = {
            "statusCode": status,
            "responseParameters": headers,
            "responseTemplates": {"application/json": template},
        }
    return out


def gateway_error(
    kind: str, context: Mapping[str, Any] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """What API Gateway sends for response type `kind` under `gateway_responses()`:
    (status, headers, body). For the local gateway and tests."""
    status, code, message = _RESPONSES.get(kind, _RESPONSES["DEFAULT_4XX"])
    if code is None:
        code = str((context or {}).get("code") or Unauthorized.code)
        message = str((context or {}).get("message") or Unauthorized.message)
    body = json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False)
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if status == 429:
        headers["Retry-After"] = str(THROTTLED_RETRY_AFTER)
    return status, headers, body.encode()
