"""Roles come from the server's staff record on every route, never from the token (issue 11,
item 3): a staff member demoted or removed loses access within the org cache's TTL."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from chalicelib.domain.org import STAFF_ROLES, Role
from chalicelib.reports.service import memory_report_ports
from chalicelib.store.org import CachedOrgStore
from tests import district
from tests.functional.api_client import Api


def protected_routes() -> list[tuple[str, str]]:
    """Every (method, path) of the app behind the bearer authorizer, params filled in: a
    route added later is walked too."""
    import app

    return [
        (method, re.sub(r"\{[^}]+\}", "X1", path))
        for path, entries in app.app.routes.items()
        for method, entry in entries.items()
        if entry.authorizer is not None
    ]


def stale_tokens() -> list[tuple[str, Role]]:
    """Tokens whose role the store no longer holds: each staff role on a member of another
    role, and each staff role on a member who was removed."""
    other = {role: "O1" if role is Role.MANAGER else "M1" for role in STAFF_ROLES}
    return [(other[role], role) for role in sorted(STAFF_ROLES)] + [
        ("GONE", role) for role in sorted(STAFF_ROLES)
    ]


def test_the_walk_covers_the_staff_routes() -> None:
    walked = set(protected_routes())
    assert {("GET", "/v1/admin/notifications"), ("POST", "/v1/reports")} <= walked
    assert {("GET", "/v1/reports"), ("GET", "/v1/stats"), ("PUT", "/v1/staff/me/duty")} <= walked


@pytest.mark.parametrize("who", stale_tokens(), ids=lambda w: f"{w[0]}-as-{w[1].value}")
def test_every_protected_route_refuses_a_role_the_store_no_longer_holds(
    api: Api, who: tuple[str, Role]
) -> None:
    svc = api.services
    svc.reports = memory_report_ports(svc.tickets, district.ORG, {"G1": 10})
    org_before = dict(svc.org.items)
    for method, path in protected_routes():
        reply = api.call(method, path, {} if method in ("POST", "PUT") else None, as_=who)
        # 401 staff_changed: log in again; 403: the stored role may not use the route (or a
        # customer-only route refused a staff token)
        assert reply.status in (401, 403), (method, path, reply.status, reply.body)
        assert reply.body["error"]["code"] in ("staff_changed", "forbidden"), (method, path)
    assert svc.org.items == org_before
    assert svc.tickets.tickets == {}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/admin/notifications"),
        ("GET", "/v1/reports?month=2026-11"),
        ("POST", "/v1/reports"),
        ("GET", "/v1/stats"),
    ],
)
def test_a_demoted_analyst_is_forbidden_once_the_cache_expires(
    api: Api, clock: Any, method: str, path: str
) -> None:
    svc = api.services
    svc.reports = memory_report_ports(svc.tickets, district.ORG, {"G1": 10})
    inner = svc.org
    svc.org = CachedOrgStore(inner, clock, ttl=timedelta(seconds=30))
    body = {"month": "2026-11"} if method == "POST" else None
    ops = ("O1", Role.OPS)
    assert api.call(method, path, body, as_=ops).status in (200, 201, 404)  # 404: no report yet
    inner.put_all([replace(district.staff("O1"), role=Role.MANAGER)])
    clock.now += timedelta(seconds=31)
    reply = api.call(method, path, body, as_=ops)
    assert reply.status == 403, reply.body
    assert reply.body["error"]["code"] == "forbidden"
