"""Where report files live: the `ReportFiles` port, its S3 adapter and an in-memory fake
(held to one contract in tests/functional/test_report_ports_contract.py). Keys and manifests
are the publisher's business (reports/publish.py); this only moves bytes."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

URL_LIFETIME = 900  # seconds a download link stays valid


class ReportFiles(Protocol):
    def put_file(self, key: str, path: Path, content_type: str) -> None: ...
    def put_bytes(self, key: str, data: bytes, content_type: str) -> None: ...
    def read(self, key: str) -> bytes | None: ...
    def keys(self, prefix: str) -> list[str]: ...
    def delete(self, keys: list[str]) -> None: ...
    def download_url(self, key: str, filename: str) -> str: ...


class S3ReportFiles:
    def __init__(self, bucket: str, region: str, client: Any = None) -> None:
        self.bucket = bucket
        self.region = region
        self._client = client

    def client(self) -> Any:
        if self._client is None:
            import boto3
            from botocore.config import Config

            self._client = boto3.client(
                "s3", region_name=self.region, config=Config(signature_version="s3v4")
            )
        return self._client

    def put_file(self, key: str, path: Path, content_type: str) -> None:
        extra = {"ContentType": content_type}
        self.client().upload_file(str(path), self.bucket, key, ExtraArgs=extra)

    def put_bytes(self, key: str, data: bytes, content_type: str) -> None:
        self.client().put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)

    def read(self, key: str) -> bytes | None:
        client = self.client()
        try:
            reply = client.get_object(Bucket=self.bucket, Key=key)
        except client.exceptions.NoSuchKey:
            return None
        body: bytes = reply["Body"].read()
        return body

    def keys(self, prefix: str) -> list[str]:
        pages = self.client().get_paginator("list_objects_v2")
        found: list[str] = []
        for page in pages.paginate(Bucket=self.bucket, Prefix=prefix):
            found.extend(item["Key"] for item in page.get("Contents", []))
        return found

    def delete(self, keys: list[str]) -> None:
        for start in range(0, len(keys), 1000):
            chunk = [{"Key": key} for key in keys[start : start + 1000]]
            self.client().delete_objects(Bucket=self.bucket, Delete={"Objects": chunk})

    def download_url(self, key: str, filename: str) -> str:
        disposition = f'attachment; filename="{filename}"'
        url: str = self.client().generate_presigned_url(
            "get_object",
            Params={"Bucket": self.bucket, "Key": key, "ResponseContentDisposition": disposition},
            ExpiresIn=URL_LIFETIME,
        )
        return url


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
