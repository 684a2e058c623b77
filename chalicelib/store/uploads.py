"""UploadSigner: presigned S3 PUT URLs for ticket photos (signed locally: no AWS call)."""

from __future__ import annotations

from typing import Any, Protocol

URL_LIFETIME = 600


class UploadSigner(Protocol):
    def presign_put(self, key: str, content_type: str, size: int | None) -> str: ...


class S3UploadSigner:
    def __init__(self, bucket: str, region: str) -> None:
        self.bucket = bucket
        self.region = region
        self._client: Any = None

    def presign_put(self, key: str, content_type: str, size: int | None) -> str:
        if self._client is None:
            import boto3
            from botocore.config import Config

            self._client = boto3.client(
                "s3", region_name=self.region, config=Config(signature_version="s3v4")
            )
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": key, "ContentType": content_type}
        if size is not None:
            params["ContentLength"] = size  # signed: S3 rejects a body of any other size
        url: str = self._client.generate_presigned_url(
            "put_object", Params=params, ExpiresIn=URL_LIFETIME
        )
        return url


class FakeUploadSigner:
    def __init__(self) -> None:
        self.signed: list[tuple[str, str, int | None]] = []

    def presign_put(self, key: str, content_type: str, size: int | None) -> str:
        self.signed.append((key, content_type, size))
        return f"https://uploads.example.invalid/{key}?signed=1"
