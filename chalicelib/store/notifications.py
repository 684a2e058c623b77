"""DynamoNotificationLog: the notifications table (models.NotificationModel).

Access patterns: claim = PutItem if the business key is new (one call; a GetItem follows only
when it is not); state changes = UpdateItem on the key, conditional where two deliveries
could race; lists = Query on by_ticket / by_recipient / by_failure (sparse: parked SMS only),
newest first. Never a Scan.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.notify.log import (
    LogPage,
    LogQuery,
    NotificationRecord,
    SmsStatus,
    page_of,
)
from chalicelib.store.keys import iso, parse_iso

_INDEX = {"ticket": "by_ticket", "recipient": "by_recipient", "failed": "by_failure"}
_HASH_ATTR = {"ticket": "ticket_id", "recipient": "recipient_hash", "failed": "failed_bureau"}


class DynamoNotificationLog:
    def claim(self, record: NotificationRecord) -> NotificationRecord | None:
        from pynamodb.exceptions import PutError

        from chalicelib.store.models import NotificationModel

        try:
            to_item(record).save(condition=NotificationModel.business_key.does_not_exist())
        except PutError as error:
            if _code(error) != "ConditionalCheckFailedException":
                raise
            return self.get(record.business_key)
        return None

    def take_attempt(self, business_key: str, seen_attempts: int) -> bool:
        from chalicelib.store.models import NotificationModel

        return self._update(
            business_key,
            [NotificationModel.attempts.set(seen_attempts + 1)],
            (NotificationModel.status == SmsStatus.PENDING.value)
            & (NotificationModel.attempts == seen_attempts),
        )

    def mark_sent(self, business_key: str, message_id: str, at: datetime) -> None:
        from chalicelib.store.models import NotificationModel as M

        self._update(
            business_key,
            [
                M.status.set(SmsStatus.SENT.value),
                M.provider_message_id.set(message_id),
                M.sent_at.set(iso(at)),
                M.error.remove(),
            ],
        )

    def mark_retryable(self, business_key: str, error: str) -> None:
        from chalicelib.store.models import NotificationModel as M

        self._update(business_key, [M.error.set(error[:500])])

    def mark_superseded(self, business_key: str, reason: str) -> None:
        from chalicelib.store.models import NotificationModel as M

        self._update(business_key, [M.status.set(SmsStatus.SUPERSEDED.value), M.error.set(reason)])

    def mark_failed(self, business_key: str, error: str, bureau: str) -> None:
        from chalicelib.store.models import NotificationModel as M

        self._update(
            business_key,
            [
                M.status.set(SmsStatus.FAILED.value),
                M.error.set(error[:500]),
                M.failed_bureau.set(bureau),
            ],
        )

    def get(self, business_key: str) -> NotificationRecord | None:
        from pynamodb.exceptions import DoesNotExist

        from chalicelib.store.models import NotificationModel

        try:
            return to_record(NotificationModel.get(business_key, consistent_read=True))
        except DoesNotExist:
            return None

    def query(self, query: LogQuery) -> LogPage:
        from chalicelib.store.models import NotificationModel

        index = getattr(NotificationModel, _INDEX[query.by])
        start = None
        if query.cursor is not None:
            start = {
                "business_key": {"S": query.cursor.business_key},
                "created_at": {"S": query.cursor.created_at},
                _HASH_ATTR[query.by]: {"S": query.key},
            }
        status = query.status
        results = index.query(
            query.key,
            filter_condition=(NotificationModel.status == status.value) if status else None,
            scan_index_forward=False,
            limit=query.limit + 1,
            last_evaluated_key=start,
        )
        return page_of([to_record(item) for item in results], query.limit, has_more=False)

    def _update(self, business_key: str, actions: list[Any], condition: Any = None) -> bool:
        from pynamodb.exceptions import UpdateError

        from chalicelib.store.models import NotificationModel

        try:
            NotificationModel(business_key).update(
                actions=actions,
                condition=NotificationModel.business_key.exists()
                if condition is None
                else condition,
            )
        except UpdateError as error:
            if _code(error) == "ConditionalCheckFailedException":
                return False
            raise
        return True


def _code(error: Any) -> str | None:
    return getattr(error, "cause_response_code", None)


def to_item(record: NotificationRecord) -> Any:
    from chalicelib.store.models import NotificationModel

    return NotificationModel(
        record.business_key,
        ticket_id=record.ticket_id,
        recipient_role=record.recipient_role,
        recipient_masked=record.recipient_masked,
        recipient_hash=record.recipient_hash,
        template_id=record.template_id,
        template_key=record.template_key,
        params=dict(record.params) or None,
        status=record.status.value,
        failed_bureau=record.failed_bureau,
        provider_message_id=record.provider_message_id,
        attempts=record.attempts,
        error=record.error,
        created_at=iso(record.created_at),
        sent_at=iso(record.sent_at) if record.sent_at else None,
    )


def to_record(item: Any) -> NotificationRecord:
    params = item.params.as_dict() if item.params is not None else {}
    return NotificationRecord(
        business_key=item.business_key,
        ticket_id=item.ticket_id,
        recipient_role=item.recipient_role,
        recipient_masked=item.recipient_masked,
        recipient_hash=item.recipient_hash,
        template_id=item.template_id,
        template_key=item.template_key,
        created_at=parse_iso(item.created_at),
        params={str(k): str(v) for k, v in params.items()},
        status=SmsStatus(item.status),
        attempts=int(item.attempts or 0),
        provider_message_id=item.provider_message_id,
        error=item.error,
        sent_at=parse_iso(item.sent_at) if item.sent_at else None,
        failed_bureau=item.failed_bureau,
    )
