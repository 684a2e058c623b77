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
stay valid. It also makes Query start from the partition it asks for instead of every item
of the table, sorted (`_install_partition_query`), and writes DynamoDB's attribute values
into a response as they already are instead of walking botocore's shape model for every
attribute of every item (`_install_plain_attribute_values`: ≈ 6 ms an item, 1.5 s for a month
shard of 247 tickets, most of a month's GET /v1/stats), and does not deep-copy a Query's
results only to read them (`_install_uncopied_query_results`). tests/functional/test_bench_moto.py
checks the tables, streams, Query and item results against plain moto.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from typing import Any

_undo: list[Callable[[], None]] = []


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
    _undo.append(lambda: setattr(models, "copy", copy))
    _undo.append(lambda: setattr(models.DynamoDBBackend, "transact_write_items", original))
    _install_partition_query(Table)
    _install_plain_attribute_values()


def uninstall() -> None:
    while _undo:
        _undo.pop()()


_query_scope = threading.local()  # (table, hash key or None) while that table runs a Query


def _install_partition_query(table_class: Any) -> None:
    """moto's Query starts from every item of the table, sorted (`all_items`), then keeps the
    partition asked for: each Query costs O(n log n) in the table's size, and the timeline
    Query of one ticket sorted every event of every ticket. Within a Query, `all_items` now
    gives only the partition (a table Query) or the items unsorted (an index Query, which
    moto sorts by the index's keys afterwards): the results are the same."""
    original_query, original_all_items = table_class.query, table_class.all_items

    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = kwargs.get("index_name", args[6] if len(args) > 6 else None)
        _query_scope.current = (self, None if index_name else hash_key)
        try:
            return original_query(self, hash_key, *args, **kwargs)
        finally:
            _query_scope.current = None

    def all_items(self: Any) -> Any:
        scope = getattr(_query_scope, "current", None)
        if scope is None or scope[0] is not self:
            return original_all_items(self)
        hash_key = scope[1]
        if hash_key is not None:  # a table Query: one partition
            found = self.items.get(hash_key)
            if found is None:
                return []
            return list(found.values()) if self.range_key_attr else [found]
        if self.range_key_attr:
            return [item for partition in self.items.values() for item in partition.values()]
        return list(self.items.values())

    table_class.query, table_class.all_items = query, all_items
    _install_uncopied_query_results()
    _undo.append(lambda: setattr(table_class, "query", original_query))
    _undo.append(lambda: setattr(table_class, "all_items", original_all_items))


def _install_uncopied_query_results() -> None:
    """moto's Query deep-copies every item it found before projecting and serializing them,
    which only read it (a projection builds a new item): within a Query, `copy.deepcopy` of
    the results list hands the list back as it is. Everything else still copies."""
    from moto.dynamodb.models import table as table_module

    class _QueryResultsStayShared:
        @staticmethod
        def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
            if getattr(_query_scope, "current", None) is not None and isinstance(value, list):
                return list(value)
            return copy.deepcopy(value, memo)

        def __getattr__(self, name: str) -> Any:
            return getattr(copy, name)

    table_module.copy = _QueryResultsStayShared()  # type: ignore[assignment]
    _undo.append(lambda: setattr(table_module, "copy", copy))


_SCALARS = {"S": str, "N": str, "BOOL": bool, "NULL": bool}


def _plain(value: Any) -> bool:
    """An AttributeValue that is already its JSON form: no binary (B/BS are base64-encoded
    by the serializer), no member the shape does not have, nothing but the expected types."""
    if not isinstance(value, dict) or len(value) != 1:
        return False
    ((kind, inner),) = value.items()
    if kind in _SCALARS:
        return isinstance(inner, _SCALARS[kind])
    if kind in ("SS", "NS"):
        return isinstance(inner, list) and all(isinstance(x, str) for x in inner)
    if kind == "M":
        return isinstance(inner, dict) and all(
            isinstance(k, str) and _plain(v) for k, v in inner.items()
        )
    if kind == "L":
        return isinstance(inner, list) and all(_plain(v) for v in inner)
    return False


def _install_plain_attribute_values() -> None:
    from moto.core.serialize import BaseJSONSerializer

    original = BaseJSONSerializer._serialize_type_structure

    def serialize_structure(self: Any, serialized: Any, value: Any, shape: Any, key: str) -> None:
        if key and shape.name == "AttributeValue" and _plain(value):
            self._default_serialize(serialized, value, shape, key)
            return
        original(self, serialized, value, shape, key)

    BaseJSONSerializer._serialize_type_structure = serialize_structure  # type: ignore[method-assign]
    _undo.append(lambda: setattr(BaseJSONSerializer, "_serialize_type_structure", original))


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
