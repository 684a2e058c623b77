"""Log lines: JSON, phones masked, correlation id per invocation, ticket id when known."""

from __future__ import annotations

import io
import json
import logging
from types import SimpleNamespace

from aws_lambda_powertools import Logger

from chalicelib.observability import MaskingFormatter, bind_ticket, logger, mask_name, observe


def capture() -> tuple[Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    return Logger(
        service="test-yunge", logger_formatter=MaskingFormatter(), logger_handler=handler
    ), stream


def test_a_phone_in_a_message_or_an_extra_key_is_masked() -> None:
    log, stream = capture()
    log.info("SMS to 13812345678 sent", extra={"recipient": "15900001111"})
    line = json.loads(stream.getvalue())
    assert line["message"] == "SMS to 138****5678 sent"
    assert line["recipient"] == "159****1111"
    assert "13812345678" not in stream.getvalue()


def test_a_name_keeps_only_its_first_character() -> None:
    assert [mask_name(n) for n in ("张三", "欧阳娜娜", " 李 ", "")] == ["张*", "欧***", "*", "*"]


def test_each_invocation_gets_its_correlation_id_and_drops_the_ticket_id() -> None:
    seen = []

    def handler(event: object) -> str:
        bind_ticket("01TICKET")
        seen.append((logger.get_correlation_id(), logger.get_current_keys().get("ticket_id")))
        return "ok"

    http_event = SimpleNamespace(context={"requestId": "req-1"})
    stream_event = SimpleNamespace(context=SimpleNamespace(aws_request_id="lambda-2"))
    assert observe(http_event, handler) == "ok"
    assert observe(stream_event, handler) == "ok"
    assert seen == [("req-1", "01TICKET"), ("lambda-2", "01TICKET")]
    assert "ticket_id" not in logger.get_current_keys()
