"""The reports' TicketSource port: streaming a period's tickets out of the ticket index
partitions (`Source`: the month and settle shards for the bureau, a station's or branch's
partition for a chief or duty officer) — never a Scan. Its DynamoDB adapter and the
in-memory fake, held to one contract in tests/functional/test_report_sources.py.

The DynamoDB adapter queries the partitions in parallel threads, each following its own
pages; raw pages pass through a small bounded queue to the one consumer, which decodes them
one at a time. At most `workers` + `queue_pages` pages (≤ 1 MB each) are held at once,
whatever the size of the month."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any, Protocol

from chalicelib.domain.tickets import Ticket
from chalicelib.store.keys import iso
from chalicelib.store.tickets import InMemoryTicketStore, Source

RawPage = list[dict[str, Any]]
HASH_KEYS = {
    "by_month": "month_shard",
    "by_branch": "branch_id",
    "by_station": "station_id",
    "by_grid": "grid_id",
    "by_settle": "settle_shard",
}


class TicketSource(Protocol):
    def tickets(
        self, partitions: Sequence[Source], start: datetime, end: datetime
    ) -> Iterator[Ticket]:
        """Every ticket of the partitions created in [start, end), in no particular order."""
        ...


def decode_pages(pages: Iterable[RawPage]) -> Iterator[Ticket]:
    """Raw DynamoDB items → tickets, through the store's own mapping."""
    from chalicelib.store.models import TicketModel
    from chalicelib.store.ticket_items import to_ticket

    for page in pages:
        for raw in page:
            yield to_ticket(TicketModel.from_raw_data(raw))


def bound_tickets_table() -> str:
    from chalicelib.store.models import TicketModel

    return str(TicketModel.Meta.table_name)


class DynamoTicketSource:
    def __init__(
        self,
        region: str,
        table: Callable[[], str] = bound_tickets_table,
        workers: int = 8,
        queue_pages: int = 8,
        client: Any = None,
    ) -> None:
        self.table = table  # read at query time: tables are bound after construction
        self.region = region
        self.workers = workers
        self.queue_pages = queue_pages
        self._client = client

    def client(self) -> Any:
        if self._client is None:
            import boto3
            from botocore.config import Config

            config = Config(max_pool_connections=self.workers + 2, retries={"mode": "adaptive"})
            self._client = boto3.client("dynamodb", region_name=self.region, config=config)
        return self._client

    def tickets(
        self, partitions: Sequence[Source], start: datetime, end: datetime
    ) -> Iterator[Ticket]:
        return decode_pages(self.pages(partitions, start, end))

    def pages(
        self, partitions: Sequence[Source], start: datetime, end: datetime
    ) -> Iterator[RawPage]:
        if not partitions:
            return
        pages: queue.Queue[RawPage | BaseException | None] = queue.Queue(self.queue_pages)
        stop = threading.Event()

        def put(value: RawPage | BaseException | None) -> None:
            while not stop.is_set():
                try:
                    pages.put(value, timeout=0.1)
                    return
                except queue.Full:
                    continue

        def follow(partition: Source) -> None:
            try:
                for page in self._query(partition, start, end):
                    if stop.is_set():
                        return
                    put(page)
            except BaseException as error:  # handed to the consumer, which re-raises it
                put(error)
            finally:
                put(None)

        pool = ThreadPoolExecutor(min(self.workers, len(partitions)), "report-shard")
        for partition in partitions:
            pool.submit(follow, partition)
        try:
            remaining = len(partitions)
            while remaining:
                got = pages.get()
                if got is None:
                    remaining -= 1
                elif isinstance(got, BaseException):
                    raise got
                else:
                    yield got
        finally:
            stop.set()
            pool.shutdown(wait=True, cancel_futures=True)

    def _query(self, partition: Source, start: datetime, end: datetime) -> Iterator[RawPage]:
        hash_key = HASH_KEYS[partition.index]
        request: dict[str, Any] = {
            "TableName": self.table(),
            "IndexName": partition.index,
            "KeyConditionExpression": "#h = :h AND created_at BETWEEN :lo AND :hi",
            "ExpressionAttributeNames": {"#h": hash_key},
            "ExpressionAttributeValues": {
                ":h": {"S": partition.key},
                ":lo": {"S": iso(start)},
                ":hi": {"S": iso(end - timedelta(microseconds=1))},
            },
        }
        while True:
            reply = self.client().query(**request)
            yield reply.get("Items", [])
            if "LastEvaluatedKey" not in reply:
                return
            request["ExclusiveStartKey"] = reply["LastEvaluatedKey"]


class InMemoryTicketSource:
    """Over the in-memory store, partition by partition (tests and the functional API)."""

    def __init__(self, store: InMemoryTicketStore) -> None:
        self.store = store

    def tickets(
        self, partitions: Sequence[Source], start: datetime, end: datetime
    ) -> Iterator[Ticket]:
        wanted = {(p.index, p.key) for p in partitions}
        for ticket in list(self.store.tickets.values()):
            if start <= ticket.created_at < end and any(
                (index, self.store.partition(ticket, index)) in wanted for index in HASH_KEYS
            ):
                yield ticket
