"""Ctrl-C and SIGTERM for the local stack: gone within 5 seconds, whatever is running.

The first signal sets `stop` (the serving loop then shuts down in order) and arms a backstop
that ends the process at `BACKSTOP` seconds whatever still runs: a request in flight, a
stream batch, a keep-alive connection. Before the stack is up (seeding), the signal also
raises KeyboardInterrupt in the main thread so startup stops where it is. A second signal
ends the process at once.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from types import FrameType

BACKSTOP = 4.5  # seconds from the first signal to a forced exit
GRACE = 2.0  # seconds the orderly shutdown lets background work finish


class Shutdown:
    def __init__(self) -> None:
        self.stop = threading.Event()
        self.serving = False
        self.started: float | None = None  # monotonic time of the first signal

    def install(self) -> None:
        signal.signal(signal.SIGINT, self._on_signal)
        signal.signal(signal.SIGTERM, self._on_signal)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        if self.stop.is_set():
            _exit(f"云格 local stack: signal {signum} again, exiting now.")
        self.started = time.monotonic()
        self.stop.set()
        timer = threading.Timer(BACKSTOP, _exit, ("云格 local stack: stopped (forced).",))
        timer.daemon = True
        timer.start()
        if not self.serving:
            raise KeyboardInterrupt  # leave the seeding where it is

    def took(self) -> str:
        """ " in 1.2s" since the first signal, or nothing."""
        return "" if self.started is None else f" in {time.monotonic() - self.started:.1f}s"

    def remaining(self, budget: float = GRACE) -> float:
        """Seconds left of `budget` since the first signal (the whole budget before one)."""
        if self.started is None:
            return budget
        return max(0.0, budget - (time.monotonic() - self.started))


def _exit(message: str) -> None:
    """Flush what the stack printed (unless a stuck thread holds the stream), say why, go."""
    flusher = threading.Thread(target=_flush, daemon=True)
    flusher.start()
    flusher.join(0.3)
    os.write(2, f"\n{message}\n".encode())
    os._exit(0)


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
