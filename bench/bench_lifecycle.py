"""AWS calls per ticket action and per sla_watchdog tick, under moto.

Counts are exact and machine-independent: a botocore `before-call` hook on every client
counts each operation. Timing through moto says little (its Query walks the whole table),
so the only times printed are a tick with N due tickets against an idle tick (the floor:
the same shard queries finding nothing), medians of 5, and nothing is asserted.

    .venv/bin/python -m bench.bench_lifecycle        (or via `python -m bench`)
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import mkdtemp
from typing import Any

from bench._aws import CallLog, fake_aws_environment, install

WATCHDOG_SIZES = (1, 10, 50)
_LOG: CallLog | None = None


@contextmanager
def counted() -> Iterator[Counter[str]]:
    """AWS operations made inside the block, e.g. {"dynamodb.GetItem": 1}."""
    assert _LOG is not None
    _LOG.take()
    seen: Counter[str] = Counter()
    yield seen
    seen.update(_LOG.take())


def _services(now: list[datetime]) -> Any:
    from chalicelib.bootstrap import Services
    from chalicelib.config import Settings
    from chalicelib.notify.fakes import RecordingSmsSender
    from chalicelib.store.customers import DynamoCustomerStore
    from chalicelib.store.dynamo_tickets import DynamoTicketStore
    from chalicelib.store.models import bind_tables, create_tables
    from chalicelib.store.org import CachedOrgStore, DynamoOrgStore
    from tests import district

    bind_tables("bench-", "us-east-1")
    create_tables()
    settings = Settings.from_env(
        {"YUNGE_STAGE": "local", "YUNGE_TABLE_PREFIX": "bench-",  # the tables made above
         "AWS_DEFAULT_REGION": "us-east-1", "YUNGE_SMS": "local",
         "YUNGE_SMS_LOG": str(Path(mkdtemp()) / "sms.jsonl"),
         "YUNGE_PHONE_KEY_FILE": str(Path(mkdtemp()) / "phone.key")}
    )  # fmt: skip
    svc = Services(settings, clock=lambda: now[0])
    org = DynamoOrgStore("bench", svc.phone_key.hash_phone)
    org.put_all(district.ORG)
    svc.org = CachedOrgStore(org, clock=svc.clock, ttl=timedelta(days=30))
    customers = DynamoCustomerStore()
    customers.put_customers(district.CUSTOMERS)
    svc.customers = customers
    svc.tickets = DynamoTicketStore(settings.due_shards, settings.month_shards)
    svc.sms = RecordingSmsSender()
    return svc


def _row(label: str, calls: Counter[str]) -> str:
    detail = ", ".join(f"{op.split('.')[-1]} {n}" for op, n in sorted(calls.items()))
    return f"  {label:<34} {sum(calls.values()):>3} calls   ({detail})"


def bench_actions(svc: Any, now: list[datetime]) -> None:
    from chalicelib.api.present import ticket_out
    from tests.functional.lifecycle_support import LOCATION, act, customer_scope, open_ticket
    from tests.functional.lifecycle_support import staff_scope as scope

    warm = open_ticket(svc)  # warms the org cache, as a running container has it
    act(svc, scope(svc, "M1"), warm, "accept")
    ticket = open_ticket(svc)
    steps: list[tuple[str, Any, dict[str, Any]]] = [
        ("accept", scope(svc, "M1"), {}),
        ("arrive", scope(svc, "M1"), {"location": LOCATION}),
        ("resolve", scope(svc, "M1"), {"cause": "空开跳闸"}),
        ("confirm", customer_scope(), {"rating": 5}),
    ]
    print("AWS calls per action (org cache warm; target ≤ 2 for the action itself)")
    for action, who, fields in steps:
        now[0] += timedelta(minutes=5)
        with counted() as state:
            saved = act(svc, who, ticket, action, **fields)
        with counted() as render:  # what the HTTP handler adds for its response
            assignee = svc.org.staff(saved.assignee_id) if saved.assignee_id else None
            ticket_out(
                saved, now=now[0], assignee=assignee, timeline=svc.tickets.timeline(saved.ticket_id)
            )
        print(_row(f"{action}: read + conditional commit", state))
        print(_row(f"{action}: + response timeline", render))
        ticket = saved


def _median_seconds(run: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_watchdog(svc: Any, now: list[datetime]) -> None:
    from chalicelib.lifecycle.watchdog import Watchdog
    from tests.functional.lifecycle_support import act, open_ticket, staff_scope

    def run_watchdog(svc: Any) -> Any:
        return Watchdog.from_services(svc).tick()

    print(f"\nAWS calls per sla_watchdog tick ({svc.settings.due_shards} due shards)")
    floor = _median_seconds(lambda: run_watchdog(svc))
    with counted() as idle:
        run_watchdog(svc)
    print(_row("idle tick (floor)", idle))
    for n in WATCHDOG_SIZES:
        # accept clocks run for 10 min; one customer each (intake limits a customer's rate)
        opened = [open_ticket(svc, owner=f"wx-bench-{n}-{i}") for i in range(n)]
        now[0] += timedelta(minutes=11)
        with counted() as level2:
            start = time.perf_counter()
            report = run_watchdog(svc)
            took = time.perf_counter() - start
        print(_row(f"{n} missed accepts → {dict(report.committed)}", level2))
        print(f"  {'':<34} {(sum(level2.values()) - sum(idle.values())) / n:.1f} calls per ticket"
              f" above the floor; {took * 1000:.0f} ms vs idle {floor * 1000:.0f} ms"
              f" (×{took / floor:.1f}, moto)")  # fmt: skip
        with counted() as rerun:
            again = run_watchdog(svc)
        print(_row(f"rerun, same minute → {dict(again.committed)}", rerun))
        for ticket in opened:  # resolve them all, then let the callback clock run out
            stored = svc.tickets.get(ticket.ticket_id)
            who = staff_scope(svc, stored.assignee_id)
            for action, fields in (("accept", {}), ("arrive", {"location": {"lat": 1, "lng": 2}}),
                                   ("resolve", {"cause": "c"})):  # fmt: skip
                stored = act(svc, who, stored, action, **fields)
        now[0] += timedelta(days=3, minutes=1)
        with counted() as closing:
            report = run_watchdog(svc)
        print(_row(f"{n} unconfirmed → {dict(report.committed)}", closing))


def main() -> None:
    global _LOG
    fake_aws_environment()
    _LOG = install()
    from moto import mock_aws

    with mock_aws():
        now = [datetime(2026, 11, 24, 2, 0, tzinfo=UTC)]
        svc = _services(now)
        from chalicelib import bootstrap

        bootstrap.use(svc)
        bench_actions(svc, now)
        bench_watchdog(svc, now)
        bootstrap.use(None)


if __name__ == "__main__":
    main()
