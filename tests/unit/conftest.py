"""Unit tests never touch the network: every socket connect fails loudly (tests that need
moto, a server or a browser are functional or e2e)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest


class NetworkInUnitTest(RuntimeError):
    pass


def _refuse(self: socket.socket, address: Any, *args: Any) -> Any:
    raise NetworkInUnitTest(f"a unit test tried to connect to {address!r}")


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(socket.socket, "connect", _refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", _refuse)
    yield
