"""The Chalice built-in authorizer every protected route names. It verifies the bearer
token only; scope is looked up per request on the server (usecases.queries.scope_of)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint
from chalice.app import AuthRequest, AuthResponse

guard_api = Blueprint(__name__)


@guard_api.authorizer(ttl_seconds=0)
def bearer(auth_request: AuthRequest) -> AuthResponse:
    from chalicelib.auth.authorizer import authorize
    from chalicelib.bootstrap import services
    from chalicelib.domain.errors import DomainError

    try:
        principal, context = authorize(auth_request.token, services().tokens)
    except DomainError:
        return AuthResponse(routes=[], principal_id="anonymous")
    return AuthResponse(routes=["*"], principal_id=principal, context=context)


def protected(**kwargs: Any) -> dict[str, Any]:
    """Route options for an authenticated JSON endpoint."""
    return {"authorizer": bearer, "content_types": ["*/*"], **kwargs}
