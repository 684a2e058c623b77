"""A month's report set in the bucket, replaced whole on every run.

Layout: `reports/YYYY-MM/<run>/<file>` for each run's files and `reports/YYYY-MM/manifest.json`,
written LAST, naming the run readers should use. A run never touches another run's keys, so
a reader following the manifest sees one complete set before, during and after a rerun; a
run that dies half-way leaves only unreachable keys. After switching the manifest, a run
re-reads it and — only if it is still the current run — deletes the keys of OLDER runs (run
ids sort by time), so two overlapping builds of a month cannot delete each other's set."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import msgspec

from chalicelib.store.report_files import ReportFiles

CONTENT_TYPES = {
    ".csv": "text/csv; charset=utf-8",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
}


class ManifestFile(msgspec.Struct):
    name: str
    key: str
    size: int
    content_type: str


class Manifest(msgspec.Struct):
    month: str
    run_id: str
    generated_at: str  # ISO 8601, Asia/Shanghai
    files: list[ManifestFile]


def month_prefix(month: str) -> str:
    return f"reports/{month}/"


def manifest_key(month: str) -> str:
    return f"{month_prefix(month)}manifest.json"


def read_manifest(files: ReportFiles, month: str) -> Manifest | None:
    raw = files.read(manifest_key(month))
    return msgspec.json.decode(raw, type=Manifest) if raw is not None else None


def publish(
    files: ReportFiles, month: str, run_id: str, generated_at: str, paths: Sequence[Path]
) -> Manifest:
    """Upload `paths` as run `run_id` of `month`, then switch the manifest, then tidy."""
    run_prefix = f"{month_prefix(month)}{run_id}/"
    entries = []
    for path in paths:
        key = run_prefix + path.name
        content_type = CONTENT_TYPES[path.suffix]
        files.put_file(key, path, content_type)
        entries.append(ManifestFile(path.name, key, path.stat().st_size, content_type))
    manifest = Manifest(month, run_id, generated_at, entries)
    files.put_bytes(manifest_key(month), msgspec.json.encode(manifest), CONTENT_TYPES[".json"])
    _delete_older_runs(files, month, run_id)
    return manifest


def _delete_older_runs(files: ReportFiles, month: str, run_id: str) -> None:
    current = read_manifest(files, month)
    if current is None or current.run_id != run_id:
        return  # a newer run has switched the manifest since: it tidies up, not us
    prefix = month_prefix(month)
    stale = []
    for key in files.keys(prefix):
        run, _, rest = key[len(prefix) :].partition("/")
        if rest and run < run_id:
            stale.append(key)
    files.delete(stale)
