"""The pages' routes: HTML shells and their static assets, no authorizer (the pages log in
through /v1/auth and send their token in the Authorization header, so there is no cookie to
forge). Thin: everything is in chalicelib.web.serve, imported on first use so a cold start
of the API never loads it."""

from __future__ import annotations

from chalice import Blueprint
from chalice.app import Response

pages_api = Blueprint(__name__)


def _page(name: str) -> Response:
    from chalicelib.web.serve import page_response

    request = pages_api.current_request
    return page_response(name, request.context or {})


@pages_api.route("/m", methods=["GET"])
def manager_page() -> Response:
    return _page("m")


@pages_api.route("/m/t/{number}", methods=["GET"])
def manager_ticket_page(number: str) -> Response:
    return _page("m")  # the script opens the ticket named in the path after login


@pages_api.route("/ops", methods=["GET"])
def ops_page() -> Response:
    return _page("ops")


@pages_api.route("/assets/{name}", methods=["GET"])
def page_asset(name: str) -> Response:
    from chalicelib.web.serve import asset_response

    return asset_response(name)
