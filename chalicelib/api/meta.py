"""Health, the OpenAPI document and its readable rendering."""

from __future__ import annotations

from chalice import Blueprint
from chalice.app import Response

from chalicelib.api.docs import doc
from chalicelib.api.http import endpoint, respond
from chalicelib.api.schemas import Health

meta_api = Blueprint(__name__)


@meta_api.route("/v1/health", methods=["GET"])
@endpoint
@doc("健康检查", response=Health, auth=False)
def health() -> Response:
    return respond(Health(status="ok"))


@meta_api.route("/v1/openapi.json", methods=["GET"])
@endpoint
@doc("OpenAPI 3 文档", auth=False)
def openapi() -> Response:
    from chalicelib.api.openapi import openapi_document  # built only when asked for

    app = meta_api.current_app
    return respond(openapi_document(app.routes))


@meta_api.route("/v1/docs", methods=["GET"])
@endpoint
@doc("API 参考（HTML 页面，由 /v1/openapi.json 渲染）", auth=False)
def api_reference() -> Response:
    from chalicelib.web.serve import page_response

    return page_response("docs", meta_api.current_request.context or {})
