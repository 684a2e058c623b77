"""The event wiring Chalice cannot express.

Chalice turns `@app.on_dynamodb_record(stream_arn=...)` into a SAM `DynamoDB` event on the
placeholder ARN it was given at import time, with no failure handling. We replace it with
an explicit AWS::Lambda::EventSourceMapping on the tickets table's real StreamArn, with
partial batch responses, bisect on error, bounded retries and age, and an SQS on-failure
destination. Schedules come from app.py unchanged; the one-minute watchdog gets no async
retries (the next tick is a minute away).
"""

from __future__ import annotations

from typing import Any

Template = dict[str, Any]

STREAM_SETTINGS: dict[str, Any] = {
    # New tables start empty: TRIM_HORIZON loses nothing written before the trigger exists.
    "StartingPosition": "TRIM_HORIZON",
    "FunctionResponseTypes": ["ReportBatchItemFailures"],
    "BisectBatchOnFunctionError": True,
    "MaximumRetryAttempts": 5,
    # After an hour the watchdog's clocks own a stuck ticket; the record goes to the DLQ.
    "MaximumRecordAgeInSeconds": 3600,
}
TRIGGER = "TicketStreamTrigger"
DLQ = "TicketStreamDlq"


def functions(resources: Template) -> dict[str, Template]:
    return {k: v for k, v in resources.items() if v["Type"] == "AWS::Serverless::Function"}


def _events_of_type(function: Template, kind: str) -> dict[str, Template]:
    events = function["Properties"].get("Events", {})
    return {name: e for name, e in events.items() if e["Type"] == kind}


def stream_function(resources: Template) -> str:
    """The logical id of the one function Chalice wired to a DynamoDB stream."""
    wired = [name for name, fn in functions(resources).items() if _events_of_type(fn, "DynamoDB")]
    if len(wired) != 1:
        raise ValueError(
            f"expected one @app.on_dynamodb_record handler (ticket_stream), found {wired}"
        )
    return wired[0]


def replace_stream_trigger(resources: Template, table: str) -> str:
    """Drop Chalice's DynamoDB event and add the hardened mapping on `table`'s stream;
    return the stream function's logical id."""
    name = stream_function(resources)
    props = resources[name]["Properties"]
    (event_name, event), *_ = _events_of_type(resources[name], "DynamoDB").items()
    del props["Events"][event_name]
    if not props["Events"]:
        del props["Events"]
    chalice = event["Properties"]
    resources[TRIGGER] = {
        "Type": "AWS::Lambda::EventSourceMapping",
        "Properties": {
            "FunctionName": {"Ref": name},
            "EventSourceArn": {"Fn::GetAtt": [table, "StreamArn"]},
            "BatchSize": chalice.get("BatchSize", 100),
            "MaximumBatchingWindowInSeconds": chalice.get("MaximumBatchingWindowInSeconds", 0),
            **STREAM_SETTINGS,
            "DestinationConfig": {"OnFailure": {"Destination": {"Fn::GetAtt": [DLQ, "Arn"]}}},
        },
    }
    return name


def schedules(resources: Template) -> dict[str, str]:
    """{function logical id: schedule expression} as Chalice generated them."""
    out = {}
    for name, fn in functions(resources).items():
        for event in _events_of_type(fn, "Schedule").values():
            out[name] = event["Properties"]["Schedule"]
    return out


def no_retries_for_minutely_schedules(resources: Template) -> None:
    for name, expression in schedules(resources).items():
        if expression.replace(" ", "") == "rate(1minute)":
            resources[name]["Properties"]["EventInvokeConfig"] = {
                "MaximumEventAgeInSeconds": 60,
                "MaximumRetryAttempts": 0,
            }


IMPORT_FUNCTION = "ImportUpload"  # app.py's @app.lambda_function(name="import_upload")
IMPORT_RULE = "ImportUploadRule"
IMPORT_PREFIX = "imports/"


def import_trigger(resources: Template) -> Template:
    """Chalice's on_s3_event needs a bucket it creates; ours is the template's FilesBucket.
    The bucket sends its events to EventBridge, and a rule on "Object Created" under
    imports/ starts the import_upload function (which continues itself when a job runs
    long). Returns the resources to add; the bucket is switched on in place."""
    if IMPORT_FUNCTION not in resources:
        raise ValueError("expected the import_upload Lambda (app.import_upload)")
    bucket = resources["FilesBucket"]["Properties"]
    bucket["NotificationConfiguration"] = {"EventBridgeConfiguration": {"EventBridgeEnabled": True}}
    rule_arn = {"Fn::GetAtt": [IMPORT_RULE, "Arn"]}
    return {
        IMPORT_RULE: {
            "Type": "AWS::Events::Rule",
            "Properties": {
                "Description": "An import file landed: validate it and, for a commit, apply it",
                "EventPattern": {
                    "source": ["aws.s3"],
                    "detail-type": ["Object Created"],
                    "detail": {
                        "bucket": {"name": [{"Ref": "FilesBucket"}]},
                        "object": {"key": [{"prefix": IMPORT_PREFIX}]},
                    },
                },
                "Targets": [
                    {"Id": "import-upload", "Arn": {"Fn::GetAtt": [IMPORT_FUNCTION, "Arn"]}}
                ],
            },
        },
        "ImportUploadRulePermission": {
            "Type": "AWS::Lambda::Permission",
            "Properties": {
                "Action": "lambda:InvokeFunction",
                "FunctionName": {"Ref": IMPORT_FUNCTION},
                "Principal": "events.amazonaws.com",
                "SourceArn": rule_arn,
            },
        },
    }


USAGE_FUNCTION = "UsageFeed"  # app.py's @app.lambda_function(name="usage_feed")
USAGE_RULE = "UsageFeedRule"
USAGE_PREFIXES = ("feeds/usage/", "feeds/bills/")


def usage_trigger(resources: Template) -> Template:
    """A feed file landing under feeds/usage/ or feeds/bills/ of FilesBucket starts the
    usage_feed function, by the same EventBridge route as the import files. EventBridge
    retries a failed invocation (the loader skips what it already loaded)."""
    if USAGE_FUNCTION not in resources:
        raise ValueError("expected the usage_feed Lambda (app.usage_feed)")
    bucket = resources["FilesBucket"]["Properties"]
    bucket["NotificationConfiguration"] = {"EventBridgeConfiguration": {"EventBridgeEnabled": True}}
    return {
        USAGE_RULE: {
            "Type": "AWS::Events::Rule",
            "Properties": {
                "Description": "A daily-usage or bill feed file landed: load it",
                "EventPattern": {
                    "source": ["aws.s3"],
                    "detail-type": ["Object Created"],
                    "detail": {
                        "bucket": {"name": [{"Ref": "FilesBucket"}]},
                        "object": {"key": [{"prefix": p} for p in USAGE_PREFIXES]},
                    },
                },
                "Targets": [
                    {
                        "Id": "usage-feed",
                        "Arn": {"Fn::GetAtt": [USAGE_FUNCTION, "Arn"]},
                        "RetryPolicy": {
                            "MaximumEventAgeInSeconds": 6 * 3600,
                            "MaximumRetryAttempts": 20,
                        },
                    }
                ],
            },
        },
        "UsageFeedRulePermission": {
            "Type": "AWS::Lambda::Permission",
            "Properties": {
                "Action": "lambda:InvokeFunction",
                "FunctionName": {"Ref": USAGE_FUNCTION},
                "Principal": "events.amazonaws.com",
                "SourceArn": {"Fn::GetAtt": [USAGE_RULE, "Arn"]},
            },
        },
    }
