"""Replaying the ticket stream's dead-letter queue in one command (README, Operations).

When the stream trigger gives up on a batch, Lambda parks a *pointer* to it in the DLQ
(`DDBStreamBatchInfo`: stream, shard, first and last sequence numbers, arrival times), not
the records. For each message this:

1. reads the records back from the stream while it still holds them (24 hours), from the
   first sequence number up to the last, shaped as Lambda delivers them;
2. after that, when the shard no longer has them, finds the tickets changed in the batch's
   window through the month index, and re-runs those still `submitted` through the same
   handler as a new report would be (their dispatch); the others are listed for review;
3. runs them through the same handler (the deployed function, or this process with the
   stack's settings) and deletes the message only when every record succeeded.

Every side effect is idempotent on its business key, so records that had partly succeeded
send nothing twice. `--dry-run` reads and reports, and changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from infra.local.streams import lambda_event

Handler = Callable[[dict[str, Any]], dict[str, Any]]  # a Lambda event → its partial response
Window = Callable[[datetime, datetime], Iterable[dict[str, Any]]]  # → synthetic INSERT records
GONE = ("TrimmedDataAccessException", "ExpiredIteratorException", "ResourceNotFoundException")
MAX_READS = 1000  # GetRecords calls per batch pointer (a batch is at most 10,000 records)


@dataclass(frozen=True, slots=True)
class BatchPointer:
    """What the DLQ message says about the batch Lambda gave up on."""

    stream_arn: str
    shard_id: str
    start: str
    end: str
    size: int
    first_arrival: datetime
    last_arrival: datetime

    @classmethod
    def from_message(cls, body: str) -> BatchPointer:
        info = json.loads(body)["DDBStreamBatchInfo"]
        return cls(
            stream_arn=info["streamArn"],
            shard_id=info["shardId"],
            start=info["startSequenceNumber"],
            end=info["endSequenceNumber"],
            size=int(info["batchSize"]),
            first_arrival=_moment(info["approximateArrivalOfFirstRecord"]),
            last_arrival=_moment(info["approximateArrivalOfLastRecord"]),
        )


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass
class Outcome:
    message_id: str
    pointer: BatchPointer
    source: str  # "stream" | "index" | "none"
    records: int = 0
    failed: list[str] = field(default_factory=list)
    review: list[str] = field(default_factory=list)  # tickets changed but not replayable
    deleted: bool = False

    def line(self) -> str:
        verdict = "deleted" if self.deleted else "kept"
        text = (
            f"{self.message_id}: {self.records} record(s) from {self.source}, "
            f"{len(self.failed)} failed, message {verdict}"
        )
        if self.review:
            text += f"; review by hand: {', '.join(self.review)}"
        return text


class Replayer:
    def __init__(
        self,
        sqs: Any,
        streams: Any,
        handler: Handler,
        region: str,
        window: Window | None = None,
        review: Callable[[datetime, datetime], list[str]] | None = None,
    ) -> None:
        self.sqs, self.streams, self.handler, self.region = sqs, streams, handler, region
        self.window, self.review = window, review

    def messages(self, queue_url: str) -> Iterator[dict[str, Any]]:
        seen: set[str] = set()
        while True:
            got = self.sqs.receive_message(
                QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=300
            ).get("Messages", [])
            fresh = [m for m in got if m["MessageId"] not in seen]
            for again in (m for m in got if m["MessageId"] in seen):  # kept earlier this run
                self.sqs.change_message_visibility(
                    QueueUrl=queue_url, ReceiptHandle=again["ReceiptHandle"], VisibilityTimeout=0
                )
            if not fresh:
                return
            for message in fresh:
                seen.add(message["MessageId"])
                yield message

    def run(
        self, queue_url: str, *, dry_run: bool = False, reviewed: bool = False
    ) -> list[Outcome]:
        """Replay every parked batch; `reviewed`: the tickets named for review have been
        looked at, so their messages may go too."""
        outcomes = []
        for message in self.messages(queue_url):
            pointer = BatchPointer.from_message(message["Body"])
            outcome = self.replay(message["MessageId"], pointer, dry_run=dry_run)
            if reviewed and not dry_run and not outcome.failed:
                outcome.deleted = True
            handle = message["ReceiptHandle"]
            if outcome.deleted:
                self.sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=handle)
            else:  # kept: visible again at once for the next run, not in 5 minutes
                self.sqs.change_message_visibility(
                    QueueUrl=queue_url, ReceiptHandle=handle, VisibilityTimeout=0
                )
            outcomes.append(outcome)
        return outcomes

    def replay(self, message_id: str, pointer: BatchPointer, *, dry_run: bool) -> Outcome:
        records = self.read(pointer)
        source = "stream"
        outcome = Outcome(message_id, pointer, source)
        if records is None:  # the stream no longer holds them
            start = pointer.first_arrival - timedelta(minutes=1)
            end = pointer.last_arrival + timedelta(minutes=1)
            records = list(self.window(start, end)) if self.window else []
            outcome.source = "index" if self.window else "none"
            outcome.review = self.review(start, end) if self.review else []
        outcome.records = len(records)
        if dry_run or not records:
            outcome.deleted = not dry_run and outcome.source == "index" and not outcome.review
            return outcome
        event = lambda_event(records, pointer.stream_arn, self.region)
        result = self.handler(event)
        outcome.failed = [f["itemIdentifier"] for f in result.get("batchItemFailures", [])]
        outcome.deleted = not outcome.failed and not outcome.review
        return outcome

    def read(self, pointer: BatchPointer) -> list[dict[str, Any]] | None:
        """The batch's records, first to last, or None when the shard no longer has them."""
        try:
            iterator = self.streams.get_shard_iterator(
                StreamArn=pointer.stream_arn,
                ShardId=pointer.shard_id,
                ShardIteratorType="AT_SEQUENCE_NUMBER",
                SequenceNumber=pointer.start,
            ).get("ShardIterator")
            records: list[dict[str, Any]] = []
            last = int(pointer.end)
            for _ in range(MAX_READS):
                if not iterator:
                    break
                page = self.streams.get_records(ShardIterator=iterator, Limit=1000)
                for record in page.get("Records", []):
                    if int(record["dynamodb"]["SequenceNumber"]) > last:
                        return records
                    records.append(record)
                if records and int(records[-1]["dynamodb"]["SequenceNumber"]) >= last:
                    return records
                if not page.get("Records"):
                    break
                iterator = page.get("NextShardIterator")
        except Exception as error:  # botocore ClientError, by its code
            code = getattr(error, "response", {}).get("Error", {}).get("Code", "")
            if code in GONE:
                return None
            raise
        return records or None


def lambda_handler(function_name: str, client: Any) -> Handler:
    """Run the records through the deployed function (what the stream trigger would do)."""

    def invoke(event: dict[str, Any]) -> dict[str, Any]:
        reply = client.invoke(FunctionName=function_name, Payload=json.dumps(event).encode())
        body = json.loads(reply["Payload"].read() or b"{}")
        if reply.get("FunctionError"):
            ids = [r["dynamodb"]["SequenceNumber"] for r in event["Records"]]
            return {"batchItemFailures": [{"itemIdentifier": i} for i in ids]}
        return body if isinstance(body, dict) else {}

    return invoke
