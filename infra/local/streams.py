"""The one DynamoDB stream reader, shared by the tests, the benchmarks and the local stack's
pump (infra/local/pump.py): every shard of one table's stream read with GetRecords, in order,
and the records shaped as the event Lambda would deliver.

It lives outside chalicelib/ because production never reads a stream itself: Lambda does,
and hands `ticket_stream` the event. Lambda's shape differs from boto3's GetRecords output:
`ApproximateCreationDateTime` is epoch seconds (boto3 gives a datetime), each record carries
`eventSourceARN` and `awsRegion`, and binary values stay base64-encoded (boto3 decodes them).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

BATCH_SIZE = 100  # Lambda's default for DynamoDB streams
Position = Callable[[str, str], dict[str, str]]  # (stream arn, shard id) -> where to start


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


def lambda_event(records: Iterable[dict[str, Any]], stream_arn: str, region: str) -> dict[str, Any]:
    return {"Records": [lambda_stream_record(r, stream_arn, region) for r in records]}


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    return value


def from_the_start(arn: str, shard_id: str) -> dict[str, str]:
    return {"ShardIteratorType": "TRIM_HORIZON"}


class StreamReader:
    """Reads every shard of `table`'s stream. `open` finds the stream and its shards and opens
    an iterator on each shard not open yet (where `position` says; from the start unless
    told); `read` makes one GetRecords call per open shard and follows NextShardIterator;
    `close` forgets the stream and the iterators, so the next `open` finds them afresh."""

    def __init__(self, table: str, region: str, batch: int = BATCH_SIZE) -> None:
        self.table, self.region, self.batch = table, region, batch
        self.arn: str | None = None
        self.iterators: dict[str, str] = {}  # shard id -> the next iterator to read
        self._clients: tuple[Any, Any] | None = None

    def clients(self) -> tuple[Any, Any]:
        if self._clients is None:
            import boto3

            self._clients = (
                boto3.client("dynamodb", region_name=self.region),
                boto3.client("dynamodbstreams", region_name=self.region),
            )
        return self._clients

    def open(self, position: Position = from_the_start) -> dict[str, str]:
        """Open the shards not open yet; returns the iterators opened, by shard id."""
        dynamodb, streams = self.clients()
        self.arn = dynamodb.describe_table(TableName=self.table)["Table"]["LatestStreamArn"]
        opened: dict[str, str] = {}
        for shard in streams.describe_stream(StreamArn=self.arn)["StreamDescription"]["Shards"]:
            shard_id = shard["ShardId"]
            if shard_id in self.iterators:
                continue
            opened[shard_id] = streams.get_shard_iterator(
                StreamArn=self.arn, ShardId=shard_id, **position(self.arn, shard_id)
            )["ShardIterator"]
        self.iterators.update(opened)
        return opened

    def read_shards(self) -> list[tuple[str, list[dict[str, Any]]]]:
        """One GetRecords per open shard (opening them first if none is): the records read
        from each, in shard order. A failed call closes the reader and raises."""
        if self.arn is None or not self.iterators:
            self.open()
        _, streams = self.clients()
        found: list[tuple[str, list[dict[str, Any]]]] = []
        for shard_id, iterator in list(self.iterators.items()):
            try:
                page = streams.get_records(ShardIterator=iterator, Limit=self.batch)
            except Exception:
                self.close()  # the table recreated? found afresh next time
                raise
            self.iterators[shard_id] = page.get("NextShardIterator") or iterator
            found.append((shard_id, page.get("Records", [])))
        return found

    def read(self) -> list[dict[str, Any]]:
        """The records not read yet from every shard (one GetRecords each), in shard order."""
        return [record for _, records in self.read_shards() for record in records]

    def event(self) -> dict[str, Any]:
        """The records not read yet, as one Lambda event."""
        records = self.read()
        assert self.arn is not None
        return lambda_event(records, self.arn, self.region)

    def close(self) -> None:
        self.arn, self.iterators = None, {}
