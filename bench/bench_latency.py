"""Dispatch latency on an idle local stack: create → `dispatched`, over HTTP.

Starts `python -m infra.local` (as `make run` does) on free loopback ports with the demo
district, then creates YUNGE_LATENCY_TICKETS fault tickets (default 20) one at a time, each
after YUNGE_LATENCY_GAP seconds of quiet (default 1), and polls GET /v1/tickets/{id} every
50 ms until it reads `dispatched` with an assignee. Prints p50/p95 against the README's
"a second or two" (a 2 s target) as ratios. Shares the soak bench's stack and client
(bench_soak measures the same interval under load, with the whole lifecycle).

    .venv/bin/python -m bench latency
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path
from tempfile import mkdtemp

from bench._soak_client import Refused, SoakClient
from infra.local.process import StackProcess

TARGET = 2.0  # seconds, create → dispatched on an idle machine
READY_TIMEOUT = 600.0
POLL = 0.05


def summary(seconds: list[float]) -> str:
    """p50/p95 of create → dispatched with their ratios to the 2 s target."""
    if len(seconds) < 2:
        return f"n/a ({len(seconds)} dispatched)"
    cuts = statistics.quantiles(seconds, n=20, method="inclusive")
    p50, p95 = cuts[9], cuts[18]
    return (
        f"create → dispatched: p50 {p50:.2f} s (×{p50 / TARGET:.2f} of 2 s)  "
        f"p95 {p95:.2f} s (×{p95 / TARGET:.2f} of 2 s)  max {max(seconds):.2f} s  "
        f"[{len(seconds)} tickets]"
    )


def main() -> None:
    from infra.local.demo_data import generate

    count = int(os.environ.get("YUNGE_LATENCY_TICKETS", "20"))
    gap = float(os.environ.get("YUNGE_LATENCY_GAP", "1"))
    population = os.environ.get("YUNGE_DEMO_CUSTOMERS", "5000")
    local_dir = Path(mkdtemp(prefix="yunge-latency-"))
    # the pipeline's latency: a lone "no power" report's 2-minute wait for neighbours is off
    stack = StackProcess.start(
        local_dir, YUNGE_DEMO_CUSTOMERS=population, YUNGE_REPORT_HOLD_SECONDS="0"
    )
    kept = True
    try:
        print(f"stack ready in {stack.wait_ready(READY_TIMEOUT):.0f} s", flush=True)
        district = generate(int(population))
        ordinary = [c for c in district.customers if not (c.important or c.special)]
        customers = ordinary[:: max(1, len(ordinary) // count)][:count]
        client = SoakClient(stack.base_url, local_dir / "sms.jsonl", {})
        latencies: list[float] = []
        failures: list[str] = []
        for i, c in enumerate(customers):
            try:
                token = client.customer(f"latency-{c.account_no}", c.account_no, c.holder_name)
                time.sleep(gap)  # idle: the previous ticket's SMS and stream work are done
                body = {
                    "type": "fault_repair",
                    "account_no": c.account_no,
                    "description": f"停电了（latency {i}）",
                    "contact_phone": f"139{i:08d}",
                    "details": {"scope": "household"},
                }
                started = time.monotonic()
                ticket = client.call("create", "POST", "/v1/tickets", body, token)
                while True:
                    got = client.call(
                        "get", "GET", f"/v1/tickets/{ticket['ticket_id']}", None, token
                    )
                    if got["status"] == "dispatched" and got.get("assignee"):
                        break
                    if time.monotonic() - started > 60:
                        raise Refused("not dispatched within 60 s")
                    time.sleep(POLL)
                latencies.append(time.monotonic() - started)
                print(f"  ticket {i + 1}/{len(customers)}: {latencies[-1]:.2f} s", flush=True)
            except (Refused, OSError) as error:
                failures.append(f"ticket {i}: {error}")
        print(f"{len(failures)} failed", *failures[:5], sep="\n  ")
        print(summary(latencies))
        kept = bool(failures)
    finally:
        stack.finish(keep=kept)


if __name__ == "__main__":
    main()
