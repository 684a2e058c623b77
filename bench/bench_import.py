"""Import of a bureau's customer file (issue 12): the commit's CPU time as a ratio to the floor of
writing the same items with raw BatchWriteItem through the same moto (budget ≤ 1.3 ×), the
dry run's as a ratio to the commit's (budget ≤ 0.2 ×), rows per second, and the import's own
peak RSS (budget ≤ 300 MB) measured in a child process whose stores keep nothing, so moto's
copy of the table is not counted as the import's memory.

Times are CPU seconds of this process (moto runs in it): on a shared 2-core machine wall
time swung ±40 % between runs, CPU time far less. Each timed part starts from the same heap:
moto keeps every item it ever stored in an instance tracker, so the floor's deleted table is
let go before the commit runs, and what exists before a part starts (the floor's prepared
items, the bench's scaffolding) is frozen out of the garbage collector's scans, so each part's
collections walk only what it made itself.
Rows: 346,000 by default; YUNGE_BENCH_IMPORT_ROWS=34600 for a quicker run (ratios hold).
YUNGE_BENCH_IMPORT_RECOMMIT=0 skips re-importing the same file; YUNGE_BENCH_IMPORT_FULL=1 adds
a dry run of the file marked complete (its Scan is quadratic in moto: use fewer rows).
"""

from __future__ import annotations

import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROWS = int(os.environ.get("YUNGE_BENCH_IMPORT_ROWS", "346000"))
AREAS = 2000
COMMIT_BUDGET, DRY_RUN_BUDGET, RSS_BUDGET_MB = 1.3, 0.2, 300
HEADER = "户号,户名,用电地址,台区编号,电能表资产号,用电类别,手机号,重要客户,特殊客户\n"


def write_file(path: Path, rows: int = ROWS, seed: int = 3) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(HEADER)
        for n in range(rows):
            ta = f"TA{rng.randrange(AREAS):05d}"
            out.write(
                f"{n:012d},用户{n},临河区某街道{n % 997}号,{ta},M{n:010d},居民生活,"
                f"139{n % 100_000_000:08d},否,否\n"
            )


def _areas() -> list[Any]:
    from chalicelib.domain.org import TransformerArea

    return [TransformerArea(f"TA{n:05d}", f"台区{n}", "G1", "S1", "B1") for n in range(AREAS)]


class Forever:
    function_name = "bench"

    def get_remaining_time_in_millis(self) -> int:
        return 900_000


def _job(files: Any, path: Path, mode: str, full: bool = False) -> str:
    from chalicelib.domain.ids import new_ulid
    from chalicelib.domain.imports import ImportJob
    from chalicelib.store.import_files import JobStore

    now = datetime.now(UTC)
    job = ImportJob(
        new_ulid(now),
        "customers",
        mode,
        "c.csv",
        path.stat().st_size,
        "wgs84",
        now.isoformat(),
        "bench",
        full=full,
    )
    files.put_bytes(job.upload_key, path.read_bytes(), "text/csv")
    JobStore(files).save(job)
    return job.import_id


def _floor_items(path: Path) -> list[dict[str, Any]]:
    """The customer items as the import writes them, in DynamoDB's wire format."""
    import csv

    items = []
    with path.open(encoding="utf-8", newline="") as src:
        for row in csv.DictReader(src):
            items.append(
                {
                    "account_no": {"S": row["户号"]},
                    "sk": {"S": "profile"},
                    "holder_name": {"S": row["户名"]},
                    "address": {"S": row["用电地址"]},
                    "ta_id": {"S": row["台区编号"]},
                    "important": {"BOOL": False},
                    "special": {"BOOL": False},
                    **({"phone": {"S": row["手机号"]}} if row["手机号"] else {}),
                }
            )
    return items


def _write_raw(dynamo: Any, table: str, items: list[dict[str, Any]]) -> None:
    for at in range(0, len(items), 25):
        requests = [{"PutRequest": {"Item": i}} for i in items[at : at + 25]]
        dynamo.batch_write_item(RequestItems={table: requests})


def _timed(part: Any, *args: Any) -> float:
    """CPU seconds of `part(*args)`, its garbage collections walking only what it allocates."""
    import gc

    gc.collect()
    gc.freeze()
    try:
        started = time.process_time()
        part(*args)
        return time.process_time() - started
    finally:
        gc.unfreeze()


def measure_in_moto(path: Path) -> dict[str, float]:
    import boto3
    from moto import mock_aws
    from moto.core.model_instances import reset_model_data

    from chalicelib.imports.jobs import ImportPorts, process
    from chalicelib.store.customers import DynamoCustomerStore
    from chalicelib.store.import_files import JobStore, S3ImportFiles
    from chalicelib.store.models import CustomerModel, bind_tables, create_tables
    from chalicelib.store.org import InMemoryOrgStore

    with mock_aws():
        bind_tables("bench-import-", "us-east-1")
        create_tables()
        floor_table = CustomerModel.Meta.table_name
        dynamo = boto3.client("dynamodb", region_name="us-east-1")
        items = _floor_items(path)
        floor = _timed(_write_raw, dynamo, floor_table, items)
        del items
        dynamo.delete_table(TableName=floor_table)  # the commit starts from an empty table
        reset_model_data()  # moto's tracker would keep the deleted table's items alive
        create_tables()

        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="bench-import")
        files = S3ImportFiles("bench-import", "us-east-1")
        ports = ImportPorts(
            files,
            InMemoryOrgStore(_areas()),
            DynamoCustomerStore(),
            None,
            clock=lambda: datetime.now(UTC),
        )
        timings = {"floor": floor}
        print(f"  floor: {floor:.1f} s CPU (raw BatchWriteItem of the same items)", flush=True)
        runs = [
            ("commit", "commit"),
            ("recommit", "commit"),
            ("dry_run", "dry_run"),
            ("dry_run_full", "dry_run"),  # full=True: also lists the 户号 the file leaves out
        ]
        if os.environ.get("YUNGE_BENCH_IMPORT_RECOMMIT") == "0":
            runs.remove(("recommit", "commit"))  # moto's BatchGetItem is slow at full size
        if os.environ.get("YUNGE_BENCH_IMPORT_FULL") != "1":
            # moto pages a Scan by walking the table from the start: quadratic at full size
            runs.remove(("dry_run_full", "dry_run"))
        for name, mode in runs:
            import_id = _job(files, path, mode, full=name.endswith("_full"))
            timings[name] = _timed(process, ports, import_id, lambda: 900.0)
            job = JobStore(files).get(import_id)
            assert job is not None and job.status.value == "done", job
            c = job.counts
            print(
                f"  {name}: {timings[name]:.1f} s CPU; rows {c.rows}, created {c.created}, "
                f"updated {c.updated}, unchanged {c.unchanged}, failed {c.failed}",
                flush=True,
            )
        return timings


def peak_rss_child(path: Path) -> None:
    """Run in a child: a commit against stores that keep nothing; print peak RSS in MB."""
    from chalicelib.domain.org import Customer
    from chalicelib.imports.jobs import ImportPorts, process
    from chalicelib.store.import_files import InMemoryImportFiles
    from chalicelib.store.org import InMemoryOrgStore

    class Sink:
        def get_many(self, account_nos: Any) -> dict[str, Customer]:
            list(account_nos)
            return {}

        def put_customers(self, customers: Any) -> None:
            list(customers)

    class DiskFiles(InMemoryImportFiles):
        def download(self, key: str, target: Path) -> bool:
            if key.startswith("imports/"):
                target.symlink_to(path)
                return True
            return super().download(key, target)

    files = DiskFiles()
    import_id = _job(files, path, "commit")
    files.objects.pop(next(k for k in files.objects if k.startswith("imports/")))
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ports = ImportPorts(
        files,
        InMemoryOrgStore(_areas()),
        Sink(),  # type: ignore[arg-type]
        None,
        clock=lambda: datetime.now(UTC),
    )
    process(ports, import_id, lambda: 900.0)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{peak:.0f} {base:.0f}")


def main() -> None:
    from bench._aws import fake_aws_environment

    fake_aws_environment()
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "customers.csv"
        write_file(path)
        print(f"{ROWS} customer rows, {path.stat().st_size / 1e6:.1f} MB CSV", flush=True)
        child = subprocess.run(
            [
                sys.executable,
                "-c",
                f"from bench.bench_import import peak_rss_child as p; "
                f"from pathlib import Path; p(Path({str(path)!r}))",
            ],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONPATH": "."},
        )
        peak, base = (float(v) for v in child.stdout.split())
        print(f"  import's peak RSS: {peak:.0f} MB ({base:.0f} MB before it)", flush=True)
        t = measure_in_moto(path)
    commit, floor, dry = t["commit"], t["floor"], t["dry_run"]
    print(f"floor (raw BatchWriteItem of the same items): {floor:.1f} s")
    print(
        f"commit: {commit:.1f} s = {commit / floor:.2f} × floor (budget {COMMIT_BUDGET}), "
        f"{ROWS / commit:,.0f} rows/s; re-import of the same file {t.get('recommit', 0.0):.1f} s"
    )
    print(f"dry run: {dry:.1f} s = {dry / commit:.2f} × commit (budget {DRY_RUN_BUDGET})")
    if "dry_run_full" in t:
        full = t["dry_run_full"]
        print(
            f"dry run of a full file (a Scan lists the 户号 it leaves out): {full:.1f} s = "
            f"{full / commit:.2f} × commit — moto's Scan costs about what its writes do"
        )
    print(
        f"peak RSS of the import: {peak:.0f} MB ({base:.0f} MB before it started) = "
        f"{peak / RSS_BUDGET_MB:.2f} × budget"
    )


if __name__ == "__main__":
    main()
