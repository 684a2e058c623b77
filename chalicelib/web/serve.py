"""Serving the pages: their HTML shells, the static assets beside them and the headers that
keep them safe (a CSP with no inline script, no referrer, no framing). Pure apart from
reading the shipped files once per container."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from chalice.app import Response

STATIC = Path(__file__).resolve().parent / "static"
PAGES = {"m": "m.html", "ops": "ops.html", "docs": "docs.html"}
TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}
_ASSET_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,40}\.(?:js|css|svg)")
_NOT_FOUND = '{"error":{"code":"not_found","message":"未找到相关记录"}}'


def content_security_policy(stage: str) -> str:
    """Scripts and styles only from our own files; API calls to ourselves, photo uploads to
    and views from presigned storage URLs (https in AWS, the loopback moto server locally)."""
    loopback = " http://127.0.0.1:* http://localhost:*" if stage == "local" else ""
    connect = "'self' https:" + loopback
    return "; ".join(
        (
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src 'self' data: blob: https:{loopback}",  # photos: presigned storage URLs
            f"connect-src {connect}",
            "manifest-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        )
    )


def security_headers(stage: str) -> dict[str, str]:
    headers = {
        "Content-Security-Policy": content_security_policy(stage),
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Permissions-Policy": "geolocation=(self), camera=(self)",
    }
    if stage != "local":  # served over https only (API Gateway); the local stack is http
        headers["Strict-Transport-Security"] = "max-age=31536000"
    return headers


def base_path(context: Mapping[str, Any]) -> str:
    """The prefix the app is mounted under: API Gateway's stage (`/api`) when the request
    came through the stage URL, "" on a custom domain or the local stack."""
    path = str(context.get("path") or "")
    resource = str(context.get("resourcePath") or "")
    if not path or not resource:
        return ""
    extra = len(path.rstrip("/").split("/")) - len(resource.rstrip("/").split("/"))
    if extra <= 0:
        return ""
    prefix = "/".join(path.split("/")[: extra + 1])
    return prefix if re.fullmatch(r"(/[A-Za-z0-9_-]+)+", prefix) else ""


@lru_cache(maxsize=16)
def _read(name: str) -> str:
    if name == LABELS_SCRIPT:
        return labels_script()
    return (STATIC / name).read_text(encoding="utf-8")


LABELS_SCRIPT = "labels.js"  # made from domain.labels, not shipped as a file


def labels_script() -> str:
    """The ticket and outage words as the pages' scripts read them (`YungeLabels`), from
    domain.labels: the one spelling the API, the SMS and the reports use."""
    import json

    from chalicelib.domain import labels

    words: dict[str, Mapping[Any, str]] = {
        "statuses": labels.STATUS_LABELS,
        "actions": labels.ACTION_LABELS,
        "clocks": labels.CLOCK_LABELS,
        "outage_kinds": labels.OUTAGE_KIND_LABELS,
        "outage_states": labels.OUTAGE_STATE_LABELS,
    }
    plain = {group: {str(k): v for k, v in table.items()} for group, table in words.items()}
    return f"var YungeLabels = {json.dumps(plain, ensure_ascii=False, sort_keys=True)};\n"


def render_page(name: str, base: str) -> str:
    return _read(PAGES[name]).replace("{{base}}", base)


def page_response(name: str, context: Mapping[str, Any]) -> Response:
    from chalicelib.config import get_settings

    headers: dict[str, str | list[str]] = {
        "Content-Type": "text/html; charset=utf-8",
        "Cache-Control": "no-cache",
        **security_headers(get_settings().stage),
    }
    return Response(body=render_page(name, base_path(context)), status_code=200, headers=headers)


def asset_response(name: str) -> Response:
    suffix = Path(name).suffix
    known = name == LABELS_SCRIPT or (STATIC / name).is_file()
    if not _ASSET_NAME.fullmatch(name) or not known:
        return Response(
            body=_NOT_FOUND,
            status_code=404,
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
    headers: dict[str, str | list[str]] = {
        "Content-Type": TYPES[suffix],
        "Cache-Control": "public, max-age=300",
        "X-Content-Type-Options": "nosniff",
    }
    return Response(body=_read(name), status_code=200, headers=headers)
