"""Settings are checked once, when built: a typo or an off-stage stand-in is an error."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from chalicelib.config import Settings, SettingsError


def test_a_missing_stage_means_prod_and_the_real_providers() -> None:
    settings = Settings.from_env({})
    assert settings.stage == "prod"
    assert (settings.wechat, settings.sms) == ("real", "sns")
    assert settings.jwt_key_file is None  # the key comes from SSM, not a local file


def test_the_local_stage_runs_the_stand_ins_by_default() -> None:
    settings = Settings.from_env({"YUNGE_STAGE": "local"})
    assert (settings.wechat, settings.sms) == ("fake", "local")


@pytest.mark.parametrize(
    ("name", "value"),
    [("YUNGE_SMS", "snS"), ("YUNGE_SMS", "twilio"), ("YUNGE_WECHAT", "dev"), ("YUNGE_SMS", "")],
)
def test_an_unknown_provider_is_an_error_not_a_fall_through_to_sns(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=f"{name}='{value}' is not one of"):
        Settings.from_env({"YUNGE_STAGE": "prod", name: value})


@pytest.mark.parametrize("stage", ["prod", "test", "bench", "Local"])
def test_dev_openid_login_is_refused_off_the_local_stage(stage: str) -> None:
    with pytest.raises(SettingsError, match=r"YUNGE_WECHAT=fake .* only on stage local"):
        Settings.from_env({"YUNGE_STAGE": stage, "YUNGE_WECHAT": "fake"})


@pytest.mark.parametrize("stage", ["prod", "test", "bench"])
def test_the_local_sms_sink_is_refused_off_the_local_stage(stage: str) -> None:
    with pytest.raises(SettingsError, match=r"YUNGE_SMS=local .* only on stage local"):
        Settings.from_env({"YUNGE_STAGE": stage, "YUNGE_SMS": "local"})


def test_an_empty_stage_fails_closed_like_a_missing_one() -> None:
    with pytest.raises(SettingsError, match="not 'prod'"):
        Settings.from_env({"YUNGE_STAGE": "", "YUNGE_SMS": "local"})


def test_a_settings_copy_is_checked_too() -> None:
    """`dataclasses.replace` cannot smuggle a stand-in onto prod."""
    prod = Settings.from_env({"YUNGE_STAGE": "prod", "YUNGE_SMS": "aliyun"})
    assert prod.sms == "aliyun"
    with pytest.raises(SettingsError):
        dataclasses.replace(prod, wechat="fake")
    with pytest.raises(SettingsError):
        dataclasses.replace(prod, sms="carrier-pigeon")  # type: ignore[arg-type]


def test_every_real_provider_is_accepted_on_prod() -> None:
    for sms in ("sns", "aliyun"):
        assert Settings.from_env({"YUNGE_SMS": sms}).sms == sms
    assert Settings.from_env({"YUNGE_WECHAT": "real"}).wechat == "real"


def test_a_lone_report_s_wait_is_the_policy_s_unless_the_bureau_sets_it() -> None:
    from chalicelib.bootstrap import Services

    default = Services(Settings.from_env({}))
    assert default.settings.report_hold_seconds is None
    assert default.policy.outages.hold == timedelta(minutes=2)
    at_once = Services(Settings.from_env({"YUNGE_REPORT_HOLD_SECONDS": "0"}))
    assert at_once.policy.outages.hold == timedelta(0)
    longer = Services(Settings.from_env({"YUNGE_REPORT_HOLD_SECONDS": " 180 "}))
    assert longer.policy.outages.hold == timedelta(minutes=3)
    assert longer.policy.outages.storm_hold == default.policy.outages.storm_hold  # untouched


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("181", "not within 0..180: a held report must still be dispatched within the 5-minute"),
        ("-1", "not within 0..180"),
        ("2m", "'2m' is not a whole number of seconds"),
    ],
)
def test_a_wait_that_would_break_the_dispatch_step_is_refused(value: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env({"YUNGE_REPORT_HOLD_SECONDS": value})
