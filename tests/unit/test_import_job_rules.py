"""The import job's pure rules: the abort threshold, what an upsert writes and counts, where
an upload lands, and the lease that keeps one invocation per job."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chalicelib.domain.imports import (
    ImportJob,
    accepts,
    classify,
    import_id_of,
    lease,
    leased_to_another,
    over_threshold,
    upload_key,
)

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def test_more_than_5_percent_failing_is_over_the_threshold() -> None:
    assert not over_threshold(100, 5, 0.05)  # exactly 5 % still goes ahead
    assert over_threshold(100, 6, 0.05)
    assert not over_threshold(0, 0, 0.05)  # an empty file aborts nothing


def test_an_upsert_writes_only_new_and_changed_records() -> None:
    existing = {"a": ("a", 1), "b": ("b", 2)}
    result = classify([("a", 1), ("b", 3), ("c", 4)], existing, key=lambda r: r[0])
    assert result.writes == [("b", 3), ("c", 4)]
    assert (result.created, result.updated, result.unchanged) == (1, 1, 1)
    again = classify([("a", 1)], existing, key=lambda r: r[0])
    assert again.writes == [] and again.unchanged == 1


def test_the_upload_lands_under_imports_and_names_its_job() -> None:
    key = upload_key("01JOB", "客户.XLSX")
    assert key == "imports/01JOB/upload.xlsx"
    assert import_id_of(key) == "01JOB"
    assert import_id_of("import-jobs/01JOB.json") is None
    assert import_id_of("imports/01JOB/elsewhere/upload.csv") is None
    assert accepts("grids", "网格.geojson") and not accepts("customers", "客户.geojson")


def test_a_lease_keeps_others_out_until_it_lapses() -> None:
    job = ImportJob("01JOB", "customers", "commit", "c.csv", 10, "wgs84", NOW.isoformat(), "O1")
    assert leased_to_another(job, "me", NOW) == 0
    lease(job, "first", NOW)
    assert leased_to_another(job, "first", NOW) == 0  # its own lease never stops it
    assert leased_to_another(job, "me", NOW) == 120
    assert leased_to_another(job, "me", NOW + timedelta(seconds=121)) == 0


def test_count_changes_fold_per_chunk_and_become_absolute_targets() -> None:
    from chalicelib.domain.imports import add_changes, count_targets

    total: dict[str, int] = {}
    add_changes(total, {"G1": 3, "G2": 1})
    add_changes(total, {"G1": -3, "G3": 2})
    assert total == {"G2": 1, "G3": 2}  # a grid back to no change drops out
    assert count_targets(total, {"G2": 40}) == {"G2": 41, "G3": 2}
