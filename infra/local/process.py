"""The local stack as a child process on free loopback ports, for the e2e tests and the soak
bench: start it, wait until it answers, read its memory, stop it and time the stop.

Standard library only; Linux /proc for memory.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
# the caller's, not ours
INHERITED = ("YUNGE_SMS_LOG", "YUNGE_JWT_KEY_FILE", "YUNGE_PHONE_KEY_FILE", "AWS_ENDPOINT_URL")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@dataclass
class StackProcess:
    base_url: str
    local_dir: Path
    log_path: Path
    process: subprocess.Popen[bytes] = field(repr=False)

    @classmethod
    def start(cls, local_dir: Path, **env: str) -> StackProcess:
        """`python -m infra.local` with its state in `local_dir`, output in stack.log there;
        `env` adds or overrides YUNGE_* settings (the ports are chosen here); last month's
        report is not built at startup unless `env` sets YUNGE_DEMO_REPORT=1."""
        port = free_port()
        child = {
            **os.environ,
            "YUNGE_PORT": str(port),
            "YUNGE_MOTO_PORT": str(free_port()),
            "YUNGE_LOCAL_DIR": str(local_dir),
            "PYTHONUNBUFFERED": "1",
        }
        for inherited in INHERITED:
            child.pop(inherited, None)
        child["YUNGE_DEMO_REPORT"] = "0"  # ≈ 3 s of startup tests and benches rarely want
        child.update(env)
        local_dir.mkdir(parents=True, exist_ok=True)
        log_path = local_dir / "stack.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "infra.local"],
                cwd=ROOT,
                env=child,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return cls(f"http://{HOST}:{port}", local_dir, log_path, process)

    def wait_ready(self, timeout: float) -> float:
        """Seconds until /v1/health answers 200; raises with the log's tail if it exits."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"local stack exited with {self.process.returncode}:\n{self.log_tail(60)}"
                )
            try:
                with urllib.request.urlopen(self.base_url + "/v1/health", timeout=2) as reply:
                    if reply.status == 200:
                        return time.monotonic() - started
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"local stack not ready within {timeout:.0f}s; see {self.log_path}")

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def rss_bytes(self) -> int:
        """Resident memory of the stack and every process it started, now."""
        return sum(_rss(pid) for pid in _tree(self.process.pid))

    def finish(self, keep: bool) -> None:
        """Stop the stack; keep its folder (and say where its log is) when the run went wrong,
        else remove it."""
        self.stop()
        if keep:
            print(f"stack log kept: {self.log_path}")
        else:
            shutil.rmtree(self.local_dir, ignore_errors=True)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> float | None:
        """Send `sig` and wait; seconds until the process was gone, or None if it had to be
        killed after `timeout`."""
        if self.process.poll() is not None:
            return 0.0
        started = time.monotonic()
        self.process.send_signal(sig)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            return None
        return time.monotonic() - started


def _tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            with contextlib.suppress(OSError):  # the task ended meanwhile
                todo.extend(int(child) for child in task.read_text().split())
    return found


def _rss(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0
