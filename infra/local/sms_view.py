"""`make sms`: the local stack's SMS as people would read them, following `.local/sms.jsonl`
like `tail -f`: the time, who it is for (by its template), the masked phone, the text.

    20:41:07  网格经理  138****2001  【云格供电】您有新工单261127-7KQ2MX…

`python -m infra.local.sms_view --once` prints what is there and stops."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TextIO

from chalicelib.domain.phone import mask

# Who a template speaks to, by the end of its key (chalicelib/notify/templates.py).
ROLES = (
    ("_manager", "网格经理"),
    ("_customer", "客户"),
    ("_priority", "重要客户"),
    ("_chief", "所长"),
    ("_branch", "分局值班"),
    ("_login_code", "工作人员"),
    ("_reminder", "客户"),
)


def role_of(template: str) -> str:
    return next((name for suffix, name in ROLES if template.endswith(suffix)), template or "?")


def line_of(raw: str) -> str | None:
    """One SMS as a readable line; None for a line that is not an SMS record."""
    try:
        sms = json.loads(raw)
        at, phone, text = sms["at"], sms["to"], sms["text"]
    except (ValueError, KeyError, TypeError):
        return None
    clock = at[11:19] if len(at) >= 19 else at
    return f"{clock}  {role_of(sms.get('template', '')):<4}  {mask(phone)}  {text}"


def follow(
    path: Path, *, once: bool, sleep: Callable[[float], None] = time.sleep, polls: int = -1
) -> Iterator[str]:
    """Lines of `path` as they are appended (waiting for the file to appear); with `once`,
    only those already there. `polls` bounds the waiting (tests); -1 waits for ever."""
    position = 0
    while True:
        if path.exists():
            with path.open(encoding="utf-8") as sms_log:
                sms_log.seek(position)
                while raw := sms_log.readline():
                    if not raw.endswith("\n"):  # half-written: read it whole next time
                        break
                    position += len(raw.encode("utf-8"))
                    if (line := line_of(raw)) is not None:
                        yield line
        if once or polls == 0:
            return
        polls -= 1
        sleep(0.5)


def main(argv: list[str] | None = None, out: TextIO = sys.stdout) -> int:
    parser = argparse.ArgumentParser(prog="make sms")
    parser.add_argument("--once", action="store_true", help="print what is there and stop")
    args = parser.parse_args(argv)
    path = Path(os.environ.get("YUNGE_LOCAL_DIR", ".local")) / "sms.jsonl"
    if not path.exists():
        print(f"waiting for {path} (start the stack with make run)", file=out, flush=True)
    try:
        for line in follow(path, once=args.once):
            print(line, file=out, flush=True)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
