"""End-to-end fixtures: the real local stack (`python -m infra.local`) in a subprocess on
free ports (infra/local/process.py), spoken to over HTTP with the standard library only.

Every test in tests/e2e is marked `e2e`, so `pytest -m "not e2e"` skips them all.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from infra.local.process import StackProcess

ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT = 180.0  # seeding on a busy 2-core machine
DEMO_CUSTOMERS = "500"
# The stacks under test dispatch a lone "no power" report at once instead of after the
# production's 2-minute wait for its neighbours (YUNGE_REPORT_HOLD_SECONDS): a browser test
# must not wait out a real minute pass per ticket. The wait itself is tested on moto with an
# injected clock (tests/functional/test_outage_hold.py).
AT_ONCE = {"YUNGE_REPORT_HOLD_SECONDS": "0"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.e2e)


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: Any  # parsed JSON, or the raw text when the body is not JSON

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)


@dataclass
class Stack:
    base_url: str
    local_dir: Path
    demo: dict[str, Any]
    log_path: Path
    process: subprocess.Popen[bytes] = field(repr=False)
    _staff_tokens: dict[str, str] = field(default_factory=dict, repr=False)

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
        sent = {"Content-Type": "application/json"} if data is not None else {}
        if token:
            sent["Authorization"] = f"Bearer {token}"
        sent.update(headers or {})
        request = urllib.request.Request(self.base_url + path, data, sent, method=method)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return _reply(response.status, dict(response.headers), response.read())
        except urllib.error.HTTPError as error:
            return _reply(error.code, dict(error.headers), error.read())

    def customer_token(self, openid: str) -> str:
        """A customer token through the local fake WeChat exchange (`dev:<openid>`)."""
        reply = self.request("POST", "/v1/auth/wechat", {"code": f"dev:{openid}"})
        assert reply.status == 200, reply.body
        return str(reply.body["token"])

    def staff_token(self, staff_id: str) -> str:
        """A staff token by SMS code, as a person logs in; cached per staff member because
        a phone may ask for one code a minute."""
        if staff_id not in self._staff_tokens:
            phone = next(s["phone"] for s in self.demo["staff"] if s["staff_id"] == staff_id)
            seen = len(self.sms())
            reply = self.request("POST", "/v1/auth/staff/otp", {"phone": phone})
            assert reply.status == 202, reply.body
            # the login code's own template: a dispatch SMS to the same phone carries a
            # ticket number whose YYMMDD prefix is six digits too
            text = self.wait_for_sms(
                lambda m: m["to"] == phone and m.get("template") == "staff_login_code", skip=seen
            )["text"]
            code = re.search(r"(?<!\d)\d{6}(?!\d)", text)
            assert code, text
            reply = self.request("POST", "/v1/auth/staff/token", {"phone": phone, "code": code[0]})
            assert reply.status == 200, reply.body
            self._staff_tokens[staff_id] = str(reply.body["token"])
        return self._staff_tokens[staff_id]

    def sms(self) -> list[dict[str, Any]]:
        """Every SMS the stack has 'sent' so far (`{"to", "text", "template", "at"}`)."""
        path = self.local_dir / "sms.jsonl"
        if not path.exists():
            return []
        lines = path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def wait_for_sms(
        self, match: Callable[[dict[str, Any]], bool], timeout: float = 15.0, skip: int = 0
    ) -> dict[str, Any]:
        """The first SMS (after the first `skip`) matching `match`, polling while the stream
        pump delivers it (the pump is asynchronous, as Lambda's stream trigger is)."""
        deadline = time.monotonic() + timeout
        while True:
            found = next((m for m in self.sms()[skip:] if match(m)), None)
            if found is not None:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"no matching SMS within {timeout}s; got {self.sms()}")
            time.sleep(0.2)

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])


def _reply(status: int, headers: dict[str, str], raw: bytes) -> Reply:
    text = raw.decode("utf-8", errors="replace")
    try:
        body: Any = json.loads(text) if text else None
    except json.JSONDecodeError:
        body = text
    return Reply(status, headers, body)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    local_dir = tmp_path_factory.mktemp("local-stack")
    process = StackProcess.start(
        local_dir, YUNGE_DEMO_CUSTOMERS=DEMO_CUSTOMERS, YUNGE_DEMO_TICKETS="300", **AT_ONCE
    )
    try:
        process.wait_ready(READY_TIMEOUT)
        demo = json.loads((local_dir / "demo.json").read_text(encoding="utf-8"))
        yield Stack(process.base_url, local_dir, demo, process.log_path, process.process)
    finally:
        process.stop()
