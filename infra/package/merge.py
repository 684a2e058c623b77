"""Chalice's SAM template + what infra/ adds = the deployable template.

Pure: a dict in, a dict out. Chalice names the functions (APIHandler, Bearer, TicketStream,
SlaWatchdog, MonthlyReport) and their roles, whose policies come from infra/policies/.
"""

from __future__ import annotations

import copy
from typing import Any

from chalicelib.auth.authorizer import gateway_responses
from infra.package import alarms, events, resources, tables

Template = dict[str, Any]
DESCRIPTION = "Yunge (云格): grid-based power-supply customer service (chalice package + infra/)"


def environment(streamed_table: str) -> dict[str, Any]:
    """What every function reads through Settings: names and pointers, never secrets."""
    return {
        "YUNGE_STAGE": "prod",
        "YUNGE_SMS": {"Ref": "SmsProvider"},
        "YUNGE_ALIYUN_SMS_PARAM": {"Ref": "AliyunSmsParameterName"},
        "YUNGE_SMS_SIGNATURE": {"Ref": "SmsSignature"},
        "YUNGE_SMS_REPLY_TOKEN_PARAM": {"Ref": "SmsReplyTokenParameterName"},
        "YUNGE_BUREAU_NAME": {"Ref": "BureauName"},
        "YUNGE_HOLIDAYS": {"Ref": "Holidays"},
        "YUNGE_BUREAU": {"Ref": "Bureau"},
        "YUNGE_TABLE_PREFIX": {"Ref": "TablePrefix"},
        "YUNGE_BUCKET": {"Ref": "FilesBucket"},
        "YUNGE_JWT_KEY_PARAM": {"Ref": "JwtKeyParameterName"},
        "YUNGE_PHONE_KEY_PARAM": {"Ref": "PhoneKeyParameterName"},
        "YUNGE_WECHAT_APP_ID_PARAM": {"Ref": "WechatAppIdParameterName"},
        "YUNGE_WECHAT_SECRET_PARAM": {"Ref": "WechatSecretParameterName"},
        "YUNGE_TICKETS_STREAM_ARN": {"Fn::GetAtt": [streamed_table, "StreamArn"]},
        "YUNGE_TARIFFS": {"Ref": "Tariffs"},
        "YUNGE_LOW_BALANCE_YUAN": {"Ref": "LowBalanceYuan"},
        "YUNGE_REPORT_HOLD_SECONDS": {"Ref": "ReportHoldSeconds"},
    }


def fix_log_group_names(res: Template) -> None:
    """Chalice names api_handler's log group after `${ApiHandler}`, but the function is
    `APIHandler`: point every LogGroup at the function it belongs to."""
    by_lower = {name.lower(): name for name in events.functions(res)}
    for group in res.values():
        if group["Type"] != "AWS::Logs::LogGroup":
            continue
        prefix, _, ref = group["Properties"]["LogGroupName"]["Fn::Sub"].partition("${")
        function = by_lower[ref.rstrip("}").lower()]
        group["Properties"]["LogGroupName"] = {"Fn::Sub": prefix + "${" + function + "}"}


def merge(sam: Template, code_uri: str) -> Template:
    out = copy.deepcopy(sam)
    res: Template = out["Resources"]
    clash = set(res) & (set(tables.tables()) | {"FilesBucket", events.DLQ, "AlarmTopic"})
    if clash:
        raise ValueError(f"infra/ resource names clash with Chalice's: {sorted(clash)}")
    res.update(tables.tables())
    res.update(resources.files_bucket())
    res.update(resources.dead_letter_queue())
    res.update(resources.alarm_topic())
    streamed = tables.streamed_table(res)
    fix_log_group_names(res)

    env = environment(streamed)
    for fn in events.functions(res).values():
        props = fn["Properties"]
        props["CodeUri"] = code_uri
        props.setdefault("Environment", {}).setdefault("Variables", {}).update(env)
    stream_function = events.replace_stream_trigger(res, streamed)
    events.no_retries_for_minutely_schedules(res)
    res.update(events.import_trigger(res))
    res.update(events.usage_trigger(res))
    res.update(alarms.alarms(res, stream_function))

    api = res.get("RestAPI")
    if api is not None:
        body = api["Properties"]["DefinitionBody"]
        body["x-amazon-apigateway-gateway-responses"] = gateway_responses()
        api["Properties"]["MethodSettings"] = resources.api_throttling()

    out["Description"] = DESCRIPTION
    out["Parameters"] = {**out.get("Parameters", {}), **resources.parameters()}
    out["Conditions"] = {**out.get("Conditions", {}), **resources.conditions()}
    out["Outputs"] = {
        **out.get("Outputs", {}),
        "FilesBucketName": {"Value": {"Ref": "FilesBucket"}},
        "TicketStreamDlqUrl": {"Value": {"Ref": events.DLQ}},
        "TicketStreamDlqArn": {"Value": {"Fn::GetAtt": [events.DLQ, "Arn"]}},
        "AlarmTopicArn": {"Value": {"Ref": "AlarmTopic"}},
    }
    return out
