"""SmsSender over Amazon SNS direct-to-phone publish.

The client is created on the first send and cached (never at import), so moto can start
first in tests and cold starts skip it when nothing is sent. boto3 is imported lazily.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from chalicelib.domain.phone import mask
from chalicelib.notify.sender import (
    PermanentSmsError,
    SmsError,
    TransientSmsError,
    mainland_e164,
)
from chalicelib.notify.templates import RenderedSms

logger = logging.getLogger(__name__)

TRANSIENT_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "KMSThrottling",
        "KMSThrottlingException",
        "InternalError",
        "InternalFailure",
        "ServiceUnavailable",
        "RequestTimeout",
        "RequestTimeoutException",
    }
)
PERMANENT_CODES = frozenset(
    {
        "InvalidParameter",
        "InvalidParameterValue",
        "ValidationError",
        "OptedOut",
        "OptedOutException",
        "AuthorizationError",
        "AccessDenied",
        "AccessDeniedException",
        "NotFound",
        "EndpointDisabled",
        "InvalidSecurity",
        "KMSAccessDenied",
        "KMSDisabled",
        "KMSInvalidState",
        "KMSNotFound",
    }
)


def _default_client() -> Any:
    import boto3
    from botocore.config import Config

    # A stream batch must not hang on one SMS: short timeouts, few in-client retries;
    # retrying later is the caller's job (TransientSmsError).
    config = Config(connect_timeout=3, read_timeout=5, retries={"max_attempts": 2})
    return boto3.client("sns", config=config)


def classify_client_error(code: str, http_status: int | None) -> type[SmsError]:
    """Known codes by name; otherwise a 5xx is transient and anything else permanent."""
    if code in TRANSIENT_CODES:
        return TransientSmsError
    if code in PERMANENT_CODES:
        return PermanentSmsError
    return TransientSmsError if (http_status or 0) >= 500 else PermanentSmsError


class SnsSmsSender:
    """``SnsSmsSender()`` in production; tests may pass a ``client_factory``."""

    def __init__(
        self,
        client_factory: Callable[[], Any] | None = None,
        *,
        sms_type: str = "Transactional",
    ) -> None:
        self._client_factory = client_factory or _default_client
        self._client: Any = None
        self._sms_type = sms_type

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = self._client_factory()
        return self._client

    def send(self, phone: str, sms: RenderedSms) -> str:
        from botocore.exceptions import ClientError, HTTPClientError
        from botocore.exceptions import ConnectionError as BotoConnectionError

        to = mainland_e164(phone)
        try:
            response = self.client.publish(
                PhoneNumber=to,
                Message=sms.text,
                MessageAttributes={
                    "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": self._sms_type}
                },
            )
        except ClientError as exc:
            error = exc.response.get("Error", {})
            code = str(error.get("Code", "Unknown"))
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            kind = classify_client_error(code, status)
            logger.warning(
                "sms %s to %s failed: %s (%s)", sms.key, mask(phone), code, kind.__name__
            )
            raise kind(f"SNS publish failed: {code}", code=code) from exc
        except (BotoConnectionError, HTTPClientError) as exc:
            # Endpoint unreachable, connect/read timeout, connection closed.
            code = type(exc).__name__
            logger.warning("sms %s to %s failed: %s", sms.key, mask(phone), code)
            raise TransientSmsError(f"SNS unreachable: {code}", code=code) from exc
        message_id = str(response["MessageId"])
        logger.info("sms %s sent to %s as %s", sms.key, mask(phone), message_id)
        return message_id
