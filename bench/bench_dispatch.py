"""Dispatch and SMS benchmarks, in-process under moto (DESIGN.md, Benchmarks).

1. AWS calls per step for one ticket (exact, machine-independent; caches warm): intake,
   dispatch (INSERT) of a report that never waits (a socket), notify (MODIFY, per SMS), a
   duplicate delivery, dispatch with the manager off duty (mutual aid, peers tied: the ledger
   is read too); then a lone "no power" report on the default policy: held at its INSERT
   (the outage clustering's bookkeeping) and dispatched by the minute pass 3 minutes later.
2. A storm: BENCH_STORM_TICKETS fault tickets (default 5,000, about 9 minutes) from 200
   transformer areas through intake → dispatch → notify, pumping the stream every BENCH_CHUNK
   tickets and delivering every 10th batch twice, with one grid manager per station off duty
   (a tenth of the tickets go through mutual aid). The floor is the very same AWS calls
   (recorded with their params) replayed with plain boto3 into twin tables: the ratio is what
   our code adds on top of its own I/O. Also duplicates and lost SMS.
Both runs use infra/local/moto_patch.py (as `make run` does): moto's TransactWriteItems
otherwise deep-copies every table it names and leaks the copies, so time and memory grow with
the square of the tickets (measured before it: 300 → 5.5 GB, 600 → 21.6 GB peak RSS,
~2,800 OOM-killed on 24 GB).
Figures are printed, never asserted.
"""

from __future__ import annotations

import os
import statistics
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from bench._aws import (
    CALLS,
    Call,
    fake_aws_environment,
    install,
    replay,
    without_reads_of_the_stream,
)
from bench._district import SetClock
from infra.local import moto_patch
from infra.local.streams import StreamReader

REGION = "us-east-1"
PHONE = "13700001111"


class Pipeline:
    """One deployment's worth of services over moto, plus a stream reader."""

    def __init__(self, stage: str = "bench", clock: Any = None) -> None:
        from bench import _district

        self.svc = _district.moto_services(stage, REGION, clock)
        # the dispatch path itself: a lone report's 2-minute wait for its neighbours is off
        # here (YUNGE_REPORT_HOLD_SECONDS=0); the outage storm bench runs with it
        self.svc.policy = self.svc.policy.with_report_hold(timedelta(0))
        self.settings = self.svc.settings
        self.customers = _district.customers()
        self.svc.customers.put_customers(self.customers)
        now = datetime.now(UTC)
        for c in self.customers:
            self.svc.customers.bind(f"wx-{c.account_no}", c.account_no, now)
        self.stream = StreamReader(self.settings.table("tickets"), REGION)
        self.initial = list(self.stream.open().values())  # replay maps these to the floor's
        self.batches = 0

    def bind(self) -> None:
        """pynamodb models are bound globally: point them back at this pipeline's tables."""
        from chalicelib.store.models import bind_tables

        bind_tables(self.settings.table_prefix, REGION)

    def submit(self, i: int, scope: str = "household") -> Any:
        from chalicelib.domain.commands import NewTicket
        from chalicelib.domain.details import FaultDetails
        from chalicelib.domain.tickets import TicketType
        from chalicelib.observability import metrics
        from chalicelib.usecases.intake import submit_ticket

        customer = self.customers[i % len(self.customers)]
        request = NewTicket(
            TicketType.FAULT_REPAIR,
            customer.account_no,
            "停电",
            PHONE,
            FaultDetails(scope=scope),  # type: ignore[arg-type]
        )
        ticket, _ = submit_ticket(self.svc, f"wx-{customer.account_no}", request, None)
        metrics.clear_metrics()  # the API middleware flushes per request; here, no EMF lines
        return ticket

    def read(self) -> dict[str, Any]:
        return self.stream.event()

    def deliver(self, event: dict[str, Any]) -> int:
        from chalicelib.dispatch.stream import handle_ticket_stream

        return len(handle_ticket_stream(event, None, self.svc)["batchItemFailures"])

    def pump(self, redeliver_every: int = 0) -> int:
        failures = 0
        while (event := self.read())["Records"]:
            self.batches += 1
            failures += self.deliver(event)
            if redeliver_every and self.batches % redeliver_every == 0:
                failures += self.deliver(event)
        return failures


def _show(step: str, counts: Counter[str], per: int = 1) -> None:
    total = sum(counts.values())
    detail = ", ".join(f"{k} {v / per:g}" for k, v in sorted(counts.items()))
    print(f"  {step:<42} {total / per:>5.2f} calls  ({detail})")


def call_counts() -> None:
    from moto import mock_aws

    print("AWS calls per step (one ticket, caches warm; GetRecords is Lambda's, not counted):")
    with mock_aws():
        clock = SetClock(datetime.now(UTC))
        p = Pipeline(clock=clock)
        p.submit(0, "socket")
        p.pump()  # warm: clients, org cache
        CALLS.take()
        p.submit(1, "socket")
        _show("intake (POST /v1/tickets)", CALLS.take())
        p.deliver(p.read())
        _show("dispatch (INSERT), a socket report", without_reads_of_the_stream(CALLS.take()))
        modify = p.read()
        p.deliver(modify)
        _show("notify (MODIFY), per SMS of 2", without_reads_of_the_stream(CALLS.take()), per=2)
        p.deliver(modify)
        _show("duplicate MODIFY delivery, per SMS", without_reads_of_the_stream(CALLS.take()), 2)
        p.svc.org.set_duty("M002", False, None)
        p.submit(AREAS_OF_GRID_2, "socket")
        p.pump()  # warm: the org cache holds the mutual-aid group and its members
        p.submit(AREAS_OF_GRID_2, "socket")
        CALLS.take()
        p.deliver(p.read())
        _show("dispatch, manager off duty (tie)", without_reads_of_the_stream(CALLS.take()))
        _lone_report(p, clock)
    print("  targets: dispatch <= 3, per SMS <= 3")


AREAS_OF_GRID_2 = 25  # customer index 25 lives in T006, grid G002
LONE = 2  # a customer of T001 (grid G001, its manager on duty): only socket reports so far


def _lone_report(p: Pipeline, clock: SetClock) -> None:
    """A lone "no power" report on the default policy: the INSERT holds it (the clustering's
    bookkeeping: its 户号 and its station's 台区 recorded, its 台区 counted); 3 minutes later
    the minute pass dispatches it (the due scan's Queries are shared by every due ticket)."""
    from chalicelib.domain.outages import OutagePolicy
    from chalicelib.lifecycle.watchdog import Watchdog

    p.svc.policy = p.svc.policy.with_report_hold(OutagePolicy().hold)
    p.pump()  # the SMS of the tickets before
    lone = p.submit(LONE)
    CALLS.take()
    p.deliver(p.read())
    _show("hold (INSERT), a lone 'no power' report", without_reads_of_the_stream(CALLS.take()))
    clock.now += timedelta(minutes=3)
    Watchdog.from_services(p.svc).tick()
    _show("its hold ends: the minute pass", CALLS.take())
    after = p.svc.tickets.get(lone.ticket_id)
    waited = (after.clocks["dispatched_at"] - lone.created_at) if after else None
    print(f"    ({after.status.value if after else 'missing'} {waited} after the report)")


OFF_DUTY = ("M005", "M015", "M025", "M035")  # one grid manager per station


def storm(tickets: int, chunk: int) -> None:
    """Pipeline chunk k, then the floor for chunk k (the same calls replayed into a twin
    set of tables in the same moto), alternating, so machine noise hits both alike."""
    import boto3
    from moto import mock_aws
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns.models import sns_backends

    print(f"\nStorm: {tickets} fault tickets, 200 transformer areas, pump every {chunk}; "
          f"one grid manager per station off duty (their grids go to mutual aid):")  # fmt: skip
    with mock_aws():
        floor_tables = Pipeline(stage="floor")
        p = Pipeline()
        for manager in OFF_DUTY:
            p.svc.org.set_duty(manager, False, None)
        outbox = sns_backends[DEFAULT_ACCOUNT_ID][REGION].sms_messages
        iterators = dict(zip(p.initial, floor_tables.initial, strict=True))
        clients = {s: boto3.client(s) for s in ("dynamodb", "dynamodbstreams", "sns")}
        durations, floors, sent, failures, calls = [], [], [], 0, 0
        for first in range(0, tickets, chunk):
            CALLS.calls.clear()
            CALLS.recording = True
            before = len(outbox)
            t0 = time.perf_counter()
            for i in range(first, min(first + chunk, tickets)):
                p.submit(i)
            failures += p.pump(redeliver_every=10)
            durations.append(time.perf_counter() - t0)
            CALLS.recording = False
            sent.extend(list(outbox.values())[before:])
            recorded = [retarget(c, "yunge-bench-", "yunge-floor-") for c in CALLS.calls]
            calls += len(recorded)
            t0 = time.perf_counter()
            replay(recorded, iterators, clients)
            floors.append(time.perf_counter() - t0)
        done = list(_dispatched_tickets())
    dispatched = len(done)
    off_duty_grids = {m.replace("M", "G") for m in OFF_DUTY}
    aided = Counter(t.assignee_id for t in done if t.grid_id in off_duty_grids)
    elapsed, floor = sum(durations), sum(floors)
    texts = Counter(sent)
    duplicates = sum(n - 1 for n in texts.values())
    lost = 2 * tickets - len(texts)
    ratios = [d / f for d, f in zip(durations, floors, strict=True) if f > 0]
    print(f"  pipeline: {elapsed:.1f} s = {tickets / elapsed:.1f} tickets/s; "
          f"{calls / tickets:.1f} AWS calls per ticket (incl. GetRecords), "
          f"{failures} failed records")  # fmt: skip
    print(f"  floor (the same {calls} calls replayed with boto3): {floor:.1f} s = "
          f"{tickets / floor:.1f} tickets/s")  # fmt: skip
    print(f"  ratio pipeline/floor: overall {elapsed / floor:.2f}; median of {len(ratios)} "
          f"chunks {statistics.median(ratios):.2f} (target <= 2)")  # fmt: skip
    print(f"  mutual aid: {sum(aided.values())} tickets of the off-duty grids went to "
          f"{len(aided)} peers ({min(aided.values(), default=0)}–{max(aided.values(), default=0)}"
          f" each); to an off-duty manager: {sum(aided[m] for m in OFF_DUTY)}")  # fmt: skip
    print(f"  dispatched {dispatched}/{tickets}; SMS sent {len(sent)} (expected {2 * tickets}); "
          f"duplicates {duplicates}; lost {lost}")  # fmt: skip


def retarget(call: Call, old: str, new: str) -> Call:
    return Call(call.service, call.operation, _swap(call.params, old, new), call.response)


def _swap(value: Any, old: str, new: str) -> Any:
    if isinstance(value, str):
        return value.replace(old, new) if value.startswith(old) else value
    if isinstance(value, dict):
        return {_swap(k, old, new): _swap(v, old, new) for k, v in value.items()}
    if isinstance(value, list):
        return [_swap(v, old, new) for v in value]
    return value


def _dispatched_tickets() -> Any:
    from chalicelib.store.models import TicketModel

    yield from TicketModel.scan(TicketModel.status == "dispatched")  # bench check only


def main() -> None:
    fake_aws_environment()
    install()
    moto_patch.install()
    call_counts()
    storm(
        int(os.environ.get("BENCH_STORM_TICKETS", "5000")),
        int(os.environ.get("BENCH_CHUNK", "100")),
    )


if __name__ == "__main__":
    main()
