"""Ticket vocabulary: types, statuses and actions (API.md, Tickets)."""

from __future__ import annotations

from enum import StrEnum


class TicketType(StrEnum):
    FAULT_REPAIR = "fault_repair"  # 故障报修
    METER_SERVICE = "meter_service"  # 智能电表服务
    CONSULTATION = "consultation"  # 用电咨询
    NEW_CONNECTION = "new_connection"  # 报装


class Status(StrEnum):
    SUBMITTED = "submitted"
    DISPATCHED = "dispatched"
    ACCEPTED = "accepted"
    ON_SITE = "on_site"
    RESOLVED = "resolved"
    CLOSED = "closed"
    CANCELLED = "cancelled"


OPEN_STATUSES = frozenset({Status.SUBMITTED, Status.DISPATCHED, Status.ACCEPTED, Status.ON_SITE})


class Action(StrEnum):
    # system
    SUBMIT = "submit"
    DISPATCH = "dispatch"
    ESCALATE = "escalate"
    AUTO_CLOSE = "auto_close"
    # staff
    ACCEPT = "accept"
    ARRIVE = "arrive"
    RESOLVE = "resolve"
    TRANSFER = "transfer"
    # customer
    CANCEL = "cancel"
    CONFIRM = "confirm"
    REOPEN = "reopen"


TYPE_LABELS = {
    TicketType.FAULT_REPAIR: "故障报修",
    TicketType.METER_SERVICE: "智能电表服务",
    TicketType.CONSULTATION: "用电咨询",
    TicketType.NEW_CONNECTION: "新装报装",
}

# Intake channels as ops read them; a code not listed here is shown as it is.
CHANNEL_LABELS = {
    "miniprogram": "微信小程序",
    "phone": "电话（网格经理）",
    "95598": "95598热线",
    "open311": "Open311",
    "import": "批量导入",
}


def channel_label(code: str) -> str:
    return CHANNEL_LABELS.get(code, code)
