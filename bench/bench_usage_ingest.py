"""Usage feed ingest (issue 16): one day's readings for N accounts (BENCH_USAGE_ACCOUNTS,
default 346,000 — a bureau) loaded by the usage_feed path, against floors in the same run.

1. Time, in-process moto (BENCH_USAGE_TIMED accounts, default 20,000, runs alternated
   BENCH_USAGE_RUNS times, default 5, each into a fresh table): the pipeline (GetObject of
   the CSV from moto S3, ledger, streamed parse and checks, items, BatchWriteItem of 25)
   against the raw floor — the same items, pre-built, issued as the same BatchWriteItem
   calls with plain boto3. Calls per item are counted (exact).
2. Memory at full N, each in a child process so peak RSS is its own: the pipeline with the
   DynamoDB client stubbed (moto would hold every item in this process) against a process
   that only reads the file's rows. Budget: 300 MB.
Figures are printed, never asserted.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench._aws import CALLS, fake_aws_environment, install

ACCOUNTS = int(os.environ.get("BENCH_USAGE_ACCOUNTS", "346000"))
TIMED = int(os.environ.get("BENCH_USAGE_TIMED", "20000"))
RUNS = int(os.environ.get("BENCH_USAGE_RUNS", "5"))
TARGET_RATIO, RSS_BUDGET_MB = 1.3, 300
KEY = "feeds/usage/2026-11-23.csv"
REGION = "us-east-1"


def write_feed(path: Path, accounts: int) -> None:
    """One day for `accounts` accounts: 3 % estimated, 1 % missing, the rest actual."""
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        out.write("户号,日期,用电量kWh,峰kWh,平kWh,谷kWh,数据质量\r\n")
        for n in range(accounts):
            kwh = 3 + (n * 7919 % 1000) / 100
            quality = "缺失" if n % 100 == 0 else "估抄" if n % 33 == 0 else "实抄"
            value = "" if quality == "缺失" else f"{kwh:.2f}"
            out.write(f"06{n:08d},2026-11-23,{value},,,,{quality}\r\n")


def _settings(tmp: Path) -> Any:
    from chalicelib.config import Settings

    return Settings.from_env(
        {
            "YUNGE_STAGE": "bench",
            "AWS_DEFAULT_REGION": REGION,
            "YUNGE_SMS": "sns",
            "YUNGE_BUCKET": "bench-files",
            "YUNGE_JWT_KEY_FILE": str(tmp / "jwt.key"),
            "YUNGE_PHONE_KEY_FILE": str(tmp / "phone.key"),
        }
    )


def _fresh_usage_table() -> None:
    from chalicelib.store.models import UsageModel

    if UsageModel.exists():
        UsageModel.delete_table()
    UsageModel.create_table(wait=True)


def _items(path: Path) -> list[list[dict[str, Any]]]:
    """The floor's requests: the very items the pipeline writes, in batches of 25."""
    from chalicelib.imports.columns import map_columns
    from chalicelib.imports.reading import open_table
    from chalicelib.store.batch import chunks
    from chalicelib.store.usage import day_item
    from chalicelib.usage.rows import COLUMNS, Feed, FeedRows

    with path.open("rb") as stream:
        table = open_table(stream, path.name)
        check = FeedRows(Feed.USAGE, map_columns(COLUMNS[Feed.USAGE], table.header))
        records = (check.check(r.number, r.cells).record for r in table.rows)
        return list(chunks(day_item(d) for d in records if d is not None))  # type: ignore[arg-type]


def timed_runs(tmp: Path) -> None:
    import boto3
    from moto import mock_aws

    from chalicelib.bootstrap import Services
    from chalicelib.store.models import UsageModel, bind_tables

    path = tmp / "timed.csv"
    write_feed(path, TIMED)
    with mock_aws():
        settings = _settings(tmp)
        bind_tables(settings.table_prefix, REGION)
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=settings.bucket)
        s3.upload_file(str(path), settings.bucket, KEY)
        batches = _items(path)
        client = boto3.client("dynamodb", region_name=REGION)
        table = str(UsageModel.Meta.table_name)
        floors, pipelines, counts = [], [], Counter[str]()
        for _ in range(RUNS):
            _fresh_usage_table()
            started = time.perf_counter()
            for batch in batches:
                client.batch_write_item(
                    RequestItems={table: [{"PutRequest": {"Item": i}} for i in batch]}
                )
            floors.append(time.perf_counter() - started)
            _fresh_usage_table()
            svc = Services(settings)
            loader = svc.feed_loader
            CALLS.take()
            started = time.perf_counter()
            result = loader.load(KEY)
            pipelines.append(time.perf_counter() - started)
            counts = CALLS.take()
            assert result.written == TIMED, result
    floor, pipeline = statistics.median(floors), statistics.median(pipelines)
    print(f"time, {TIMED:,} accounts, in-process moto, median of {RUNS} alternated runs:")
    print(f"  floor (same items, same BatchWriteItem calls, boto3): {floor:.2f} s")
    print(f"  pipeline (S3 → parse/check → items → BatchWriteItem):  {pipeline:.2f} s")
    print(f"  ratio {pipeline / floor:.2f}x  (target <= {TARGET_RATIO}x)")
    writes = counts["dynamodb.BatchWriteItem"]
    print(f"  AWS calls of one load: {dict(sorted(counts.items()))}")
    print(f"  = {writes / TIMED:.3f} BatchWriteItem per item (minimum 1/25 = 0.040) + 3 per file")


CHILD = """
import json, os, resource, sys
sys.path.insert(0, {root!r})
from pathlib import Path
mode, path = sys.argv[1], Path(sys.argv[2])
if mode == "read":
    from chalicelib.imports.reading import open_table
    with path.open("rb") as stream:
        rows = sum(1 for _ in open_table(stream, path.name).rows)
else:
    from datetime import UTC, datetime
    from chalicelib.store.usage import DynamoUsageStore
    from chalicelib.usage.ingest import FeedLoader

    class Stub:  # DynamoDB's answers without keeping the items
        def batch_write_item(self, RequestItems):
            return {{"UnprocessedItems": {{}}}}
        def get_item(self, **_):
            return {{}}
        def put_item(self, **_):
            return {{}}

    class LocalFile:
        def fetch(self, key, to):  # the file is already on disk: link, don't copy
            os.link(path, to)
            return "etag"
        def put_bytes(self, key, data, content_type):
            pass

    store = DynamoUsageStore("us-east-1", client=Stub())
    DynamoUsageStore.table = staticmethod(lambda: "usage")
    loader = FeedLoader(store, LocalFile(), lambda b: False, lambda b: [],
                        lambda: datetime.now(UTC), workdir=str(path.parent))
    rows = loader.load({key!r}).written
# VmHWM: this program's own high-water mark (ru_maxrss keeps the forking parent's across exec)
status = Path("/proc/self/status")
lines = status.read_text().splitlines() if status.exists() else []
hwm = [int(line.split()[1]) for line in lines if line.startswith("VmHWM")]
peak = (hwm[0] if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024
print(json.dumps({{"rows": rows, "peak_mb": peak}}))
"""


def memory(tmp: Path) -> None:
    path = tmp / "full.csv"
    write_feed(path, ACCOUNTS)
    size = path.stat().st_size / 1e6
    root = str(Path(__file__).resolve().parents[1])
    code = CHILD.format(root=root, key=KEY)
    out = {}
    for mode in ("read", "ingest"):
        done = subprocess.run(
            [sys.executable, "-c", code, mode, str(path)], capture_output=True, text=True
        )
        if done.returncode != 0:
            raise RuntimeError(done.stderr[-2000:])
        out[mode] = json.loads(done.stdout.strip().splitlines()[-1])
    floor, ingest = out["read"]["peak_mb"], out["ingest"]["peak_mb"]
    print(f"memory, {ACCOUNTS:,} accounts ({size:.1f} MB CSV), peak RSS per child process:")
    print(f"  floor (only read the file's rows):                 {floor:.0f} MB")
    print(f"  pipeline (parse, check, items, writes; I/O stubbed): {ingest:.0f} MB")
    print(
        f"  ratio {ingest / floor:.2f}x; {ingest / RSS_BUDGET_MB:.2f} of the {RSS_BUDGET_MB} MB "
        f"budget ({out['ingest']['rows']:,} rows written)"
    )


def main() -> None:
    fake_aws_environment()
    install()
    with tempfile.TemporaryDirectory(prefix="yunge-usage-bench-") as scratch:
        tmp = Path(scratch)
        timed_runs(tmp)
        memory(tmp)
