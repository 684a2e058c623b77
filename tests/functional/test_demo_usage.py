"""The local stack's usage demo: 13 months of usage and bills for the sample customers,
loaded through the usage_feed handler, readable at once, with the two reminders."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime

from moto import mock_aws

from chalicelib.domain.tariffs import DEMO_LABEL
from chalicelib.domain.usage import Quality


def test_the_demo_loads_thirteen_months_through_the_feed_handler(settings, clock) -> None:  # type: ignore[no-untyped-def]
    from chalicelib import bootstrap
    from chalicelib.notify.fakes import RecordingSmsSender
    from infra.local.demo_data import generate
    from infra.local.demo_usage import DEMO_TARIFFS, seed_demo_usage
    from infra.local.seed import sample_customers, seed

    demo = replace(settings, tariffs=DEMO_TARIFFS.read_text(encoding="utf-8"))
    with mock_aws():
        svc = bootstrap.Services(demo, clock=clock)
        svc.sms = RecordingSmsSender()
        bootstrap.use(svc)
        try:
            district = generate(300)
            seed(demo, district, say=lambda _: None)
            samples = sample_customers(district)
            started = time.perf_counter()
            results = seed_demo_usage(demo, samples, clock())
            elapsed = time.perf_counter() - started
            view = svc.usage_reader.view(samples[4].account_no)
        finally:
            bootstrap.use(None)
    assert all(r["status"] == "loaded" and r["failed"] == 0 for r in results.values())
    assert sum(r["written"] for r in results.values()) > len(samples) * (13 + 60)
    assert all(m.kwh is not None and m.amount_yuan is not None for m in view.months)
    assert len(view.days) == 30 and view.balance is not None
    assert view.tier is not None and DEMO_LABEL in view.tier.label
    assert {d.quality for d in view.days} <= set(Quality)
    # the first sample is left with arrears, the second with 12.50 元: one reminder each
    assert sorted(s.phone[-7:] for s in svc.sms.sent) == sorted(
        c.account_no[-7:] for c in samples[:2]
    )
    print(f"demo usage seeded in {elapsed:.2f}s")
    assert elapsed < 30  # in-process moto; the stack's banner shows its own time
    assert clock() > datetime(2026, 1, 1, tzinfo=UTC)
