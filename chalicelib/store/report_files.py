"""Where report files live: the `ReportFiles` port, its S3 adapter and an in-memory fake
(held to one contract in tests/functional/test_report_ports_contract.py). Keys and manifests
are the publisher's business (reports/publish.py); this only moves bytes."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from chalicelib.store.s3 import S3Objects


class ReportFiles(Protocol):
    def put_file(self, key: str, path: Path, content_type: str) -> None: ...
    def put_bytes(self, key: str, data: bytes, content_type: str) -> None: ...
    def read(self, key: str) -> bytes | None: ...
    def keys(self, prefix: str) -> list[str]: ...
    def delete(self, keys: list[str]) -> None: ...
    def download_url(self, key: str, filename: str) -> str: ...


class S3ReportFiles(S3Objects):
    """The shared object reads and writes (store/s3.py), plus whole files and deletes."""

    def put_file(self, key: str, path: Path, content_type: str) -> None:
        extra = {"ContentType": content_type}
        self.client().upload_file(str(path), self.bucket, key, ExtraArgs=extra)

    def delete(self, keys: list[str]) -> None:
        for start in range(0, len(keys), 1000):
            chunk = [{"Key": key} for key in keys[start : start + 1000]]
            self.client().delete_objects(Bucket=self.bucket, Delete={"Objects": chunk})


class InMemoryReportFiles:
    def __init__(self) -> None:
        self.objects: dict[str, tuple[bytes, str]] = {}
        self.writes: list[str] = []  # keys in the order they were written

    def put_file(self, key: str, path: Path, content_type: str) -> None:
        self.put_bytes(key, path.read_bytes(), content_type)

    def put_bytes(self, key: str, data: bytes, content_type: str) -> None:
        self.objects[key] = (data, content_type)
        self.writes.append(key)

    def read(self, key: str) -> bytes | None:
        found = self.objects.get(key)
        return found[0] if found else None

    def keys(self, prefix: str) -> list[str]:
        return sorted(k for k in self.objects if k.startswith(prefix))

    def delete(self, keys: list[str]) -> None:
        for key in keys:
            self.objects.pop(key, None)

    def download_url(self, key: str, filename: str) -> str:
        """Shaped like the presigned link: the key, then the download's file name."""
        from urllib.parse import quote

        disposition = quote(f'attachment; filename="{filename}"')
        return f"https://reports.example.invalid/{key}?response-content-disposition={disposition}"
