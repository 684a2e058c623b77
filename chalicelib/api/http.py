"""Request decoding, response encoding and the one place domain errors become HTTP."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

import msgspec
from chalice.app import Request, Response

from chalicelib.api.validation import all_field_errors
from chalicelib.domain.commands import Caller
from chalicelib.domain.errors import (
    DomainError,
    Forbidden,
    PayloadTooLarge,
    Unauthorized,
    UnsupportedMediaType,
    ValidationFailed,
)
from chalicelib.domain.org import Role
from chalicelib.observability import logger

T = TypeVar("T")
MAX_BODY_BYTES = 64 * 1024
MAX_DEPTH = 16  # nested objects/arrays in a body; ours need 3
JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}
ANY_CONTENT = ["*/*"]  # routes accept any type so a wrong one gets OUR 415, not Chalice's


class InternalError(DomainError):
    status = 500
    code = "internal_error"
    message = "服务暂时不可用，请稍后再试"


def respond(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = msgspec.json.encode(payload).decode()
    return Response(body=body, status_code=status, headers={**JSON_HEADERS, **(headers or {})})


def error_response(error: DomainError) -> Response:
    body: dict[str, Any] = {"code": error.code, "message": error.message}
    if error.fields:
        body["fields"] = error.fields
    headers = {"Retry-After": str(error.retry_after)} if error.retry_after is not None else None
    return respond({"error": body}, error.status, headers)


def endpoint(view: Callable[..., Response]) -> Callable[..., Response]:
    """Wrap a view so domain errors map to API.md's error shape and nothing leaks a 500 body
    other than ours."""

    @functools.wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Response:
        try:
            return view(*args, **kwargs)
        except DomainError as error:
            return error_response(error)
        except Exception:
            logger.exception("unhandled error in %s", view.__name__)
            return error_response(InternalError())

    return guarded


# ------------------------------------------------------------------ bodies
def decode(
    request: Request, schema: type[T], also: Callable[[Any], dict[str, str]] | None = None
) -> T:
    """The body as `schema`, or a 400 naming every bad field. `also` adds the errors of rules
    the Struct cannot state (checked on the plain JSON values when the body failed)."""
    raw = json_body(request)
    try:
        return msgspec.json.decode(raw, type=schema)
    except msgspec.ValidationError:
        plain = msgspec.json.decode(raw)
        fields = all_field_errors(plain, schema)
        raise ValidationFailed(fields={**fields, **(also(plain) if also else {})}) from None
    except msgspec.DecodeError:
        raise ValidationFailed("请求内容不是合法的 JSON", code="invalid_json") from None


def json_body(request: Request) -> bytes:
    """The raw body of a JSON request, held to the limits every body is held to (415 not
    JSON, 413 too large, 400 not UTF-8 or nested too deep), before anything decodes it."""
    content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise UnsupportedMediaType()
    body = request.raw_body or b""
    raw = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
    if len(raw) > MAX_BODY_BYTES:
        raise PayloadTooLarge()
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationFailed("请求内容应为 UTF-8 编码的 JSON", code="invalid_json") from None
    if nesting(raw) > MAX_DEPTH:
        raise ValidationFailed(f"JSON 嵌套不能超过 {MAX_DEPTH} 层", code="invalid_json")
    return raw


_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def nesting(raw: bytes) -> int:
    """How deep objects and arrays nest in a JSON text (brackets inside strings don't count),
    read before decoding so a deep body cannot exhaust the decoder's recursion."""
    deepest = depth = 0
    for byte in _JSON_STRING.sub(b"", raw).translate(None, _NOT_BRACKETS):
        depth += 1 if byte in b"[{" else -1
        deepest = max(deepest, depth)
    return deepest


MAX_OFFSET = timedelta(hours=14)  # real UTC offsets run from -12:00 to +14:00


def moment(text: str, field: str) -> datetime:
    """An ISO 8601 time with a real UTC offset, as a request field gives it."""
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = None
    offset = parsed.utcoffset() if parsed is not None else None
    if parsed is None or offset is None or abs(offset) > MAX_OFFSET:
        raise ValidationFailed(fields={field: "应为带时区的 ISO 8601 时间"})
    return parsed


def query_params(request: Request) -> dict[str, str]:
    return dict(request.query_params or {})


def source_ip(request: Request) -> str:
    """The client's address as API Gateway saw it (not a header the client could write)."""
    identity = (request.context or {}).get("identity") or {}
    return str(identity.get("sourceIp") or "unknown")


DEFAULT_LIMIT, MAX_LIMIT = 20, 100


def page_limit(params: dict[str, str], fields: dict[str, str]) -> int:
    """`?limit=` of a list (API.md: default 20, max 100); a bad one is added to `fields`."""
    raw = params.get("limit")
    if raw is None:
        return DEFAULT_LIMIT
    if raw.isdigit() and 1 <= int(raw) <= MAX_LIMIT:
        return int(raw)
    fields["limit"] = f"应为 1–{MAX_LIMIT} 的整数"
    return DEFAULT_LIMIT


# ------------------------------------------------------------------ callers
def caller(request: Request, *allowed: Role) -> Caller:
    """The authenticated caller, as the authorizer established it. `allowed` limits roles."""
    context = (request.context or {}).get("authorizer") or {}
    subject = context.get("principalId") or context.get("subject")
    role_value = str(context.get("role"))
    if not subject or role_value not in Role._value2member_map_:
        raise Unauthorized()
    role = Role(role_value)
    if allowed and role not in allowed:
        raise Forbidden()
    session_id, phone_key = context.get("session_id"), context.get("phone_key")
    return Caller(
        role=role,
        subject=str(subject),
        session_id=str(session_id) if session_id else None,
        phone_key=str(phone_key) if phone_key else None,
    )
