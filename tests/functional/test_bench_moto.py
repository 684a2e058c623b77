"""The moto patch that the local stack and the storm benchmark use (infra/local/moto_patch.py)
must leave tables and streams exactly as moto's own whole-table rollback does, and its Query
must return what moto's does, or the demo and the benchmark's figures would be about a
different database."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from infra.local import moto_patch
from infra.local.streams import StreamReader


@pytest.fixture(params=["moto", "item-level rollback"])
def mode(request: pytest.FixtureRequest) -> Iterator[str]:
    if request.param != "moto":
        moto_patch.install()
    yield request.param
    moto_patch.uninstall()


def S(value: str) -> dict[str, str]:
    return {"S": value}


def _tables(db: Any) -> None:
    stream = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    db.create_table(
        TableName="ranged",
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification=stream,
    )
    db.create_table(
        TableName="plain",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


def _cancelled(db: Any, items: list[dict[str, Any]]) -> str:
    with pytest.raises(ClientError) as failure:
        db.transact_write_items(TransactItems=items)
    return str(failure.value.response["Error"]["Code"])


def _story(db: Any) -> tuple[list[Any], list[Any], list[Any]]:
    """Writes, one committed and three cancelled transactions, a write after them.
    Returns (ranged items, plain items, the stream read from its start)."""
    _tables(db)
    db.put_item(TableName="ranged", Item={"pk": S("t1"), "sk": S("a"), "v": {"N": "1"}})
    db.put_item(TableName="plain", Item={"id": S("x")})
    db.transact_write_items(
        TransactItems=[
            {
                "Update": {
                    "TableName": "ranged",
                    "Key": {"pk": S("t1"), "sk": S("a")},
                    "UpdateExpression": "SET v = :two",
                    "ConditionExpression": "v = :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}, ":two": {"N": "2"}},
                }
            },
            {"Put": {"TableName": "ranged", "Item": {"pk": S("t1"), "sk": S("b")}}},
            {"Put": {"TableName": "plain", "Item": {"id": S("y")}}},
        ]
    )
    # moto applies the first three before the check fails: all must be undone
    assert (
        _cancelled(
            db,
            [
                {"Put": {"TableName": "ranged", "Item": {"pk": S("t1"), "sk": S("c")}}},
                {
                    "Update": {
                        "TableName": "ranged",
                        "Key": {"pk": S("t1"), "sk": S("a")},
                        "UpdateExpression": "SET v = :x",
                        "ExpressionAttributeValues": {":x": {"N": "99"}},
                    }
                },
                {"Delete": {"TableName": "plain", "Key": {"id": S("x")}}},
                {
                    "ConditionCheck": {
                        "TableName": "ranged",
                        "Key": {"pk": S("t1"), "sk": S("b")},
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            ],
        )
        == "TransactionCanceledException"
    )
    assert (
        _cancelled(
            db,
            [
                {
                    "Put": {
                        "TableName": "ranged",
                        "Item": {"pk": S("t1"), "sk": S("b"), "v": {"N": "7"}},
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                {"Put": {"TableName": "plain", "Item": {"id": S("z")}}},
            ],
        )
        == "TransactionCanceledException"
    )
    assert (
        _cancelled(
            db,
            [
                {"Put": {"TableName": "plain", "Item": {"id": S("w")}}},
                {"Delete": {"TableName": "plain", "Key": {"id": S("w")}}},
            ],
        )
        == "ValidationException"
    )
    db.put_item(TableName="ranged", Item={"pk": S("t1"), "sk": S("d")})
    ranged = sorted(db.scan(TableName="ranged")["Items"], key=lambda i: i["sk"]["S"])
    plain = sorted(db.scan(TableName="plain")["Items"], key=lambda i: i["id"]["S"])
    return ranged, plain, _stream(db, "TRIM_HORIZON")


def _reader(db: Any, position: str) -> StreamReader:
    """The tests' and the local pump's one stream reader, opened at `position`."""
    reader = StreamReader("ranged", db.meta.region_name)
    reader.open(lambda arn, shard_id: {"ShardIteratorType": position})
    return reader


def _stream(db: Any, position: str) -> list[Any]:
    return [
        (r["eventName"], r["dynamodb"]["Keys"]["sk"]["S"], r["dynamodb"].get("NewImage"))
        for r in _reader(db, position).read()
    ]


def test_cancelled_transactions_leave_tables_and_stream_as_moto_does(mode: str) -> None:
    with mock_aws():
        ranged, plain, stream = _story(boto3.client("dynamodb"))

    assert [(i["sk"]["S"], i.get("v")) for i in ranged] == [
        ("a", {"N": "2"}),
        ("b", None),
        ("d", None),
    ]
    assert [i["id"]["S"] for i in plain] == ["x", "y"]
    assert [(name, sk) for name, sk, _ in stream] == [
        ("INSERT", "a"),
        ("MODIFY", "a"),
        ("INSERT", "b"),
        ("INSERT", "d"),
    ]


def test_stream_readers_keep_reading_after_a_cancelled_transaction() -> None:
    """Unlike moto's table swap, the shard a reader already holds stays the live one."""
    moto_patch.install()
    try:
        with mock_aws():
            db = boto3.client("dynamodb")
            _tables(db)
            reader = _reader(db, "LATEST")
            db.put_item(TableName="ranged", Item={"pk": S("t"), "sk": S("1")})
            _cancelled(
                db,
                [
                    {
                        "Put": {
                            "TableName": "ranged",
                            "Item": {"pk": S("t"), "sk": S("1")},
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    }
                ],
            )
            db.put_item(TableName="ranged", Item={"pk": S("t"), "sk": S("2")})
            records = reader.read()
    finally:
        moto_patch.uninstall()

    assert [r["dynamodb"]["Keys"]["sk"]["S"] for r in records] == ["1", "2"]


def _queries(db: Any) -> list[Any]:
    """Table and index Queries, forwards, backwards, with a range condition and paged."""
    db.create_table(
        TableName="events",
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
            {"AttributeName": "grid", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by_grid",
                "KeySchema": [
                    {"AttributeName": "grid", "KeyType": "HASH"},
                    {"AttributeName": "sk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    for n in range(30):
        item = {"pk": S(f"t{n % 3}"), "sk": S(f"{29 - n:02d}"), "grid": S(f"g{n % 2}")}
        db.put_item(TableName="events", Item=item)
    asked = [
        {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": S("t1")}},
        {
            "KeyConditionExpression": "pk = :p AND sk > :s",
            "ExpressionAttributeValues": {":p": S("t2"), ":s": S("10")},
            "ScanIndexForward": False,
        },
        {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": S("none")}},
        {
            "IndexName": "by_grid",
            "KeyConditionExpression": "grid = :g AND sk <= :s",
            "ExpressionAttributeValues": {":g": S("g0"), ":s": S("20")},
        },
    ]
    pages = []
    for query in asked:
        start: dict[str, Any] = {}
        while True:
            page = db.query(TableName="events", Limit=4, **query, **start)
            pages.append([(i["pk"]["S"], i["sk"]["S"]) for i in page["Items"]])
            if "LastEvaluatedKey" not in page:
                break
            start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}
    return pages


def test_queries_return_what_moto_returns(mode: str) -> None:
    with mock_aws():
        pages = _queries(boto3.client("dynamodb"))

    assert pages == EXPECTED_PAGES


EXPECTED_PAGES = [  # pages of 4 (pk, sk), as plain moto returns them
    [("t1", "01"), ("t1", "04"), ("t1", "07"), ("t1", "10")],
    [("t1", "13"), ("t1", "16"), ("t1", "19"), ("t1", "22")],
    [("t1", "25"), ("t1", "28")],
    [("t2", "27"), ("t2", "24"), ("t2", "21"), ("t2", "18")],
    [("t2", "15"), ("t2", "12")],
    [],
    [("t1", "01"), ("t2", "03"), ("t0", "05"), ("t1", "07")],
    [("t2", "09"), ("t0", "11"), ("t1", "13"), ("t2", "15")],
    [("t0", "17"), ("t1", "19")],
]


EVERY_TYPE = {
    "pk": S("t1"),
    "sk": S("01"),
    "s": S(""),
    "n": {"N": "-12.50"},
    "yes": {"BOOL": True},
    "none": {"NULL": True},
    "ss": {"SS": ["a", "b"]},
    "ns": {"NS": ["1", "2"]},
    "b": {"B": b"\x00\xff"},
    "bs": {"BS": [b"x", b"y"]},
    "m": {"M": {"deep": {"L": [S("x"), {"M": {"b": {"B": b"z"}}}, {"M": {}}, {"L": []}]}}},
    "clocks": {"M": {"due": S("2026-11-30T12:00:00+00:00"), "n": {"N": "3"}}},
}


def test_items_come_back_as_moto_writes_them(mode: str) -> None:
    """Attribute values of every type (binary too, nested or not) read back the same with
    the patch's plain serialization as through moto's shape walk, by every read."""
    with mock_aws():
        db = boto3.client("dynamodb", region_name="us-east-1")
        _tables(db)
        db.put_item(TableName="ranged", Item=EVERY_TYPE)
        db.put_item(TableName="ranged", Item={"pk": S("t1"), "sk": S("02"), "v": S("plain")})
        key = {"pk": S("t1"), "sk": S("01")}
        reads = [
            db.get_item(TableName="ranged", Key=key)["Item"],
            db.query(
                TableName="ranged",
                KeyConditionExpression="pk = :p",
                ExpressionAttributeValues={":p": S("t1")},
            )["Items"],
            db.scan(TableName="ranged")["Items"],
            db.batch_get_item(RequestItems={"ranged": {"Keys": [key]}})["Responses"],
            db.transact_get_items(TransactItems=[{"Get": {"TableName": "ranged", "Key": key}}])[
                "Responses"
            ],
        ]

    assert reads[0] == EVERY_TYPE
    assert reads[1] == reads[2] == [EVERY_TYPE, {"pk": S("t1"), "sk": S("02"), "v": S("plain")}]
    assert reads[3] == {"ranged": [EVERY_TYPE]} and reads[4] == [{"Item": EVERY_TYPE}]
