"""Admin: the SMS log (API.md, Admin). Admin and ops only.

`GET /v1/admin/notifications` lists one partition of the log, newest first:
`?ticket_id=` that ticket's SMS; `?phone=` what one number was sent (looked up by hash: the
log holds no full numbers); neither → the parked (permanently failed) SMS, the list an
operator acts on. `status=` filters (without ticket_id/phone only `failed` makes sense).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from chalice import Blueprint
from chalice.app import Response
from msgspec import Struct

from chalicelib.api.docs import doc
from chalicelib.api.http import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    caller,
    endpoint,
    page_limit,
    query_params,
    respond,
)
from chalicelib.api.present import local_time, local_time_or_none
from chalicelib.bootstrap import services
from chalicelib.domain.errors import ValidationFailed
from chalicelib.domain.org import Role
from chalicelib.domain.phone import is_mobile
from chalicelib.notify.status import SmsStatus
from chalicelib.usecases.scope import scope_of

from .guard import protected

if TYPE_CHECKING:
    from chalicelib.notify.log import LogQuery, NotificationRecord

# The notification log (its records, queries and cursors) loads with the first request here,
# not with `import app` (bench/bench_coldstart.py).

admin_api = Blueprint(__name__)


class NotificationOut(Struct, omit_defaults=True):
    ticket_id: str
    recipient: str  # masked: 139****0001
    recipient_role: str
    template: str
    template_id: str
    status: SmsStatus
    created_at: str
    attempts: int
    sent_at: str | None = None
    provider_message_id: str | None = None
    error: str | None = None


class NotificationList(Struct):
    items: list[NotificationOut]
    next_cursor: str | None


@admin_api.route("/v1/admin/notifications", methods=["GET"], **protected())
@endpoint
@doc(
    "短信发送记录（按工单或手机号；都不给时列出发送失败的短信）",
    response=NotificationList,
    errors=(400, 403),
    query={
        "ticket_id": "工单号",
        "phone": "接收人手机号（11 位）",
        "status": "pending / sent / failed",
        "limit": f"每页条数，默认 {DEFAULT_LIMIT}，最多 {MAX_LIMIT}",
        "cursor": "上一页返回的 next_cursor",
    },
)
def list_notifications() -> Response:
    request = admin_api.current_request
    svc = services()
    scope_of(svc, caller(request), Role.ADMIN, Role.OPS)
    query = parse_query(query_params(request), svc.settings.bureau, svc.phone_key.hash_phone)
    page = svc.notifications.query(query)
    items = [notification_out(r) for r in page.items]
    return respond(NotificationList(items=items, next_cursor=page.next_cursor))


def parse_query(params: dict[str, str], bureau: str, hash_phone: Callable[[str], str]) -> LogQuery:
    from chalicelib.notify.log import LogCursor, LogQuery

    fields: dict[str, str] = {}
    ticket_id, phone, status = params.get("ticket_id"), params.get("phone"), params.get("status")
    if ticket_id is not None and phone is not None:
        fields["phone"] = "ticket_id 与 phone 只能给一个"
    if phone is not None and not is_mobile(phone):
        fields["phone"] = "应为 11 位手机号"
    if status is not None and status not in SmsStatus._value2member_map_:
        fields["status"] = "取值无效"
    elif ticket_id is None and phone is None and status not in (None, SmsStatus.FAILED):
        fields["status"] = "不按工单或手机号查询时只能列出 failed"
    limit = page_limit(params, fields)
    if fields:
        raise ValidationFailed(fields=fields)
    cursor = LogCursor.decode(params["cursor"]) if "cursor" in params else None
    if ticket_id is not None:
        by, key = "ticket", ticket_id
    elif phone is not None:
        by, key = "recipient", hash_phone(phone)
    else:
        by, key = "failed", bureau
    return LogQuery(by, key, SmsStatus(status) if status else None, limit, cursor)


def notification_out(record: NotificationRecord) -> NotificationOut:
    return NotificationOut(
        ticket_id=record.ticket_id,
        recipient=record.recipient_masked,
        recipient_role=record.recipient_role,
        template=record.template_key,
        template_id=record.template_id,
        status=record.status,
        created_at=local_time(record.created_at),
        attempts=record.attempts,
        sent_at=local_time_or_none(record.sent_at),
        provider_message_id=record.provider_message_id,
        error=record.error,
    )
