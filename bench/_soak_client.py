"""The soak bench's HTTP side: customers and staff speaking to the local stack as the
mini-program and the managers' app do (standard library only, 127.0.0.1 only)."""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

TIMEOUT = 60.0
LOGIN_SMS = "staff_login_code"
LOCATION = {"lat": 40.74, "lng": 107.38, "address": "现场"}


class Refused(Exception):
    """The stack answered a step with an unexpected status."""


class SoakClient:
    def __init__(self, base_url: str, sms_log: Path, staff_phones: dict[str, str]) -> None:
        if urlsplit(base_url).hostname != "127.0.0.1":
            raise ValueError(f"the soak bench only speaks to 127.0.0.1, not {base_url}")
        self.base_url, self.sms_log, self.staff_phones = base_url, sms_log, staff_phones
        self.statuses: Counter[str] = Counter()  # "create 201", "accept 409", …
        self._tokens: dict[str, str] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def call(self, step: str, method: str, path: str, body: Any = None, token: str = "") -> Any:
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json"} if data is not None else {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(self.base_url + path, data, headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as reply:
                status, raw = reply.status, reply.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        self.statuses[f"{step} {status}"] += 1
        if status >= 300:
            raise Refused(f"{step}: {status} {raw[:200]!r}")
        return json.loads(raw) if raw else None

    def _once(self, key: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    def customer(self, openid: str, account_no: str, holder_name: str) -> str:
        """A customer token with `account_no` bound (once per openid)."""
        with self._once(openid):
            if openid not in self._tokens:
                token = self.call("login", "POST", "/v1/auth/wechat", {"code": f"dev:{openid}"})
                bind = {"account_no": account_no, "holder_name": holder_name}
                self.call("bind", "POST", "/v1/me/accounts", bind, token["token"])
                self._tokens[openid] = token["token"]
            return self._tokens[openid]

    def staff(self, staff_id: str) -> str:
        """A staff token by SMS code, as a manager logs in (once per staff member)."""
        with self._once(staff_id):
            if staff_id not in self._tokens:
                phone = self.staff_phones[staff_id]
                offset = self.sms_log.stat().st_size if self.sms_log.exists() else 0
                self.call("otp", "POST", "/v1/auth/staff/otp", {"phone": phone})
                code = self._code_for(phone, offset)
                body = {"phone": phone, "code": code}
                self._tokens[staff_id] = self.call("token", "POST", "/v1/auth/staff/token", body)[
                    "token"
                ]
            return self._tokens[staff_id]

    def _code_for(self, phone: str, offset: int) -> str:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            with self.sms_log.open("rb") as log:
                log.seek(offset)
                for line in log.read().decode("utf-8", errors="replace").splitlines():
                    sms = json.loads(line) if line.strip() else {}
                    found = re.search(r"(?<!\d)\d{6}(?!\d)", sms.get("text", ""))
                    if found and (sms.get("to"), sms.get("template")) == (phone, LOGIN_SMS):
                        return found[0]
            time.sleep(0.1)
        raise Refused(f"no login code for staff phone in {TIMEOUT:.0f}s")

    def wait_dispatched(self, ticket_id: str, token: str) -> dict[str, Any]:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            ticket: dict[str, Any] = self.call(
                "get", "GET", f"/v1/tickets/{ticket_id}", None, token
            )
            if ticket["status"] == "dispatched" and ticket.get("assignee"):
                return ticket
            time.sleep(0.1)
        raise Refused(f"ticket not dispatched within {TIMEOUT:.0f}s")
