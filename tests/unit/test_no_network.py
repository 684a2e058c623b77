"""The unit suite's socket guard (tests/unit/conftest.py) holds."""

from __future__ import annotations

import socket
import urllib.request

import pytest

SDKS = {"moto", "boto3", "botocore"}  # (pynamodb models may be defined, never called)


def test_a_unit_test_cannot_open_a_connection() -> None:
    with pytest.raises(RuntimeError, match="a unit test tried to connect"):
        socket.create_connection(("127.0.0.1", 9), timeout=0.1)


def test_nor_reach_a_web_service() -> None:
    with pytest.raises(RuntimeError, match="a unit test tried to connect"):
        urllib.request.urlopen("http://127.0.0.1:9/", timeout=0.1)


def test_no_unit_test_imports_moto_or_boto3() -> None:
    """Tests that need moto or boto3 are functional (tests/functional/)."""
    import ast
    from pathlib import Path

    here = Path(__file__).parent
    found = []
    for path in sorted(here.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            found += [f"{path.name}: {n}" for n in names if n.split(".")[0] in SDKS]
    assert found == []
