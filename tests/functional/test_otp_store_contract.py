"""One contract for every OtpStore: the in-memory fake and DynamoDB (moto) must agree."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from chalicelib.auth.otp import DynamoOtpStore, InMemoryOtpStore, OtpStore

T0 = 1_790_000_000  # epoch seconds; the store is told the time, it never reads a clock


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    from moto import mock_aws

    with mock_aws():
        from chalicelib.store.models import bind_tables, create_tables

        bind_tables("test-", "us-east-1")
        create_tables()
        yield


@pytest.fixture(params=["memory", "dynamodb"])
def store(request: pytest.FixtureRequest) -> OtpStore:
    if request.param == "memory":
        return InMemoryOtpStore()
    request.getfixturevalue("aws")
    return DynamoOtpStore()


class TestOtpStoreContract:
    # ------------------------------------------------------------ hit (rate windows)
    def test_a_window_allows_up_to_its_limit(self, store: OtpStore) -> None:
        results = [store.hit("rl#k", T0 + i, 3600, 3) for i in range(4)]

        assert results == [None, None, None, 3600 - 3]

    def test_a_limited_caller_is_told_when_the_window_ends(self, store: OtpStore) -> None:
        store.hit("rl#k", T0, 60, 1)

        assert store.hit("rl#k", T0 + 59, 60, 1) == 1
        assert store.hit("rl#k", T0 + 20, 60, 1) == 40

    def test_a_new_window_starts_when_the_last_one_ends(self, store: OtpStore) -> None:
        store.hit("rl#k", T0, 60, 1)

        assert store.hit("rl#k", T0 + 60, 60, 1) is None
        assert store.hit("rl#k", T0 + 61, 60, 1) == 59

    def test_windows_are_per_key(self, store: OtpStore) -> None:
        store.hit("rl#a", T0, 60, 1)

        assert store.hit("rl#b", T0, 60, 1) is None

    # ------------------------------------------------------------ codes and attempts
    def test_attempts_are_counted_against_a_live_code(self, store: OtpStore) -> None:
        store.put_code("otp#p", "h1", T0 + 300)

        first = store.attempt("otp#p", T0 + 1, 5)

        assert (first.status, first.code_hash, first.expires_at) == ("counted", "h1", T0 + 300)

    def test_attempts_run_out(self, store: OtpStore) -> None:
        store.put_code("otp#p", "h1", T0 + 300)
        statuses = [store.attempt("otp#p", T0 + 10, 5).status for _ in range(6)]

        assert statuses == ["counted"] * 5 + ["exhausted"]
        assert store.attempt("otp#p", T0 + 10, 5).expires_at == T0 + 300

    def test_no_code_or_an_expired_code_is_missing(self, store: OtpStore) -> None:
        assert store.attempt("otp#none", T0, 5).status == "missing"
        store.put_code("otp#p", "h1", T0 + 300)
        assert store.attempt("otp#p", T0 + 300, 5).status == "missing"

    def test_an_exhausted_code_that_expired_is_missing(self, store: OtpStore) -> None:
        store.put_code("otp#p", "h1", T0 + 300)
        for _ in range(5):
            store.attempt("otp#p", T0, 5)

        assert store.attempt("otp#p", T0 + 301, 5).status == "missing"

    def test_a_new_code_replaces_the_old_and_resets_attempts(self, store: OtpStore) -> None:
        store.put_code("otp#p", "h1", T0 + 300)
        for _ in range(5):
            store.attempt("otp#p", T0, 5)

        store.put_code("otp#p", "h2", T0 + 400)

        assert store.attempt("otp#p", T0 + 1, 5).code_hash == "h2"

    def test_a_code_is_consumed_once(self, store: OtpStore) -> None:
        store.put_code("otp#p", "h1", T0 + 300)

        assert store.consume("otp#p", "h1") is True
        assert store.consume("otp#p", "h1") is False
        assert store.attempt("otp#p", T0, 5).status == "missing"

    def test_consuming_with_another_hash_leaves_the_code(self, store: OtpStore) -> None:
        store.put_code("otp#p", "h1", T0 + 300)

        assert store.consume("otp#p", "h2") is False
        assert store.attempt("otp#p", T0, 5).code_hash == "h1"


# ---------------------------------------------------------------- concurrency
# Threads race only the fake: moto's conditional writes are not atomic across threads, so a
# race against it fails at random (issue 10). DynamoDB evaluates a condition and its write
# atomically on one item; for the adapter it is enough — and deterministic — to check that
# every check-and-count is one conditional request whose condition holds the limit.


def test_concurrent_hits_cannot_both_pass_a_limit_of_one() -> None:
    store = InMemoryOtpStore()
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: store.hit("rl#race", T0, 60, 1), range(8)))

    assert results.count(None) == 1


def test_concurrent_consumers_cannot_both_win() -> None:
    store = InMemoryOtpStore()
    store.put_code("otp#p", "h1", T0 + 300)

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda _: store.consume("otp#p", "h1"), range(6)))

    assert results.count(True) == 1


def spelled(params: dict[str, Any]) -> tuple[str, str, str]:
    """(key, update, condition) of a request, placeholders filled in: "hits < 1"."""

    def fill(text: str) -> str:
        for name, real in params.get("ExpressionAttributeNames", {}).items():
            text = text.replace(name, real)
        for name, value in sorted(
            params.get("ExpressionAttributeValues", {}).items(), key=lambda kv: -len(kv[0])
        ):
            text = text.replace(name, next(iter(value.values())))
        return text

    return (
        params["Key"]["key"]["S"],
        fill(params.get("UpdateExpression", "DELETE")),
        fill(params.get("ConditionExpression", "")),
    )


@pytest.fixture
def requests(aws: None) -> list[tuple[str, dict[str, Any]]]:
    """The DynamoDB requests the counters table is sent, as (operation, parameters)."""
    from chalicelib.store.models import CounterModel

    sent: list[tuple[str, dict[str, Any]]] = []
    client = CounterModel._get_connection().connection.client
    client.meta.events.register(
        "provide-client-params.dynamodb.*",
        lambda params, model, **_: sent.append((model.name, params)),
    )
    return sent


def test_each_hit_is_one_update_conditional_on_the_limit(
    requests: list[tuple[str, dict[str, Any]]],
) -> None:
    store = DynamoOtpStore()
    assert store.hit("rl#race", T0, 60, 1) is None
    assert store.hit("rl#race", T0, 60, 1) == 60
    writes = [spelled(p) for op, p in requests if op == "UpdateItem"]

    live = f"attribute_exists (key) AND expires_at > {T0}"
    fresh = ("rl#race", f"SET hits = 1, expires_at = {T0 + 60}", f"(NOT ({live}))")
    counted = ("rl#race", "ADD hits 1", f"(({live}) AND hits < 1)")
    # whatever the order it tries them in, every write is one of the two, each conditional:
    # a new window only where none is live, a count only below the limit
    assert set(writes) == {fresh, counted}
    assert not [p for op, p in requests if op in ("PutItem", "BatchWriteItem")]


def test_a_code_is_consumed_by_one_delete_conditional_on_its_hash(
    requests: list[tuple[str, dict[str, Any]]],
) -> None:
    store = DynamoOtpStore()
    store.put_code("otp#p", "h1", T0 + 300)
    assert store.consume("otp#p", "h1") is True
    deletes = [spelled(p) for op, p in requests if op == "DeleteItem"]

    assert deletes == [("otp#p", "DELETE", "code_hash = h1")]


def test_dynamo_items_carry_the_ttl_and_no_clear_code(aws: None) -> None:
    from chalicelib.store.models import CounterModel

    store = DynamoOtpStore()
    store.put_code("otp#p", "h1", T0 + 300)
    store.hit("rl#k", T0, 60, 1)

    code, window = CounterModel.get("otp#p"), CounterModel.get("rl#k")

    assert int(code.expires_at.timestamp()) == T0 + 300
    assert int(window.expires_at.timestamp()) == T0 + 60
    assert code.code_hash == "h1" and code.attempts == 0
