"""Seed a fresh demo district into moto and describe it: demo.json and the ready banner."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from chalicelib.bootstrap import services
from chalicelib.config import Settings, get_settings
from chalicelib.domain.calendar import uncovered
from chalicelib.domain.phone import mask
from chalicelib.lifecycle.calendar_watch import coverage_warning
from chalicelib.observability import mask_name
from infra.local.demo_data import generate
from infra.local.demo_month import seed_demo_month
from infra.local.demo_usage import seed_demo_usage
from infra.local.moto_patch import new_stream
from infra.local.seed import sample_customers, seed, write_demo_json

Banner = Callable[[float, str], str]


def prepare(local_dir: Path, base_url: str, timings: dict[str, float]) -> tuple[Settings, Banner]:
    """Seed and describe the district; `timings` (seconds per startup step) gains ours."""
    settings = get_settings()
    count = int(os.environ.get("YUNGE_DEMO_CUSTOMERS", "5000"))
    started = time.perf_counter()
    district = generate(count)
    timings["generate"] = time.perf_counter() - started
    print(
        f"云格 local stack: seeding the demo district into moto ({count:,} customers)…", flush=True
    )
    timings.update(seed(settings, district, say))
    started = time.perf_counter()
    tickets = int(os.environ.get("YUNGE_DEMO_TICKETS", "2000"))
    seed_demo_month(settings, district, datetime.now(UTC), tickets, policy=services().policy)
    # Imported history, not submissions: the pump starts after it, as a trigger added after
    # an import would, instead of handing thousands of old INSERTs to the dispatcher before
    # the first real ticket (over a minute on a busy machine).
    new_stream(settings.table("tickets"), settings.region)
    timings["last month"] = time.perf_counter() - started
    say(f"  seeded last month's {tickets:,} tickets in {timings['last month']:.1f}s")
    demo_json = local_dir / "demo.json"
    write_demo_json(demo_json, district, base_url)
    sms_log = Path(settings.sms_log_path)
    sms_log.parent.mkdir(parents=True, exist_ok=True)
    sms_log.write_text("", encoding="utf-8")  # the phones of the previous run are gone too
    started = time.perf_counter()
    usage = seed_demo_usage(settings, sample_customers(district), datetime.now(UTC))
    timings["usage"] = time.perf_counter() - started
    rows = sum(int(r["written"]) for r in usage.values())
    say(f"  loaded 13 months of usage and bills ({rows:,} rows) in {timings['usage']:.1f}s")
    if os.environ.get("YUNGE_DEMO_REPORT", "1") != "0":
        demo_report(timings)

    calendar_line = coverage_warning(uncovered(services().calendar, datetime.now(UTC).date()))
    sample = next(c for c in sample_customers(district) if not c.important)
    manager = next(s for s in district.staff if s.grid_ids)

    holder, staff = (
        mask_name(sample.holder_name),
        f"{mask_name(manager.name)} {mask(manager.phone)}",
    )

    def banner(elapsed: float, moto_url: str) -> str:
        steps = " · ".join(f"{name} {seconds:.2f}s" for name, seconds in timings.items())
        return "\n".join(
            (
                "",
                f"云格 Yunge local stack ready in {elapsed:.1f}s  ({steps})",
                f"  API        {base_url}/v1/health   (OpenAPI: {base_url}/v1/openapi.json)",
                f"  demo data  {len(district.grids)} grids · {len(district.transformer_areas)} "
                f"transformer areas · {len(district.staff)} staff · "
                f"{len(district.customers)} customers · {tickets} tickets last month",
                f"  demo.json  {demo_json}   (sample accounts and every staff phone)",
                f"  SMS        {sms_log}   (each SMS is also printed here)",
                f"  moto       {moto_url}",
                *clock_line(settings.clock_scale),
                *([f"  calendar   {calendar_line}"] if calendar_line else []),
                "",
                "  Try:",
                f"    curl -s {base_url}/v1/health",
                f"    curl -s -X POST {base_url}/v1/auth/wechat "
                """-H 'Content-Type: application/json' -d '{"code": "dev:demo-openid"}'""",
                f"    # then bind account {sample.account_no} (holder {holder}, full name in "
                "demo.json) with POST /v1/me/accounts,",
                f"    # and read its usage: GET /v1/me/accounts/{sample.account_no}/usage",
                f"    # staff login: POST /v1/auth/staff/otp with a phone from demo.json "
                f"({staff}), the code arrives in sms.jsonl",
                "",
                "  Ctrl-C (or make stop) stops the stack.",
                "",
            )
        )

    return settings, banner


def demo_report(timings: dict[str, float]) -> None:
    """Last month's report set, as the schedule builds it on the 1st: GET /v1/stats for that
    month then answers from its kpi.json (reports/stats.py) instead of querying ~2,000
    tickets through moto (≈ 2.4 s; `python -m bench stats`). YUNGE_DEMO_REPORT=0 skips."""
    from chalicelib.reports.service import monthly_report

    started = time.perf_counter()
    manifest = monthly_report(services())
    timings["report"] = time.perf_counter() - started
    say(
        f"  built last month's report ({manifest.month}) in {timings['report']:.1f}s, "
        "as the 1st's schedule would: /v1/stats for that month reads it"
    )


def say(line: str) -> None:
    print(line, flush=True)


def clock_line(scale: float) -> tuple[str, ...]:
    """A banner line when YUNGE_CLOCK_SCALE shortens the service clocks (none at 1)."""
    if scale == 1:
        return ()
    return (
        f"  clocks     ×{scale:g} (YUNGE_CLOCK_SCALE): every service clock runs "
        f"{1 / scale:g}× faster than the service standards",
    )
