"""The local stack as its operator meets it: it stops within 5 s of SIGTERM or Ctrl-C, even
with a request in flight or while it is still seeding, and on `make stop`; it holds a burst
of 64 connections; and its console (access log, banner) shows no full phone number or name."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.local.process import StackProcess
from tests.e2e.conftest import AT_ONCE

STOP_LIMIT = 5.0
SMALL = {"YUNGE_DEMO_CUSTOMERS": "200", "YUNGE_DEMO_TICKETS": "20", **AT_ONCE}


@pytest.fixture
def own_stack(tmp_path: Path) -> Iterator[StackProcess]:
    """A stack of this test's own, which the test stops itself."""
    process = StackProcess.start(tmp_path / "local", **SMALL)
    try:
        yield process
    finally:
        process.stop(signal.SIGKILL)


def _port(base_url: str) -> int:
    return int(base_url.rsplit(":", 1)[1])


def test_sigterm_with_requests_in_flight_stops_within_5s(own_stack: StackProcess) -> None:
    own_stack.wait_ready(120)
    port = _port(own_stack.base_url)
    # a client halfway through sending a ticket, and a browser-like kept-alive connection
    halfway = socket.create_connection(("127.0.0.1", port))
    halfway.sendall(b"POST /v1/tickets HTTP/1.1\r\nHost: t\r\nContent-Length: 500\r\n\r\n{")
    kept = socket.create_connection(("127.0.0.1", port))
    kept.sendall(b"GET /v1/health HTTP/1.1\r\nHost: t\r\n\r\n")
    assert kept.recv(4096).startswith(b"HTTP/1.1 200")
    time.sleep(0.2)  # let the server read the half request (real time: a subprocess)

    took = own_stack.stop(signal.SIGTERM, timeout=15)

    assert took is not None and took < STOP_LIMIT, own_stack.log_tail()
    assert "stopped" in own_stack.log_tail(3)
    halfway.close()
    kept.close()


def test_ctrl_c_while_seeding_stops_within_5s(own_stack: StackProcess) -> None:
    deadline = time.monotonic() + 60
    while "seeded the tables" not in own_stack.log_text():
        assert own_stack.process.poll() is None, own_stack.log_tail()
        assert time.monotonic() < deadline, own_stack.log_tail()
        time.sleep(0.1)

    took = own_stack.stop(signal.SIGINT, timeout=15)

    assert took is not None and took < STOP_LIMIT, own_stack.log_tail()


def test_make_stop_stops_the_running_stack(own_stack: StackProcess) -> None:
    own_stack.wait_ready(120)
    env = {**os.environ, "YUNGE_LOCAL_DIR": str(own_stack.local_dir)}

    stopped = subprocess.run(
        [sys.executable, "-m", "infra.local.stop"], env=env, capture_output=True, text=True
    )

    assert stopped.returncode == 0 and "stopped" in stopped.stdout, stopped
    assert own_stack.process.wait(timeout=STOP_LIMIT) == 0
    assert not (own_stack.local_dir / "stack.pid").exists()


def test_a_burst_of_64_connections_waits_in_the_backlog(stack) -> None:  # type: ignore[no-untyped-def]
    """With the stack frozen, 64 clients connect at once; each is answered once it runs."""
    port = _port(stack.base_url)
    os.kill(stack.process.pid, signal.SIGSTOP)
    clients: list[socket.socket] = []
    try:
        for _ in range(64):
            client = socket.create_connection(("127.0.0.1", port), timeout=2)
            client.sendall(b"GET /v1/health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            clients.append(client)
    finally:
        os.kill(stack.process.pid, signal.SIGCONT)
    for client in clients:
        client.settimeout(30)
        assert client.recv(4096).startswith(b"HTTP/1.1 200")
        client.close()


def test_console_shows_no_full_phone_or_name(stack) -> None:  # type: ignore[no-untyped-def]
    phone, name = "13812345678", "欧阳娜娜"
    query = urllib.parse.urlencode({"phone": phone, "holder_name": name})
    stack.request("GET", f"/v1/admin/notifications?{query}")  # 401, but logged
    stack.request("GET", f"/v1/nowhere/{phone}/{urllib.parse.quote(name)}")

    log = stack.log_path.read_text(encoding="utf-8", errors="replace")
    access = [line for line in log.splitlines() if line.startswith('127.0.0.1 "')]
    banner = log[log.index("local stack ready") : log.index("stops the stack")]
    shown = urllib.parse.unquote("\n".join(access)) + banner

    assert any("notifications" in line for line in access)
    people = [(s["phone"], s["name"]) for s in stack.demo["staff"]]
    people += [("", c["holder_name"]) for c in stack.demo["customers"]]
    for full in [phone, name, *(p for pair in people for p in pair if p)]:
        assert full not in shown
    assert re.search(r"1[3-9]\d\*{4}\d{4}", banner), "the banner shows a masked phone"


def test_make_run_builds_last_months_report_so_its_stats_read_it(tmp_path: Path) -> None:
    """As the schedule would have on the 1st: the month's set is there when the stack is
    ready, and GET /v1/stats for exactly that month answers with its figures (as of then)."""
    import calendar
    import json
    from datetime import UTC, datetime

    from infra.local.report import _call, _ops_token, last_month

    local_dir = tmp_path / "local"
    process = StackProcess.start(local_dir, **SMALL, YUNGE_DEMO_REPORT="1")
    try:
        process.wait_ready(300)
        month = last_month(datetime.now(UTC))
        assert f"built last month's report ({month})" in process.log_text()
        token = _ops_token(local_dir, json.loads((local_dir / "demo.json").read_text()))
        status, reports = _call("GET", f"{process.base_url}/v1/reports?month={month}", token)
        assert status == 200 and len(reports["files"]) == 5
        last = calendar.monthrange(*map(int, month.split("-")))[1]
        url = f"{process.base_url}/v1/stats?from={month}-01&to={month}-{last:02d}"
        status, stats = _call("GET", url, token)
        assert status == 200 and stats["total"]["tickets"] > 0
        assert stats["as_of"] == reports["generated_at"]  # judged when the report was built
    finally:
        process.stop(signal.SIGKILL)
