from __future__ import annotations

from collections.abc import Iterator

import pytest
from chalice.test import Client

from tests.functional.api_client import Api


@pytest.fixture
def api(memory_services, monkeypatch) -> Iterator[Api]:  # type: ignore[no-untyped-def]
    """The real app through a local gateway that answers authorizer refusals and unknown
    routes the way API Gateway does with our gateway responses."""
    import chalice.test

    import app
    from infra.local.gateway import YungeLocalGateway

    monkeypatch.setattr(chalice.test, "LocalGateway", YungeLocalGateway)
    with Client(app.app) as client:
        yield Api(client, memory_services)
