"""WeChat mini-program login: exchange a wx.login code for the user's openid."""

from __future__ import annotations

import http.client
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from chalicelib.domain.errors import DomainError, Unauthorized
from chalicelib.observability import logger

CODE2SESSION_URL = "https://api.weixin.qq.com/sns/jscode2session"
TIMEOUT_SECONDS = 5.0
_DEV_CODE = re.compile(r"dev:([A-Za-z0-9_-]{1,64})")
_MAX_CODE_CHARS = 256
_SYSTEM_BUSY = -1  # code2Session errcode: WeChat's own failure, not the caller's


class UpstreamUnavailable(DomainError):
    status = 503
    code = "upstream_unavailable"
    message = "微信服务暂时不可用，请稍后再试"


def invalid_code() -> Unauthorized:
    return Unauthorized("微信登录凭证无效，请重试", code="invalid_wechat_code")


class WeChatExchange(Protocol):
    def openid_for(self, code: str) -> str:
        """The openid behind a wx.login code. Raises Unauthorized (invalid_wechat_code)."""
        ...


class FakeWeChatExchange:
    """Local stack and tests: `dev:<openid>` logs in as that openid."""

    def openid_for(self, code: str) -> str:
        match = _DEV_CODE.fullmatch(code) if isinstance(code, str) else None
        if match is None:
            raise invalid_code()
        return match.group(1)


Fetch = Callable[[str, float], bytes]  # (url, timeout seconds) -> response body
ReadParameters = Callable[[list[str]], Mapping[str, str]]  # SSM names -> decrypted values


def urllib_fetch(url: str, timeout: float) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        body: bytes = response.read()
        return body


def ssm_parameters(names: list[str]) -> Mapping[str, str]:
    import boto3

    response = boto3.client("ssm").get_parameters(Names=names, WithDecryption=True)
    missing = response.get("InvalidParameters") or []
    if missing:
        raise LookupError(f"SSM parameters not found: {missing}")
    return {p["Name"]: p["Value"] for p in response["Parameters"]}


class HttpWeChatExchange:
    """code2Session over HTTPS. App id and secret come from SSM on first use, then stay."""

    def __init__(
        self,
        app_id_param: str,
        secret_param: str,
        *,
        fetch: Fetch = urllib_fetch,
        read_parameters: ReadParameters = ssm_parameters,
        timeout: float = TIMEOUT_SECONDS,
    ) -> None:
        self._params = (app_id_param, secret_param)
        self._fetch = fetch
        self._read_parameters = read_parameters
        self._timeout = timeout
        self._credentials: tuple[str, str] | None = None

    def openid_for(self, code: str) -> str:
        if not isinstance(code, str) or not code.strip() or len(code) > _MAX_CODE_CHARS:
            raise invalid_code()
        app_id, secret = self._app_credentials()
        query = urllib.parse.urlencode(
            {
                "appid": app_id,
                "secret": secret,
                "js_code": code,
                "grant_type": "authorization_code",
            }
        )
        reply = self._call(f"{CODE2SESSION_URL}?{query}")
        errcode = reply.get("errcode", 0)
        if errcode == _SYSTEM_BUSY:
            logger.warning("code2Session busy", extra={"errcode": errcode})
            raise UpstreamUnavailable()
        if errcode not in (0, None):
            logger.info("code2Session refused a code", extra={"errcode": errcode})
            raise invalid_code()
        openid = reply.get("openid")
        if not isinstance(openid, str) or not openid:
            logger.warning("code2Session reply without openid")
            raise UpstreamUnavailable()
        return openid

    def _app_credentials(self) -> tuple[str, str]:
        if self._credentials is None:
            values = self._read_parameters(list(self._params))
            self._credentials = (values[self._params[0]], values[self._params[1]])
        return self._credentials

    def _call(self, url: str) -> Mapping[str, Any]:
        try:
            body = self._fetch(url, self._timeout)
        except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
            # never log the URL: it carries the app secret and the user's code
            logger.warning("code2Session unreachable", extra={"error": type(error).__name__})
            raise UpstreamUnavailable() from None
        try:
            reply = json.loads(body)
        except ValueError:
            logger.warning("code2Session reply is not JSON")
            raise UpstreamUnavailable() from None
        if not isinstance(reply, dict):
            raise UpstreamUnavailable()
        return reply
