"""SMS templates: every template renders, params are checked, the signature comes first."""

from __future__ import annotations

import pytest

from chalicelib.domain.labels import TYPE_LABELS
from chalicelib.notify.templates import (
    DEFAULT_SIGNATURE,
    MAX_PARAM_CHARS,
    SEGMENT_CHARS,
    TEMPLATES,
    WORK_PAGE,
    TemplateError,
    TemplateKey,
    placeholders,
    render,
)

SAMPLE = {
    "number": "261127-7KQ2MX",
    "type_label": "故障报修",
    "address": "临河区胜利路12号3单元",
    "contact_phone": "13800001234",
    "accept_by": "10:25",
    "manager_name": "王建国",
    "manager_phone": "13900005678",
    "commitment": "预计45分钟内到达现场",
    "auto_close_days": 3,
    "customer_class": "重要客户",
    "reassigned_to": "李明",
    "clock_label": "到达现场",
    "from_name": "张伟",
    "previous_name": "张伟",
    "reason": "超时未接单",
    "new_name": "李明",
    "code": "482913",
    "valid_minutes": 5,
    "minutes": 6,
    "account_tail": "0001",
    "balance": "12.30",
    "arrears": "105.50",
    "as_of": "11月3日",
    "area": "新华1号台区",
    "reports": 3,
    "customers": 120,
    "etr": "12月5日14:30",
    "window": "12月4日1:00至6:00",
    "label": "计划",
    "cause": "线路检修",
}


def params_for(key: str) -> dict[str, object]:
    return {p: SAMPLE[p] for p in TEMPLATES[key].params}


def test_every_key_has_one_template_with_a_unique_registered_id() -> None:
    assert set(TEMPLATES) == {k.value for k in TemplateKey}
    ids = [t.template_id for t in TEMPLATES.values()]
    assert len(set(ids)) == len(ids)
    assert all(i.startswith("SMS_YG_") for i in ids)


@pytest.mark.parametrize("key", sorted(TEMPLATES))
def test_declared_params_are_exactly_the_placeholders_in_the_text(key: str) -> None:
    template = TEMPLATES[key]
    assert placeholders(template.text) == template.params


@pytest.mark.parametrize("key", sorted(TEMPLATES))
def test_every_template_renders_with_its_params_within_one_segment(key: str) -> None:
    sms = render(key, params_for(key))

    assert sms.key == key
    assert sms.template_id == TEMPLATES[key].template_id
    assert sms.text.startswith(DEFAULT_SIGNATURE)
    assert "{" not in sms.text and "}" not in sms.text
    for value in params_for(key).values():
        assert str(value) in sms.text
    assert sms.params == {k: str(v) for k, v in params_for(key).items()}
    assert len(sms.text) <= SEGMENT_CHARS, sms.text


def test_dispatch_manager_reads_as_a_manager_would_receive_it() -> None:
    sms = render(TemplateKey.DISPATCH_MANAGER, params_for("dispatch_manager"))
    assert sms.text == (
        f"【云格供电】新工单261127-7KQ2MX（故障报修），请于10:25前接单。打开{WORK_PAGE}处理"
    )


def test_the_dispatch_sms_names_the_work_page_within_one_segment_at_its_longest() -> None:
    # Given the longest values a dispatch can carry: the longest type label, a deadline on
    # another day, a number in the ticket-number format
    longest = {
        "number": "261231-ZZZZZZ",
        "type_label": max(TYPE_LABELS.values(), key=len),
        "accept_by": "12月31日23:59",
    }
    sms = render(TemplateKey.DISPATCH_MANAGER, longest, "【云格供电】")
    # Then the fixed page address and the number fit in one 70-character segment with the
    # signature; and no customer phone rides in the SMS (the page shows it after login)
    assert WORK_PAGE in sms.text and longest["number"] in sms.text
    assert len(sms.text) <= SEGMENT_CHARS, (len(sms.text), sms.text)
    assert "contact_phone" not in TEMPLATES["dispatch_manager"].params


def test_login_code_says_how_long_it_is_valid_and_not_to_share_it() -> None:
    sms = render("staff_login_code", {"code": "004271", "valid_minutes": 5})
    assert sms.text == "【云格供电】您的登录验证码为004271，5分钟内有效，请勿泄露给他人。"


def test_the_bureau_signature_is_a_setting() -> None:
    sms = render("resolved_customer", params_for("resolved_customer"), signature="【临河供电】")
    assert sms.text.startswith("【临河供电】您的工单")
    assert sms.signature == "【临河供电】"


def test_missing_params_are_named_in_the_error() -> None:
    params = params_for("dispatch_manager")
    del params["type_label"]
    params["accept_by"] = None

    with pytest.raises(TemplateError) as caught:
        render("dispatch_manager", params)

    assert caught.value.missing == ("type_label", "accept_by")
    assert "type_label" in str(caught.value) and "dispatch_manager" in str(caught.value)


def test_params_the_registered_template_lacks_are_refused() -> None:
    params = {**params_for("staff_login_code"), "phone": "13800001234"}
    with pytest.raises(TemplateError) as caught:
        render("staff_login_code", params)
    assert caught.value.unexpected == ("phone",)


def test_unknown_template_is_refused() -> None:
    with pytest.raises(TemplateError, match="unknown template"):
        render("happy_birthday", {})


def test_a_customer_typed_value_cannot_fake_a_signature_or_break_lines() -> None:
    params = {**params_for("chief_alert"), "address": "【某某银行】请点链接\n胜利路"}
    sms = render("chief_alert", params)
    assert sms.text.count("【") == 1
    assert "\n" not in sms.text
    assert sms.params["address"] == "[某某银行]请点链接 胜利路"


def test_long_values_are_cut_to_the_provider_variable_limit() -> None:
    address = "临河区" + "胜利路" * 20
    sms = render("chief_alert", {**params_for("chief_alert"), "address": address})
    assert len(sms.params["address"]) == MAX_PARAM_CHARS
    assert sms.params["address"].endswith("…")
    assert sms.params["address"][:-1] == address[: MAX_PARAM_CHARS - 1]
