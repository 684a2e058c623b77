"""Import jobs: the record ops follows, its statuses, and the rules that decide its fate
(the abort threshold, what counts as created, updated or unchanged). Plain values, no I/O."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Generic, TypeVar

DEFAULT_ABORT_RATIO = 0.05  # more than 5 % of rows failing aborts before anything is written
FIRST_ERRORS = 1000
EXTENSIONS = {
    "transformer_areas": (".csv", ".xlsx", ".xlsm"),
    "customers": (".csv", ".xlsx", ".xlsm"),
    "grids": (".geojson", ".json", ".csv", ".xlsx", ".xlsm"),
    "staff": (".csv", ".xlsx", ".xlsm"),
}


class ImportStatus(StrEnum):
    AWAITING_UPLOAD = "awaiting_upload"
    VALIDATING = "validating"
    APPLYING = "applying"
    DONE = "done"
    ABORTED = "aborted"
    FAILED = "failed"


FINISHED = frozenset({ImportStatus.DONE, ImportStatus.ABORTED, ImportStatus.FAILED})


@dataclass
class Counts:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0


@dataclass
class JobError:
    row: int
    column: str
    code: str
    message: str


@dataclass
class ImportJob:
    import_id: str
    kind: str
    mode: str  # dry_run | commit
    filename: str
    size: int
    coord: str
    created_at: str
    created_by: str
    full: bool = False  # a complete customer file: the 户号 it leaves out are reported
    status: ImportStatus = ImportStatus.AWAITING_UPLOAD
    encoding: str | None = None
    done: int = 0  # rows handled so far in the current phase
    total: int = 0  # rows in the file (known once validated)
    counts: Counts = field(default_factory=Counts)
    errors: list[JobError] = field(default_factory=list)
    error_file: str | None = None  # storage key of the full error file
    ignored_columns: list[str] = field(default_factory=list)
    applied_through: int = 0  # checkpoint: every good row numbered ≤ this is applied
    message: str | None = None  # why it aborted or failed, in Chinese
    missing_customers: int | None = None  # a full customer file: 户号 stored, not in it
    missing_sample: list[str] = field(default_factory=list)  # the first 1,000 of them
    count_changes: dict[str, int] = field(default_factory=dict)  # grid -> customers ±, so far
    count_targets: dict[str, int] | None = None  # the counts being written at the end
    lease_owner: str | None = None  # the invocation working on the job …
    lease_until: str | None = None  # … until then (ISO 8601), renewed at each checkpoint

    @property
    def upload_key(self) -> str:
        return upload_key(self.import_id, self.filename)

    @property
    def finished(self) -> bool:
        return self.status in FINISHED


LEASE_SECONDS = 120  # a checkpoint comes every few seconds; a crashed run frees the job


def leased_to_another(job: ImportJob, owner: str, now: datetime) -> float:
    """Seconds until another invocation's lease on the job ends (0: free to take)."""
    if job.lease_owner in (None, owner) or job.lease_until is None:
        return 0.0
    return max(0.0, (datetime.fromisoformat(job.lease_until) - now).total_seconds())


def lease(job: ImportJob, owner: str, now: datetime, seconds: float = LEASE_SECONDS) -> None:
    job.lease_owner = owner
    job.lease_until = (now + timedelta(seconds=seconds)).isoformat()


def add_changes(total: dict[str, int], changes: Mapping[str, int]) -> None:
    """Fold one chunk's changes of grids' customer counts into the job's."""
    for grid_id, delta in changes.items():
        total[grid_id] = total.get(grid_id, 0) + delta
        if not total[grid_id]:
            del total[grid_id]


def count_targets(changes: Mapping[str, int], current: Mapping[str, int]) -> dict[str, int]:
    """What each changed grid's customer count becomes (a grid without one counts from 0)."""
    return {g: max(0, current.get(g, 0) + d) for g, d in sorted(changes.items())}


def extension_of(filename: str) -> str:
    dot = filename.rfind(".")
    return filename[dot:].casefold() if dot >= 0 else ""


def upload_key(import_id: str, filename: str) -> str:
    """The uploaded file lands under imports/{import_id}/ (the trigger's prefix)."""
    return f"imports/{import_id}/upload{extension_of(filename)}"


def import_id_of(key: str) -> str | None:
    parts = key.split("/")
    if len(parts) == 3 and parts[0] == "imports" and parts[2].startswith("upload"):
        return parts[1]
    return None


def accepts(kind: str, filename: str) -> bool:
    return extension_of(filename) in EXTENSIONS.get(kind, ())


def over_threshold(rows: int, failed: int, ratio: float) -> bool:
    """More than `ratio` (0.05 = 5 %) of the rows failed."""
    return rows > 0 and failed > ratio * rows


def abort_message(rows: int, failed: int, ratio: float) -> str:
    return (
        f"共 {rows} 行，其中 {failed} 行有错误，超过 {ratio:.0%} 的上限，"
        "本次导入没有写入任何数据。请下载错误文件修正后重新上传"
    )


V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class Upsert(Generic[V]):
    """A chunk sorted into what must be written and how it is counted."""

    writes: list[V]
    created: int
    updated: int
    unchanged: int


def classify(
    incoming: Iterable[V], existing: Mapping[str, V], key: Callable[[V], str]
) -> Upsert[V]:
    """Idempotent upsert: new keys are created, changed ones updated, equal ones left alone
    (so re-importing the same file writes nothing and counts only `unchanged`)."""
    writes: list[V] = []
    created = updated = unchanged = 0
    for value in incoming:
        before = existing.get(key(value))
        if before is None:
            created += 1
            writes.append(value)
        elif before != value:
            updated += 1
            writes.append(value)
        else:
            unchanged += 1
    return Upsert(writes, created, updated, unchanged)
