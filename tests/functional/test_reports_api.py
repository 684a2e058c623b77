"""GET /v1/stats, POST /v1/reports and GET /v1/reports through the app, over in-memory fakes."""

from __future__ import annotations

import zipfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from io import BytesIO
from typing import Any

import msgspec
import pytest

from chalicelib.domain.calendar import SHANGHAI
from chalicelib.domain.org import Role
from chalicelib.domain.tickets import Status, Ticket, TicketType
from chalicelib.reports.service import memory_report_ports
from tests import district

OPS, CHIEF_S1, DUTY = ("O1", Role.OPS), ("C1", Role.CHIEF), ("D1", Role.BRANCH)
NOVEMBER = {"from": "2026-11-01", "to": "2026-11-30"}
M = timedelta(minutes=1)
GRIDS = {g.grid_id: g for g in district.GRIDS}


def fault(n: int, grid: str, created: datetime, arrive_after: timedelta) -> Ticket:
    g = GRIDS[grid]
    return Ticket(
        ticket_id=f"T{n:04d}",
        number=f"261110-{n:06d}",
        type=TicketType.FAULT_REPAIR,
        status=Status.CLOSED,
        owner_id="openid",
        account_no="0601000001",
        contact_phone="13812345678",
        description="停电",
        address="地址",
        ta_id="T" + grid[1:],
        grid_id=grid,
        station_id=g.station_id,
        branch_id=g.branch_id,
        area_class=g.area_class.value,
        created_at=created,
        updated_at=created,
        assignee_id=g.manager_id,
        escalation_level=1,
        clocks={
            "dispatched_at": created + M,
            "accept_due": created + 11 * M,
            "accepted_at": created + 3 * M,
            "arrive_due": created + 45 * M,
            "arrived_at": created + arrive_after,
            "resolve_due": created + arrive_after + timedelta(hours=3),
            "resolved_at": created + arrive_after + timedelta(hours=1),
            "closed_at": created + timedelta(hours=5),
        },
        outcome={"cause": "线路故障", "rating": 5, "arrive_location": {"lat": 1, "lng": 2}},
    )


@pytest.fixture
def month(api: Any, clock: Any) -> Any:
    """Given a November: two faults in G1 (S1, one late), one in G3 (S2); the report runs
    at 01:00 on 1 December, Asia/Shanghai."""
    svc = api.services
    svc.reports = memory_report_ports(svc.tickets, district.ORG, {"G1": 400, "G3": 100})
    day = datetime(2026, 11, 10, 9, 0, tzinfo=SHANGHAI)
    for ticket in (
        fault(1, "G1", day, 20 * M),
        fault(2, "G1", day + timedelta(days=1), 60 * M),
        fault(3, "G3", day, 30 * M),
    ):
        svc.tickets.tickets[ticket.ticket_id] = ticket
    clock.now = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
    return api


def test_ops_see_the_bureau(month: Any) -> None:
    reply = month.call("GET", "/v1/stats?from=2026-11-01&to=2026-11-30", as_=OPS)
    assert reply.status == 200
    total = reply.body["total"]
    assert total["tickets"] == 3 and total["customers"] == 500
    assert total["arrival"] == {"numerator": 2, "denominator": 3, "rate": 0.6667}
    assert {g["kind"] for g in reply.body["groups"]} == {"branch", "station"}


def test_a_chief_sees_only_their_station(month: Any) -> None:
    reply = month.call("GET", "/v1/stats?group_by=grid", as_=CHIEF_S1)
    assert reply.status == 200  # this month so far, by default
    assert reply.body["period_from"] == "2026-12-01"
    reply = month.call("GET", "/v1/stats?from=2026-11-01&to=2026-11-30&group_by=grid", as_=CHIEF_S1)
    assert reply.body["total"]["tickets"] == 2
    assert {g["id"] for g in reply.body["groups"]} == {"G1", "G2"}
    assert month.call("GET", "/v1/stats?grid_id=G1", as_=CHIEF_S1).status == 200
    assert month.call("GET", "/v1/stats?station_id=S2", as_=CHIEF_S1).status == 403
    assert month.call("GET", "/v1/stats?grid_id=G3", as_=CHIEF_S1).status == 403
    assert month.call("GET", "/v1/stats?branch_id=B1", as_=CHIEF_S1).status == 403


def test_a_branch_officer_sees_their_branch(month: Any) -> None:
    reply = month.call("GET", "/v1/stats?from=2026-11-01&to=2026-11-30", as_=DUTY)
    assert reply.status == 200 and reply.body["total"]["tickets"] == 3


@pytest.mark.parametrize("who", [("openid-1", Role.CUSTOMER), ("M1", Role.MANAGER)])
def test_customers_and_managers_are_refused(month: Any, who: tuple[str, Role]) -> None:
    assert month.call("GET", "/v1/stats", as_=who).status == 403
    assert month.call("GET", "/v1/reports?month=2026-11", as_=who).status == 403


@pytest.mark.parametrize(
    "query, field",
    [
        ("from=2026-13-01", "from"),
        ("to=yesterday", "to"),
        ("from=2026-11-05&to=2026-11-01", "from"),
        ("group_by=city", "group_by"),
    ],
)
def test_bad_dates_are_400(month: Any, query: str, field: str) -> None:
    reply = month.call("GET", f"/v1/stats?{query}", as_=OPS)
    assert reply.status == 400 and field in reply.body["error"]["fields"]


def test_unknown_scope_is_404(month: Any) -> None:
    assert month.call("GET", "/v1/stats?grid_id=G99", as_=OPS).status == 404


def test_build_then_list_the_report(month: Any) -> None:
    assert month.call("GET", "/v1/reports?month=2026-11", as_=OPS).status == 404
    built = month.call("POST", "/v1/reports", {"month": "2026-11"}, as_=OPS)
    assert built.status == 201
    names = [f["name"] for f in built.body["files"]]
    assert names == ["tickets.csv", "tickets.xlsx", "kpi.xlsx", "report.html", "kpi.json"]
    listed = month.call("GET", "/v1/reports?month=2026-11", as_=OPS)
    assert listed.status == 200 and listed.body == built.body
    assert all(f["size"] > 0 and f["url"].startswith("https://") for f in listed.body["files"])
    files = month.services.reports.files
    xlsx = files.read(next(f.key for f in _manifest(files).files if f.name == "kpi.xlsx"))
    assert "总览" in zipfile.ZipFile(BytesIO(xlsx)).read("xl/workbook.xml").decode()


def test_rebuilding_a_month_replaces_the_set(month: Any, clock: Any) -> None:
    month.call("POST", "/v1/reports", {"month": "2026-11"}, as_=OPS)
    clock.advance(hours=1)
    month.call("POST", "/v1/reports", {"month": "2026-11"}, as_=OPS)
    files = month.services.reports.files
    keys = files.keys("reports/2026-11/")
    assert len(keys) == 6 and files.writes[-1] == "reports/2026-11/manifest.json"
    assert all(_manifest(files).run_id in k for k in keys if not k.endswith("manifest.json"))


@pytest.mark.parametrize("body", [{"month": "2026-1"}, {"month": "2027-01"}, {}])
def test_bad_or_future_months_are_400(month: Any, body: dict[str, str]) -> None:
    assert month.call("POST", "/v1/reports", body, as_=OPS).status == 400


def test_reports_are_for_ops(month: Any) -> None:
    assert month.call("POST", "/v1/reports", {"month": "2026-11"}, as_=CHIEF_S1).status == 403


def test_the_schedule_builds_the_month_that_ended(month: Any) -> None:
    import app

    event = {
        "version": "0",
        "id": "e1",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": "2026-11-30T17:00:00Z",
        "region": "us-east-1",
        "resources": ["arn:aws:events:us-east-1:123456789012:rule/monthly_report"],
        "detail": {},
    }
    result = app.monthly_report(event, None)
    assert result["month"] == "2026-11" and result["files"] == 5


def _manifest(files: Any) -> Any:
    from chalicelib.reports.publish import read_manifest

    return read_manifest(files, "2026-11")


class CountedReads:
    """A ticket source that counts its reads and yields nothing."""

    def __init__(self) -> None:
        self.reads = 0

    def tickets(self, *args: Any) -> Any:
        self.reads += 1
        return iter(())


def test_a_closed_month_is_answered_from_its_report_with_the_figures_computing_gives(
    month: Any, clock: Any
) -> None:
    from chalicelib.reports.build import compute
    from chalicelib.reports.stats import period

    svc = month.services
    tickets = svc.tickets.tickets
    late = datetime(2026, 11, 30, 23, 0, tzinfo=SHANGHAI)  # still open when November ends
    still_open = replace(
        fault(4, "G3", late, 20 * M),
        status=Status.DISPATCHED,
        clocks={
            "dispatched_at": late + M,
            "accept_due": late + 11 * M,
            "arrive_due": late + 45 * M,
        },
    )
    tickets[still_open.ticket_id] = still_open
    assert month.call("POST", "/v1/reports", {"month": "2026-11"}, as_=OPS).status == 201

    clock.advance(days=5)  # December goes on: the open ticket is reached, accepted, closed
    done = fault(4, "G3", late, timedelta(hours=30))
    tickets[done.ticket_id] = replace(done, updated_at=late + timedelta(hours=5))
    everything = "&group_by=branch,station,grid,manager"
    computed = compute(svc.reports, period(NOVEMBER, clock.now), svc.policy)
    svc.reports = replace(svc.reports, source=(source := CountedReads()))
    reply = month.call("GET", "/v1/stats?from=2026-11-01&to=2026-11-30" + everything, as_=OPS)

    assert reply.status == 200 and source.reads == 0
    expected = msgspec.to_builtins(computed)
    assert reply.body["as_of"] == "2026-12-01T01:00:00+08:00"  # when the report judged it
    assert {**reply.body, "as_of": None} == {**expected, "as_of": None}
    assert reply.body["total"]["tickets"] == 4 and reply.body["total"]["open_at_end"] == 1


@pytest.mark.parametrize(
    "query",
    [
        "from=2026-11-01&to=2026-11-29",  # not the whole month
        "from=2026-11-01&to=2026-11-30&station_id=S1",  # not the bureau
    ],
)
def test_other_periods_and_scopes_are_computed(month: Any, clock: Any, query: str) -> None:
    month.call("POST", "/v1/reports", {"month": "2026-11"}, as_=OPS)
    month.services.reports = replace(month.services.reports, source=(source := CountedReads()))
    assert month.call("GET", f"/v1/stats?{query}", as_=OPS).status == 200
    assert source.reads > 0


def test_a_report_built_before_the_month_ended_is_not_used(month: Any, clock: Any) -> None:
    clock.now = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    month.call("POST", "/v1/reports", {"month": "2026-11"}, as_=OPS)
    clock.advance(days=2)
    month.services.reports = replace(month.services.reports, source=(source := CountedReads()))
    assert month.call("GET", "/v1/stats?from=2026-11-01&to=2026-11-30", as_=OPS).status == 200
    assert source.reads > 0


def test_a_report_in_an_older_shape_is_computed_over(month: Any, clock: Any) -> None:
    month.call("POST", "/v1/reports", {"month": "2026-11"}, as_=OPS)
    files = month.services.reports.files
    kpi = next(f for f in _manifest(files).files if f.name == "kpi.json")
    files.put_bytes(kpi.key, b'{"period_from": "2026-11-01"}', "application/json")
    clock.advance(days=2)
    month.services.reports = replace(month.services.reports, source=(source := CountedReads()))
    assert month.call("GET", "/v1/stats?from=2026-11-01&to=2026-11-30", as_=OPS).status == 200
    assert source.reads > 0


def _outage(outage_id: str, grid: str, formed: datetime, restored: datetime, customers: int) -> Any:
    from chalicelib.domain.outage_vocabulary import OutageKind, OutageScope, OutageState
    from chalicelib.domain.outages import Outage

    g = GRIDS[grid]
    return Outage(
        outage_id=outage_id,
        kind=OutageKind.FAULT,
        state=OutageState.RESTORED,
        scope=OutageScope.TRANSFORMER_AREA,
        ta_ids=("T" + grid[1:],),
        station_id=g.station_id,
        branch_id=g.branch_id,
        grid_id=grid,
        created_at=formed,
        updated_at=restored,
        restored_at=restored,
        customers_affected=customers,
    )


@pytest.fixture
def outages(month: Any) -> Any:
    """Two restored fault outages in November: G1 (urban, S1) 90 min × 40 customers, G3
    (S2) 300 min × 20 customers; the month fixture's 500 customers."""
    svc = month.services
    day = datetime(2026, 11, 12, 9, 0, tzinfo=SHANGHAI)
    for o in (
        _outage("O1", "G1", day, day + 90 * M, 40),
        _outage("O2", "G3", day, day + 300 * M, 20),
    ):
        svc.outages.outages[o.outage_id] = o
    svc.reports = replace(svc.reports, outages=svc.outages)
    return month


def test_stats_count_the_periods_outages_within_the_callers_scope(outages: Any) -> None:
    bureau = outages.call("GET", "/v1/stats?from=2026-11-01&to=2026-11-30", as_=OPS).body
    station = outages.call("GET", "/v1/stats?from=2026-11-01&to=2026-11-30", as_=CHIEF_S1).body

    assert bureau["outages"]["outages"] == 2 and bureau["outages"]["customers_affected"] == 60
    # 40 × 90 + 20 × 300 = 9,600 customer-minutes over 500 customers: 19,200 per 1,000
    assert bureau["outages"]["customer_minutes"] == 9600
    assert bureau["outages"]["customer_minutes_per_1000"] == 19200.0
    assert station["outages"]["outages"] == 1 and station["outages"]["customer_minutes"] == 3600


def test_the_monthly_report_shows_the_outage_figures(outages: Any) -> None:
    built = outages.call("POST", "/v1/reports", {"month": "2026-11"}, as_=OPS)
    assert built.status == 201
    files = outages.services.reports.files
    read = {f.name: files.read(f.key) for f in _manifest(files).files}

    figures = msgspec.json.decode(read["kpi.json"])["outages"]
    page = read["report.html"].decode()

    assert figures["outages"] == 2 and figures["by_kind"]["fault"] == 2
    assert figures["customer_minutes"] == 9600
    urban = next(r for r in figures["restoration"] if r["area_class"] == "urban")
    assert (urban["restored"], urban["within_commitment"], urban["commitment_minutes"]) == (
        1,
        1,
        225.0,  # 45 min to arrive + 3 h to restore
    )
    assert "停电事件" in page and "9,600" in page and "19,200" in page
    xlsx = zipfile.ZipFile(BytesIO(read["kpi.xlsx"]))
    assert "停电时户数" in xlsx.read("xl/worksheets/sheet1.xml").decode()  # 总览


def test_a_kpi_json_from_before_outages_counted_still_decodes(month: Any) -> None:
    from chalicelib.reports.figures import KpiSet

    month.call("POST", "/v1/reports", {"month": "2026-11"}, as_=OPS)
    files = month.services.reports.files
    key = next(f.key for f in _manifest(files).files if f.name == "kpi.json")
    old = msgspec.json.decode(files.read(key))
    del old["outages"]

    kept = msgspec.json.decode(msgspec.json.encode(old), type=KpiSet)

    assert kept.outages is None and kept.total.tickets == 3


def test_stats_of_a_month_built_before_outages_counted_are_computed(month: Any, clock: Any) -> None:
    month.call("POST", "/v1/reports", {"month": "2026-11"}, as_=OPS)
    files = month.services.reports.files
    key = next(f.key for f in _manifest(files).files if f.name == "kpi.json")
    old = msgspec.json.decode(files.read(key))
    del old["outages"]
    files.put_bytes(key, msgspec.json.encode(old), "application/json")
    clock.advance(days=2)
    month.services.reports = replace(month.services.reports, source=(source := CountedReads()))

    reply = month.call("GET", "/v1/stats?from=2026-11-01&to=2026-11-30", as_=OPS)

    assert reply.status == 200 and reply.body["outages"]["outages"] == 0
    assert source.reads > 0
