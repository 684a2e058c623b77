"""`python -m infra.local.reply <phone> <text>` (`make reply PHONE=… TEXT=2`): a customer answers
the restoration callback by SMS on the local stack, which has no SMS provider. It posts what
Aliyun would push (notify/replies.py: a JSON array of one SmsUp item) to the RUNNING stack's
`POST /v1/sms/replies/{secret}`, with the stack's own secret (.local/sms-reply.key), so the
reply takes the same path a real one does. A developer tool for the local stack only.

    python -m infra.local.reply 13812345600 2   # 仍停电: a new ticket, its SMS in `make sms`
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path


def push_body(phone: str, text: str, sequence_id: int, now: datetime) -> bytes:
    """One reply as Aliyun's HTTP batch push carries it."""
    item = {
        "phone_number": phone,
        "send_time": now.strftime("%Y-%m-%d %H:%M:%S"),
        "content": text,
        "sign_name": "云格供电",
        "dest_code": "",
        "sequence_id": sequence_id,
    }
    return json.dumps([item], ensure_ascii=False).encode()


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m infra.local.reply <phone> <text>   (e.g. 13812345600 2)")
        return 2
    from chalicelib.auth.keys import FileSecret
    from chalicelib.domain.dates import SHANGHAI

    local_dir = Path(os.environ.get("YUNGE_LOCAL_DIR", ".local")).resolve()
    demo_path = local_dir / "demo.json"
    demo = json.loads(demo_path.read_text(encoding="utf-8")) if demo_path.exists() else {}
    base = demo.get("base_url", "http://127.0.0.1:8000")
    secret = FileSecret(local_dir / "sms-reply.key").read().strip()
    now = datetime.now(SHANGHAI)
    body = push_body(argv[0], argv[1], int(now.timestamp() * 1000), now)
    request = urllib.request.Request(
        f"{base}/v1/sms/replies/{secret}",
        data=body,
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            status, answer = reply.status, reply.read().decode()
    except urllib.error.HTTPError as error:
        status, answer = error.code, error.read().decode()
    except urllib.error.URLError as error:
        print(f"cannot reach the local stack at {base} ({error.reason})", file=sys.stderr)
        return 1
    print(f"{status} {answer}")
    return 0 if status == 200 else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
