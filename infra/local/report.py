"""`make report MONTH=YYYY-MM`: build a month's report set on the running local stack and
print its download links. Logs in as the demo's ops user the way a person would: an SMS
code (read back from sms.jsonl), then a staff token (cached in the local directory)."""

from __future__ import annotations

import json
import os
import re
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
CODE = re.compile(r"(?<!\d)\d{6}(?!\d)")


def call(
    base: str, method: str, path: str, body: Any = None, token: str = "", allow: int = 0
) -> Any:
    """The JSON answer; None when the status is `allow` (e.g. 404 while a report builds)."""
    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"} if data else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(base + path, data, headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            raw = response.read()
    except urllib.error.HTTPError as error:
        if error.code == allow:
            return None
        raise SystemExit(f"{method} {path}: {error.code} {error.read().decode()}") from None
    except urllib.error.URLError as error:
        raise SystemExit(f"the local stack is not running at {base} ({error.reason})") from None
    return json.loads(raw) if raw else None


def ops_token(base: str, local_dir: Path, demo: dict[str, Any]) -> str:
    cache = local_dir / "ops-token.json"
    if cache.exists():
        cached = json.loads(cache.read_text())
        if cached.get("base_url") == base and cached.get("expires_at", 0) > time.time() + 60:
            return str(cached["token"])
    phone = next(s["phone"] for s in demo["staff"] if s["role"] == "ops")
    sms_log = Path(os.environ.get("YUNGE_SMS_LOG", str(local_dir / "sms.jsonl")))
    seen = len(sms_log.read_text(encoding="utf-8").splitlines()) if sms_log.exists() else 0
    call(base, "POST", "/v1/auth/staff/otp", {"phone": phone})
    code = None
    for _ in range(50):
        lines = sms_log.read_text(encoding="utf-8").splitlines()[seen:]
        texts = [json.loads(line)["text"] for line in lines if phone in line]
        code = next((m.group() for t in texts if (m := CODE.search(t))), None)
        if code:
            break
        time.sleep(0.1)
    if code is None:
        raise SystemExit(f"no login code for the ops user arrived in {sms_log}")
    issued = call(base, "POST", "/v1/auth/staff/token", {"phone": phone, "code": code})
    expires_at = time.time() + int(issued.get("expires_in", 3600))
    cached = {"base_url": base, "token": issued["token"], "expires_at": expires_at}
    cache.write_text(json.dumps(cached))
    return str(issued["token"])


def previous_month() -> str:
    first = datetime.now(SHANGHAI).replace(day=1)
    return (first - timedelta(days=1)).strftime("%Y-%m")


def main(argv: list[str]) -> int:
    month = argv[0] if argv and argv[0] else previous_month()
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise SystemExit(f"MONTH must look like 2026-11, not {month!r}")
    local_dir = Path(os.environ.get("YUNGE_LOCAL_DIR", ".local"))
    demo_path = local_dir / "demo.json"
    if not demo_path.exists():
        raise SystemExit(f"{demo_path} not found: start the local stack first (make run)")
    demo = json.loads(demo_path.read_text(encoding="utf-8"))
    base = str(demo.get("base_url") or "http://127.0.0.1:8000")
    token = ops_token(base, local_dir, demo)
    call(base, "POST", "/v1/reports", {"month": month}, token)
    report = None
    for _ in range(120):  # 202 means "building": wait for the set to appear
        report = call(base, "GET", f"/v1/reports?month={month}", token=token, allow=404)
        if report is not None:
            break
        time.sleep(0.5)
    if report is None:
        raise SystemExit(f"the {month} report did not appear within a minute")
    print(f"云格 report {report['month']}:")
    for item in report["files"]:
        print(f"  {item['name']:<14} {item['size']:>9,} bytes  {item['url']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
