"""Soak: the local stack (`make run`) through N tickets of demo use, over HTTP.

Starts `python -m infra.local` on free loopback ports with the demo district, then drives
N tickets (YUNGE_SOAK_TICKETS, default 1,000) through create → dispatch → accept → arrive →
resolve → confirm, from YUNGE_SOAK_WORKERS clients (default 2), five tickets per customer.
Prints the stack's peak resident memory against 1 GB, the create latency (p50/p95/p99) of
the first and the last tickets against a 300 ms median, create → dispatched, and how long
SIGTERM takes to stop it against 5 s. Bounded: N tickets or YUNGE_SOAK_SECONDS (default
3,600) of driving, whichever comes first; traffic goes to 127.0.0.1 only.

    .venv/bin/python -m bench soak            YUNGE_SOAK_TICKETS=200 for a quick look
"""

from __future__ import annotations

import os
import shutil
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from tempfile import mkdtemp
from typing import Any

from bench._soak_client import LOCATION, Refused, SoakClient
from infra.local.process import StackProcess

RSS_TARGET = 1 << 30  # bytes
P50_TARGET = 0.300  # seconds, create over HTTP
STOP_TARGET = 5.0  # seconds, SIGTERM to gone
PER_CUSTOMER = 5
READY_TIMEOUT = 600.0


class Sampler:
    """The stack's resident memory, sampled every `every` seconds; keeps the peak."""

    def __init__(self, stack: StackProcess, every: float = 0.5) -> None:
        self.stack, self.peak, self.last = stack, 0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(every,), daemon=True)
        self._thread.start()

    def _run(self, every: float) -> None:
        while not self._stop.wait(every):
            self.last = self.stack.rss_bytes()
            self.peak = max(self.peak, self.last)

    def close(self) -> None:
        self._stop.set()
        self._thread.join()


def percentiles(seconds: list[float]) -> str:
    if len(seconds) < 2:
        return "n/a"
    cuts = statistics.quantiles(seconds, n=100, method="inclusive")
    p50, p95, p99 = cuts[49], cuts[94], cuts[98]
    return (
        f"p50 {p50 * 1000:6.0f} ms (×{p50 / P50_TARGET:.2f} of target)  "
        f"p95 {p95 * 1000:6.0f} ms  p99 {p99 * 1000:6.0f} ms   [{len(seconds)} creates]"
    )


def drive(
    stack: StackProcess,
    client: SoakClient,
    customers: list[Any],
    count: int,
    workers: int,
    budget: float,
) -> Any:
    created: dict[int, float] = {}  # ticket index -> create latency
    dispatched: list[float] = []
    failures: list[str] = []
    deadline = time.monotonic() + budget

    def one(i: int) -> None:
        if time.monotonic() > deadline or stack.process.poll() is not None:
            return  # out of time, or the stack is gone (its log says why)
        c = customers[i // PER_CUSTOMER]
        try:
            token = client.customer(f"soak-{c.account_no}", c.account_no, c.holder_name)
            body = {
                "type": "fault_repair",
                "account_no": c.account_no,
                "description": f"停电了（soak {i}）",
                "contact_phone": f"139{i:08d}",
                "details": {"scope": "household"},
            }
            started = time.monotonic()
            ticket = client.call("create", "POST", "/v1/tickets", body, token)
            created[i] = time.monotonic() - started
            path = f"/v1/tickets/{ticket['ticket_id']}"
            assignee = client.wait_dispatched(ticket["ticket_id"], token)["assignee"]
            dispatched.append(time.monotonic() - started)
            staff = client.staff(assignee["staff_id"])
            steps: list[dict[str, Any]] = [
                {"action": "accept"},
                {"action": "arrive", "location": LOCATION},
                {"action": "resolve", "cause": "表箱空开跳闸，已复位"},
            ]
            for step in steps:
                client.call(step["action"], "POST", path + "/actions", step, staff)
            confirm = {"action": "confirm", "rating": 5}
            client.call("confirm", "POST", path + "/actions", confirm, token)
        except (Refused, OSError) as error:
            failures.append(f"ticket {i}: {error}")

    with ThreadPoolExecutor(workers, thread_name_prefix="soak") as pool:
        for i, _ in enumerate(pool.map(one, range(count))):
            if (i + 1) % 100 == 0:
                print(f"  {i + 1}/{count} tickets driven", flush=True)
    return [created[i] for i in sorted(created)], dispatched, failures


def main() -> None:
    from infra.local.demo_data import generate

    count = int(os.environ.get("YUNGE_SOAK_TICKETS", "1000"))
    workers = int(os.environ.get("YUNGE_SOAK_WORKERS", "2"))
    budget = float(os.environ.get("YUNGE_SOAK_SECONDS", "3600"))
    population = os.environ.get("YUNGE_DEMO_CUSTOMERS", "5000")
    local_dir = Path(mkdtemp(prefix="yunge-soak-"))
    stack = StackProcess.start(
        local_dir,
        YUNGE_DEMO_CUSTOMERS=population,
        POWERTOOLS_LOG_LEVEL="INFO",
        YUNGE_REPORT_HOLD_SECONDS="0",  # the pipeline's latency, not a report's 2-minute wait
    )
    sampler = Sampler(stack)
    kept = True
    try:
        ready = stack.wait_ready(READY_TIMEOUT)
        at_ready = stack.rss_bytes()
        print(f"stack ready in {ready:.0f} s, {at_ready / 2**20:.0f} MB resident", flush=True)
        district = generate(int(population))
        ordinary = [c for c in district.customers if not (c.important or c.special)]
        wanted = -(-count // PER_CUSTOMER)
        customers = ordinary[:: max(1, len(ordinary) // wanted)][:wanted]
        phones = {s.staff_id: s.phone for s in district.staff}
        client = SoakClient(stack.base_url, local_dir / "sms.jsonl", phones)
        started = time.monotonic()
        creates, dispatched, failures = drive(stack, client, customers, count, workers, budget)
        took = time.monotonic() - started
        window = max(10, min(100, len(creates) // 10))
        print(f"{len(creates)} tickets created in {took:.0f} s; {len(failures)} failed")
        for failure in failures[:5]:
            print(f"  {failure}")
        print("steps:", ", ".join(f"{k} ×{v}" for k, v in sorted(client.statuses.items())))
        print(f"create, first {window}: {percentiles(creates[:window])}")
        print(f"create, last {window}:  {percentiles(creates[-window:])}")
        if len(dispatched) > 1:
            cuts = statistics.quantiles(dispatched, n=20, method="inclusive")
            print(f"create → dispatched: p50 {cuts[9]:.2f} s  p95 {cuts[18]:.2f} s")
        print(
            f"RSS at ready {at_ready / 2**20:.0f} MB, at the end {stack.rss_bytes() / 2**20:.0f} MB"
        )
        peak = max(sampler.peak, stack.rss_bytes())
        print(f"peak RSS {peak / 2**20:.0f} MB (×{peak / RSS_TARGET:.2f} of the 1 GB target)")
        kept = bool(failures)
    finally:
        sampler.close()
        stopped = stack.stop()
        if stopped is None:
            print(f"SIGTERM: still running after 15 s, killed; log in {stack.log_path}")
            kept = True
        else:
            print(f"SIGTERM → exited in {stopped:.2f} s (×{stopped / STOP_TARGET:.2f} of 5 s)")
        if not kept:
            shutil.rmtree(local_dir, ignore_errors=True)
        else:
            print(f"stack log kept: {stack.log_path}")


if __name__ == "__main__":
    main()
