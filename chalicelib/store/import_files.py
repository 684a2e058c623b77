"""Files of import jobs in the files bucket: the uploads themselves, the job records (one JSON
object per job under import-jobs/), the error files, the grid shapes and the maps.

`ImportFiles` is the port; `S3ImportFiles` the adapter (presigning is local: no AWS call);
`InMemoryImportFiles` the fake. `JobStore` keeps job records on top of either.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import msgspec

from chalicelib.domain.imports import ImportJob
from chalicelib.store.s3 import S3Objects

UPLOAD_CONTENT_TYPE = "application/octet-stream"
JOBS = "import-jobs/"


class StaleWrite(Exception):
    """A conditional write lost: the object changed since it was read."""


class ImportFiles(Protocol):
    def put_bytes(self, key: str, data: bytes, content_type: str) -> None: ...
    def read(self, key: str) -> bytes | None: ...
    def read_tagged(self, key: str) -> tuple[bytes, str] | None:
        """The object and its ETag."""
        ...

    def put_if(self, key: str, data: bytes, content_type: str, etag: str | None) -> str:
        """Write only if the object still has `etag` (None: only if there is none yet);
        the new ETag, or `StaleWrite`."""
        ...

    def download(self, key: str, path: Path) -> bool:
        """Copy the object to `path` (streamed); False if there is none."""
        ...

    def keys(self, prefix: str) -> list[str]: ...
    def presign_put(self, key: str, size: int) -> tuple[str, dict[str, str]]:
        """A PUT URL whose Content-Length is signed, and the headers the client must send."""
        ...

    def download_url(self, key: str, filename: str) -> str: ...


class S3ImportFiles(S3Objects):
    """The shared object reads and writes (store/s3.py), plus conditional writes, downloads
    to a file and presigned uploads."""

    def put_if(self, key: str, data: bytes, content_type: str, etag: str | None) -> str:
        """S3 conditional writes (If-Match / If-None-Match)."""
        from botocore.exceptions import ClientError

        condition = {"IfMatch": etag} if etag else {"IfNoneMatch": "*"}
        try:
            reply = self.client().put_object(
                Bucket=self.bucket, Key=key, Body=data, ContentType=content_type, **condition
            )
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code")
            if code in ("PreconditionFailed", "ConditionalRequestConflict"):
                raise StaleWrite(key) from None
            raise
        return str(reply["ETag"])

    def download(self, key: str, path: Path) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client().download_file(self.bucket, key, str(path))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey"):
                return False
            raise
        return True

    def presign_put(self, key: str, size: int) -> tuple[str, dict[str, str]]:
        return self.put_url(key, UPLOAD_CONTENT_TYPE, size), {"Content-Type": UPLOAD_CONTENT_TYPE}


class InMemoryImportFiles:
    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.signed: list[tuple[str, int]] = []

    def put_bytes(self, key: str, data: bytes, content_type: str) -> None:
        self.objects[key] = data

    def read(self, key: str) -> bytes | None:
        return self.objects.get(key)

    def read_tagged(self, key: str) -> tuple[bytes, str] | None:
        data = self.objects.get(key)
        return None if data is None else (data, _etag(data))

    def put_if(self, key: str, data: bytes, content_type: str, etag: str | None) -> str:
        current = self.objects.get(key)
        if (None if current is None else _etag(current)) != etag:
            raise StaleWrite(key)
        self.objects[key] = data
        return _etag(data)

    def download(self, key: str, path: Path) -> bool:
        data = self.objects.get(key)
        if data is None:
            return False
        path.write_bytes(data)
        return True

    def keys(self, prefix: str) -> list[str]:
        return sorted(k for k in self.objects if k.startswith(prefix))

    def presign_put(self, key: str, size: int) -> tuple[str, dict[str, str]]:
        self.signed.append((key, size))
        return f"https://files.example.invalid/{key}?signed=1", {
            "Content-Type": UPLOAD_CONTENT_TYPE
        }

    def download_url(self, key: str, filename: str) -> str:
        return f"https://files.example.invalid/{key}?download=1"


def _etag(data: bytes) -> str:
    import hashlib

    return f'"{hashlib.md5(data, usedforsecurity=False).hexdigest()}"'


class JobStore:
    """Import job records, one JSON object each; ids are ULIDs, so key order is age order.

    Writes are conditional on the record being as this store last read or wrote it (S3
    If-Match), so of two invocations working on one job only one can save: the other gets
    `StaleWrite` and stops."""

    def __init__(self, files: ImportFiles) -> None:
        self.files = files
        self._etags: dict[str, str] = {}

    def save(self, job: ImportJob) -> None:
        key = f"{JOBS}{job.import_id}.json"
        etag = self._etags.get(job.import_id)
        self._etags[job.import_id] = self.files.put_if(
            key, msgspec.json.encode(job), "application/json", etag
        )

    def get(self, import_id: str) -> ImportJob | None:
        if not import_id.isalnum():
            return None
        found = self.files.read_tagged(f"{JOBS}{import_id}.json")
        if found is None:
            return None
        self._etags[import_id] = found[1]
        return msgspec.json.decode(found[0], type=ImportJob)

    def recent(self, limit: int) -> list[ImportJob]:
        keys = sorted(
            (k for k in self.files.keys(JOBS) if k.endswith(".json") and k.count("/") == 1),
            reverse=True,
        )
        found = (self.get(k[len(JOBS) : -len(".json")]) for k in keys[:limit])
        return [job for job in found if job is not None]
