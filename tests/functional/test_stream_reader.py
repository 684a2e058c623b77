"""The one stream reader (infra/local/streams.py) that the tests, the benchmarks and the local
pump share, under moto: every record once, in order, in the shape Lambda delivers; and the
pump's redelivery from the first failed record."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra.local.pump import StreamPump
from infra.local.streams import StreamReader

REGION = "us-east-1"
TABLE = "streamed"


def put(db: Any, key: str, blob: bytes = b"\x00\x01") -> None:
    db.put_item(TableName=TABLE, Item={"pk": {"S": key}, "raw": {"B": blob}})


@pytest.fixture
def db() -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        client.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )
        yield client


def keys(event: dict[str, Any]) -> list[str]:
    return [r["dynamodb"]["Keys"]["pk"]["S"] for r in event["Records"]]


def test_the_reader_hands_over_each_record_once_in_lambdas_shape(db: Any) -> None:
    reader = StreamReader(TABLE, REGION)
    reader.open()
    put(db, "a")
    put(db, "b")

    event = reader.event()

    assert keys(event) == ["a", "b"]
    record = event["Records"][0]
    assert record["eventName"] == "INSERT"
    assert record["eventSourceARN"] == reader.arn and record["awsRegion"] == REGION
    assert isinstance(record["dynamodb"]["ApproximateCreationDateTime"], int)  # epoch seconds
    assert record["dynamodb"]["NewImage"]["raw"]["B"] == "AAE="  # base64, as Lambda sends it
    assert reader.event() == {"Records": []}
    put(db, "c")
    assert keys(reader.event()) == ["c"]


def test_the_pump_redelivers_from_the_first_failed_record_then_moves_on(db: Any) -> None:
    batches: list[list[str]] = []

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        batches.append(keys(event))
        failed = [r for r in event["Records"] if r["dynamodb"]["Keys"]["pk"]["S"] == "b"]
        if len(batches) == 1 and failed:  # "b" fails once
            return {
                "batchItemFailures": [{"itemIdentifier": failed[0]["dynamodb"]["SequenceNumber"]}]
            }
        return {"batchItemFailures": []}

    pump = StreamPump(TABLE, REGION, handler, "ticket_stream")
    for key in "abc":
        put(db, key)

    assert pump.poll(lambda seconds: False) == 3
    assert batches == [["a", "b", "c"], ["b", "c"]]
    assert pump.delivered == 3
    assert pump.poll(lambda seconds: False) == 0  # nothing new, nothing delivered twice
    put(db, "d")
    pump.poll(lambda seconds: False)
    assert batches[-1] == ["d"]
