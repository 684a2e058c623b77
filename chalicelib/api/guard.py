"""The Chalice built-in authorizer every protected route names. It verifies the bearer
token only; scope is looked up per request on the server (usecases.queries.scope_of).

A refusal is an explicit Deny whose context carries our error code and message; the
gateway responses (chalicelib.auth.authorizer.gateway_responses, and the local stack's
gateway) render it as 401 in API.md's error shape."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint
from chalice.app import AuthRequest, AuthResponse

guard_api = Blueprint(__name__)


@guard_api.authorizer(ttl_seconds=0)
def bearer(auth_request: AuthRequest) -> AuthResponse | dict[str, Any]:
    from chalicelib.auth.authorizer import authorize, denial
    from chalicelib.bootstrap import services
    from chalicelib.domain.errors import Unauthorized

    try:
        principal, context = authorize(auth_request.token, services().tokens)
    except Unauthorized as error:
        return denial(auth_request.method_arn, error)
    return AuthResponse(routes=["*"], principal_id=principal, context=context)


def protected(**kwargs: Any) -> dict[str, Any]:
    """Route options for an authenticated JSON endpoint."""
    return {"authorizer": bearer, "content_types": ["*/*"], **kwargs}
