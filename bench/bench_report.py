"""Monthly report benchmark (DESIGN.md, Benchmarks; issue 5).

A month of BENCH_REPORT_TICKETS tickets (default 50,000; moto is slow, so set it lower for a
quick look) from the demo generator is written into a moto server running in its own
process. Each measurement then runs in a fresh child process, so its peak RSS
(resource.getrusage) is its own:

1. through moto — `build`: the whole report set (read the month's shards in parallel, KPI
   engine, tickets.csv + .xlsx, kpi.xlsx, report.html, kpi.json, upload to S3) against `query`:
   the very same Query calls, pages only counted. Medians of BENCH_REPEATS (default 5), runs
   interleaved; AWS calls per operation, and calls per ticket against the minimum.
2. in memory — the month's raw DynamoDB pages loaded once, then the report built from them
   (files to an in-memory store) against merely deserializing them into tickets: the cost of
   our aggregation and writers, which moto's cost hides in (1).
Figures are printed, never asserted.
"""

from __future__ import annotations

import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import time
from datetime import datetime
from typing import Any

from chalicelib.domain.calendar import SHANGHAI

MONTH = "2026-10"
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)
ENV = {"YUNGE_STAGE": "bench", "YUNGE_BUREAU": "bench", "AWS_DEFAULT_REGION": "us-east-1",
       "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
       "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled"}  # fmt: skip


def _ports() -> Any:
    from chalicelib.config import get_settings
    from chalicelib.reports.service import dynamo_report_ports
    from chalicelib.store.models import bind_tables

    settings = get_settings()
    bind_tables(settings.table_prefix, settings.region)
    return settings, dynamo_report_ports(settings, lambda: NOW)


def _reads(ports: Any) -> list[Any]:
    """The very reads the month's report makes: (partitions, created from, created to)."""
    from chalicelib.reports.build import month_window, reads

    return reads(month_window(MONTH, NOW), ports.month_shards, None)


def _pages(ports: Any, wanted: list[Any]) -> Any:
    for partitions, start, end in wanted:
        yield from ports.source.pages(partitions, start, end)


def child(mode: str) -> None:
    """One measurement in this (fresh) process; prints a JSON line."""
    from bench._aws import install

    calls = install()
    _, ports = _ports()
    from chalicelib.domain.policy import DEFAULT_POLICY
    from chalicelib.reports.build import build_month_report

    wanted = _reads(ports)
    result: dict[str, Any] = {}
    started = time.perf_counter()
    if mode == "query":
        result["items"] = sum(len(page) for page in _pages(ports, wanted))
    elif mode == "build":
        manifest = build_month_report(ports, MONTH, policy=DEFAULT_POLICY, now=NOW)
        result["sizes"] = {f.name: f.size for f in manifest.files}
    else:
        result.update(_in_memory(ports, wanted))
    result["seconds"] = time.perf_counter() - started
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["calls"] = dict(calls.take())
    print(json.dumps(result), flush=True)


def _in_memory(ports: Any, wanted: list[Any]) -> dict[str, Any]:
    from dataclasses import replace

    from chalicelib.domain.policy import DEFAULT_POLICY
    from chalicelib.reports.build import build_month_report
    from chalicelib.store.report_files import InMemoryReportFiles
    from chalicelib.store.ticket_source import decode_pages

    pages = list(_pages(ports, wanted))
    ports.reference.load()  # cached from here on: both sides pay no AWS call

    class Pages:  # a build reads twice (reads()): every page on the first, none on the second
        calls = 0

        def tickets(self, *_: Any) -> Any:
            Pages.calls += 1
            return decode_pages(pages if Pages.calls % 2 else [])

    memory = replace(ports, source=Pages(), files=InMemoryReportFiles())
    repeats = int(os.environ.get("BENCH_REPEATS", "5"))
    decode, build = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        for _ticket in decode_pages(pages):
            pass
        decode.append(time.perf_counter() - started)
        started = time.perf_counter()
        build_month_report(memory, MONTH, policy=DEFAULT_POLICY, now=NOW)
        build.append(time.perf_counter() - started)
    return {"decode": statistics.median(decode), "build": statistics.median(build),
            "pages": len(pages)}  # fmt: skip


def _run_child(mode: str, env: dict[str, str]) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.bench_report", mode],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def _seed(count: int) -> None:
    import boto3

    from chalicelib.store.models import create_tables
    from infra.local.demo_data import generate
    from infra.local.demo_month import seed_demo_month

    settings, _ = _ports()
    create_tables()
    boto3.client("s3", region_name=settings.region).create_bucket(Bucket=settings.bucket)
    district = generate(5000)
    from chalicelib.domain.phone import phone_hash
    from chalicelib.store.org import DynamoOrgStore

    hash_phone = lambda phone: phone_hash(phone, b"bench")  # noqa: E731
    DynamoOrgStore(settings.bureau, hash_phone).put_all(district.org_entities())
    seed_demo_month(settings, district, NOW, count=count, timeline=False)


def main() -> None:
    count = int(os.environ.get("BENCH_REPORT_TICKETS", "50000"))
    repeats = int(os.environ.get("BENCH_REPEATS", "5"))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    moto = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    env = {**os.environ, **ENV, "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}"}
    os.environ.update(env)
    try:
        _wait_for(port)
        started = time.perf_counter()
        _seed(count)
        seconds = time.perf_counter() - started
        print(f"seeded {count:,} tickets of {MONTH} into moto in {seconds:.1f} s")
        _report(count, repeats, env)
    finally:
        moto.terminate()
        try:
            moto.wait(timeout=10)
        except subprocess.TimeoutExpired:
            moto.kill()  # the server we started, by its own handle
            moto.wait()


def _report(count: int, repeats: int, env: dict[str, str]) -> None:
    query, build = [], []
    for _ in range(repeats):  # interleaved, so drifting noise hits both sides alike
        query.append(_run_child("query", env))
        build.append(_run_child("build", env))
    q = statistics.median(r["seconds"] for r in query)
    b = statistics.median(r["seconds"] for r in build)
    print(f"1. through moto, medians of {repeats}: {count:,} tickets")
    print(f"   query only (floor)   {q:8.2f} s   peak RSS {query[0]['peak_rss_mb']:.0f} MB")
    rss = max(r["peak_rss_mb"] for r in build)
    print(f"   build report set     {b:8.2f} s   peak RSS {rss:.0f} MB")
    print(f"   ratio build / query  {b / q:8.2f} ×   (target ≤ 1.5 ×; RSS target ≤ 250 MB)")
    print(f"   AWS calls, query: {query[0]['calls']}")
    print(f"   AWS calls, build: {build[0]['calls']}")
    queries = build[0]["calls"].get("dynamodb.Query", 0)
    print(
        f"   Query calls per ticket {queries / max(count, 1):.4f} (pages of ≤ 1 MB; minimum is "
        "one per page per shard, and that is what is made)"
    )
    print(f"   files: {build[0]['sizes']}")
    memory = _run_child("memory", env)
    print(f"2. in memory ({memory['pages']} raw pages held), medians of {repeats}")
    print(f"   deserialize only     {memory['decode']:8.2f} s")
    ratio = memory["build"] / memory["decode"]
    print(f"   build from pages     {memory['build']:8.2f} s   ratio {ratio:.2f} ×")


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("moto server did not start")


if __name__ == "__main__":
    child(sys.argv[1])
