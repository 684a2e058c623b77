"""Schemathesis against the local stack (issue 11: no 5xx from any input).

The stack starts as tests/e2e/conftest.py starts it, in its own process, with ticket limits
raised so the fuzzer is not stopped by 429s after ten tickets. Every operation of
/v1/openapi.json gets schema-valid (positive) and schema-breaking (negative) cases, signed in
as each kind of caller in turn; then the inputs schemathesis does not make itself: bodies
that are not UTF-8, JSON nested 1,000 deep, and dates at and beyond the edges.

YUNGE_FUZZ_CASES sets the total (300 by default; `make fuzz` runs 2,000). The only check is
the one API.md promises for every input: never a 5xx. Each server error is listed with the
request that caused it.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from infra.local.process import StackProcess
from tests.e2e.conftest import AT_ONCE, DEMO_CUSTOMERS, READY_TIMEOUT, Stack

CASES = int(os.environ.get("YUNGE_FUZZ_CASES", "300"))
ROLES = ("customer", "manager", "chief", "ops", "admin", "anonymous")
EXTREME_DATES = (
    "0000-01-01", "0001-01-01", "9999-12-31", "2026-02-30", "2026-13-01", "2026-11-24\n",
    "２０２６-11-24", "1970-01-01", "2099-12-31", "2100-01-01", "-2026-11-24", "2026-11",
    "0000-01", "9999-12", "2026-11\n", "2026-00", "",
)  # fmt: skip
DATE_PARAMS = ("from", "to", "month", "date", "day", "until", "since")


@dataclass
class Tally:
    sent: int = 0
    by_status: Counter[int] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    not_generated: list[str] = field(default_factory=list)  # what schemathesis could not make

    def record(self, status: int, what: str) -> None:
        self.sent += 1
        self.by_status[status] += 1
        if status >= 500:
            self.server_errors.append(f"{status} {what}")


@pytest.fixture(scope="module")
def fuzz_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    local_dir = tmp_path_factory.mktemp("fuzz-stack")
    process = StackProcess.start(
        local_dir,
        YUNGE_DEMO_CUSTOMERS=DEMO_CUSTOMERS,
        YUNGE_DEMO_TICKETS="300",
        YUNGE_TICKETS_PER_HOUR="1000000",
        YUNGE_TICKETS_PER_DAY="1000000",
        **AT_ONCE,
    )
    try:
        process.wait_ready(READY_TIMEOUT)
        demo = json.loads((local_dir / "demo.json").read_text(encoding="utf-8"))
        yield Stack(process.base_url, local_dir, demo, process.log_path, process.process)
    finally:
        process.stop()


def tokens(stack: Stack) -> dict[str, str | None]:
    """A token per kind of caller: a customer with a bound account, and staff by SMS code."""
    customer = stack.customer_token("fuzz-customer")
    account = stack.demo["customers"][0]
    bind = {"account_no": account["account_no"], "holder_name": account["holder_name"]}
    assert stack.request("POST", "/v1/me/accounts", bind, token=customer).status == 201
    out: dict[str, str | None] = {"customer": customer, "anonymous": None}
    for role in ("manager", "chief", "ops", "admin"):
        member = next(s for s in stack.demo["staff"] if s["role"] == role)
        out[role] = stack.staff_token(member["staff_id"])
    return out


def raw(stack: Stack, method: str, path: str, body: bytes | None, token: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(stack.base_url + path, body, headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as error:
        error.read()
        return int(error.code)


def fuzz_operations(stack: Stack, keys: dict[str, str | None], budget: int, tally: Tally) -> int:
    """Schemathesis' positive and negative cases for every operation; the operations seen."""
    import schemathesis
    from hypothesis import HealthCheck, Phase, given, seed, settings
    from hypothesis.errors import Unsatisfiable
    from schemathesis.generation.modes import GenerationMode

    schema = schemathesis.openapi.from_dict(fuzzable(document(stack)))
    operations = [result.ok() for result in schema.get_all_operations()]
    turn = iter(range(10**9))

    def runner(operation: Any, mode: GenerationMode, cases: int, round_no: int) -> Any:
        @seed(round_no)  # reproducible, and each round draws new cases
        @settings(
            max_examples=cases,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def run(case: Any) -> None:
            role = ROLES[next(turn) % len(ROLES)]
            token = keys[role]
            extra = {"Authorization": f"Bearer {token}"} if token else {}
            response = case.call(base_url=stack.base_url, headers=extra, timeout=60)
            what = f"{case.method} {case.formatted_path} as {role} ({mode}): "
            tally.record(response.status_code, what + _describe(case))

        return run

    runs = [
        (op, mode)
        for op in operations
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    ]
    for round_no in range(3):  # later rounds top up what small operations could not use
        left = budget - tally.sent
        if left <= 0 or not runs:
            break
        per_run = -(-left // len(runs))  # ceil: spend the whole budget
        productive = []
        for operation, mode in runs:
            before = tally.sent
            try:
                runner(operation, mode, per_run, round_no)()
            except Unsatisfiable:  # no negative case exists, e.g. an operation with no input
                continue
            except Exception as error:  # reported below: the run goes on
                name = f"{operation.method.upper()} {operation.path} ({mode})"
                tally.not_generated.append(f"{name}: {type(error).__name__}: {error}"[:300])
                continue
            if tally.sent - before >= per_run:
                productive.append((operation, mode))
        runs = productive
    return len(operations)


def document(stack: Stack) -> dict[str, Any]:
    with urllib.request.urlopen(f"{stack.base_url}/v1/openapi.json", timeout=30) as response:
        doc: dict[str, Any] = json.loads(response.read())
    doc["servers"] = [{"url": stack.base_url}]
    return doc


def fuzzable(schema: Any) -> Any:
    """The document without `discriminator` (schemathesis 4.32 cannot generate from one; the
    oneOf it annotates stays, so every variant is still generated)."""
    if isinstance(schema, dict):
        return {k: fuzzable(v) for k, v in schema.items() if k != "discriminator"}
    if isinstance(schema, list):
        return [fuzzable(v) for v in schema]
    return schema


def _describe(case: Any) -> str:
    parts = {"query": case.query, "body": case.body, "path": case.path_parameters}
    return json.dumps({k: v for k, v in parts.items() if v}, ensure_ascii=False, default=str)[:400]


def hostile_inputs(stack: Stack, keys: dict[str, str | None], tally: Tally) -> None:
    """What schemathesis does not send: non-UTF-8 bodies, deep nesting, dates at the edges."""
    paths = document(stack)["paths"]
    bodies = (
        b'{"description": "\xff\xfe\xfd", "account_no": "\xc3\x28"}',
        b"\x80\x81\x82",
        b"[" * 1000 + b"]" * 1000,
        b'{"a":' * 1000 + b"1" + b"}" * 1000,
        b'{"details": ' + b"[" * 20 + b"]" * 20 + b"}",
    )
    staff, customer = keys["ops"], keys["customer"]
    for path, item in paths.items():
        concrete = path.replace("{", "X").replace("}", "")
        for method, spec in item.items():
            method = method.upper()
            if method in ("POST", "PUT", "PATCH") and spec.get("requestBody"):
                for body in bodies:
                    for token in (customer, staff):
                        status = raw(stack, method, concrete, body, token)
                        tally.record(status, f"{method} {concrete} raw {body[:40]!r}")
            names = [p["name"] for p in spec.get("parameters", []) if p.get("in") == "query"]
            dated = [n for n in names if n in DATE_PARAMS]
            for name in dated:
                for value in EXTREME_DATES:
                    query = urllib.parse.urlencode({name: value})
                    for token in (customer, staff):
                        status = raw(stack, method, f"{concrete}?{query}", None, token)
                        tally.record(status, f"{method} {concrete}?{query}")


def test_no_input_makes_the_local_stack_answer_5xx(fuzz_stack: Stack) -> None:
    keys = tokens(fuzz_stack)
    tally = Tally()

    operations = fuzz_operations(fuzz_stack, keys, CASES, tally)
    generated = tally.sent
    hostile_inputs(fuzz_stack, keys, tally)

    summary = (
        f"schemathesis: {generated} generated cases over {operations} operations, "
        f"{tally.sent - generated} hostile inputs; {tally.sent} requests, "
        f"{len(tally.server_errors)} server errors; "
        f"statuses {dict(sorted(tally.by_status.items()))}"
    )
    if tally.not_generated:
        summary += "\nnot generated: " + "\n  ".join(tally.not_generated)
    print(summary)
    report = Path(os.environ.get("YUNGE_FUZZ_REPORT", fuzz_stack.local_dir / "fuzz.txt"))
    report.write_text(summary + "\n" + "\n".join(tally.server_errors) + "\n", encoding="utf-8")
    assert generated > 0 and tally.sent > generated, summary
    assert tally.server_errors == [], summary + "\n" + "\n".join(tally.server_errors[:20])
