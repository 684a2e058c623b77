"""`make sms`: the local SMS log followed as readable lines, phones masked."""

from __future__ import annotations

import json
from pathlib import Path

from infra.local.sms_view import follow, line_of


def record(to: str, template: str, text: str, at: str = "2026-12-06T20:41:07+08:00") -> str:
    body = {"to": to, "text": text, "template": template, "at": at, "params": {}}
    return json.dumps(body, ensure_ascii=False) + "\n"


def test_a_line_says_when_who_and_what_with_the_phone_masked() -> None:
    line = line_of(record("13800002001", "dispatch_manager", "【云格供电】您有新工单"))
    assert line == "20:41:07  网格经理  138****2001  【云格供电】您有新工单"
    assert "客户" in str(line_of(record("13700001111", "dispatched_customer", "x")))
    assert "所长" in str(line_of(record("13700001111", "escalation_chief", "x")))
    assert line_of("not json\n") is None and line_of('{"to": 1}\n') is None


def test_following_picks_up_what_is_appended_and_waits_for_half_lines(tmp_path: Path) -> None:
    path = tmp_path / "sms.jsonl"
    waits: list[float] = []

    def later(seconds: float) -> None:  # the stack appends while the view waits
        waits.append(seconds)
        with path.open("a", encoding="utf-8") as log:
            if len(waits) == 1:
                log.write(record("13800002002", "staff_login_code", "验证码 123456"))
                log.write(record("13800002003", "overdue_branch", "超期")[:30])  # half written
            elif len(waits) == 2:
                log.write(record("13800002003", "overdue_branch", "超期")[30:])

    path.write_text(record("13800002001", "dispatch_manager", "新工单"), encoding="utf-8")
    lines = list(follow(path, once=False, sleep=later, polls=3))
    assert [line.split("  ")[1:3] for line in lines] == [
        ["网格经理", "138****2001"],
        ["工作人员", "138****2002"],
        ["分局值班", "138****2003"],
    ]
    assert "13800002002" not in "".join(lines)
