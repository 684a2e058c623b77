"""The per-ticket clock table of docs/SERVICE_STANDARDS.md, written from the service policy
(chalicelib/domain/policy.py), so the doc and the code cannot disagree (a test checks it)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from chalicelib.domain.policy import ClockRule, ServicePolicy, WorkingDays
from chalicelib.domain.tickets import TicketType


def duration(clock: timedelta | WorkingDays) -> str:
    if isinstance(clock, WorkingDays):
        return f"{clock.days} 个工作日 working days"
    minutes = round(clock / timedelta(minutes=1))
    return f"{minutes // 60} h" if minutes % 60 == 0 and minutes >= 60 else f"{minutes} min"


def rule(clock: ClockRule) -> str:
    if clock is None:
        return "—"
    if isinstance(clock, timedelta | WorkingDays):
        return duration(clock)
    assert isinstance(clock, Mapping)
    return " / ".join(f"{key}: {duration(value)}" for key, value in clock.items())


def clock_table(policy: ServicePolicy) -> str:
    lines = [
        "| type | accept (from dispatch) | arrive (from submission) | resolve |",
        "| --- | --- | --- | --- |",
    ]
    for kind in TicketType:
        clocks = policy.clocks[kind]
        anchor = "from arrival" if clocks.resolve_after_arrival else "from submission"
        resolve = rule(clocks.resolve)
        lines.append(
            f"| `{kind.value}` | {duration(clocks.accept)} | {rule(clocks.arrive)} "
            f"| {resolve}{'' if resolve == '—' else f' ({anchor})'} |"
        )
    return "\n".join(lines)
