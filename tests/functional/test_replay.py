"""`python -m infra.ops replay` against moto: a batch the stream trigger gave up on is parked
as a pointer in the DLQ; once the cause is fixed the command reads the records back, runs
them through the same handler and deletes the message — and nothing is sent twice."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import boto3

from chalicelib.dispatch.stream import handle_ticket_stream
from infra.ops.replay import Replayer
from infra.ops.window import submitted_records, to_review
from tests.functional.test_ticket_stream import REGION, Stack
from tests.functional.test_ticket_stream import stack as stack  # the same moto stack

DISPATCH_SMS = 2  # the manager's and the customer's


def dlq() -> str:
    return str(boto3.client("sqs", region_name=REGION).create_queue(QueueName="dlq")["QueueUrl"])


def park(queue_url: str, records: list[dict[str, Any]], at: datetime | None = None) -> None:
    """What Lambda puts in the DLQ when it gives up on a batch: a pointer, not the records.
    `at`: the arrival time to report (moto stamps records with the wall clock, the tests'
    tickets live on the injected one)."""
    shard_id = None
    streams = boto3.client("dynamodbstreams", region_name=REGION)
    arn = records[0]["eventSourceARN"]
    shard = shard_id or streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
    moments = [r["dynamodb"]["ApproximateCreationDateTime"] for r in records]
    info = {
        "streamArn": arn,
        "shardId": shard if isinstance(shard, str) else shard["ShardId"],
        "startSequenceNumber": records[0]["dynamodb"]["SequenceNumber"],
        "endSequenceNumber": records[-1]["dynamodb"]["SequenceNumber"],
        "batchSize": len(records),
        "approximateArrivalOfFirstRecord": _iso(at.timestamp() if at else min(moments)),
        "approximateArrivalOfLastRecord": _iso(at.timestamp() if at else max(moments)),
    }
    body = json.dumps({"requestContext": {"condition": "RetryAttemptsExhausted"},
                       "DDBStreamBatchInfo": info})  # fmt: skip
    boto3.client("sqs", region_name=REGION).send_message(QueueUrl=queue_url, MessageBody=body)


def _iso(epoch: float) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(epoch, UTC).isoformat().replace("+00:00", "Z")


class TrimmedStream:
    """The stream 24 hours on: the batch's records are gone (as DynamoDB Streams answers;
    moto keeps every record and only asserts on an unknown shard)."""

    def get_shard_iterator(self, **kwargs: Any) -> Any:
        from botocore.exceptions import ClientError

        error = {"Code": "TrimmedDataAccessException", "Message": "beyond the trim horizon"}
        raise ClientError({"Error": error}, "GetShardIterator")


def replayer(stack: Stack, streams: Any = None) -> Replayer:
    svc = stack.svc
    return Replayer(
        boto3.client("sqs", region_name=REGION),
        streams or boto3.client("dynamodbstreams", region_name=REGION),
        lambda event: handle_ticket_stream(event, None, svc),
        REGION,
        window=lambda start, end: submitted_records(svc, start, end),
        review=lambda start, end: to_review(svc, start, end),
    )


def test_a_parked_batch_is_replayed_once_the_cause_is_fixed(stack: Stack) -> None:
    queue = dlq()
    submitted = stack.submit()
    assert stack.deliver(stack.read()) == []  # INSERT: dispatched
    dispatched = stack.read()  # the MODIFY that should tell the manager and the customer
    stack.sms.fail_transiently(1000)  # the provider throttles every try: Lambda gives up
    assert stack.deliver(dispatched) != []
    park(queue, dispatched["Records"])
    assert stack.sms.sent == []

    stack.sms.fail_transiently(0)  # the cause is fixed
    dry = replayer(stack).run(queue, dry_run=True)
    assert [(o.source, o.records, o.deleted) for o in dry] == [("stream", 1, False)]
    assert stack.sms.sent == []  # a dry run sends nothing and keeps the message

    outcomes = replayer(stack).run(queue)
    assert [(o.source, o.failed, o.deleted) for o in outcomes] == [("stream", [], True)]
    assert len(stack.sms.sent) == DISPATCH_SMS
    assert replayer(stack).run(queue) == []  # the message is gone
    # the same records once more (a replay run twice by hand): nothing is sent again
    assert stack.deliver(dispatched) == []
    assert len(stack.sms.sent) == DISPATCH_SMS
    assert stack.ticket(submitted.ticket_id).status == "dispatched"


def test_a_failure_during_the_replay_keeps_the_message(stack: Stack) -> None:
    queue = dlq()
    stack.submit()
    assert stack.deliver(stack.read()) == []
    dispatched = stack.read()
    stack.sms.fail_transiently(1000)
    assert stack.deliver(dispatched) != []
    park(queue, dispatched["Records"])

    outcomes = replayer(stack).run(queue)  # the cause is not fixed yet
    assert outcomes[0].failed and not outcomes[0].deleted
    stack.sms.fail_transiently(0)
    assert [o.deleted for o in replayer(stack).run(queue)] == [True]  # still there to retry
    assert len(stack.sms.sent) == DISPATCH_SMS


def test_after_the_streams_24_hours_the_window_is_found_through_the_index(
    stack: Stack, clock: Any
) -> None:
    queue = dlq()
    submitted = stack.submit()  # its INSERT was parked and the shard has since been trimmed
    insert = stack.read()["Records"]
    park(queue, insert, at=submitted.created_at)
    clock.advance(hours=30)
    before = stack.ticket(submitted.ticket_id).version

    outcomes = replayer(stack, TrimmedStream()).run(queue)
    assert [(o.source, o.records, o.failed, o.deleted) for o in outcomes] == [
        ("index", 1, [], True)
    ]
    assert stack.ticket(submitted.ticket_id).status == "dispatched"  # dispatched once, now
    assert stack.ticket(submitted.ticket_id).version == before + 1


def test_messages_that_changed_past_submitted_are_named_for_review(stack: Stack) -> None:
    queue = dlq()
    submitted = stack.submit()
    insert = stack.read()["Records"]
    assert stack.deliver({"Records": insert}) == []  # dispatched meanwhile
    park(queue, insert, at=stack.ticket(submitted.ticket_id).updated_at)
    outcomes = replayer(stack, TrimmedStream()).run(queue)
    assert outcomes[0].review == [submitted.number] and not outcomes[0].deleted
    assert "review by hand" in outcomes[0].line()
    checked = replayer(stack, TrimmedStream()).run(queue, reviewed=True)
    assert [o.deleted for o in checked] == [True] and replayer(stack).run(queue) == []
    assert timedelta(0) <= outcomes[0].pointer.last_arrival - outcomes[0].pointer.first_arrival
