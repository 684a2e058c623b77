"""The README's button-free outage demo, run as written (bash + curl + python3) against the
local stack: the demo's neighbours of one 台区 report "no power", an outage forms, its grid
manager gets one outage SMS and every reporter one acknowledgement."""

from __future__ import annotations

import json
import re
import subprocess

from tests.e2e.conftest import ROOT, Stack

DEMO_URL = "http://127.0.0.1:8000"
FORM_TIMEOUT = 30.0  # the stream pump and the acknowledgement, on a busy 2-core machine


def readme_outage_loop() -> str:
    """The README's ```sh block that loops over `outage_neighbours`."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", readme, flags=re.DOTALL)
    (loop,) = [b for b in blocks if "outage_neighbours" in b]
    return loop


def test_the_readme_loop_forms_one_outage_with_one_manager_sms(stack: Stack) -> None:
    loop = readme_outage_loop()
    assert f"B={DEMO_URL}" in loop and ".local/demo.json" in loop
    script = loop.replace(f"B={DEMO_URL}", f"B={stack.base_url}").replace(
        ".local/demo.json", str(stack.local_dir / "demo.json")
    )
    before = len(stack.sms())

    run = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script], capture_output=True, text=True, timeout=120
    )

    assert run.returncode == 0, run.stderr
    neighbours = len(stack.demo["outage_neighbours"])  # 2 here (a small demo), 4 in make run's
    assert neighbours >= 2
    *reports, listed = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
    assert len(reports) == neighbours and all("ticket_id" in r for r in reports), reports
    (outage,) = listed["items"]
    assert (outage["kind"], outage["state"]) == ("fault", "probable")
    assert outage["reports"] == neighbours
    # the ETR's time, with its date when it falls on another day (an evening report)
    assert re.fullmatch(
        r"您所在台区正在抢修，预计(\d{1,2}月\d{1,2}日)?\d\d:\d\d恢复", outage["notice"]
    )

    phones = {f"1381234560{i}" for i in range(neighbours)}  # the loop's contact phones
    for phone in phones:  # each reporter's acknowledgement reached the sink (+86…)
        stack.wait_for_sms(
            lambda m, p=phone: m["to"][-11:] == p and m["template"].startswith("outage_ack"),
            timeout=FORM_TIMEOUT,
            skip=before,
        )
    sent = stack.sms()[before:]
    managers = [s for s in sent if s["template"] == "outage_manager"]
    assert len(managers) == 1 and f"{neighbours}户报修" in managers[0]["text"], managers
    acks = [s["to"][-11:] for s in sent if s["template"].startswith("outage_ack")]  # +86…
    assert sorted(p for p in acks if p in phones) == sorted(phones)  # each reporter, once
