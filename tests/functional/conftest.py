from __future__ import annotations

from collections.abc import Iterator

import pytest
from chalice.test import Client

from tests.functional.api_client import Api


@pytest.fixture
def api(memory_services) -> Iterator[Api]:  # type: ignore[no-untyped-def]
    import app

    with Client(app.app) as client:
        yield Api(client, memory_services)
