"""The local stack's stand-in for the EventBridge rule on imports/: after a client PUTs an
import file to the presigned URL (moto's S3), the next poll hands the import_upload handler
the same "Object Created" event AWS would, and re-queues a job that asks to continue."""

from __future__ import annotations

import logging
from typing import Any

from infra.local.lambda_shapes import FakeLambdaContext

log = logging.getLogger("local.imports")
PREFIX = "imports/"
TIMEOUT_MS = 900_000  # as the deployed import_upload function


class ImportWatcher:
    def __init__(self, bucket: str, region: str, function_name: str) -> None:
        self.bucket, self.region, self.function_name = bucket, region, function_name
        self._seen: set[str] = set()
        self._continue: list[str] = []
        self._client: Any = None

    def _keys(self) -> list[str]:
        if self._client is None:
            import boto3

            self._client = boto3.client("s3", region_name=self.region)
        pages = self._client.get_paginator("list_objects_v2")
        found: list[str] = []
        for page in pages.paginate(Bucket=self.bucket, Prefix=PREFIX):
            found.extend(item["Key"] for item in page.get("Contents", []))
        return found

    def events(self) -> list[dict[str, Any]]:
        """The events due: continuations first, then one per newly uploaded file."""
        due: list[dict[str, Any]] = [{"import_id": i} for i in self._continue]
        self._continue.clear()
        for key in self._keys():
            if key not in self._seen:
                self._seen.add(key)
                detail = {"bucket": {"name": self.bucket}, "object": {"key": key}}
                due.append({"source": "aws.s3", "detail-type": "Object Created", "detail": detail})
        return due

    def poll(self) -> int:
        from chalicelib.imports.handler import on_import_event

        delivered = 0
        for event in self.events():
            context = FakeLambdaContext(self.function_name, timeout_ms=TIMEOUT_MS)
            result = on_import_event(event, context, again=lambda _f, i: self._continue.append(i))
            log.info("import job %s", result)
            delivered += 1
        return delivered
