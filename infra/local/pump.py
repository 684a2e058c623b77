"""Feeds the app's event handlers the way Lambda would: DynamoDB stream records of the
tickets table (polled with GetRecords, redelivered on partial batch failure) and schedules.

Errors are logged, never raised: the pump outlives any one bad batch.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from infra.local.lambda_shapes import FakeLambdaContext
from infra.local.streams import BATCH_SIZE, StreamReader, lambda_stream_record

log = logging.getLogger("local.pump")
Handler = Callable[[dict[str, Any], Any], Any]
MAX_RETRIES = 3  # like MaximumRetryAttempts on the event source mapping
RETRY_DELAY = 0.5
# moto writes stream records for a cancelled transaction, then swaps the table (and its
# stream shard) for a copy without them, so the copy's later records reuse those sequence
# numbers. When idle the pump re-reads from a little before its checkpoint and skips the
# event ids it has delivered; DynamoDB itself never needs this.
REWIND = 50
REMEMBERED = 20_000


class StreamPump:
    """Polls every shard of one table's stream (infra/local/streams.py) and hands batches
    to `handler`."""

    def __init__(self, table: str, region: str, handler: Handler, function_name: str) -> None:
        self.table, self.region = table, region
        self.handler, self.function_name = handler, function_name
        self.reader = StreamReader(table, region, BATCH_SIZE)
        self._checkpoints: dict[tuple[str, str], str] = {}  # (stream, shard) -> last sequence
        self._first: dict[tuple[str, str], int] = {}  # (stream, shard) -> first sequence read
        self._seen: dict[str, None] = {}  # delivered event ids, oldest first
        self.delivered = 0

    def _position(self, arn: str, shard_id: str) -> dict[str, str]:
        last = self._checkpoints.get((arn, shard_id))
        if last is None:
            return {"ShardIteratorType": "TRIM_HORIZON"}
        # resume near what was handed over; seen ids are skipped
        at = max(int(last) - REWIND, self._first[(arn, shard_id)])
        return {"ShardIteratorType": "AT_SEQUENCE_NUMBER", "SequenceNumber": str(at)}

    def poll(self, wait: Callable[[float], bool]) -> int:
        """One GetRecords round over every shard; returns how many records were read."""
        if self.reader.arn is None or not self.reader.iterators:
            self.reader.open(self._position)
        read = 0
        for shard_id, records in self.reader.read_shards():
            arn = self.reader.arn
            assert arn is not None
            if records:
                self._first.setdefault(
                    (arn, shard_id), int(records[0]["dynamodb"]["SequenceNumber"])
                )
                self._checkpoints[(arn, shard_id)] = records[-1]["dynamodb"]["SequenceNumber"]
                fresh = [r for r in records if r["eventID"] not in self._seen]
                read += len(fresh)
                if fresh:
                    self.deliver(fresh, wait)
                    self._remember(r["eventID"] for r in fresh)
        if not read:
            self.reader.iterators = {}  # idle: fresh iterators next time (see REWIND)
        return read

    def _remember(self, event_ids: Any) -> None:
        for event_id in event_ids:
            self._seen[event_id] = None
        while len(self._seen) > REMEMBERED:
            del self._seen[next(iter(self._seen))]

    def deliver(self, records: list[dict[str, Any]], wait: Callable[[float], bool]) -> None:
        """Invoke like Lambda with ReportBatchItemFailures: on failure, retry from the first
        failed record (or the whole batch if the handler raised), a bounded number of times."""
        arn = self.reader.arn
        assert arn is not None
        pending = [lambda_stream_record(r, arn, self.region) for r in records]
        for attempt in range(1 + MAX_RETRIES):
            start = self._invoke(pending)
            if start is None:
                self.delivered += len(pending)
                return
            self.delivered += start
            pending = pending[start:]
            if attempt == MAX_RETRIES:
                break
            log.warning(
                "stream: %d records failed (attempt %d), retrying", len(pending), attempt + 1
            )
            if wait(RETRY_DELAY):
                return
        first = pending[0]["dynamodb"]["SequenceNumber"]
        log.error(
            "stream: dropped %d records from sequence %s after %d retries "
            "(in AWS: the on-failure destination)",
            len(pending),
            first,
            MAX_RETRIES,
        )

    def _invoke(self, pending: list[dict[str, Any]]) -> int | None:
        """Index of the first record to redeliver, or None when the batch succeeded."""
        try:
            result = self.handler({"Records": pending}, FakeLambdaContext(self.function_name))
        except Exception:
            log.exception("stream: handler raised; the whole batch will be retried")
            return 0
        failures = result.get("batchItemFailures") if isinstance(result, dict) else None
        if not failures:
            return None
        failed = {f.get("itemIdentifier") for f in failures if isinstance(f, dict)}
        seqs = [r["dynamodb"]["SequenceNumber"] for r in pending]
        # An unknown identifier fails the whole batch, as in Lambda.
        return next((i for i, s in enumerate(seqs) if s in failed), 0)


def every(
    seconds: float, job: Callable[[], Any], stop: threading.Event, name: str
) -> threading.Thread:
    """Run `job` every `seconds` until `stop` is set, logging (not raising) its errors."""

    def loop() -> None:
        while not stop.wait(seconds):
            try:
                job()
            except Exception:
                log.exception("%s failed", name)

    thread = threading.Thread(target=loop, name=name, daemon=True)
    thread.start()
    return thread


def utc_now() -> datetime:
    return datetime.now(UTC)
