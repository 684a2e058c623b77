"""Every request path has a bounded cost (issue 11, item 4): a list spans at most 366 days as
/v1/stats does, and no call fans out over more than a year's month shards."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from chalicelib.domain.org import Role
from chalicelib.reports.service import memory_report_ports
from tests import district
from tests.functional.api_client import Api

OPS = ("O1", Role.OPS)
MAX_MONTHS = 16  # 366 days touch at most 13 calendar months; the settle read ~2 months past as_of


@pytest.fixture
def reads(api: Api, monkeypatch: pytest.MonkeyPatch) -> list[set[str]]:
    """The months of the month shards each ticket read touched."""
    svc = api.services
    svc.reports = memory_report_ports(svc.tickets, district.ORG, {"G1": 10})
    seen: list[set[str]] = []

    def months(parts: Sequence[Any]) -> set[str]:
        # month shards, and the by_settle shards of tickets created earlier (not "open#NN")
        keys = (p.key.split("#")[0] for p in parts if p.index in ("by_month", "by_settle"))
        return {k for k in keys if k != "open"}

    page, tickets = svc.tickets.page, svc.reports.source.tickets
    monkeypatch.setattr(
        svc.tickets, "page", lambda sources, *a: seen.append(months(sources)) or page(sources, *a)
    )
    monkeypatch.setattr(
        svc.reports.source,
        "tickets",
        lambda parts, *a: seen.append(months(parts)) or tickets(parts, *a),
    )
    return seen


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2025-01-01&to=2026-01-02", "to"),  # 367 days
        ("from=2000-01-01", "from"),  # open-ended: counted to today
    ],
)
def test_a_list_spans_at_most_366_days_and_says_so(
    api: Api, reads: list[set[str]], query: str, field: str
) -> None:
    reply = api.call("GET", f"/v1/tickets?{query}", as_=OPS)
    assert reply.status == 400, reply.body
    assert "366" in reply.body["error"]["fields"][field]
    assert reads == []


@pytest.mark.parametrize(
    "path",
    [
        "/v1/tickets?from=2025-11-25&to=2026-11-25",  # 366 days, both inclusive
        "/v1/tickets?from=2025-11-25",
        "/v1/tickets?to=2026-11-24",
        "/v1/stats?from=2025-11-25&to=2026-11-25",
        "/v1/stats?to=2026-11-24",
    ],
)
def test_the_longest_reads_touch_at_most_a_year_of_month_shards(
    api: Api, reads: list[set[str]], path: str
) -> None:
    assert api.call("GET", path, as_=OPS).status == 200
    assert reads and all(0 < len(months) <= MAX_MONTHS for months in reads), reads


def test_a_report_reads_its_month_and_the_earlier_tickets_not_yet_settled(
    api: Api, reads: list[set[str]]
) -> None:
    assert api.call("POST", "/v1/reports", {"month": "2026-10"}, as_=OPS).status == 201
    created, earlier = reads
    assert created == {"2026-10"}  # the month's own tickets
    assert "2026-10" in earlier and len(earlier) <= MAX_MONTHS  # settling in Oct or later
