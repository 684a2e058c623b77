"""The marketing system's feed files in the files bucket (feeds/usage/, feeds/bills/) and
the error files written beside them (feed-errors/). `FeedFiles` is the port,
`S3FeedFiles` the adapter, `InMemoryFeedFiles` the fake."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Protocol

from chalicelib.store.s3 import S3Objects

CHUNK = 1 << 20


class FeedFiles(Protocol):
    def fetch(self, key: str, path: Path) -> str | None:
        """Stream the object to `path`; its ETag (what identifies this content), or None
        when there is no such object."""
        ...

    def put_bytes(self, key: str, data: bytes, content_type: str) -> None: ...


class S3FeedFiles(S3Objects):
    """The shared object writes (store/s3.py), plus a streamed fetch with its ETag."""

    def fetch(self, key: str, path: Path) -> str | None:
        client = self.client()
        try:
            reply = client.get_object(Bucket=self.bucket, Key=key)
        except client.exceptions.NoSuchKey:
            return None
        with path.open("wb") as out:  # one GetObject; the ETag is the content we read
            for chunk in reply["Body"].iter_chunks(CHUNK):
                out.write(chunk)
        return str(reply["ETag"]).strip('"')


class InMemoryFeedFiles:
    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}

    def fetch(self, key: str, path: Path) -> str | None:
        data = self.objects.get(key)
        if data is None:
            return None
        path.write_bytes(data)
        return hashlib.md5(data, usedforsecurity=False).hexdigest()

    def put_bytes(self, key: str, data: bytes, content_type: str) -> None:
        self.objects[key] = data
