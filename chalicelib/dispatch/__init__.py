"""Automatic dispatch and SMS notification from the tickets stream (DESIGN.md, Events)."""

from chalicelib.dispatch.assignment import (
    Assignment,
    Route,
    Workload,
    assign,
    least_loaded,
    on_duty,
    peers_on_duty,
)
from chalicelib.dispatch.dispatcher import Dispatcher, TopologyError, dispatched
from chalicelib.dispatch.lambda_records import (
    lambda_event_from_stream_records,
    lambda_stream_record,
)
from chalicelib.dispatch.outbox import MAX_ATTEMPTS, Outbox, RetryLater

__all__ = [
    "MAX_ATTEMPTS",
    "Assignment",
    "Dispatcher",
    "Outbox",
    "RetryLater",
    "Route",
    "TopologyError",
    "Workload",
    "assign",
    "dispatched",
    "lambda_event_from_stream_records",
    "lambda_stream_record",
    "least_loaded",
    "on_duty",
    "peers_on_duty",
]
