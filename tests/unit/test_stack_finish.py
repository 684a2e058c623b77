"""How a bench leaves the local stack it ran: stopped, and its folder kept only when the run
went wrong (with the log's path said)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from infra.local.process import StackProcess


def stack_in(folder: Path) -> StackProcess:
    folder.mkdir()
    log = folder / "stack.log"
    log.write_text("ready\n")
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    return StackProcess("http://127.0.0.1:1", folder, log, sleeper)


def test_a_good_run_stops_the_stack_and_removes_its_folder(tmp_path: Path) -> None:
    stack = stack_in(tmp_path / "ok")

    stack.finish(keep=False)

    assert stack.process.poll() is not None and not (tmp_path / "ok").exists()


def test_a_failed_run_keeps_the_folder_and_says_where_the_log_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stack = stack_in(tmp_path / "failed")

    stack.finish(keep=True)

    assert stack.process.poll() is not None and stack.log_path.read_text() == "ready\n"
    assert capsys.readouterr().out == f"stack log kept: {stack.log_path}\n"
