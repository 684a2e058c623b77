"""The usage_feed Lambda: an S3 "Object Created" event for a file under feeds/usage/ or
feeds/bills/ (EventBridge rule in infra/package, or S3 notification records) loads it."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote_plus

from chalicelib.observability import logger
from chalicelib.usage.ingest import FeedLoader


def feed_keys(event: dict[str, Any]) -> list[str]:
    keys = []
    detail = event.get("detail") or {}
    if isinstance(detail, dict) and "object" in detail:
        keys.append(str(detail["object"].get("key", "")))
    for record in event.get("Records") or []:  # S3 notifications URL-encode the key
        keys.append(
            unquote_plus(str(((record.get("s3") or {}).get("object") or {}).get("key", "")))
        )
    return [k for k in keys if k]


def on_feed_event(event: dict[str, Any], loader: FeedLoader | None = None) -> dict[str, Any]:
    if loader is None:
        from chalicelib.bootstrap import services

        loader = services().feed_loader
    results = []
    for key in feed_keys(event):
        result = loader.load(key)
        log = logger.warning if result.status in ("unreadable", "missing") else logger.info
        log("usage feed %s: %s", key, result.as_dict())
        results.append(result.as_dict())
    return {"files": results}
