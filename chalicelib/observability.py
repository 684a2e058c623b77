"""One place for logging and metrics. Phone numbers never leave here unmasked."""

from __future__ import annotations

import re
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

SERVICE = "yunge"
_MOBILE_IN_TEXT = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")


def mask_phones(text: str) -> str:
    """Mask every mainland mobile number in free text: 13812341234 → 138****1234."""
    return _MOBILE_IN_TEXT.sub(r"\1****\2", text)


class MaskingFormatter(LambdaPowertoolsFormatter):
    def serialize(self, log: Any) -> str:
        return mask_phones(super().serialize(log))


logger = Logger(service=SERVICE, logger_formatter=MaskingFormatter())
metrics = Metrics(namespace="Yunge", service=SERVICE)
