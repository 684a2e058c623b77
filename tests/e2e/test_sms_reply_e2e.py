"""The local stack takes an SMS reply the way Aliyun delivers one: `python -m infra.local.reply`
pushes with the stack's own secret (.local/sms-reply.key, set by infra/local/server.py) and is
acknowledged; a push without the secret is refused and says nothing more."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.e2e.conftest import ROOT


def test_the_local_stand_in_reply_is_taken_and_a_wrong_secret_is_not(stack) -> None:  # type: ignore[no-untyped-def]
    env = {**os.environ, "YUNGE_LOCAL_DIR": str(stack.local_dir)}
    out = subprocess.run(
        [sys.executable, "-m", "infra.local.reply", "13700000000", "2"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert out.returncode == 0, out.stdout + out.stderr
    status, _, body = out.stdout.strip().partition(" ")
    assert (status, json.loads(body)) == ("200", {"code": 0, "msg": "接收成功"})
    secret = (stack.local_dir / "sms-reply.key").read_text().strip()
    assert len(secret) == 64

    push = [{"phone_number": "13700000000", "content": "2", "sequence_id": 1}]
    wrong = stack.request("POST", "/v1/sms/replies/not-the-secret", push)
    assert wrong.status == 404 and wrong.body["error"]["code"] == "not_found"
