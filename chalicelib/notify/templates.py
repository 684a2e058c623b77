"""Simplified-Chinese SMS templates, kept as data.

Mainland SMS providers only deliver registered templates: each has a template id, a text
with named ``{params}`` and a signature (签名) registered separately. The texts here are the
ones to register; ``render`` fills them in and prepends the bureau's signature. Numbers that
come from the service policy (auto-close days, code validity) are params, not literals, so
the policy stays the one place to change them. Keep texts within one 70-character segment
for typical values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from string import Formatter
from types import MappingProxyType

DEFAULT_SIGNATURE = "【云格供电】"
SEGMENT_CHARS = 70  # one UCS-2 SMS segment, signature included
MAX_PARAM_CHARS = 35  # providers cap each variable; longer values are cut with "…"

# The grid managers' work page, written into the registered dispatch template: mainland
# templates cannot carry a link per message, so the SMS names the fixed address and the ticket
# number, and the page opens the ticket after login (/m/t/<number>). Register the template
# with the deployment's own domain.
WORK_PAGE = "yunge.cn/m"

_UNSAFE = re.compile(r"[\x00-\x1f\x7f\s]+")  # control characters and newlines → one space


class TemplateKey(StrEnum):
    DISPATCH_MANAGER = "dispatch_manager"
    DISPATCHED_CUSTOMER = "dispatched_customer"
    RESOLVED_CUSTOMER = "resolved_customer"
    CHIEF_ALERT = "chief_alert"
    ESCALATION_CHIEF = "escalation_chief"
    OVERDUE_BRANCH = "overdue_branch"
    TRANSFER_MANAGER = "transfer_manager"
    REASSIGNED_MANAGER = "reassigned_manager"
    TAKEN_MANAGER = "taken_manager"
    REASSIGNED_CUSTOMER = "reassigned_customer"
    STAFF_LOGIN_CODE = "staff_login_code"
    DISPATCH_STUCK_CHIEF = "dispatch_stuck_chief"
    BALANCE_REMINDER = "balance_reminder"
    OUTAGE_MANAGER = "outage_manager"
    OUTAGE_ACK_CUSTOMER = "outage_ack_customer"
    OUTAGE_ACK_PRIORITY = "outage_ack_priority"
    OUTAGE_ETR_CUSTOMER = "outage_etr_customer"
    OUTAGE_RESTORED_CUSTOMER = "outage_restored_customer"
    OUTAGE_CALLBACK_CUSTOMER = "outage_callback_customer"
    OUTAGE_NOTICE_CUSTOMER = "outage_notice_customer"
    OUTAGE_REMINDER_CUSTOMER = "outage_reminder_customer"


@dataclass(frozen=True)
class SmsTemplate:
    template_id: str
    key: TemplateKey
    text: str
    params: tuple[str, ...]


@dataclass(frozen=True)
class RenderedSms:
    """What a sender needs: the full text (SNS) or template id + params (Aliyun, Tencent)."""

    template_id: str
    key: str
    text: str
    params: Mapping[str, str] = field(default_factory=dict)
    signature: str = DEFAULT_SIGNATURE


class TemplateError(ValueError):
    def __init__(
        self, key: str, *, missing: tuple[str, ...] = (), unexpected: tuple[str, ...] = ()
    ) -> None:
        self.key = key
        self.missing = missing
        self.unexpected = unexpected
        if key not in TEMPLATES:
            detail = "unknown template"
        else:
            parts = [f"missing params {list(missing)}"] if missing else []
            parts += [f"unexpected params {list(unexpected)}"] if unexpected else []
            detail = "; ".join(parts)
        super().__init__(f"SMS template {key!r}: {detail}")


_ALL = (
    SmsTemplate(
        "SMS_YG_0001",
        TemplateKey.DISPATCH_MANAGER,
        f"新工单{{number}}（{{type_label}}），请于{{accept_by}}前接单。打开{WORK_PAGE}处理",
        ("number", "type_label", "accept_by"),
    ),
    SmsTemplate(
        "SMS_YG_0002",
        TemplateKey.DISPATCHED_CUSTOMER,
        "您的工单{number}已派网格经理{manager_name}（{manager_phone}）处理，{commitment}。",
        ("number", "manager_name", "manager_phone", "commitment"),
    ),
    SmsTemplate(
        "SMS_YG_0003",
        TemplateKey.RESOLVED_CUSTOMER,
        "您的工单{number}已处理完成，请在小程序中确认评价，{auto_close_days}天内未确认将自动关闭。",
        ("number", "auto_close_days"),
    ),
    SmsTemplate(
        "SMS_YG_0004",
        TemplateKey.CHIEF_ALERT,
        "{customer_class}工单{number}（{type_label}）已派{manager_name}：{address}。",
        ("customer_class", "number", "type_label", "manager_name", "address"),
    ),
    SmsTemplate(
        "SMS_YG_0005",
        TemplateKey.ESCALATION_CHIEF,
        "二级快响：工单{number}网格经理{manager_name}超时未接单，已转派{reassigned_to}，请督办。",
        ("number", "manager_name", "reassigned_to"),
    ),
    SmsTemplate(
        "SMS_YG_0006",
        TemplateKey.OVERDUE_BRANCH,
        "三级快响：工单{number}（{type_label}）{clock_label}超时，网格经理{manager_name}，请督办。",
        ("number", "type_label", "clock_label", "manager_name"),
    ),
    SmsTemplate(
        "SMS_YG_0007",
        TemplateKey.TRANSFER_MANAGER,
        f"{{from_name}}转给您工单{{number}}（{{type_label}}），请于{{accept_by}}前接单。"
        f"打开{WORK_PAGE}处理",
        ("from_name", "number", "type_label", "accept_by"),
    ),
    SmsTemplate(
        "SMS_YG_0017",
        TemplateKey.REASSIGNED_MANAGER,
        f"{{previous_name}}{{reason}}，工单{{number}}改派给您，请于{{accept_by}}前接单。"
        f"打开{WORK_PAGE}",
        ("previous_name", "reason", "number", "accept_by"),
    ),
    SmsTemplate(
        "SMS_YG_0018",
        TemplateKey.TAKEN_MANAGER,
        "工单{number}因{reason}已改派{new_name}，您无需再接单。",
        ("number", "reason", "new_name"),
    ),
    SmsTemplate(
        "SMS_YG_0019",
        TemplateKey.REASSIGNED_CUSTOMER,
        "您的工单{number}已改由网格经理{manager_name}（{manager_phone}）处理。",
        ("number", "manager_name", "manager_phone"),
    ),
    SmsTemplate(
        "SMS_YG_0008",
        TemplateKey.STAFF_LOGIN_CODE,
        "您的登录验证码为{code}，{valid_minutes}分钟内有效，请勿泄露给他人。",
        ("code", "valid_minutes"),
    ),
    SmsTemplate(
        "SMS_YG_0009",
        TemplateKey.DISPATCH_STUCK_CHIEF,
        "二级快响：工单{number}（{type_label}）提交{minutes}分钟仍未派单，请尽快安排处理。",
        ("number", "type_label", "minutes"),
    ),
    SmsTemplate(
        "SMS_YG_0016",
        TemplateKey.BALANCE_REMINDER,
        "您尾号{account_tail}的户号结算余额{balance}元，欠费{arrears}元（截至{as_of}，非实时），请及时缴费。",
        ("account_tail", "balance", "arrears", "as_of"),
    ),
    SmsTemplate(
        "SMS_YG_0010",
        TemplateKey.OUTAGE_MANAGER,
        "疑似停电：{area}{minutes}分钟内{reports}户报修，约影响{customers}户，请尽快到场核实。",
        ("area", "minutes", "reports", "customers"),
    ),
    SmsTemplate(
        "SMS_YG_0011",
        TemplateKey.OUTAGE_ACK_CUSTOMER,
        "您所在{area}正在停电抢修，预计{etr}恢复供电，已有人处理，无需重复报修。",
        ("area", "etr"),
    ),
    SmsTemplate(
        "SMS_YG_0012",
        TemplateKey.OUTAGE_ACK_PRIORITY,
        "重点客户：您所在{area}停电抢修中，预计{etr}恢复，保电需求请联系{manager_phone}。",
        ("area", "etr", "manager_phone"),
    ),
    SmsTemplate(
        "SMS_YG_0013",
        TemplateKey.OUTAGE_ETR_CUSTOMER,
        "{area}停电抢修预计恢复时间调整为{etr}，给您带来不便，敬请谅解。",
        ("area", "etr"),
    ),
    SmsTemplate(
        "SMS_YG_0014",
        TemplateKey.OUTAGE_RESTORED_CUSTOMER,
        "{area}已恢复供电，感谢您的耐心等待。如仍停电请在小程序报修。",
        ("area",),
    ),
    SmsTemplate(
        "SMS_YG_0015",
        TemplateKey.OUTAGE_CALLBACK_CUSTOMER,
        "{area}供电已恢复？回复1已恢复，回复2仍停电，我们将再派人处理。",
        ("area",),
    ),
    SmsTemplate(
        "SMS_YG_0030",
        TemplateKey.OUTAGE_NOTICE_CUSTOMER,
        "停电通知：{area}{window}{label}停电（{cause}），咨询{contact_phone}。",
        ("area", "window", "label", "cause", "contact_phone"),
    ),
    SmsTemplate(
        "SMS_YG_0031",
        TemplateKey.OUTAGE_REMINDER_CUSTOMER,
        "停电提醒：{area}{window}{label}停电，请提前做好准备，咨询{contact_phone}。",
        ("area", "window", "label", "contact_phone"),
    ),
)

TEMPLATES: Mapping[str, SmsTemplate] = MappingProxyType({t.key.value: t for t in _ALL})


def placeholders(text: str) -> tuple[str, ...]:
    """The ``{names}`` a template text uses, in order of first appearance (the order
    positional providers such as Tencent number them)."""
    names = (name for _, name, _, _ in Formatter().parse(text) if name)
    return tuple(dict.fromkeys(names))


def _clean(value: object) -> str:
    """One line, no signature brackets (a customer-typed address must not fake a sender),
    at most MAX_PARAM_CHARS characters."""
    text = _UNSAFE.sub(" ", str(value)).strip().replace("【", "[").replace("】", "]")
    return text if len(text) <= MAX_PARAM_CHARS else text[: MAX_PARAM_CHARS - 1] + "…"


def render(
    key: str, params: Mapping[str, object], signature: str = DEFAULT_SIGNATURE
) -> RenderedSms:
    """Fill template ``key`` with ``params`` and prepend ``signature``.

    Raises TemplateError for an unknown key, a missing (absent or None) param or a param
    the template does not have: a registered template takes exactly its params.
    """
    template = TEMPLATES.get(str(key))
    if template is None:
        raise TemplateError(str(key))
    missing = tuple(p for p in template.params if params.get(p) is None)
    unexpected = tuple(sorted(set(params) - set(template.params)))
    if missing or unexpected:
        raise TemplateError(template.key.value, missing=missing, unexpected=unexpected)
    values = {p: _clean(params[p]) for p in template.params}
    return RenderedSms(
        template_id=template.template_id,
        key=template.key.value,
        text=signature + template.text.format_map(values),
        params=values,
        signature=signature,
    )
