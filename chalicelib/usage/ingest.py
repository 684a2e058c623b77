"""Load one feed file: daily readings (feeds/usage/) or monthly bills (feeds/bills/).

The file is streamed: downloaded to a scratch file, read row by row, and each good row
put as it comes (BatchWriteItem, 25 at a time); bad rows go to an error file with the
import jobs' codes (feed-errors/<feed>/<name>.errors.csv). Loading is idempotent: a day
or a bill is one item, so the same row loaded twice leaves it as it was and a corrected
file replaces the days it names; the ledger (key + ETag) skips a file already loaded,
so a re-delivered S3 event writes nothing. A bill load ends with the balance reminders
(once per account and period, through the outbox); the ledger is written only after
them, so a failed run is simply run again.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from chalicelib.domain.usage import MonthlyBill
from chalicelib.imports.columns import map_columns
from chalicelib.imports.error_file import ErrorFileWriter
from chalicelib.imports.issues import Code, RowIssue, required_missing
from chalicelib.imports.reading import UnreadableFile, open_table
from chalicelib.store.feed_files import FeedFiles
from chalicelib.store.usage import UsageStore
from chalicelib.usage.rows import COLUMNS, Feed, FeedRows, feed_of

Status = Literal["loaded", "skipped", "missing", "unreadable", "not_a_feed"]


@dataclass
class FeedResult:
    key: str
    status: Status
    rows: int = 0
    written: int = 0
    failed: int = 0
    error_file: str | None = None
    message: str | None = None
    reminders: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def error_file_key(key: str) -> str:
    return f"feed-errors/{key.removeprefix('feeds/')}.errors.csv"


@dataclass
class FeedLoader:
    usage: UsageStore
    files: FeedFiles
    reminder_due: Callable[[MonthlyBill], bool]
    remind: Callable[[Sequence[MonthlyBill]], list[str]]  # → business keys sent
    clock: Callable[[], datetime]
    workdir: str | None = None

    def load(self, key: str) -> FeedResult:
        feed = feed_of(key)
        if feed is None:
            return FeedResult(key, "not_a_feed")
        with tempfile.TemporaryDirectory(dir=self.workdir) as scratch:
            path = Path(scratch) / ("feed" + Path(key).suffix)
            etag = self.files.fetch(key, path)
            if etag is None:
                return FeedResult(key, "missing")
            if self.usage.feed_loaded(key, etag):
                return FeedResult(key, "skipped")
            errors = Path(scratch) / "errors.csv"
            try:
                result = self._load(feed, key, path, errors)
            except UnreadableFile as problem:
                return FeedResult(key, "unreadable", message=str(problem))
            if result.failed:
                result.error_file = error_file_key(key)
                self.files.put_bytes(
                    result.error_file, errors.read_bytes(), "text/csv; charset=utf-8"
                )
        if result.status == "loaded":
            self.usage.mark_feed_loaded(key, etag, self.clock())
        return result

    def _load(self, feed: Feed, key: str, path: Path, errors: Path) -> FeedResult:
        result = FeedResult(key, "loaded")
        due: list[MonthlyBill] = []
        with path.open("rb") as stream, errors.open("w", encoding="utf-8", newline="") as out:
            table = open_table(stream, key)
            header = map_columns(COLUMNS[feed], table.header)
            writer = ErrorFileWriter(out, COLUMNS[feed], table.header)
            if header.missing:
                issues = [
                    RowIssue(1, c.header, Code.REQUIRED_MISSING, required_missing(c.header))
                    for c in header.missing
                ]
                writer.write(table.header, issues)
                result.status, result.failed = "unreadable", 1
                result.message = "文件缺少必填列：" + "、".join(c.header for c in header.missing)
                return result
            checker = FeedRows(feed, header)

            def good() -> Iterator[Any]:  # DailyUsage or MonthlyBill, as the feed says
                for row in table.rows:
                    result.rows += 1
                    parsed = checker.check(row.number, row.cells)
                    if parsed.record is None:
                        writer.write(row.cells, parsed.issues)
                        result.failed += 1
                        continue
                    if isinstance(parsed.record, MonthlyBill) and self.reminder_due(parsed.record):
                        due.append(parsed.record)
                    yield parsed.record

            if feed is Feed.USAGE:
                result.written = self.usage.put_days(good())
            else:
                result.written = self.usage.put_bills(good())
        result.reminders = self.remind(due) if due else []
        return result
