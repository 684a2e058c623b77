"""Bulk writes and reads on the low-level client: what DynamoDB leaves unprocessed when it
throttles is sent again after a back-off, so no customer or reading is silently dropped."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.store.batch import get_items, put_items


class Throttled:
    """A client that processes at most 10 items or keys of each batch it is sent."""

    def __init__(self, stored: dict[str, dict[str, Any]] | None = None) -> None:
        self.stored = stored or {}
        self.calls = 0

    def batch_write_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        self.calls += 1
        ((table, requests),) = RequestItems.items()
        done, rest = requests[:10], requests[10:]
        for request in done:
            item = request["PutRequest"]["Item"]
            self.stored[item["k"]["S"]] = item
        return {"UnprocessedItems": {table: rest} if rest else {}}

    def batch_get_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        self.calls += 1
        ((table, request),) = RequestItems.items()
        asked, rest = request["Keys"][:10], request["Keys"][10:]
        found = [self.stored[k["k"]["S"]] for k in asked if k["k"]["S"] in self.stored]
        unprocessed = {table: {"Keys": rest}} if rest else {}
        return {"Responses": {table: found}, "UnprocessedKeys": unprocessed}


def item(n: int) -> dict[str, Any]:
    return {"k": {"S": f"a{n}"}, "v": {"N": str(n)}}


def test_unprocessed_writes_are_sent_again_until_all_are_written() -> None:
    client, pauses = Throttled(), []
    assert put_items(client, "t", map(item, range(30)), sleep=pauses.append) == 30
    assert sorted(client.stored) == sorted(f"a{n}" for n in range(30))
    assert client.calls == 4 and pauses and max(pauses) <= 2.0


def test_unprocessed_reads_are_asked_again_and_absent_keys_are_left_out() -> None:
    client = Throttled({f"a{n}": item(n) for n in range(0, 120, 2)})
    keys = [{"k": {"S": f"a{n}"}} for n in range(120)]
    found = list(get_items(client, "t", keys, sleep=lambda _s: None))
    assert sorted(i["k"]["S"] for i in found) == sorted(f"a{n}" for n in range(0, 120, 2))


def test_a_batch_still_unprocessed_after_every_retry_fails_loudly() -> None:
    class Refusing(Throttled):
        def batch_write_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
            return {"UnprocessedItems": RequestItems}

    with pytest.raises(RuntimeError):
        put_items(Refusing(), "t", [item(1)], sleep=lambda _s: None)
