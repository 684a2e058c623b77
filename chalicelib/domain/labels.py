"""The words people read for the ticket and outage vocabulary: one spelling of each, for the
API, the SMS, the timeline notes, the error messages, the reports and the pages (served to
their scripts as /assets/labels.js, web.serve)."""

from __future__ import annotations

from collections.abc import Mapping

from .org import AreaClass, Role
from .outage_vocabulary import OutageKind, OutageState
from .tickets import Action, ClockName, Status, TicketType

TYPE_LABELS: Mapping[TicketType, str] = {
    TicketType.FAULT_REPAIR: "故障报修",
    TicketType.METER_SERVICE: "智能电表服务",
    TicketType.CONSULTATION: "用电咨询",
    TicketType.NEW_CONNECTION: "新装报装",
}

STATUS_LABELS: Mapping[Status, str] = {
    Status.SUBMITTED: "已提交",
    Status.DISPATCHED: "已派单",
    Status.ACCEPTED: "已接单",
    Status.ON_SITE: "已到达现场",
    Status.RESOLVED: "已处理",
    Status.CLOSED: "已归档",
    Status.CANCELLED: "已撤销",
}

ACTION_LABELS: Mapping[Action, str] = {
    Action.SUBMIT: "提交",
    Action.DISPATCH: "派单",
    Action.ESCALATE: "升级督办",
    Action.AUTO_CLOSE: "自动归档",
    Action.HOLD: "暂缓派单（等待同台区报修）",
    Action.ATTACH_OUTAGE: "并入停电事件",
    Action.DETACH_OUTAGE: "移出停电事件",
    Action.OUTAGE_RESTORED: "恢复供电（随停电事件办结）",
    Action.ACCEPT: "接单",
    Action.ARRIVE: "到达现场",
    Action.RESOLVE: "处理完成",
    Action.TRANSFER: "转派",
    Action.CALLBACK: "电话回访",
    Action.CANCEL: "撤销",
    Action.CONFIRM: "确认",
    Action.REOPEN: "重新打开",
}

# A ticket's photos, by where they are kept: the customer's report, then the staff's step.
PHOTO_LABELS: Mapping[str, str] = {
    "photos": "报修照片",
    "arrive_photos": ACTION_LABELS[Action.ARRIVE],
    "work_photos": ACTION_LABELS[Action.RESOLVE],
}

# A clock is named by the step that stops it.
CLOCK_LABELS: Mapping[str, str] = {
    ClockName.DISPATCH: ACTION_LABELS[Action.DISPATCH],
    ClockName.ACCEPT: ACTION_LABELS[Action.ACCEPT],
    ClockName.ARRIVE: ACTION_LABELS[Action.ARRIVE],
    ClockName.RESOLVE: ACTION_LABELS[Action.RESOLVE],
}

OUTAGE_KIND_LABELS: Mapping[str, str] = {
    OutageKind.FAULT: "故障停电",
    OutageKind.PLANNED: "计划停电",
    OutageKind.TEMPORARY: "临时检修",
}

OUTAGE_STATE_LABELS: Mapping[str, str] = {
    OutageState.PROBABLE: "疑似",
    OutageState.CONFIRMED: "已确认",
    OutageState.RESTORED: "已恢复",
    OutageState.CANCELLED: "已取消",
}

# Staff roles as the staff file and the pages name them.
ROLE_LABELS: Mapping[Role, str] = {
    Role.MANAGER: "网格经理",
    Role.CHIEF: "供电所负责人",
    Role.BRANCH: "分局值班",
    Role.OPS: "运营分析",
    Role.ADMIN: "管理员",
}

AREA_LABELS: Mapping[str, str] = {
    AreaClass.URBAN: "城区",
    AreaClass.RURAL: "农村",
    AreaClass.REMOTE: "特殊边远",
    "": "未定",  # a ticket never dispatched has no area class yet
}

# Intake channels as ops read them; a code not listed here is shown as it is.
CHANNEL_LABELS: Mapping[str, str] = {
    "miniprogram": "微信小程序",
    "phone": "电话（网格经理）",
    "95598": "95598热线",
    "open311": "Open311",
    "import": "批量导入",
}


def channel_label(code: str) -> str:
    return CHANNEL_LABELS.get(code, code)
