"""The template's pure pieces, without running Chalice: merging a small SAM template,
bytecode for the deployment zip, and tables from pynamodb models."""

from __future__ import annotations

import importlib.util
import zipfile
from pathlib import Path
from typing import Any

import pytest
from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import Model

from infra.package.merge import merge
from infra.package.precompile import RUNTIME, precompile_zip
from infra.package.tables import table_resource

PLACEHOLDER = "arn:aws:dynamodb:cn-north-1:000000000000:table/x/stream/1970"


def _function(handler: str, **events: Any) -> dict[str, Any]:
    props: dict[str, Any] = {"Handler": handler, "Runtime": RUNTIME, "CodeUri": "./d.zip"}
    if events:
        props["Events"] = events
    return {"Type": "AWS::Serverless::Function", "Properties": props}


def _sam(with_stream: bool = True, with_import: bool = True) -> dict[str, Any]:
    resources: dict[str, Any] = {
        "APIHandler": _function("app.app"),
        "ApiHandlerLogGroup": {
            "Type": "AWS::Logs::LogGroup",
            "Properties": {"LogGroupName": {"Fn::Sub": "/aws/lambda/${ApiHandler}"}},
        },
        "SlaWatchdog": _function(
            "app.sla_watchdog",
            SlaWatchdogEvent={"Type": "Schedule", "Properties": {"Schedule": "rate(1 minute)"}},
        ),
        "UsageFeed": _function("app.usage_feed"),  # started by an EventBridge rule
    }
    if with_stream:
        event = {"Type": "DynamoDB", "Properties": {"Stream": PLACEHOLDER, "BatchSize": 25}}
        resources["TicketStream"] = _function("app.ticket_stream", Ev=event)
    if with_import:  # @app.lambda_function(name="import_upload"): EventBridge starts it
        resources["ImportUpload"] = _function("app.import_upload")
    return {"Resources": resources, "Outputs": {}}


def test_chalices_stream_event_becomes_a_hardened_mapping_on_the_real_stream() -> None:
    merged = merge(_sam(), code_uri="chalice/deployment.zip")["Resources"]

    assert "Events" not in merged["TicketStream"]["Properties"]
    mapping = merged["TicketStreamTrigger"]["Properties"]
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": ["TicketsTable", "StreamArn"]}
    assert mapping["BatchSize"] == 25  # what app.py asked for is kept
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert merged["SlaWatchdog"]["Properties"]["EventInvokeConfig"]["MaximumRetryAttempts"] == 0
    log_group = merged["ApiHandlerLogGroup"]["Properties"]["LogGroupName"]
    assert log_group == {"Fn::Sub": "/aws/lambda/${APIHandler}"}
    assert merged["APIHandler"]["Properties"]["CodeUri"] == "chalice/deployment.zip"


def test_an_upload_under_imports_reaches_the_import_function_through_eventbridge() -> None:
    merged = merge(_sam(), code_uri="d.zip")["Resources"]
    notify = merged["FilesBucket"]["Properties"]["NotificationConfiguration"]
    assert notify == {"EventBridgeConfiguration": {"EventBridgeEnabled": True}}
    rule = merged["ImportUploadRule"]["Properties"]
    assert rule["EventPattern"]["source"] == ["aws.s3"]
    assert rule["EventPattern"]["detail"]["object"]["key"] == [{"prefix": "imports/"}]
    assert rule["Targets"][0]["Arn"] == {"Fn::GetAtt": ["ImportUpload", "Arn"]}
    permission = merged["ImportUploadRulePermission"]["Properties"]
    assert permission["SourceArn"] == {"Fn::GetAtt": ["ImportUploadRule", "Arn"]}


def test_a_template_without_the_import_handler_is_refused() -> None:
    with pytest.raises(ValueError, match="import_upload"):
        merge(_sam(with_import=False), code_uri="d.zip")


def test_a_template_without_the_stream_handler_is_refused() -> None:
    with pytest.raises(ValueError, match="on_dynamodb_record"):
        merge(_sam(with_stream=False), code_uri="d.zip")


def _zip_with_module(path: Path) -> bytes:
    source = b"VALUE = 42\n"
    with zipfile.ZipFile(path, "w") as out:
        out.writestr("pkg/__init__.py", b"")
        out.writestr("pkg/mod.py", source)
    return source


def test_bytecode_is_added_as_unchecked_hash_pyc_beside_each_source(tmp_path: Path) -> None:
    source = _zip_with_module(tmp_path / "d.zip")

    result = precompile_zip(tmp_path / "d.zip", RUNTIME)

    assert result is not None and (result.sources, result.compiled) == (2, 2)
    tag = importlib.util.cache_from_source("pkg/mod.py").rsplit("/", 1)[-1]
    with zipfile.ZipFile(tmp_path / "d.zip") as package:
        pyc = package.read(f"pkg/__pycache__/{tag}")
    assert pyc[:4] == importlib.util.MAGIC_NUMBER
    assert int.from_bytes(pyc[4:8], "little") == 0b01  # hash-based, unchecked
    assert pyc[8:16] == importlib.util.source_hash(source)


def test_no_bytecode_when_this_python_is_not_the_lambda_runtime(tmp_path: Path) -> None:
    _zip_with_module(tmp_path / "d.zip")
    before = (tmp_path / "d.zip").read_bytes()

    assert precompile_zip(tmp_path / "d.zip", "python3.99") is None
    assert (tmp_path / "d.zip").read_bytes() == before


class _Provisioned(Model):
    class Meta:
        table_name = "provisioned"

    key = UnicodeAttribute(hash_key=True)


def test_a_table_that_is_not_on_demand_is_refused() -> None:
    with pytest.raises(ValueError, match="PAY_PER_REQUEST"):
        table_resource(_Provisioned)
