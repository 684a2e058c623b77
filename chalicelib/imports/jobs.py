"""Running an import job once its file is uploaded: validate every row (dry run stops
there), abort before writing anything when too many rows fail, else apply the good rows in
chunks, checkpointing after each one so that an invocation running out of time stops
cleanly and the next continues after the last applied row — never from row 1 again, never
applying a row twice.

Ports only: files (upload, job records, error file), the org and customer stores, the grid
shapes, a clock and the time left in this invocation.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from chalicelib.domain.imports import (
    DEFAULT_ABORT_RATIO,
    ImportJob,
    ImportStatus,
    JobError,
    abort_message,
    add_changes,
    count_targets,
    lease,
    leased_to_another,
    over_threshold,
)
from chalicelib.domain.org import Grid, TransformerArea
from chalicelib.geo.coords import BAYANNUR, Bbox, Coord
from chalicelib.store.customers import CustomerStore
from chalicelib.store.import_files import ImportFiles, JobStore, StaleWrite
from chalicelib.store.org import OrgStore

from .apply import OrgSnapshot, Shapes, apply_customers, apply_org
from .cells import CellProblem, identifier
from .columns import Kind
from .error_file import ErrorFileWriter
from .issues import RowIssue
from .reading import SourceRow, UnreadableFile, open_table
from .records import CustomerRow
from .rows import Checked
from .validation import FIRST_ERRORS, MissingColumns, Tally, header_of

CHUNK = 1000  # rows applied between checkpoints
SPOOL = "good-rows.msgpack"
PROGRESS_EVERY = 20_000  # rows validated between progress saves
MARGIN_SECONDS = 60.0  # stop and checkpoint when less than this is left


@dataclass
class ImportPorts:
    files: ImportFiles
    org: OrgStore
    customers: CustomerStore
    shapes: Shapes | None
    clock: Callable[[], datetime]
    abort_ratio: float = DEFAULT_ABORT_RATIO
    bbox: Bbox = BAYANNUR
    workdir: Path | None = None
    sleep: Callable[[float], None] = field(default=lambda seconds: time.sleep(seconds))
    owner: str = field(default_factory=lambda: uuid.uuid4().hex)  # this invocation
    jobs: JobStore = field(init=False)

    def __post_init__(self) -> None:
        self.jobs = JobStore(self.files)

    def save(self, job: ImportJob) -> None:
        """Checkpoint, renewing this invocation's lease; `StaleWrite` if another took over."""
        lease(job, self.owner, self.clock())
        self.jobs.save(job)


def error_file_key(import_id: str) -> str:
    return f"import-jobs/{import_id}/errors.csv"


def _references(kind: Kind, org: OrgStore) -> dict[str, set[str]]:
    """The store's ids a file's rows may name (a row naming one neither here nor earlier
    in the file is UNKNOWN_REF)."""
    if kind is Kind.CUSTOMERS:
        return {"ta": {e.ta_id for e in org.all_of("ta") if isinstance(e, TransformerArea)}}
    if kind in (Kind.TRANSFORMER_AREAS, Kind.STAFF):
        return {"grid": {e.grid_id for e in org.all_of("grid") if isinstance(e, Grid)}}
    return {}


def _checked(job: ImportJob, stream: IO[bytes], refs: dict[str, set[str]], bbox: Bbox) -> Any:
    """(table, iterator of (row, checked)) for the uploaded file."""
    from .grids import check_grids
    from .validation import check_rows

    kind = Kind(job.kind)
    table = open_table(stream, job.filename)
    coord = Coord(job.coord)
    if kind is Kind.GRIDS:
        header_of(kind, table)
        return table, iter(check_grids(table, coord, bbox))
    return table, check_rows(kind, table, refs, bbox=bbox, coord=coord)


def _errors(issues: Iterable[RowIssue]) -> list[JobError]:
    return [JobError(i.row, i.column, i.code.value, i.message) for i in issues]


def process(ports: ImportPorts, import_id: str, seconds_left: Callable[[], float]) -> bool:
    """Work on the job until it finishes (True) or time runs short (False: invoke again).

    One invocation at a time: it takes the job's lease with a conditional write and renews
    it at every checkpoint. A second delivery of the same event finds the lease held and
    leaves (after waiting for it to lapse, if its holder may have crashed)."""
    from chalicelib.observability import logger

    job = _claim(ports, import_id, seconds_left)
    if job is None:
        return True
    try:
        return _work(ports, job, seconds_left)
    except StaleWrite:
        logger.warning("import %s: another invocation took the job over", import_id)
        return True


def _claim(
    ports: ImportPorts, import_id: str, seconds_left: Callable[[], float]
) -> ImportJob | None:
    for attempt in range(2):
        job = ports.jobs.get(import_id)
        if job is None or job.finished:
            return None
        wait = leased_to_another(job, ports.owner, ports.clock())
        if wait:
            if attempt or wait > seconds_left() - MARGIN_SECONDS:
                return None  # its holder is working on it
            ports.sleep(wait)  # perhaps a crashed run's lease: let it lapse, then look again
            continue
        try:
            ports.save(job)
        except StaleWrite:
            return None  # another invocation claimed it between our read and write
        return job
    return None


def _work(ports: ImportPorts, job: ImportJob, seconds_left: Callable[[], float]) -> bool:
    with tempfile.TemporaryDirectory(dir=ports.workdir) as scratch:
        path = Path(scratch) / f"upload{Path(job.upload_key).suffix}"
        if not ports.files.download(job.upload_key, path):
            return True  # nothing uploaded yet: the upload's own event will come
        try:
            if job.status in (ImportStatus.AWAITING_UPLOAD, ImportStatus.VALIDATING):
                _validate(ports, job, path, Path(scratch))
                if job.finished:
                    return True
            spool = Path(scratch) / SPOOL
            done = _apply(ports, job, path, spool if spool.exists() else None, seconds_left)
        except (UnreadableFile, MissingColumns) as problem:
            job.status = ImportStatus.FAILED
            if isinstance(problem, MissingColumns):
                job.errors = _errors(problem.issues)
                job.message = "文件缺少必填列"
            else:
                job.message = str(problem)
            ports.save(job)
            return True
        if not done:  # hand the job to the next invocation at once
            job.lease_until = ports.clock().isoformat()
            ports.jobs.save(job)
        return done


def _validate(ports: ImportPorts, job: ImportJob, path: Path, scratch: Path) -> None:
    job.status, job.done = ImportStatus.VALIDATING, 0
    ports.save(job)
    kind = Kind(job.kind)
    errors_path = scratch / "errors.csv"
    tally = Tally()
    spool = _Spool(scratch / SPOOL) if job.mode == "commit" else None
    named: set[str] | None = set() if kind is Kind.CUSTOMERS and job.full else None
    with path.open("rb") as stream, errors_path.open("w", encoding="utf-8", newline="") as out:
        table, checked = _checked(job, stream, _references(kind, ports.org), ports.bbox)
        job.encoding = table.encoding
        header = header_of(kind, table)
        job.ignored_columns = list(header.ignored)
        writer = ErrorFileWriter(out, kind, table.header)
        account_at = header.positions.get("account_no", 0)
        for row, result in checked:
            if named is not None and account_at < len(row.cells):
                named.add(_account_no(row.cells[account_at]))
            tally.count(result)
            if result.issues:
                writer.write(row.cells, result.issues)
            elif spool is not None:
                spool.write(tally.rows, row.number, result.record)
            job.done = tally.rows
            if tally.rows % PROGRESS_EVERY == 0:
                ports.save(job)
    if spool is not None:
        spool.close()
    job.total = job.counts.rows = tally.rows
    job.counts.failed = tally.failed
    job.errors = _errors(tally.errors[:FIRST_ERRORS])
    if named is not None:
        _missing_customers(ports, job, named)
    if writer.rows:
        key = error_file_key(job.import_id)
        ports.files.put_bytes(key, errors_path.read_bytes(), "text/csv; charset=utf-8")
        job.error_file = key
    if over_threshold(tally.rows, tally.failed, ports.abort_ratio):
        job.status = ImportStatus.ABORTED
        job.message = abort_message(tally.rows, tally.failed, ports.abort_ratio)
    elif job.mode != "commit":
        job.status = ImportStatus.DONE
    else:
        job.status, job.done = ImportStatus.APPLYING, 0
    ports.save(job)


def _account_no(cell: str) -> str:
    try:
        return identifier(cell)
    except CellProblem:
        return cell.strip()


def _missing_customers(ports: ImportPorts, job: ImportJob, named: set[str]) -> None:
    """Customers the store has and a full customer file does not name — reported, never
    deleted. One Scan of the 户号, in the import Lambda (never on a request path); only when
    ops says the file is complete, since a partial file would leave out most of them."""
    missing = 0
    sample: list[str] = []
    for account_no in ports.customers.account_nos():
        if account_no not in named:
            missing += 1
            if len(sample) < FIRST_ERRORS:
                sample.append(account_no)
    job.missing_customers = missing
    job.missing_sample = sample


class _Spool:
    """The rows that passed validation, as parsed, kept on local disk for the apply phase of
    the same invocation (so a commit reads and checks the file once): length-prefixed
    msgpack frames of (rows read, row number, record)."""

    def __init__(self, path: Path) -> None:
        import msgspec

        self._out = path.open("wb")
        self._encode = msgspec.msgpack.Encoder().encode

    def write(self, seen: int, number: int, record: Any) -> None:
        frame = self._encode((seen, number, record))
        self._out.write(len(frame).to_bytes(4, "big") + frame)

    def close(self) -> None:
        self._out.close()

    @staticmethod
    def read(path: Path, kind: Kind) -> Iterator[tuple[int, int, Any]]:
        import msgspec

        from .rows import RECORDS

        decoder = msgspec.msgpack.Decoder(tuple[int, int, RECORDS[kind]])  # type: ignore[valid-type]
        with path.open("rb") as src:
            while head := src.read(4):
                yield decoder.decode(src.read(int.from_bytes(head, "big")))


def _good_rows(checked: Iterator[tuple[SourceRow, Checked]], after: int) -> Iterator[Any]:
    """(rows read, row number, record) of the rows that passed, numbered after the
    checkpoint. Rows before it are still read and checked — so duplicates within the file
    are recognised alike — but never applied again."""
    for seen, (row, result) in enumerate(checked, start=1):
        if result.record is not None and row.number > after:
            yield seen, row.number, result.record


def _apply(
    ports: ImportPorts,
    job: ImportJob,
    path: Path,
    spool: Path | None,
    seconds_left: Callable[[], float],
) -> bool:
    kind = Kind(job.kind)
    snapshot = OrgSnapshot(ports.org)
    chunk: list[tuple[int, int, Any]] = []
    with path.open("rb") as stream:
        if spool is not None:  # validated in this invocation: its good rows, already parsed
            good = _Spool.read(spool, kind)
        else:  # a continuation: read and check the file again up to the checkpoint
            _, checked = _checked(job, stream, _references(kind, ports.org), ports.bbox)
            good = _good_rows(checked, job.applied_through)
        for numbered in good:
            chunk.append(numbered)
            if len(chunk) == CHUNK:
                if seconds_left() < MARGIN_SECONDS:
                    return False  # the checkpoint is saved: the next invocation goes on
                _apply_chunk(ports, job, kind, chunk, snapshot)
                chunk = []
    if chunk:
        if seconds_left() < MARGIN_SECONDS:
            return False
        _apply_chunk(ports, job, kind, chunk, snapshot)
    _write_counts(ports, job)
    if kind in (Kind.GRIDS, Kind.STAFF):
        _redraw_maps(ports)
    job.status, job.done = ImportStatus.DONE, job.total
    ports.save(job)
    return True


def _write_counts(ports: ImportPorts, job: ImportJob) -> None:
    """The grids' customer counts, written once per job: the targets are computed and saved
    with the job first, then set (an UpdateItem SET per grid, so a run that crashed half
    way and is taken over sets the same values again, never adds twice)."""
    if job.count_changes and job.count_targets is None:
        current = ports.org.customer_counts(job.count_changes)
        job.count_targets = count_targets(job.count_changes, current)
        job.count_changes = {}
        ports.save(job)
    if job.count_targets is not None:
        ports.org.set_customer_counts(job.count_targets)
        job.count_targets = None
        ports.save(job)


def _redraw_maps(ports: ImportPorts) -> None:
    """Grids and managers are what the maps show: draw them again (a failure to draw is
    logged, never the import's failure — the data is already applied)."""
    from chalicelib.observability import logger

    from .maps import render_maps

    try:
        render_maps(ports.files, ports.org)
    except Exception:
        logger.exception("grid maps were not redrawn")


def _apply_chunk(
    ports: ImportPorts,
    job: ImportJob,
    kind: Kind,
    chunk: list[tuple[int, int, Any]],
    snapshot: OrgSnapshot,
) -> None:
    records = [record for _, _, record in chunk]
    if kind is Kind.CUSTOMERS:
        customer_rows = [r for r in records if isinstance(r, CustomerRow)]
        result: Any = apply_customers(ports.customers, customer_rows, snapshot)
    else:
        result = apply_org(kind, records, snapshot, ports.shapes, ports.customers)
    job.counts.created += result.created
    job.counts.updated += result.updated
    job.counts.unchanged += result.unchanged
    add_changes(job.count_changes, result.counts)
    job.done, job.applied_through = chunk[-1][0], chunk[-1][1]
    ports.save(job)
