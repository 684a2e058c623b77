"""Streaming a period's tickets out of the ticket index partitions — the month shards for the
bureau, a station's or branch's partition for a chief or duty officer — never a Scan.

The partitions are queried in parallel threads, each following its own pages; raw pages
pass through a small bounded queue to the one consumer, which decodes them one at a time.
At most `workers` + `queue_pages` pages (≤ 1 MB each) are held at once, whatever the size
of the month."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from chalicelib.domain.tickets import Ticket
from chalicelib.store.keys import iso, month_of

RawPage = list[dict[str, Any]]
HASH_KEYS = {
    "by_month": "month_shard",
    "by_branch": "branch_id",
    "by_station": "station_id",
    "by_grid": "grid_id",
    "by_settle": "settle_shard",
}


@dataclass(frozen=True, slots=True)
class Partition:
    index: str  # a key of HASH_KEYS
    key: str  # "2026-11#03", a station id, …


def month_partitions(start: datetime, end: datetime, shards: int) -> list[Partition]:
    """Every month shard that can hold a ticket created in [start, end)."""
    months: list[str] = []
    day = start
    while day < end:
        if month_of(day) not in months:
            months.append(month_of(day))
        day += timedelta(days=1)
    return [Partition("by_month", f"{m}#{n:02d}") for m in months for n in range(shards)]


def settle_partitions(start: datetime, until: datetime, shards: int) -> list[Partition]:
    """The by_settle shards of tickets not yet final and of those settling in [start, until]'s
    months: with created_at before `start`, every ticket created earlier that may have a fact
    at or after `start` (domain.rounds.settles_at)."""
    months = [p.key.split("#")[0] for p in month_partitions(start, until, 1)]
    if month_of(until) not in months:
        months.append(month_of(until))
    return [
        Partition("by_settle", f"{m}#{n:02d}") for m in ("open", *months) for n in range(shards)
    ]


class TicketSource(Protocol):
    def tickets(
        self, partitions: Sequence[Partition], start: datetime, end: datetime
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


class DynamoTicketSource:
    def __init__(
        self,
        table: Callable[[], str],
        region: str,
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
        self, partitions: Sequence[Partition], start: datetime, end: datetime
    ) -> Iterator[Ticket]:
        return decode_pages(self.pages(partitions, start, end))

    def pages(
        self, partitions: Sequence[Partition], start: datetime, end: datetime
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

        def follow(partition: Partition) -> None:
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

    def _query(self, partition: Partition, start: datetime, end: datetime) -> Iterator[RawPage]:
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

    def __init__(self, store: Any) -> None:
        self.store = store  # an InMemoryTicketStore

    def tickets(
        self, partitions: Sequence[Partition], start: datetime, end: datetime
    ) -> Iterator[Ticket]:
        wanted = {(p.index, p.key) for p in partitions}
        for ticket in list(self.store.tickets.values()):
            if start <= ticket.created_at < end and any(
                (index, self.store._key(ticket, index)) in wanted for index in HASH_KEYS
            ):
                yield ticket
