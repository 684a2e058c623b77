"""DynamoDB Streams GetRecords output → the event Lambda would deliver.

Written once, used by the tests, the benchmarks and the local stack's pump: Lambda sends
`ApproximateCreationDateTime` as epoch seconds (boto3 gives a datetime), adds
`eventSourceARN` and `awsRegion`, and leaves binary values base64-encoded (boto3 decodes them).
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from datetime import datetime
from typing import Any


def lambda_stream_record(record: dict[str, Any], stream_arn: str, region: str) -> dict[str, Any]:
    ddb = dict(record["dynamodb"])
    created = ddb.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        ddb["ApproximateCreationDateTime"] = int(created.timestamp())
    return {
        **_jsonable(record),
        "awsRegion": region,
        "dynamodb": _jsonable(ddb),
        "eventSourceARN": stream_arn,
    }


def lambda_event_from_stream_records(
    records: Iterable[dict[str, Any]], stream_arn: str, region: str = "us-east-1"
) -> dict[str, Any]:
    return {"Records": [lambda_stream_record(r, stream_arn, region) for r in records]}


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    return value
