"""The outage vocabulary (API.md, Outages): kinds, states, scopes, the notices customers
get and the actions on an outage's timeline. Its own module, as the API schemas and the
labels name it at `import app` while the outage rules (`domain/outages.py`) load with the
first outage request."""

from __future__ import annotations

from enum import StrEnum


class OutageKind(StrEnum):
    FAULT = "fault"
    PLANNED = "planned"  # 计划检修: announced ≥ 7 days ahead
    TEMPORARY = "temporary"  # 临时检修: ≥ 24 h ahead, important customers told


class OutageState(StrEnum):
    PROBABLE = "probable"  # clustered reports, nobody on site yet
    CONFIRMED = "confirmed"  # a person confirmed it (manager on site, or a dispatcher)
    RESTORED = "restored"
    CANCELLED = "cancelled"


OPEN_STATES = frozenset({OutageState.PROBABLE, OutageState.CONFIRMED})


class OutageScope(StrEnum):
    TRANSFORMER_AREA = "transformer_area"
    LINE = "line"


class Notice(StrEnum):
    """What affected customers are told, each once per (outage, customer[, update])."""

    ACK = "ack"  # 已确认停电，预计HH:MM恢复
    ETR = "etr"  # the ETR moved by ≥ 30 min (at most one an hour)
    RESTORED = "restored"
    CALLBACK = "callback"  # to those who reported, after restoration: "回复1已恢复，回复2仍停电"
    PUBLISHED = "published"  # a planned / temporary notice, when it is published
    REMINDER = "reminder"  # … and the day before it starts


class OutageAction(StrEnum):
    FORM = "form"  # clustering made it (system)
    ROLL_UP = "roll_up"  # another 台区 on its line joined: a line outage now (system)
    DISPATCH = "dispatch"  # its grid manager told, once (system)
    NOTIFY = "notify"  # affected customers told (system)
    PUBLISH = "publish"  # a planned / temporary notice (staff)
    CONFIRM = "confirm"
    SET_ETR = "set_etr"
    RESTORE = "restore"
    CANCEL = "cancel"
    CALLBACK_REPLY = "callback_reply"  # a reporter answered the restoration callback (customer)


STAFF_ACTIONS = frozenset(
    {OutageAction.CONFIRM, OutageAction.SET_ETR, OutageAction.RESTORE, OutageAction.CANCEL}
)
