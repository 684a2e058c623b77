"""Who is calling: tokens, the WeChat code exchange, staff SMS codes and the authorizer."""

from chalicelib.auth.authorizer import authorize, denial, gateway_error, gateway_responses
from chalicelib.auth.otp import DynamoOtpStore, InMemoryOtpStore, OtpService, OtpStore
from chalicelib.auth.tokens import (
    Claims,
    FileKeyProvider,
    KeyProvider,
    SsmKeyProvider,
    TokenService,
)
from chalicelib.auth.wechat import (
    FakeWeChatExchange,
    HttpWeChatExchange,
    UpstreamUnavailable,
    WeChatExchange,
)

__all__ = [
    "Claims",
    "DynamoOtpStore",
    "FakeWeChatExchange",
    "FileKeyProvider",
    "HttpWeChatExchange",
    "InMemoryOtpStore",
    "KeyProvider",
    "OtpService",
    "OtpStore",
    "SsmKeyProvider",
    "TokenService",
    "UpstreamUnavailable",
    "WeChatExchange",
    "authorize",
    "denial",
    "gateway_error",
    "gateway_responses",
]
