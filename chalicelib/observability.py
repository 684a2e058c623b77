"""One place for logging and metrics. Phone numbers never leave here unmasked; names are
masked with `mask_name` wherever a log line or console output would show one."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

from chalicelib.domain.phone import mask_phones

SERVICE = "yunge"


def mask_name(name: str) -> str:
    """A person's name as a log line may show it: the first character only (张三 → 张*)."""
    name = name.strip()
    return name[:1] + "*" * (len(name) - 1) if len(name) > 1 else "*"


class MaskingFormatter(LambdaPowertoolsFormatter):
    def serialize(self, log: Any) -> str:
        return mask_phones(super().serialize(log))


logger = Logger(service=SERVICE, logger_formatter=MaskingFormatter())
metrics = Metrics(namespace="Yunge", service=SERVICE)


def bind_ticket(ticket_id: str) -> None:
    """Every later log line of this invocation names the ticket."""
    logger.append_keys(ticket_id=ticket_id)


def flush_metrics() -> None:
    """Emit collected metrics (EMF) at the end of an invocation; nothing when none."""
    if metrics.metric_set:
        metrics.flush_metrics()


def observe(event: Any, get_response: Any) -> Any:
    """Chalice middleware for every handler: a correlation id on every log line (API Gateway
    request id, or the Lambda request id for events), metrics flushed at the end, and no
    keys leaking from one invocation into the next on a warm container."""
    context = getattr(event, "context", None)
    correlation_id = None
    if isinstance(context, dict):  # HTTP: API Gateway's request context
        correlation_id = context.get("requestId")
    elif context is not None:  # events: the Lambda context
        correlation_id = getattr(context, "aws_request_id", None)
    logger.set_correlation_id(correlation_id)
    try:
        return get_response(event)
    finally:
        logger.remove_keys(["ticket_id"])
        flush_metrics()
