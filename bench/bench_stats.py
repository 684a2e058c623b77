"""Month stats on `make run`'s stack: GET /v1/stats for last month as the demo's ops user.

Starts `python -m infra.local` on free loopback ports with the demo district (which seeds last
month), then times GET /v1/stats?from=…&to=… for the whole of last month (YUNGE_STATS_RUNS
times, default 3) computed from the month's tickets; builds the month's report
(POST /v1/reports) and times the same request again, now answered from the report's kpi.json
(chalicelib/reports/stats.py); both against the 2 s target. It also times moto's Query on the
by_month index for one shard of last month and for one shard of a month with no tickets: the
same cost means moto walks the whole table for every Query (DynamoDB reads the partition).

    .venv/bin/python -m bench stats
"""

from __future__ import annotations

import calendar
import json
import os
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path
from tempfile import mkdtemp
from typing import Any

from infra.local.process import StackProcess, free_port

TARGET = 2.0  # seconds
READY_TIMEOUT = 600.0


def timed(runs: int, call: Any) -> list[float]:
    seconds = []
    for _ in range(runs):
        started = time.monotonic()
        call()
        seconds.append(time.monotonic() - started)
    return seconds


def line(what: str, seconds: list[float]) -> str:
    median = statistics.median(seconds)
    runs = ", ".join(f"{s:.2f}" for s in seconds)
    return f"{what}: median {median:.2f} s (×{median / TARGET:.2f} of 2 s)  [{runs}]"


def moto_queries(moto_port: int, month: str, runs: int) -> None:
    """moto's share: the very Queries GET /v1/stats makes for `month` (build.reads), sent by
    the report's own DynamoTicketSource from this process, items fetched but not decoded;
    then one shard with and without items, and an empty shard."""
    import boto3

    from chalicelib.reports.build import month_window, reads
    from chalicelib.store.ticket_source import DynamoTicketSource
    from infra.local.server import REGION

    dynamodb = boto3.client(
        "dynamodb",
        endpoint_url=f"http://127.0.0.1:{moto_port}",
        region_name=REGION,
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    table = next(t for t in dynamodb.list_tables()["TableNames"] if t.endswith("tickets"))
    source = DynamoTicketSource(REGION, table=lambda: table, client=dynamodb)
    window = month_window(month, datetime.now(UTC))
    wanted = reads(window, 8, None)
    counted: list[int] = []

    def every_read() -> None:
        counted[:] = [sum(len(p) for w in wanted for p in source.pages(*w))]

    took = timed(runs, every_read)
    shards = sum(len(w[0]) for w in wanted)
    print(line(f"moto: the {shards} partition Queries stats makes ({counted[0]} items)", took))

    def query(shard: str, select: str) -> Any:
        return dynamodb.query(
            TableName=table,
            IndexName="by_month",
            KeyConditionExpression="month_shard = :s",
            ExpressionAttributeValues={":s": {"S": shard}},
            Select=select,
        )

    found = query(f"{month}#00", "COUNT")["Count"]
    for shard, select, what in (
        (f"{month}#00", "ALL_ATTRIBUTES", f"one shard, {found} items"),
        (f"{month}#00", "COUNT", f"one shard, COUNT of {found}"),
        ("2001-01#00", "ALL_ATTRIBUTES", "an empty shard"),
    ):
        median = statistics.median(timed(runs, lambda s=shard, k=select: query(s, k)))
        print(f"moto Query by_month ({what}): median {median:.3f} s")


def main() -> None:
    from infra.local.report import _call, _ops_token, last_month

    runs = int(os.environ.get("YUNGE_STATS_RUNS", "3"))
    population = os.environ.get("YUNGE_DEMO_CUSTOMERS", "5000")
    local_dir = Path(mkdtemp(prefix="yunge-stats-"))
    moto_port = free_port()
    stack = StackProcess.start(
        local_dir, YUNGE_DEMO_CUSTOMERS=population, YUNGE_MOTO_PORT=str(moto_port)
    )
    kept = True
    try:
        print(f"stack ready in {stack.wait_ready(READY_TIMEOUT):.0f} s", flush=True)
        demo = json.loads((local_dir / "demo.json").read_text(encoding="utf-8"))
        token = _ops_token(local_dir, demo)
        month = last_month(datetime.now(UTC))
        year, number = map(int, month.split("-"))
        last_day = calendar.monthrange(year, number)[1]
        url = f"{stack.base_url}/v1/stats?from={month}-01&to={month}-{last_day:02d}"

        def stats() -> dict[str, Any]:
            status, body = _call("GET", url, token)
            assert status == 200, (status, body)
            return dict(body)

        first = stats()
        print(f"{month}: {first['total']['tickets']} tickets, as of {first['as_of']}", flush=True)
        print(line("stats computed from the tickets", timed(runs, stats)), flush=True)
        moto_queries(moto_port, month, runs)
        started = time.monotonic()
        status, _ = _call("POST", f"{stack.base_url}/v1/reports", token, {"month": month})
        print(f"POST /v1/reports {month} → {status} in {time.monotonic() - started:.1f} s")
        kept_figures = stats()
        print(line("stats from the month's report", timed(runs, stats)))
        same = {**kept_figures, "as_of": None} == {**first, "as_of": None}
        print(f"figures identical to the computed ones: {same} (as of {kept_figures['as_of']})")
        kept = not same
    finally:
        stack.finish(keep=kept)


if __name__ == "__main__":
    main()
