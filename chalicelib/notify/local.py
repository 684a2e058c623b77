"""SmsSender for the local stack: the console and a JSONL file stand in for phones.

Each SMS is printed and appended to ``path`` (``.local/sms.jsonl`` in the local stack) as
``{"to", "text", "template", "at", "params"}``. ``to`` is the full number on purpose: this
file *is* the recipient's phone, and e2e tests read login codes from it.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TextIO

from chalicelib.domain.dates import SHANGHAI
from chalicelib.notify.sender import mainland_e164
from chalicelib.notify.templates import RenderedSms


class LocalSmsSender:
    def __init__(
        self,
        path: Path,
        clock: Callable[[], datetime],
        stream: TextIO | None = None,
    ) -> None:
        self._path = Path(path)
        self._clock = clock
        self._stream = stream if stream is not None else sys.stdout
        self._lock = threading.Lock()
        self._count = 0

    def send(self, phone: str, sms: RenderedSms) -> str:
        mainland_e164(phone)  # reject what a real provider would reject
        now = self._clock()
        if now.tzinfo is None:
            raise ValueError("clock must return an aware datetime")
        at = now.astimezone(SHANGHAI).isoformat(timespec="seconds")
        record = {
            "to": phone,
            "text": sms.text,
            "template": sms.key,
            "at": at,
            "params": dict(sms.params),
        }
        line = json.dumps(record, ensure_ascii=False) + "\n"
        with self._lock:
            self._count += 1
            message_id = f"local-{self._count:06d}"
            self._path.parent.mkdir(parents=True, exist_ok=True)
            with self._path.open("a", encoding="utf-8") as out:
                out.write(line)
                out.flush()
            self._stream.write(f"[SMS {at}] → {phone} ({sms.key}) {sms.text}\n")
            self._stream.flush()
        return message_id
