"""`make stop`: stop the local stack that `make run` started (its pid is in .local/stack.pid)
with SIGTERM, and wait until it is gone (it stops within 5 s, infra/local/shutdown.py)."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

WAIT = 10.0


def main() -> int:
    pid_file = Path(os.environ.get("YUNGE_LOCAL_DIR", ".local")) / "stack.pid"
    try:
        pid = int(pid_file.read_text(encoding="utf-8").strip())
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        print("no local stack is running (no live pid in .local/stack.pid)")
        return 0
    if b"infra.local" not in command:  # the pid was reused by something else
        pid_file.unlink(missing_ok=True)
        print("no local stack is running (stale .local/stack.pid removed)")
        return 0
    os.kill(pid, signal.SIGTERM)
    started = time.monotonic()
    while alive(pid) and time.monotonic() - started < WAIT:
        time.sleep(0.1)
    if alive(pid):
        print(f"the local stack (pid {pid}) is still running after {WAIT:.0f}s", file=sys.stderr)
        return 1
    print(f"local stack (pid {pid}) stopped in {time.monotonic() - started:.1f}s")
    return 0


def alive(pid: int) -> bool:
    """Running, not merely exited and waiting for its parent to collect it (a zombie)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


if __name__ == "__main__":
    sys.exit(main())
