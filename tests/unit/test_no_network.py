"""The unit suite's socket guard (tests/unit/conftest.py) holds."""

from __future__ import annotations

import socket
import urllib.request

import pytest


def test_a_unit_test_cannot_open_a_connection() -> None:
    with pytest.raises(RuntimeError, match="a unit test tried to connect"):
        socket.create_connection(("127.0.0.1", 9), timeout=0.1)


def test_nor_reach_a_web_service() -> None:
    with pytest.raises(RuntimeError, match="a unit test tried to connect"):
        urllib.request.urlopen("http://127.0.0.1:9/", timeout=0.1)
