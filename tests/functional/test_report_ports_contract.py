"""The report ports' fakes held to their adapters: the same tests run the report file store
(InMemoryReportFiles / S3ReportFiles) and the reference source (StaticReferenceSource /
DynamoReferenceSource) in memory and on moto. The ticket source's contract is
test_report_sources.py."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote

import pytest
from moto import mock_aws

from chalicelib.reports.reference import Reference, reference_of
from chalicelib.store.reference_source import (
    DynamoReferenceSource,
    ReferenceSource,
    StaticReferenceSource,
)
from chalicelib.store.report_files import InMemoryReportFiles, ReportFiles, S3ReportFiles
from tests import district

REGION = "us-east-1"
BUCKET = "yunge-test-files"
BUREAU = "test"
COUNTS = {"G1": 1200, "G3": 80}  # G2 and G4 have no count: their per-1,000 figures are unknown
T0 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", "s3"])
def files(request: pytest.FixtureRequest) -> Iterator[ReportFiles]:
    if request.param == "memory":
        yield InMemoryReportFiles()
        return
    with mock_aws():
        import boto3

        boto3.client("s3", region_name=REGION).create_bucket(Bucket=BUCKET)
        yield S3ReportFiles(BUCKET, REGION)


def test_files_read_back_what_was_put_and_nothing_else(files: ReportFiles, tmp_path: Path) -> None:
    files.put_bytes("reports/2026-11/run1/kpi.json", b'{"ok":1}', "application/json")
    (tmp_path / "t.csv").write_bytes("户号\n0601\n".encode())
    files.put_file("reports/2026-11/run1/tickets.csv", tmp_path / "t.csv", "text/csv")

    assert files.read("reports/2026-11/run1/kpi.json") == b'{"ok":1}'
    assert files.read("reports/2026-11/run1/tickets.csv") == "户号\n0601\n".encode()
    assert files.read("reports/2026-11/run1/missing") is None


def test_files_list_a_prefix_in_order_and_delete_exactly_what_is_named(files: ReportFiles) -> None:
    for key in ("reports/2026-11/b", "reports/2026-11/a", "reports/2026-10/a", "other/x"):
        files.put_bytes(key, b"x", "text/plain")

    assert files.keys("reports/2026-11/") == ["reports/2026-11/a", "reports/2026-11/b"]
    files.delete(["reports/2026-11/a", "reports/2026-11/never-written"])
    assert files.keys("reports/") == ["reports/2026-10/a", "reports/2026-11/b"]
    assert files.keys("nothing/") == []


def test_files_list_and_delete_past_a_thousand_keys(files: ReportFiles) -> None:
    """S3 pages a listing and caps a DeleteObjects at 1,000 keys: both are followed."""
    keys = [f"reports/2026-11/run1/f{n:04d}" for n in range(1001)]
    for key in keys:
        files.put_bytes(key, b"", "text/plain")

    assert files.keys("reports/2026-11/") == keys
    files.delete(keys)
    assert files.keys("reports/") == []


def test_a_download_link_names_the_object_and_the_file(files: ReportFiles) -> None:
    files.put_bytes("reports/2026-11/run1/kpi.xlsx", b"x", "application/octet-stream")

    url = unquote(files.download_url("reports/2026-11/run1/kpi.xlsx", "yunge-2026-11-kpi.xlsx"))

    assert "reports/2026-11/run1/kpi.xlsx" in url
    assert 'attachment; filename="yunge-2026-11-kpi.xlsx"' in url


@contextmanager
def dynamo_reference() -> Iterator[tuple[DynamoReferenceSource, list[datetime]]]:
    """The DynamoDB reference source over the district (moto), and its clock."""
    with mock_aws():
        from chalicelib.store.models import OrgModel, bind_tables, create_tables
        from chalicelib.store.org import DynamoOrgStore

        bind_tables("ref-", REGION)
        create_tables()
        DynamoOrgStore(BUREAU, lambda phone: f"h:{phone}").put_all(district.ORG)
        for grid_id, count in COUNTS.items():
            OrgModel(f"grid#{grid_id}").update(actions=[OrgModel.customer_count.set(count)])
        now = [T0]
        yield DynamoReferenceSource(BUREAU, lambda: now[0]), now


@pytest.fixture(params=["memory", "dynamo"])
def reference(request: pytest.FixtureRequest) -> Iterator[ReferenceSource]:
    if request.param == "memory":
        yield StaticReferenceSource(reference_of(district.ORG, COUNTS))
        return
    with dynamo_reference() as (source, _):
        yield source


def test_a_reference_holds_every_name_and_grid_fact_of_the_district(
    reference: ReferenceSource,
) -> None:
    loaded: Reference = reference.load()

    assert loaded == reference_of(district.ORG, COUNTS)
    assert (
        loaded.name("grid", "G4") == "边远牧区网格" and loaded.name("manager", "M2") == "网格经理2"
    )
    assert loaded.grids["G1"].customers == 1200 and loaded.grids["G2"].customers is None
    assert loaded.customers()[("station", "S1")] == 1200  # G2 has no count: not guessed


def test_the_dynamo_reference_is_read_again_only_after_a_few_minutes() -> None:
    with dynamo_reference() as (source, now):
        from chalicelib.store.models import OrgModel

        first = source.load()
        OrgModel("grid#G2").update(actions=[OrgModel.customer_count.set(500)])
        assert source.load() is first  # one read per few minutes per container
        now[0] += timedelta(minutes=5)
        assert source.load().grids["G2"].customers == 500
