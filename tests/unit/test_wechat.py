"""WeChat code exchange: the dev fake, and code2Session over an injected fetch (no network)."""

from __future__ import annotations

import json
import urllib.error
from collections.abc import Mapping
from urllib.parse import parse_qs, urlsplit

import pytest

from chalicelib.auth.wechat import (
    CODE2SESSION_URL,
    FakeWeChatExchange,
    HttpWeChatExchange,
    UpstreamUnavailable,
)
from chalicelib.domain.errors import Unauthorized

PARAMS = {"/yunge/prod/wechat-app-id": "wx-app", "/yunge/prod/wechat-secret": "s3cr3t"}


class FakeWeChat:
    """Scripted code2Session: records each request, answers with `reply` or raises `error`."""

    def __init__(self, reply: object = None, error: Exception | None = None) -> None:
        self.reply = reply if reply is not None else {"openid": "o-123", "session_key": "sk"}
        self.error = error
        self.requests: list[tuple[str, float]] = []

    def __call__(self, url: str, timeout: float) -> bytes:
        self.requests.append((url, timeout))
        if self.error is not None:
            raise self.error
        return self.reply if isinstance(self.reply, bytes) else json.dumps(self.reply).encode()


class ParameterReads:
    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, names: list[str]) -> Mapping[str, str]:
        self.calls.append(names)
        return {name: PARAMS[name] for name in names}


def exchange(fetch: FakeWeChat, reads: ParameterReads | None = None) -> HttpWeChatExchange:
    return HttpWeChatExchange(
        "/yunge/prod/wechat-app-id",
        "/yunge/prod/wechat-secret",
        fetch=fetch,
        read_parameters=reads or ParameterReads(),
    )


# ---------------------------------------------------------------- fake
@pytest.mark.parametrize("openid", ["o", "oAbC_12-x", "x" * 64])
def test_fake_accepts_dev_codes(openid: str) -> None:
    assert FakeWeChatExchange().openid_for(f"dev:{openid}") == openid


@pytest.mark.parametrize(
    "code", ["", "dev:", "dev:" + "x" * 65, "dev:a b", "dev:o\n", "prod:o", "o-123", "dev:中文"]
)
def test_fake_refuses_anything_else(code: str) -> None:
    with pytest.raises(Unauthorized) as caught:
        FakeWeChatExchange().openid_for(code)
    assert caught.value.code == "invalid_wechat_code"
    assert caught.value.message == "微信登录凭证无效，请重试"


# ---------------------------------------------------------------- code2Session
def test_exchanges_the_code_for_the_openid() -> None:
    fetch = FakeWeChat({"openid": "o-123", "session_key": "sk", "unionid": "u"})

    assert exchange(fetch).openid_for("081abcDEF") == "o-123"

    ((url, timeout),) = fetch.requests
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == CODE2SESSION_URL
    assert parse_qs(parts.query) == {
        "appid": ["wx-app"],
        "secret": ["s3cr3t"],
        "js_code": ["081abcDEF"],
        "grant_type": ["authorization_code"],
    }
    assert timeout == 5.0


def test_app_credentials_are_read_from_ssm_once() -> None:
    reads = ParameterReads()
    wechat = exchange(FakeWeChat(), reads)

    wechat.openid_for("code-1")
    wechat.openid_for("code-2")

    assert reads.calls == [["/yunge/prod/wechat-app-id", "/yunge/prod/wechat-secret"]]


def test_nothing_is_read_or_fetched_before_the_first_login() -> None:
    reads, fetch = ParameterReads(), FakeWeChat()

    exchange(fetch, reads)

    assert (reads.calls, fetch.requests) == ([], [])


@pytest.mark.parametrize("errcode", [40029, 40163, 45011, 40226])
def test_a_refused_code_is_unauthorized(errcode: int) -> None:
    fetch = FakeWeChat({"errcode": errcode, "errmsg": "invalid code"})

    with pytest.raises(Unauthorized) as caught:
        exchange(fetch).openid_for("bad")
    assert caught.value.code == "invalid_wechat_code"


@pytest.mark.parametrize("code", ["", "   ", "x" * 257])
def test_an_impossible_code_never_reaches_wechat(code: str) -> None:
    fetch = FakeWeChat()

    with pytest.raises(Unauthorized):
        exchange(fetch).openid_for(code)
    assert fetch.requests == []


@pytest.mark.parametrize(
    "error",
    [
        urllib.error.URLError("no route"),
        urllib.error.HTTPError(CODE2SESSION_URL, 502, "Bad Gateway", None, None),  # type: ignore[arg-type]
        TimeoutError("timed out"),
        OSError("network unreachable"),
        ConnectionResetError(),
    ],
    ids=["url-error", "http-502", "timeout", "os-error", "reset"],
)
def test_network_failure_is_upstream_unavailable(error: Exception) -> None:
    with pytest.raises(UpstreamUnavailable) as caught:
        exchange(FakeWeChat(error=error)).openid_for("code")
    assert (caught.value.status, caught.value.code) == (503, "upstream_unavailable")
    assert caught.value.message == "微信服务暂时不可用，请稍后再试"


@pytest.mark.parametrize(
    "reply",
    [b"<html>busy</html>", b"[]", {"errcode": -1, "errmsg": "system busy"}, {"session_key": "sk"}],
    ids=["not-json", "not-object", "system-busy", "no-openid"],
)
def test_a_broken_or_busy_reply_is_upstream_unavailable(reply: object) -> None:
    with pytest.raises(UpstreamUnavailable):
        exchange(FakeWeChat(reply)).openid_for("code")
