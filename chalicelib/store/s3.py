"""The files bucket as plain objects: the S3 client (made on first use, SigV4 so presigned
URLs work in every region) and the reads, writes and links every S3 adapter shares —
report files (report_files.py), import files (import_files.py) and photo uploads (uploads.py)
add their own on top."""

from __future__ import annotations

from typing import Any

URL_LIFETIME = 900  # seconds a presigned link stays valid


class S3Objects:
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

    def put_bytes(self, key: str, data: bytes, content_type: str) -> None:
        self.client().put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)

    def read(self, key: str) -> bytes | None:
        found = self.read_tagged(key)
        return found[0] if found else None

    def read_tagged(self, key: str) -> tuple[bytes, str] | None:
        """The object and its ETag, or None when there is none."""
        client = self.client()
        try:
            reply = client.get_object(Bucket=self.bucket, Key=key)
        except client.exceptions.NoSuchKey:
            return None
        return reply["Body"].read(), str(reply["ETag"])

    def keys(self, prefix: str) -> list[str]:
        pages = self.client().get_paginator("list_objects_v2")
        found: list[str] = []
        for page in pages.paginate(Bucket=self.bucket, Prefix=prefix):
            found.extend(item["Key"] for item in page.get("Contents", []))
        return found

    def put_url(self, key: str, content_type: str, size: int, lifetime: int = URL_LIFETIME) -> str:
        """A presigned PUT of exactly `size` bytes of `content_type`: both are signed, so S3
        refuses a body of any other length or type."""
        params = {
            "Bucket": self.bucket,
            "Key": key,
            "ContentType": content_type,
            "ContentLength": size,
        }
        url: str = self.client().generate_presigned_url(
            "put_object", Params=params, ExpiresIn=lifetime
        )
        return url

    def download_url(self, key: str, filename: str) -> str:
        """A presigned GET that saves the object as `filename`."""
        disposition = f'attachment; filename="{filename}"'
        url: str = self.client().generate_presigned_url(
            "get_object",
            Params={"Bucket": self.bucket, "Key": key, "ResponseContentDisposition": disposition},
            ExpiresIn=URL_LIFETIME,
        )
        return url
