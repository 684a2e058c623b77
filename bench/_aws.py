"""AWS call accounting for benchmarks: every botocore client created after `install()` counts
its calls per operation with a `before-call` hook, and can record them (params and parsed
response, via `after-call`) so the same calls can be replayed directly as a floor."""

from __future__ import annotations

import copy
import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Any


def fake_aws_environment() -> None:
    """Region and fake credentials for in-process moto, before any client exists."""
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    os.environ["AWS_ACCOUNT_ID_ENDPOINT_MODE"] = "disabled"
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB"):
        os.environ.pop(name, None)


@dataclass
class Call:
    service: str
    operation: str
    params: dict[str, Any]
    response: dict[str, Any] | None = None


@dataclass
class CallLog:
    counts: Counter[str] = field(default_factory=Counter)
    calls: list[Call] = field(default_factory=list)
    recording: bool = False

    def before_call(self, model: Any, params: Any, **_: Any) -> None:
        self.counts[f"{model.service_model.service_name}.{model.name}"] += 1

    def provide_params(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        if self.recording:
            service = model.service_model.service_name
            self.calls.append(Call(service, model.name, copy.deepcopy(params)))

    def after_call(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        if self.recording and self.calls and self.calls[-1].operation == model.name:
            self.calls[-1].response = parsed

    def take(self) -> Counter[str]:
        taken, self.counts = self.counts, Counter()
        return taken


CALLS = CallLog()
_installed = False


def install() -> CallLog:
    """Hook every botocore client created from now on (boto3's and pynamodb's)."""
    global _installed
    if _installed:
        return CALLS
    from botocore.session import Session

    original = Session.create_client

    def create_client(self: Session, *args: Any, **kwargs: Any) -> Any:
        client = original(self, *args, **kwargs)
        events = client.meta.events
        events.register("provide-client-params.*.*", CALLS.provide_params)
        events.register("before-call.*.*", CALLS.before_call)
        events.register("after-call.*.*", CALLS.after_call)
        return client

    Session.create_client = create_client
    _installed = True
    return CALLS


def without_reads_of_the_stream(counts: Counter[str]) -> Counter[str]:
    return Counter({k: v for k, v in counts.items() if not k.startswith("dynamodbstreams.")})


def replay(calls: list[Call], iterators: dict[str, str], clients: dict[str, Any]) -> int:
    """Issue `calls` again with plain boto3 clients (inside a fresh moto with the same
    tables). `iterators` maps the recorded run's shard iterators to this run's; GetRecords
    follows this run's NextShardIterator chain. `clients`: boto3 clients by service name,
    made before timing starts. Returns how many calls failed (conditional
    checks lost on purpose by the pipeline fail here too)."""
    from botocore.exceptions import ClientError

    failed = 0
    for call in calls:
        params = call.params
        if call.operation == "GetRecords":
            params = {**params, "ShardIterator": iterators[params["ShardIterator"]]}
        try:
            response = clients[call.service]._make_api_call(call.operation, params)
        except ClientError:
            failed += 1
            continue
        if call.operation == "GetRecords" and call.response is not None:
            old_next = call.response.get("NextShardIterator")
            if old_next:
                iterators[old_next] = response["NextShardIterator"]
    return failed
