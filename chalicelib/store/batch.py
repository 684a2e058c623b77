"""BatchWriteItem and BatchGetItem on the low-level client, for the bulk paths (a day's
usage feed, a bureau's customer file: hundreds of thousands of items, where a model object
per item would cost more than the I/O). Items are in DynamoDB's wire format. What the
service leaves unprocessed (throttling) is sent again after a back-off, never dropped.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any

WRITES = 25  # BatchWriteItem's limit
READS = 100  # BatchGetItem's limit
ATTEMPTS = 10

Item = dict[str, Any]


def chunks(items: Iterable[Item], size: int = WRITES) -> Iterator[list[Item]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def _back_off(attempt: int, sleep: Callable[[float], None]) -> None:
    if attempt + 1 == ATTEMPTS:
        raise RuntimeError("DynamoDB left part of a batch unprocessed after every retry")
    sleep(min(0.05 * 2**attempt, 2.0))


def put_items(
    client: Any,
    table: str,
    items: Iterable[Item],
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Put every item (whole items: the same item put twice leaves the same item); how many."""
    written = 0
    for chunk in chunks(items, WRITES):
        requests = [{"PutRequest": {"Item": item}} for item in chunk]
        for attempt in range(ATTEMPTS):
            reply = client.batch_write_item(RequestItems={table: requests})
            requests = reply.get("UnprocessedItems", {}).get(table)
            if not requests:
                break
            _back_off(attempt, sleep)
        written += len(chunk)
    return written


def get_items(
    client: Any,
    table: str,
    keys: Iterable[Item],
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[Item]:
    """The items of those keys that exist, in no particular order."""
    for chunk in chunks(keys, READS):
        request: dict[str, Any] = {table: {"Keys": chunk}}
        for attempt in range(ATTEMPTS):
            reply = client.batch_get_item(RequestItems=request)
            yield from reply.get("Responses", {}).get(table, [])
            request = reply.get("UnprocessedKeys") or {}
            if not request:
                break
            _back_off(attempt, sleep)
