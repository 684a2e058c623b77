"""`make report [MONTH=YYYY-MM]` (default: last month, which the demo seeds): build a month's
report set on the RUNNING local stack, through
its HTTP API as the demo's ops analyst (POST /v1/reports, then GET /v1/reports), and download
the files into .local/reports/YYYY-MM/.

The token is minted with the stack's own key (.local/jwt.key): this is a developer tool for
the local stack only, like demo.json, and never ships."""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def _ops_token(local_dir: Path, demo: dict[str, Any]) -> str:
    from chalicelib.auth.keys import FileSecret, RefreshingSecret, SecretKeyRing
    from chalicelib.auth.tokens import TokenService
    from chalicelib.config import get_settings
    from chalicelib.domain.org import Role

    ops = next(s for s in demo["staff"] if s["role"] == Role.OPS.value)
    settings = get_settings()
    clock = lambda: datetime.now(UTC)  # noqa: E731
    tokens = TokenService(
        SecretKeyRing(RefreshingSecret(FileSecret(local_dir / "jwt.key"), clock)),
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        clock=clock,
    )
    token, _ = tokens.issue(ops["staff_id"], Role.OPS, 900)
    return token


def _call(method: str, url: str, token: str, body: Any = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Authorization", f"Bearer {token}")
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=600) as reply:
            return reply.status, json.loads(reply.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def last_month(now: datetime) -> str:
    from chalicelib.reports.build import previous_month

    return previous_month(now)


def main(argv: list[str]) -> int:
    if len(argv) > 1:
        print("usage: make report [MONTH=YYYY-MM]  (default: last month)", file=sys.stderr)
        return 2
    month = argv[0] if argv else last_month(datetime.now(UTC))
    local_dir = Path(os.environ.get("YUNGE_LOCAL_DIR", ".local")).resolve()
    demo_path = local_dir / "demo.json"
    if not demo_path.exists():
        print(f"{demo_path} not found: start the local stack first (make run)", file=sys.stderr)
        return 1
    demo = json.loads(demo_path.read_text(encoding="utf-8"))
    base = demo.get("base_url", "http://127.0.0.1:8000")
    token = _ops_token(local_dir, demo)
    started = datetime.now(UTC)
    try:
        status, body = _call("POST", f"{base}/v1/reports", token, {"month": month})
    except urllib.error.URLError as error:
        print(f"cannot reach the local stack at {base} ({error.reason})", file=sys.stderr)
        return 1
    if status != 201:
        print(f"POST /v1/reports → {status}: {body}", file=sys.stderr)
        return 1
    seconds = (datetime.now(UTC) - started).total_seconds()
    status, body = _call("GET", f"{base}/v1/reports?month={month}", token)
    target = local_dir / "reports" / month
    target.mkdir(parents=True, exist_ok=True)
    print(f"云格 report {month} built in {seconds:.1f}s (generated {body['generated_at']})")
    for file in body["files"]:
        with urllib.request.urlopen(file["url"], timeout=60) as reply:
            (target / file["name"]).write_bytes(reply.read())
        print(f"  {file['name']:<12} {file['size']:>10,} bytes  → {target / file['name']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
