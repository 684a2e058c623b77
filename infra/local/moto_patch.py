"""Item-level rollback for in-process moto's TransactWriteItems: the local stack's moto server
(`make run`) and the dispatch bench install it. Never part of what ships (chalicelib/).

moto 5.2 deep-copies every table a transaction names (items, indexes and stream) before
running it, and on a cancelled transaction swaps the live table for that copy. Two costs
follow that AWS does not have: each transaction is O(table size), and every stream shard
iterator handed out before the swap keeps the discarded table alive (moto keeps all
iterators), so memory grows with the square of the tickets written. A 5,000-ticket storm
cannot finish that way, and `make run` grew to 8.7 GB after 140 tickets.

`install()` keeps moto's own transaction logic and changes only what it snapshots: before
the transaction, a copy of each item it names and the length of each table's stream; on any
failure, those items are put back (or removed, if they did not exist) and the stream records
written by the cancelled transaction are dropped. That is what moto's table swap restores,
for the only items a transaction can touch. Tables stay the same objects, so shard iterators
stay valid. tests/unit/test_bench_moto.py checks both outcomes against plain moto.
"""

from __future__ import annotations

import copy
from typing import Any

_undo: list[Any] = []


def install() -> None:
    """Patch moto in this process (idempotent); `uninstall()` restores it."""
    if _undo:
        return
    from moto.dynamodb import models
    from moto.dynamodb.models.table import Table

    class _TablesStayLive:
        """Stands in for the `copy` module inside moto.dynamodb.models: tables are not
        copied (the snapshot below replaces that), everything else is."""

        @staticmethod
        def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
            return value if isinstance(value, Table) else copy.deepcopy(value, memo)

    original = models.DynamoDBBackend.transact_write_items

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        items = _snapshot_items(self, transact_items)
        streams = {
            table: len(table.stream_shard.items)
            for table, *_ in items
            if table.stream_shard is not None
        }
        try:
            original(self, transact_items)
        except BaseException:
            for table, hash_key, range_key, item in reversed(items):
                _put_back(table, hash_key, range_key, item)
            for table, length in streams.items():
                del table.stream_shard.items[length:]
            raise

    models.copy = _TablesStayLive  # type: ignore[assignment]
    models.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    _undo.append((models, original))


def uninstall() -> None:
    while _undo:
        models, original = _undo.pop()
        models.copy = copy
        models.DynamoDBBackend.transact_write_items = original


def new_stream(table_name: str, region: str) -> None:
    """Give a table of this process's moto a new, empty stream: what disabling and enabling
    its stream does in DynamoDB (a new stream ARN), which moto's UpdateTable refuses. The
    records written before are dropped with the old shard."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.core.utils import utcnow
    from moto.dynamodb.models import dynamodb_backends
    from moto.dynamodb.models.table import StreamShard

    table = dynamodb_backends[DEFAULT_ACCOUNT_ID][region].get_table(table_name)
    table.latest_stream_label = utcnow().isoformat()
    table.stream_shard = StreamShard(DEFAULT_ACCOUNT_ID, table)


Snapshot = tuple[Any, Any, Any, Any]  # (table, hash key, range key or None, item copy or None)


def _snapshot_items(backend: Any, transact_items: list[dict[str, Any]]) -> list[Snapshot]:
    from moto.dynamodb.models.dynamo_type import DynamoType

    taken: list[Snapshot] = []
    for entry in transact_items:
        for op_type, op in entry.items():
            table = backend.tables.get(op.get("TableName"))
            key = op.get("Item") if op_type == "Put" else op.get("Key")
            if table is None or not isinstance(key, dict):
                continue  # moto rejects it before writing anything
            try:
                hash_key = DynamoType(key[table.hash_key_attr])
                range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
            except KeyError:
                continue  # a key without its key attributes: moto rejects it
            item = table.get_item(hash_key, range_key)
            taken.append((table, hash_key, range_key, copy.deepcopy(item)))
    return taken


def _put_back(table: Any, hash_key: Any, range_key: Any, item: Any) -> None:
    if range_key is None:
        if item is None:
            table.items.pop(hash_key, None)
        else:
            table.items[hash_key] = item
    elif item is None:
        table.items.get(hash_key, {}).pop(range_key, None)
    else:
        table.items[hash_key][range_key] = item
