"""The import_upload Lambda: started by the upload's S3 "Object Created" event (EventBridge
rule on imports/, or an S3 notification record), or by itself to continue a job that ran
short of time. It works on the job until done or until about a minute is left, then
invokes itself asynchronously with the job id; the checkpoint says where to go on."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from chalicelib.domain.imports import import_id_of

Again = Callable[[str, str], None]  # (function name, import id)


def import_ids(event: dict[str, Any]) -> list[str]:
    """The job ids an event names: a continuation, an EventBridge S3 event or S3 records."""
    if "import_id" in event:
        return [str(event["import_id"])]
    keys = []
    detail = event.get("detail") or {}
    if isinstance(detail, dict) and "object" in detail:
        keys.append(str(detail["object"].get("key", "")))
    for record in event.get("Records") or []:
        keys.append(str(((record.get("s3") or {}).get("object") or {}).get("key", "")))
    found = (import_id_of(key) for key in keys)
    return [i for i in found if i]


def invoke_again(function_name: str, import_id: str) -> None:
    import boto3

    boto3.client("lambda").invoke(
        FunctionName=function_name,
        InvocationType="Event",
        Payload=json.dumps({"import_id": import_id}).encode(),
    )


def on_import_event(
    event: dict[str, Any], context: Any, again: Again = invoke_again
) -> dict[str, Any]:
    from chalicelib.bootstrap import services
    from chalicelib.imports.jobs import process
    from chalicelib.usecases.imports import import_ports

    ports = import_ports(services())
    left: dict[str, Any] = {"finished": [], "continued": []}
    for import_id in import_ids(event):
        seconds = lambda: context.get_remaining_time_in_millis() / 1000  # noqa: E731
        if process(ports, import_id, seconds):
            left["finished"].append(import_id)
        else:
            again(context.function_name, import_id)
            left["continued"].append(import_id)
    return left
