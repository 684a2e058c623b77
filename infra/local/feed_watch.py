"""The local stack's stand-in for the EventBridge rule on feeds/: a usage or bill file put
into moto's bucket (aws s3 cp … --endpoint-url, or any S3 client) is handed to the
usage_feed handler once, with the "Object Created" event AWS would send. Files present at
start (the demo's, already loaded) are not handed over again."""

from __future__ import annotations

import logging
from typing import Any

from chalicelib.usage.rows import PREFIXES

log = logging.getLogger("local.feeds")


class FeedWatcher:
    def __init__(self, bucket: str, region: str, handler: Any) -> None:
        self.bucket, self.region, self.handler = bucket, region, handler
        self._client: Any = None
        self._seen: set[tuple[str, str]] = set(self._objects())

    def _objects(self) -> list[tuple[str, str]]:
        if self._client is None:
            import boto3

            self._client = boto3.client("s3", region_name=self.region)
        pages = self._client.get_paginator("list_objects_v2")
        found: list[tuple[str, str]] = []
        for prefix in PREFIXES.values():
            for page in pages.paginate(Bucket=self.bucket, Prefix=prefix):
                found.extend((o["Key"], o["ETag"]) for o in page.get("Contents", []))
        return found

    def poll(self) -> int:
        """Hand each new or replaced file to the handler; how many were handed over."""
        delivered = 0
        for key, etag in self._objects():
            if (key, etag) in self._seen:
                continue
            self._seen.add((key, etag))
            detail = {"bucket": {"name": self.bucket}, "object": {"key": key}}
            event = {"source": "aws.s3", "detail-type": "Object Created", "detail": detail}
            log.info("usage feed %s", self.handler(event))
            delivered += 1
        return delivered
