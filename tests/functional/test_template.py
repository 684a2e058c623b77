"""The deployable template (`make package`): built once per session from this repo, then
read the way a cloud team's reviewer would — tables, bucket, stream trigger, schedules,
policies, alarms, secrets, gateway responses, bytecode — and linted by cfn-lint."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from chalice.utils import to_cfn_resource_name

from chalicelib.auth.authorizer import gateway_responses
from chalicelib.config import Settings
from chalicelib.store.models import ALL_MODELS
from infra.package import Built, build
from infra.package.tables import base_name, logical_id

ROOT = Path(__file__).resolve().parents[2]
POLICIES = ROOT / "infra" / "policies"
Template = dict[str, Any]


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build(ROOT, tmp_path_factory.mktemp("build"))


@pytest.fixture(scope="session")
def template(built: Built) -> Template:
    loaded: Template = json.loads(built.template.read_text())
    return loaded


@pytest.fixture(scope="session")
def resources(template: Template) -> Template:
    res: Template = template["Resources"]
    return res


def of_type(resources: Template, kind: str) -> Template:
    return {k: v for k, v in resources.items() if v["Type"] == kind}


def function_for(resources: Template, handler: str) -> str:
    """Logical id of the function whose Lambda handler is `app.<handler>` (or ends so)."""
    found = [
        name
        for name, fn in of_type(resources, "AWS::Serverless::Function").items()
        if fn["Properties"]["Handler"].rsplit(".", 1)[-1] == handler
    ]
    assert len(found) == 1, f"no single function for {handler}: {found}"
    return found[0]


def test_cfn_lint_finds_nothing(built: Built) -> None:
    assert built.lint_errors == []


def test_every_model_is_a_table_with_its_keys_indexes_stream_and_ttl(resources: Template) -> None:
    tables = of_type(resources, "AWS::DynamoDB::Table")
    assert len(tables) == len(ALL_MODELS)
    for model in ALL_MODELS:
        props = tables[logical_id(model)]["Properties"]
        assert props["TableName"] == {"Fn::Sub": "${TablePrefix}" + base_name(model)}
        keys = {k["KeyType"]: k["AttributeName"] for k in props["KeySchema"]}
        assert keys["HASH"] == model._hash_keyname
        assert keys.get("RANGE") == model._range_keyname
        deployed = {i["IndexName"]: i for i in props.get("GlobalSecondaryIndexes", [])}
        assert set(deployed) == {i.Meta.index_name for i in model._indexes.values()}
        for index in model._indexes.values():
            gsi = deployed[index.Meta.index_name]
            assert gsi["Projection"]["ProjectionType"] == index.Meta.projection.projection_type
            index_keys = {k["KeyType"]: k["AttributeName"] for k in gsi["KeySchema"]}
            assert index_keys["HASH"] == index._hash_key_attribute().attr_name
        declared = {d["AttributeName"] for d in props["AttributeDefinitions"]}
        used = {k["AttributeName"] for k in props["KeySchema"]} | {
            k["AttributeName"] for i in deployed.values() for k in i["KeySchema"]
        }
        assert declared == used
        assert props["BillingMode"] == "PAY_PER_REQUEST"
        assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
        assert props["SSESpecification"] == {"SSEEnabled": True}
        stream = getattr(model.Meta, "stream_view_type", None)
        assert props.get("StreamSpecification", {}).get("StreamViewType") == stream
    assert tables["TicketsTable"]["Properties"]["StreamSpecification"] == {
        "StreamViewType": "NEW_AND_OLD_IMAGES"
    }
    for name in ("IdempotencyTable", "CountersTable"):
        ttl = tables[name]["Properties"]["TimeToLiveSpecification"]
        assert ttl == {"AttributeName": "expires_at", "Enabled": True}


def test_the_files_bucket_is_private_encrypted_tls_only_and_expires_uploads(
    resources: Template,
) -> None:
    bucket = resources["FilesBucket"]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    assert len(bucket["PublicAccessBlockConfiguration"]) == 4
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    rules = {r["Id"]: r for r in bucket["LifecycleConfiguration"]["Rules"]}
    assert rules["expire-uploads"]["Prefix"] == "uploads/"
    assert rules["expire-uploads"]["ExpirationInDays"] == {"Ref": "UploadRetentionDays"}
    assert rules["expire-import-uploads"]["Prefix"] == "imports/"  # up to 200 MB each
    (cors,) = bucket["CorsConfiguration"]["CorsRules"]  # the work page's photo uploads
    assert cors["AllowedMethods"] == ["PUT"]  # a browser may write through a signed URL only
    (deny,) = resources["FilesBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert deny["Effect"] == "Deny"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_the_stream_trigger_is_hardened_and_reads_the_real_tickets_stream(
    resources: Template,
) -> None:
    (mapping,) = of_type(resources, "AWS::Lambda::EventSourceMapping").values()
    props = mapping["Properties"]
    assert props["FunctionName"] == {"Ref": function_for(resources, "ticket_stream")}
    assert props["EventSourceArn"] == {"Fn::GetAtt": ["TicketsTable", "StreamArn"]}
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert props["BisectBatchOnFunctionError"] is True
    assert 0 <= props["MaximumRetryAttempts"] <= 10
    assert 60 <= props["MaximumRecordAgeInSeconds"] <= 24 * 3600
    destination = props["DestinationConfig"]["OnFailure"]["Destination"]
    assert destination == {"Fn::GetAtt": ["TicketStreamDlq", "Arn"]}
    assert resources["TicketStreamDlq"]["Type"] == "AWS::SQS::Queue"
    # Chalice's own trigger on the placeholder ARN is gone
    for fn in of_type(resources, "AWS::Serverless::Function").values():
        events = fn["Properties"].get("Events", {}).values()
        assert all(e["Type"] != "DynamoDB" for e in events)


@pytest.mark.parametrize(
    ("handler", "schedule"),
    [("sla_watchdog", "rate(1 minute)"), ("monthly_report", "cron(0 17 L * ? *)")],
)
def test_the_schedules_come_from_app_py(resources: Template, handler: str, schedule: str) -> None:
    fn = resources[function_for(resources, handler)]["Properties"]
    schedules = [e["Properties"]["Schedule"] for e in fn["Events"].values()]
    assert schedules == [schedule]


def _policy_files() -> dict[str, Template]:
    return {p.stem: json.loads(p.read_text()) for p in sorted(POLICIES.glob("*.json"))}


def test_every_function_has_its_own_role_with_its_policy_file(resources: Template) -> None:
    files = _policy_files()
    functions = of_type(resources, "AWS::Serverless::Function")
    roles = [fn["Properties"]["Role"]["Fn::GetAtt"][0] for fn in functions.values()]
    assert len(set(roles)) == len(functions)
    expected = {to_cfn_resource_name(f"{stem}_role"): stem for stem in files}
    for role in roles:
        assert role in expected, f"{role} has no file in infra/policies/"
        (policy,) = resources[role]["Properties"]["Policies"]
        assert policy["PolicyDocument"] == files[expected[role]]


def _allows(document: Template) -> list[Template]:
    return [s for s in document["Statement"] if s["Effect"] == "Allow"]


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


@pytest.mark.parametrize("name", sorted(_policy_files()))
def test_policies_name_every_action_and_only_known_resources(template: Template, name: str) -> None:
    known = set(template["Resources"]) | set(template["Parameters"])
    for statement in _allows(_policy_files()[name]):
        actions = _listed(statement["Action"])
        assert all("*" not in action for action in actions), statement["Sid"]
        for resource in _listed(statement["Resource"]):
            if resource == "*":  # SMS to a phone number has no resource ARN
                assert actions == ["sns:Publish"], statement["Sid"]
            elif "Fn::GetAtt" in resource:
                assert resource["Fn::GetAtt"][0] in known
            else:
                sub = resource["Fn::Sub"]
                refs = {p.split("}")[0].split(".")[0] for p in sub.split("${")[1:]}
                assert all(r.startswith("AWS::") or r in known for r in refs), sub


def test_the_stream_function_may_read_its_stream_and_park_failures(resources: Template) -> None:
    statements = _allows(_policy_files()["ticket_stream"])
    granted = {a for s in statements for a in _listed(s["Action"])}
    assert {
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:DescribeStream",
    } <= granted
    assert "sqs:SendMessage" in granted
    assert "sns:Publish" in granted


# A ticket commit writes the ticket, its timeline event and the assignment ledger.
TICKET_COMMIT_TABLES = {"TicketsTable", "TicketEventsTable", "CountersTable"}


@pytest.mark.parametrize("name", ["api_handler", "ticket_stream", "sla_watchdog"])
def test_functions_that_move_tickets_may_write_every_table_a_commit_writes(name: str) -> None:
    writable = {
        resource["Fn::GetAtt"][0]
        for statement in _allows(_policy_files()[name])
        if "dynamodb:PutItem" in _listed(statement["Action"])
        for resource in _listed(statement["Resource"])
        if "Fn::GetAtt" in resource
    }
    assert writable >= TICKET_COMMIT_TABLES


@pytest.mark.parametrize("name", ["api_handler", "ticket_stream", "sla_watchdog"])
def test_functions_that_send_sms_may_publish_and_read_the_aliyun_account(name: str) -> None:
    statements = _allows(_policy_files()[name])
    assert any(_listed(s["Action"]) == ["sns:Publish"] for s in statements)
    readable = {
        str(resource)
        for s in statements
        if "ssm:GetParameter" in _listed(s["Action"])
        for resource in _listed(s["Resource"])
    }
    assert any("${AliyunSmsParameterName}" in r for r in readable)
    granted = {a for s in statements for a in _listed(s["Action"])}
    assert "kms:Decrypt" in granted  # a SecureString


@pytest.mark.parametrize("name", ["api_handler", "ticket_stream", "bearer", "sla_watchdog"])
def test_only_functions_that_hash_phones_may_read_the_phone_key(name: str) -> None:
    readable = {
        str(resource)
        for s in _allows(_policy_files()[name])
        if "ssm:GetParameter" in _listed(s["Action"])
        for resource in _listed(s["Resource"])
    }
    hashes_phones = name in ("api_handler", "ticket_stream")  # logins, lookups, SMS log
    assert any("${PhoneKeyParameterName}" in r for r in readable) is hashes_phones


@pytest.mark.parametrize("name", sorted(_policy_files()))
def test_only_the_api_may_read_the_sms_reply_secret(name: str) -> None:
    readable = {
        str(resource)
        for s in _allows(_policy_files()[name])
        if "ssm:GetParameter" in _listed(s["Action"])
        for resource in _listed(s["Resource"])
    }
    reads = any("${SmsReplyTokenParameterName}" in r for r in readable)
    assert reads is (name == "api_handler")  # the route the provider pushes replies to


def test_alarms_watch_the_dlq_the_stream_errors_and_failed_sms(resources: Template) -> None:
    alarms = [a["Properties"] for a in of_type(resources, "AWS::CloudWatch::Alarm").values()]
    by_metric: dict[str, list[Template]] = {}
    for alarm in alarms:
        by_metric.setdefault(alarm["MetricName"], []).append(alarm)
        assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}]
    (dlq,) = by_metric["ApproximateNumberOfMessagesVisible"]
    assert dlq["Dimensions"][0]["Value"] == {"Fn::GetAtt": ["TicketStreamDlq", "QueueName"]}
    assert (dlq["Threshold"], dlq["ComparisonOperator"]) == (0, "GreaterThanThreshold")
    (age,) = by_metric["IteratorAge"]
    assert age["Dimensions"][0]["Value"] == {"Ref": function_for(resources, "ticket_stream")}
    watched = {a["Dimensions"][0]["Value"]["Ref"] for a in by_metric["Errors"]}
    assert watched == set(of_type(resources, "AWS::Serverless::Function"))
    (sms,) = by_metric["SmsFailed"]
    assert sms["Namespace"] == "Yunge"
    assert sms["Dimensions"] == [{"Name": "service", "Value": "yunge"}]
    (calendar,) = by_metric["CalendarUncoveredDays"]  # holidays of the next 60 days unknown
    assert (calendar["Namespace"], calendar["Statistic"], calendar["Threshold"]) == (
        "Yunge",
        "Maximum",
        0,
    )


def test_secrets_are_referenced_by_name_never_created(template: Template) -> None:
    assert not of_type(template["Resources"], "AWS::SSM::Parameter")
    params = template["Parameters"]
    secrets = (
        "JwtKeyParameterName",
        "PhoneKeyParameterName",
        "WechatSecretParameterName",
        "SmsReplyTokenParameterName",
    )
    for name in (*secrets, "WechatAppIdParameterName"):
        assert params[name]["Type"] == "String" and params[name]["Default"].startswith("/")


# a valid value Settings must read (Literal choices, JSON, numbers)
CHOICES = {
    "YUNGE_SMS": "aliyun",
    "YUNGE_WECHAT": "real",
    "YUNGE_TARIFFS": "[]",
    "YUNGE_LOW_BALANCE_YUAN": "12.5",
    "YUNGE_REPORT_HOLD_SECONDS": "95",
}


def test_functions_read_their_settings_from_the_template(resources: Template) -> None:
    for fn in of_type(resources, "AWS::Serverless::Function").values():
        env = fn["Properties"]["Environment"]["Variables"]
        assert env["YUNGE_STAGE"] == "prod" and env["YUNGE_SMS"] == {"Ref": "SmsProvider"}
        assert env["YUNGE_ALIYUN_SMS_PARAM"] == {"Ref": "AliyunSmsParameterName"}
        assert env["YUNGE_SMS_SIGNATURE"] == {"Ref": "SmsSignature"}
        assert env["YUNGE_BUREAU_NAME"] == {"Ref": "BureauName"}
        assert env["YUNGE_TABLE_PREFIX"] == {"Ref": "TablePrefix"}
        assert env["YUNGE_BUCKET"] == {"Ref": "FilesBucket"}
        assert env["YUNGE_JWT_KEY_PARAM"] == {"Ref": "JwtKeyParameterName"}
        assert env["YUNGE_PHONE_KEY_PARAM"] == {"Ref": "PhoneKeyParameterName"}
        assert env["YUNGE_SMS_REPLY_TOKEN_PARAM"] == {"Ref": "SmsReplyTokenParameterName"}
        assert env["YUNGE_WECHAT_SECRET_PARAM"] == {"Ref": "WechatSecretParameterName"}
        # every variable the template sets is one Settings actually reads
        marked = {k: f"<{k}>" for k in env if k.startswith("YUNGE_") and k != "YUNGE_STAGE"}
        marked |= {k: v for k, v in CHOICES.items() if k in marked}  # Literal settings
        settings = Settings.from_env({**marked, "YUNGE_STAGE": "prod"})
        read = {str(getattr(settings, f.name)) for f in dataclasses.fields(settings)}
        unread = {k for k, v in marked.items() if v not in read}
        assert not unread, f"Settings ignores {unread}"


def test_the_api_stage_is_throttled_by_rate_and_burst(template: Template) -> None:
    (settings,) = template["Resources"]["RestAPI"]["Properties"]["MethodSettings"]
    assert (settings["ResourcePath"], settings["HttpMethod"]) == ("/*", "*")
    assert settings["ThrottlingRateLimit"] == {"Ref": "ApiRateLimit"}
    assert settings["ThrottlingBurstLimit"] == {"Ref": "ApiBurstLimit"}
    params = template["Parameters"]
    assert (params["ApiRateLimit"]["Default"], params["ApiBurstLimit"]["Default"]) == (100, 200)
    # a throttled request gets 429 in API.md's error shape with Retry-After, not DEFAULT_4XX's 400
    throttled = template["Resources"]["RestAPI"]["Properties"]["DefinitionBody"][
        "x-amazon-apigateway-gateway-responses"
    ]["THROTTLED"]
    assert throttled["statusCode"] == 429
    assert throttled["responseParameters"]["gatewayresponse.header.Retry-After"] == "'1'"
    body = json.loads(throttled["responseTemplates"]["application/json"])
    assert body["error"]["code"] == "rate_limited"


def test_gateway_responses_speak_the_api_error_shape(resources: Template) -> None:
    body = resources["RestAPI"]["Properties"]["DefinitionBody"]
    responses = body["x-amazon-apigateway-gateway-responses"]
    assert responses == gateway_responses()
    for kind in ("UNAUTHORIZED", "ACCESS_DENIED", "DEFAULT_4XX", "DEFAULT_5XX"):
        template = responses[kind]["responseTemplates"]["application/json"]
        assert set(json.loads(template)["error"]) == {"code", "message"}


def test_the_package_ships_bytecode_and_no_dev_tools(built: Built, resources: Template) -> None:
    functions = of_type(resources, "AWS::Serverless::Function").values()
    code_uris = {built.template.parent / fn["Properties"]["CodeUri"] for fn in functions}
    assert code_uris == {built.deployment_zip}
    with zipfile.ZipFile(built.deployment_zip) as package:
        names = set(package.namelist())
        pyc = package.read("__pycache__/app.cpython-311.pyc")
    assert pyc[:4] == importlib.util.MAGIC_NUMBER and pyc[4:8] == b"\x01\0\0\0"
    assert "chalicelib/__pycache__/config.cpython-311.pyc" in names
    assert not any(n.startswith(("moto/", "chalice/cli/", "cfnlint/", "pytest/")) for n in names)


def test_an_upload_under_imports_starts_the_import_function(resources: Template) -> None:
    bucket = resources["FilesBucket"]["Properties"]
    assert bucket["NotificationConfiguration"]["EventBridgeConfiguration"] == {
        "EventBridgeEnabled": True
    }
    name = function_for(resources, "import_upload")
    rule = resources["ImportUploadRule"]["Properties"]
    assert rule["EventPattern"]["detail-type"] == ["Object Created"]
    assert rule["EventPattern"]["detail"]["object"]["key"] == [{"prefix": "imports/"}]
    assert rule["Targets"][0]["Arn"] == {"Fn::GetAtt": [name, "Arn"]}
    permission = resources["ImportUploadRulePermission"]["Properties"]
    assert permission["Principal"] == "events.amazonaws.com"
    assert permission["FunctionName"] == {"Ref": name}
    assert resources[name]["Properties"]["Timeout"] == 900


def test_a_feed_file_under_feeds_starts_the_usage_function(resources: Template) -> None:
    name = function_for(resources, "usage_feed")
    rule = resources["UsageFeedRule"]["Properties"]
    assert rule["EventPattern"]["detail"]["object"]["key"] == [
        {"prefix": "feeds/usage/"},
        {"prefix": "feeds/bills/"},
    ]
    assert rule["Targets"][0]["Arn"] == {"Fn::GetAtt": [name, "Arn"]}
    permission = resources["UsageFeedRulePermission"]["Properties"]
    assert permission["FunctionName"] == {"Ref": name}
    # it loads the usage table, reads phones and sends reminders through the outbox
    granted = {
        (action, str(resource))
        for s in _allows(_policy_files()["usage_feed"])
        for action in _listed(s["Action"])
        for resource in _listed(s["Resource"])
    }
    assert ("dynamodb:BatchWriteItem", str({"Fn::GetAtt": ["UsageTable", "Arn"]})) in granted
    assert ("dynamodb:PutItem", str({"Fn::GetAtt": ["NotificationsTable", "Arn"]})) in granted
    assert ("s3:GetObject", str({"Fn::Sub": "${FilesBucket.Arn}/feeds/*"})) in granted
    assert ("sns:Publish", "*") in granted


def test_the_import_function_may_read_the_phone_key_that_staff_records_are_hashed_with() -> None:
    statements = _allows(_policy_files()["import_upload"])
    reads = [
        r
        for s in statements
        if "ssm:GetParameter" in _listed(s["Action"])
        for r in _listed(s["Resource"])
    ]
    assert any("${PhoneKeyParameterName}" in r["Fn::Sub"] for r in reads)
    assert any(_listed(s["Action"]) == ["kms:Decrypt"] for s in statements)
