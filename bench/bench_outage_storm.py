"""The outage storm (issue 14): BENCH_OUTAGE_REPORTS "no power" reports (default 5,000) from
200 transformer areas (40 customers each) within one simulated hour, in-process under moto.
Each grid's five 台区 hang on one 10 kV line, so 台区 of a line that go probable within 15
minutes roll up into one line outage (and manager SMS per outage counts roll-ups in).

Arrival curve: a storm front crosses the district over the hour — each 台区 trips at a time
drawn from a triangular curve peaking mid-hour, and its customers report after it with
exponential delays (mean 6 minutes), some of them twice. The injected clock moves through the
hour; the stream is pumped every simulated minute (Lambda's batches), then the minute passes
run: sla_watchdog's tick (it dispatches held first reports whose hold ended, and escalates)
and the outages' (customers told, reports settled); at the end every outage is restored and
told.

Printed, never asserted: outages formed (line roll-ups among them); manager SMS per outage
(dispatch and outage SMS to grid managers: the average and the worst outage, counting the
single dispatches in its 台区); escalation SMS apart; SMS per report (the storm hour, then with
the restoration notices), against at least 1 per report without outages (each report its own
dispatch SMS to the manager); acknowledgements and restoration notices per reporter (at most
one each); reports lost (neither on an outage nor dispatched); duplicate SMS; the AWS calls
of one more report attaching to an open outage; AWS calls per report and, per chunk, the
pipeline's time against the floor — the same AWS calls replayed with plain boto3 into twin
tables (DESIGN.md, Benchmarks).
"""

from __future__ import annotations

import os
import random
import statistics
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from bench._aws import CALLS, fake_aws_environment, install, replay
from bench._district import SetClock
from infra.local import moto_patch
from infra.local.streams import StreamReader

REGION = "us-east-1"
AREAS, CUSTOMERS_PER_AREA = 200, 40
MINUTES = 80  # the storm hour, the last reports (~60 min) and their holds (15 min) ending
START = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # 10:00 in Asia/Shanghai


def customers() -> list[Any]:
    from bench import _district
    from chalicelib.domain.org import Customer

    base = {c.ta_id for c in _district.customers()}
    return [
        Customer(f"07{ta[1:]}{c:04d}", f"客户{ta}-{c}", f"{ta}台区第{c}户", ta)
        for ta in sorted(base)
        for c in range(1, CUSTOMERS_PER_AREA + 1)
    ]


def on_lines(entities: list[Any]) -> list[Any]:
    """One feeder per grid: its 台区 get the line id "L<grid number>"."""
    from dataclasses import replace

    from chalicelib.domain.org import TransformerArea

    return [
        replace(e, line_id=f"L{e.grid_id[1:]}") if isinstance(e, TransformerArea) else e
        for e in entities
    ]


class Storm:
    def __init__(self, stage: str, clock: SetClock) -> None:
        from bench import _district
        from chalicelib.notify.fakes import RecordingSmsSender

        self.svc = _district.moto_services(stage, REGION, clock)
        self.settings = self.svc.settings
        self.svc.org.put_all(on_lines(_district.organisation()))  # one feeder per grid
        self.customers = customers()
        self.svc.customers.put_customers(self.customers)
        for c in self.customers:
            self.svc.customers.bind(f"wx-{c.account_no}", c.account_no, START)
        self.sms = RecordingSmsSender()
        self.svc.sms = self.sms
        self.stream = StreamReader(self.settings.table("tickets"), REGION)
        self.initial = list(self.stream.open().values())

    def bind(self) -> None:
        from chalicelib.store.models import bind_tables

        bind_tables(self.settings.table_prefix, REGION)

    def report(self, account_no: str, phone: str) -> Any:
        from chalicelib.domain.commands import NewTicket
        from chalicelib.domain.details import FaultDetails
        from chalicelib.domain.tickets import TicketType
        from chalicelib.observability import metrics
        from chalicelib.usecases.intake import submit_ticket

        request = NewTicket(
            TicketType.FAULT_REPAIR, account_no, "整片停电", phone, FaultDetails(scope="area")
        )
        ticket, _ = submit_ticket(self.svc, f"wx-{account_no}", request, None)
        metrics.clear_metrics()
        return ticket

    def pump(self) -> int:
        from chalicelib.dispatch.stream import handle_ticket_stream

        failures = 0
        while (event := self.stream.event())["Records"]:
            failures += len(handle_ticket_stream(event, None, self.svc)["batchItemFailures"])
        return failures

    def minute_pass(self) -> None:
        from chalicelib.dispatch.stream import outbox_of
        from chalicelib.lifecycle.watchdog import Watchdog
        from chalicelib.outages.notices import notifier_of, settler_of, watch_outages

        svc = self.svc
        Watchdog.from_services(svc).tick()
        watch_outages(notifier_of(svc, outbox_of(svc)), svc.outages, settler_of(svc))


def arrivals(reports: int, seed: int = 14) -> list[tuple[datetime, int, int]]:
    """(when, area index, customer index) for every report, in time order."""
    rng = random.Random(seed)
    trips = [timedelta(minutes=rng.triangular(0, 50, 25)) for _ in range(AREAS)]
    out = []
    for i in range(reports):
        area = i % AREAS
        delay = timedelta(minutes=min(rng.expovariate(1 / 6), 9.5))
        customer = rng.randrange(CUSTOMERS_PER_AREA * 5 // 8)  # ~25 of 40 report; some twice
        out.append((START + trips[area] + delay, area, customer))
    return sorted(out)


def run(reports: int) -> None:
    from moto import mock_aws

    from chalicelib.domain.outage_vocabulary import OutageAction
    from chalicelib.domain.outages import act

    print(f"Outage storm: {reports} reports, {AREAS} 台区 x {CUSTOMERS_PER_AREA} customers, "
          "one simulated hour; stream pumped and the minute pass run every minute:")  # fmt: skip
    clock = SetClock(START)
    with mock_aws():
        import boto3

        floor = Storm("floor", clock)
        storm = Storm("bench", clock)
        iterators = dict(zip(storm.initial, floor.initial, strict=True))
        clients = {s: boto3.client(s) for s in ("dynamodb", "dynamodbstreams", "sns")}
        plan = arrivals(reports)
        phones: dict[str, str] = {}
        durations: list[float] = []
        floors: list[float] = []
        calls = failures = 0
        tickets = []
        minute = 0
        while plan or minute < MINUTES:
            clock.now = START + timedelta(minutes=minute + 1)
            due = [p for p in plan if p[0] < clock.now]
            plan = plan[len(due) :]
            CALLS.calls.clear()
            CALLS.recording = True
            t0 = time.perf_counter()
            for _, area, c in due:
                customer = storm.customers[area * CUSTOMERS_PER_AREA + c]
                phone = phones.setdefault(customer.account_no, f"135{len(phones):08d}")
                tickets.append(storm.report(customer.account_no, phone))
            failures += storm.pump()
            storm.minute_pass()
            durations.append(time.perf_counter() - t0)
            CALLS.recording = False
            recorded = [_retarget(c) for c in CALLS.calls]
            calls += len(recorded)
            t0 = time.perf_counter()
            replay(recorded, iterators, clients)
            floors.append(time.perf_counter() - t0)
            minute += 1
        storm_hour = len(storm.sms.sent)
        try:
            attach = _attach_one(storm, phones, reported={t.account_no for t in tickets})
        except Exception as error:  # the figures above must still print
            attach = f"not measured: {error!r}"
        outages = storm.svc.outages.since(START - timedelta(days=1))
        for outage in outages:  # the crews restore every 台区
            clock.now += timedelta(seconds=1)
            storm.svc.outages.commit(
                outage, act(outage, OutageAction.RESTORE, actor="staff:bench", now=clock.now)
            )
        storm.minute_pass()
        storm.minute_pass()  # a second pass: nothing more
        stored = [storm.svc.tickets.get(t.ticket_id) for t in tickets]
    _print(storm, outages, stored, tickets, storm_hour, failures, calls, durations, floors)
    print(f"  attaching one more report to an open outage: {attach}")


def _attach_one(storm: Storm, plan_phones: dict[str, str], reported: set[str]) -> str:
    """One more report from a 台区 whose outage is open: the AWS calls of its intake (which
    finds the open outage) and of the stream's handling (attach + this reporter told)."""
    from chalicelib.domain.outage_vocabulary import OutageKind

    open_areas = {ta for o in storm.svc.outages.since(START - timedelta(days=1))
                  if o.is_open and o.kind is OutageKind.FAULT for ta in o.ta_ids}  # fmt: skip
    customer = next(
        (c for c in storm.customers if c.ta_id in open_areas and c.account_no not in reported),
        None,
    )
    if customer is None:
        return "no open outage with a customer left to report"
    CALLS.take()
    ticket = storm.report(customer.account_no, f"136{len(plan_phones):08d}")
    intake = CALLS.take()
    before = len(storm.sms.sent)
    storm.pump()
    handled = CALLS.take()
    sms = len(storm.sms.sent) - before
    stream = Counter({k: v for k, v in handled.items() if not k.startswith("dynamodbstreams.")})
    attached = storm.svc.tickets.get(ticket.ticket_id)
    own = sum(stream.values()) - 2 * sms  # each SMS: the log's claim and record (send faked)
    return (
        f"on the outage: {bool(attached and attached.outage_id)}; intake {sum(intake.values())} "
        f"calls {dict(intake)}; the stream {sum(stream.values())} calls {dict(stream)}, of "
        f"which {2 * sms} log the reporter's acknowledgement ({sms} SMS, sent by a fake here): "
        f"{own} calls to attach (bar <= 3)"
    )


def _print(storm: Storm, outages: list[Any], stored: list[Any], tickets: list[Any],
           storm_hour: int, failures: int, calls: int, durations: list[float],
           floors: list[float]) -> None:  # fmt: skip
    keys = storm.sms.keys()
    by_template = Counter(k for _, k in keys)
    managers = {s.phone for s in _staff() if s.role == "manager"}
    to_managers = [k for p, k in keys if p in managers and k in DISPATCHES]
    reporters = {t.contact_phone for t in tickets}
    acks = Counter(p for p, k in keys if k.startswith("outage_ack") and p in reporters)
    restored = Counter(p for p, k in keys if k == "outage_restored_customer")
    texts = Counter((p, k) for p, k in keys if k.startswith("outage_") and p not in managers)
    on_outage = sum(1 for t in stored if t is not None and t.outage_id)
    dispatched = sum(1 for t in stored if t is not None and not t.outage_id and t.assignee_id)
    lost = len(tickets) - on_outage - dispatched
    n = len(tickets)
    lines = [o for o in outages if o.scope == "line"]
    print(f"  outages formed: {len(outages)}, {len(lines)} of them rolled up to their line "
          f"({sum(len(o.ta_ids) for o in lines)} 台区; {sum(len(o.ta_ids) for o in outages)} 台区 "
          f"on an outage); reports on an outage {on_outage}, dispatched alone {dispatched}, "
          f"lost {lost}; failed stream records {failures}")  # fmt: skip
    # every ticket dispatched on its own (its manager got an SMS), joined to an outage later or not
    alone = Counter(t.ta_id for t in stored if t is not None and "dispatched_at" in t.clocks)
    per_outage = [int(o.dispatched_at is not None) + sum(alone[ta] for ta in o.ta_ids)
                  for o in outages]  # fmt: skip
    print(f"  manager SMS (dispatch + outage, to grid managers): {len(to_managers)} = "
          f"{len(to_managers) / max(1, len(outages)):.2f} per outage "
          f"({by_template['outage_manager']} outage_manager, "
          f"{by_template['dispatch_manager']} single-ticket dispatches); worst outage "
          f"{max(per_outage, default=0)}, outages with more than one "
          f"{sum(1 for n in per_outage if n > 1)} (bar: at most 1 each)")  # fmt: skip
    others = {k: v for k, v in by_template.items()
              if k not in DISPATCHES and not k.startswith("outage_")}  # fmt: skip
    print(f"  other SMS (escalations, ticket notices): {others}")
    hour_escalations = sum(1 for _, k in keys[:storm_hour] if k in ESCALATIONS)
    escalations = sum(1 for _, k in keys if k in ESCALATIONS)
    print(
        f"  SMS per report: storm hour {storm_hour / n:.2f}, with restoration "
        f"{len(keys) / n:.2f} (without outages every report is its own dispatch SMS, >= 1.00; "
        f"goal <= 1.2); without the escalations of single tickets nobody here accepts "
        f"({escalations} SMS): {(storm_hour - hour_escalations) / n:.2f} and "
        f"{(len(keys) - escalations) / n:.2f}"
    )
    print(
        f"  per reporter: acknowledgements max {max(acks.values(), default=0)}, restoration "
        f"notices max {max(restored.values(), default=0)}; duplicate SMS "
          f"{sum(v - 1 for v in texts.values() if v > 1)} (customer outage SMS, by phone and kind)"
    )  # fmt: skip
    ratios = [d / f for d, f in zip(durations, floors, strict=True) if f > 0]
    print(
        f"  AWS calls per report {calls / n:.1f} (incl. GetRecords and the minute passes); "
        f"pipeline {sum(durations):.1f} s vs floor {sum(floors):.1f} s: ratio "
        f"{sum(durations) / max(sum(floors), 1e-9):.2f} overall, median "
        f"{statistics.median(ratios) if ratios else 0:.2f} per minute (target <= 2)"
    )
    print(f"  by template: {dict(sorted(by_template.items()))}")


DISPATCHES = frozenset({"outage_manager", "dispatch_manager"})
ESCALATIONS = frozenset(
    {"escalation_chief", "overdue_branch", "reassigned_manager", "taken_manager",
     "reassigned_customer", "dispatch_stuck_chief"}
)  # fmt: skip


def _staff() -> list[Any]:
    from bench import _district
    from chalicelib.domain.org import Staff

    return [e for e in _district.organisation() if isinstance(e, Staff)]


def _retarget(call: Any) -> Any:
    from bench.bench_dispatch import retarget

    return retarget(call, "yunge-bench-", "yunge-floor-")


def main() -> None:
    fake_aws_environment()
    install()
    moto_patch.install()
    run(int(os.environ.get("BENCH_OUTAGE_REPORTS", "5000")))


if __name__ == "__main__":
    main()
