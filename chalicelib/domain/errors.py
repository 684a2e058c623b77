"""Domain errors. Each carries the HTTP status, code and Chinese message of API.md.

The API layer maps them to responses in one place (chalicelib/api/errors.py); nothing
chooses a status by matching message text.
"""

from __future__ import annotations

from collections.abc import Mapping


class DomainError(Exception):
    status = 400
    code = "bad_request"
    message = "请求有误"

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        fields: Mapping[str, str] | None = None,
        retry_after: int | None = None,
    ) -> None:
        self.message = message or type(self).message
        self.code = code or type(self).code
        self.fields = dict(fields or {})
        self.retry_after = retry_after
        super().__init__(self.message)


class ValidationFailed(DomainError):
    status = 400
    code = "invalid_request"
    message = "请求参数有误"


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"
    message = "请先登录"


class StaffChanged(Unauthorized):
    """The staff record behind a token is gone or changed role: log in again."""

    code = "staff_changed"
    message = "账号状态已变化，请重新登录"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    message = "无权执行此操作"


class NotFound(DomainError):
    status = 404
    code = "not_found"
    message = "未找到相关记录"


class TicketNotFound(NotFound):
    """Also what a customer gets for a ticket not their own: the answer never reveals it."""

    code = "ticket_not_found"
    message = "工单不存在"


class Conflict(DomainError):
    status = 409
    code = "conflict"
    message = "状态已变化，请刷新后重试"


class PayloadTooLarge(DomainError):
    status = 413
    code = "payload_too_large"
    message = "请求内容过大"


class UnsupportedMediaType(DomainError):
    status = 415
    code = "unsupported_media_type"
    message = "请求内容必须是 JSON"


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"
    message = "操作过于频繁，请稍后再试"
