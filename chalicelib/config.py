"""Typed settings, read from the environment once. Nothing else reads os.environ.

Choices are `Literal` values checked when the settings are built: a typo is a
`SettingsError`, never a silent fall-through to a real provider. The local stand-ins
(`dev:<openid>` login, the console/JSONL SMS sink) refuse to run on any stage but `local`,
and a missing YUNGE_STAGE means prod (fail closed).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, cast, get_args

WeChatMode = Literal["fake", "real"]  # "fake" accepts dev:<openid>; "real" calls code2Session
SmsMode = Literal["local", "sns", "aliyun"]  # "local": console + jsonl; "aliyun": mainland
LOCAL_STAGE = "local"
DEFAULT_STAGE = "prod"  # no YUNGE_STAGE: the deployed defaults, never the stand-ins


class SettingsError(ValueError):
    """A setting has a value the code does not know, or a stand-in is asked for off-stage."""


# An import file's upload, at most (YUNGE_IMPORT_MAX_BYTES's default, and the bound the API
# schema signs into the presigned PUT).
MAX_IMPORT_BYTES = 200 * 1024 * 1024
# The minute pass dispatches a held report up to a minute after its hold ends: 3 + 1 leaves
# room within the 5-minute dispatch step (SERVICE_STANDARDS.md).
MAX_REPORT_HOLD_SECONDS = 180


def _optional_int(env: Mapping[str, str], name: str) -> int | None:
    value = env.get(name, "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise SettingsError(f"{name}={value!r} is not a whole number of seconds") from None


def _choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise SettingsError(f"{name}={value!r} is not one of {', '.join(allowed)}")


@dataclass(frozen=True, slots=True)
class Settings:
    stage: str  # "local" runs the stand-ins; any other stage (prod, bench, ...) refuses them
    region: str
    bureau: str  # tenant key: several bureaus may share one deployment later
    bureau_name: str  # as the bureau signs its reports, e.g. 巴彦淖尔供电公司 ("" = unnamed)
    table_prefix: str
    bucket: str
    jwt_issuer: str
    jwt_audience: str
    jwt_key_param: str  # SSM SecureString name (AWS)
    jwt_key_file: str | None  # generated key file (local stack)
    phone_key_param: str  # SSM SecureString: HMAC key of phone and one-time-code hashes
    phone_key_file: str | None  # generated key file (local stack)
    customer_token_ttl: int
    staff_token_ttl: int
    wechat: WeChatMode
    wechat_app_id_param: str
    wechat_secret_param: str
    sms: SmsMode
    sms_log_path: str
    aliyun_sms_param: str  # SSM SecureString: Aliyun SMS account + template codes (JSON)
    sms_signature: str
    sms_reply_token_param: str  # SSM SecureString: the secret in the SMS reply push URL
    sms_reply_token_file: str | None  # generated token file (local stack)
    holidays: str  # the bureau's holiday schedule for years chinesecalendar lacks (see calendar)
    clock_scale: float  # demo only: < 1 shortens every service clock
    due_shards: int
    month_shards: int
    upload_max_bytes: int
    tickets_per_hour: int  # tickets one customer may submit an hour (then 429)
    tickets_per_day: int  # … and a day
    import_max_bytes: int  # an import file's upload (signed into the presigned PUT)
    import_abort_ratio: float  # an import aborts when more than this share of rows fail
    tickets_stream_arn: str  # the ticket_stream handler's event source (Chalice needs it)
    tariffs: str = ""  # stepped tariffs as JSON (domain.tariffs.parse_tariffs); "" = no tier
    low_balance_yuan: float = 20.0  # a bill leaving less than this sends one reminder
    # How long a lone "no power" report waits for its neighbours before its own dispatch
    # (OutagePolicy.hold); None = the policy's 2 minutes, 0 = dispatched at once.
    report_hold_seconds: int | None = None

    def __post_init__(self) -> None:
        _choice("YUNGE_WECHAT", self.wechat, get_args(WeChatMode))
        _choice("YUNGE_SMS", self.sms, get_args(SmsMode))
        if self.stage != LOCAL_STAGE:
            if self.wechat == "fake":
                raise SettingsError(
                    f"YUNGE_WECHAT=fake (dev:<openid> login) runs only on stage local, "
                    f"not {self.stage!r}"
                )
            if self.sms == "local":
                raise SettingsError(
                    f"YUNGE_SMS=local (console SMS sink) runs only on stage local, "
                    f"not {self.stage!r}"
                )

        hold = self.report_hold_seconds
        if hold is not None and not 0 <= hold <= MAX_REPORT_HOLD_SECONDS:
            raise SettingsError(
                f"YUNGE_REPORT_HOLD_SECONDS={hold} is not within 0..{MAX_REPORT_HOLD_SECONDS}: "
                "a held report must still be dispatched within the 5-minute step"
            )
        if self.tariffs.strip():
            from chalicelib.domain.tariffs import parse_tariffs

            try:
                parse_tariffs(self.tariffs)
            except ValueError as error:
                raise SettingsError(str(error)) from None

    def table(self, name: str) -> str:
        return f"{self.table_prefix}{name}"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        stage = env.get("YUNGE_STAGE") or DEFAULT_STAGE
        local = stage == LOCAL_STAGE
        return cls(
            stage=stage,
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "cn-north-1",
            bureau=env.get("YUNGE_BUREAU", "bayannur"),
            bureau_name=env.get("YUNGE_BUREAU_NAME", ""),
            table_prefix=env.get("YUNGE_TABLE_PREFIX", f"yunge-{stage}-"),
            bucket=env.get("YUNGE_BUCKET", f"yunge-{stage}-files"),
            jwt_issuer=env.get("YUNGE_JWT_ISSUER", "yunge"),
            jwt_audience=env.get("YUNGE_JWT_AUDIENCE", "yunge-api"),
            jwt_key_param=env.get("YUNGE_JWT_KEY_PARAM", f"/yunge/{stage}/jwt-key"),
            jwt_key_file=env.get("YUNGE_JWT_KEY_FILE", ".local/jwt.key" if local else None),
            phone_key_param=env.get("YUNGE_PHONE_KEY_PARAM", f"/yunge/{stage}/phone-key"),
            phone_key_file=env.get("YUNGE_PHONE_KEY_FILE", ".local/phone.key" if local else None),
            customer_token_ttl=int(env.get("YUNGE_CUSTOMER_TOKEN_TTL", str(7 * 24 * 3600))),
            staff_token_ttl=int(env.get("YUNGE_STAFF_TOKEN_TTL", str(12 * 3600))),
            wechat=cast(WeChatMode, env.get("YUNGE_WECHAT", "fake" if local else "real")),
            wechat_app_id_param=env.get(
                "YUNGE_WECHAT_APP_ID_PARAM", f"/yunge/{stage}/wechat-app-id"
            ),
            wechat_secret_param=env.get(
                "YUNGE_WECHAT_SECRET_PARAM", f"/yunge/{stage}/wechat-secret"
            ),
            sms=cast(SmsMode, env.get("YUNGE_SMS", "local" if local else "sns")),
            sms_log_path=env.get("YUNGE_SMS_LOG", ".local/sms.jsonl"),
            aliyun_sms_param=env.get("YUNGE_ALIYUN_SMS_PARAM", f"/yunge/{stage}/aliyun-sms"),
            sms_signature=env.get("YUNGE_SMS_SIGNATURE", "【云格供电】"),
            sms_reply_token_param=env.get(
                "YUNGE_SMS_REPLY_TOKEN_PARAM", f"/yunge/{stage}/sms-reply-token"
            ),
            sms_reply_token_file=env.get(
                "YUNGE_SMS_REPLY_TOKEN_FILE", ".local/sms-reply.key" if local else None
            ),
            holidays=env.get("YUNGE_HOLIDAYS", ""),
            clock_scale=float(env.get("YUNGE_CLOCK_SCALE", "1")),
            due_shards=int(env.get("YUNGE_DUE_SHARDS", "8")),
            month_shards=int(env.get("YUNGE_MONTH_SHARDS", "8")),
            upload_max_bytes=int(env.get("YUNGE_UPLOAD_MAX_BYTES", str(8 * 1024 * 1024))),
            tickets_per_hour=int(env.get("YUNGE_TICKETS_PER_HOUR", "10")),
            tickets_per_day=int(env.get("YUNGE_TICKETS_PER_DAY", "30")),
            import_max_bytes=int(env.get("YUNGE_IMPORT_MAX_BYTES", str(MAX_IMPORT_BYTES))),
            import_abort_ratio=float(env.get("YUNGE_IMPORT_ABORT_RATIO", "0.05")),
            tickets_stream_arn=env.get(
                "YUNGE_TICKETS_STREAM_ARN",
                "arn:aws:dynamodb:cn-north-1:000000000000:table/"
                f"yunge-{stage}-tickets/stream/1970-01-01T00:00:00.000",
            ),
            tariffs=env.get("YUNGE_TARIFFS", ""),
            low_balance_yuan=float(env.get("YUNGE_LOW_BALANCE_YUAN", "20")),
            report_hold_seconds=_optional_int(env, "YUNGE_REPORT_HOLD_SECONDS"),
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.from_env(os.environ)
