"""OpenAPI 3 from the routes themselves: each view carries its schemas (`docs.doc`), and the
document is built by walking the app's routes, so every route is described and nothing else.
Loaded by the request that serves the document (and `make docs`), not with `import app`."""

from __future__ import annotations

import copy
import re
from typing import Annotated, Any, get_args, get_origin

import msgspec

from chalicelib.api.docs import RouteDoc
from chalicelib.api.schemas import VARIANTS, ErrorOut

ERROR_TEXT = {
    400: "请求参数有误",
    401: "未登录或登录已过期",
    403: "无权访问",
    404: "不存在或无权知道其存在",
    409: "状态冲突",
    413: "请求内容过大",
    415: "请求内容不是 JSON",
    429: "请求过于频繁（见 Retry-After）",
    503: "上游服务暂时不可用",
}

UNDOCUMENTED = RouteDoc("（未写文档）", auth=False)


def _optional(name: str, where: str, text: str) -> dict[str, Any]:
    """An optional string parameter in the query or a header, with what it means."""
    return {
        "name": name,
        "in": where,
        "required": False,
        "description": text,
        "schema": {"type": "string"},
    }


def _operation(method: str, path: str, d: RouteDoc) -> dict[str, Any]:
    params: list[dict[str, Any]] = [
        {"name": n, "in": "path", "required": True, "schema": {"type": "string"}}
        for n in re.findall(r"{(\w+)}", path)
    ]
    params += [_optional(n, "query", t) for n, t in d.query.items()]
    params += [_optional(n, "header", t) for n, t in d.headers.items()]
    ok: dict[str, Any] = {"description": d.summary}
    if d.response is not None:
        ok["content"] = {"application/json": {"schema": _ref(d.response)}}
    responses: dict[str, Any] = {str(d.status): ok}
    codes = set(d.errors) | ({401} if d.auth else set()) | ({400, 413, 415} if d.body else set())
    for code in sorted(codes):
        responses[str(code)] = {
            "description": ERROR_TEXT[code],
            "content": {"application/json": {"schema": _ref(ErrorOut)}},
        }
    op: dict[str, Any] = {
        "operationId": f"{method.lower()}_{re.sub(r'[^a-z0-9]+', '_', path.lower()).strip('_')}",
        "summary": d.summary,
        "responses": responses,
    }
    if params:
        op["parameters"] = params
    if d.body is not None:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _body_schema(d.body)}},
        }
    if d.auth:
        op["security"] = [{"bearer": []}]
    return op


def _ref(schema: type) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{schema.__name__}"}


def _array_of(body: Any) -> tuple[type, int | None] | None:
    """(item, maxItems) when a body is a JSON array of Structs (`list[S]`, maybe Annotated
    with a `max_length`), else None."""
    bound = None
    if get_origin(body) is Annotated:
        body, *metas = get_args(body)
        bound = next((m.max_length for m in metas if getattr(m, "max_length", None)), None)
    if get_origin(body) is list:
        return get_args(body)[0], bound
    return None


def _body_schema(body: Any) -> dict[str, Any]:
    array = _array_of(body)
    if array is None:
        return _ref(body)
    item, bound = array
    return {"type": "array", "items": _ref(item)} | ({"maxItems": bound} if bound else {})


def one_of(
    components: dict[str, Any], name: str, tag: str, field_name: str, structs: dict[str, type]
) -> None:
    """Turn `name` into a `oneOf` of one variant per `tag` value, in which `field_name` is that
    value's Struct (e.g. CreateTicket_fault_repair: type = fault_repair, details: FaultDetails),
    with an OpenAPI discriminator on `tag`."""
    base = components[name]
    mapping: dict[str, str] = {}
    for value, struct in structs.items():
        variant = copy.deepcopy(base)
        variant["title"] = f"{name}_{value}"
        variant["properties"][tag] = {"type": "string", "enum": [value]}
        variant["properties"][field_name] = _ref(struct)
        if components[struct.__name__].get("required"):
            variant["required"] = [*variant.get("required", []), field_name]
        mapping[value] = f"#/components/schemas/{name}_{value}"
        components[f"{name}_{value}"] = variant
    components[name] = {
        "title": name,
        "description": f"`{field_name}` 的结构取决于 `{tag}`："
        + "；".join(f"{value} → {struct.__name__}" for value, struct in structs.items()),
        "oneOf": [{"$ref": ref} for ref in mapping.values()],
        "discriminator": {"propertyName": tag, "mapping": mapping},
    }


def _as_openapi_30(schema: Any) -> None:
    """msgspec writes JSON Schema 2020-12 bounds (`exclusiveMinimum: 0`); OpenAPI 3.0.3 wants
    `minimum: 0, exclusiveMinimum: true` — validators and fuzzers refuse the other form."""
    if isinstance(schema, dict):
        for bound, plain in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
            value = schema.get(bound)
            if isinstance(value, int | float) and not isinstance(value, bool):
                schema[plain], schema[bound] = value, True
        for value in schema.values():
            _as_openapi_30(value)
    elif isinstance(schema, list):
        for value in schema:
            _as_openapi_30(value)


def openapi_document(routes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """`routes` is Chalice's app.routes: {path: {method: RouteEntry}}. The API is everything
    under /v1/; the pages (/m, /ops) and their assets are HTML clients of it, not part of it."""
    paths: dict[str, Any] = {}
    types: set[type] = {ErrorOut}
    for path in sorted(p for p in routes if p.startswith("/v1/")):
        for method, entry in sorted(routes[path].items()):
            d = getattr(entry.view_function, "route_doc", None) or UNDOCUMENTED
            paths.setdefault(path, {})[method.lower()] = _operation(method, path, d)
            array = _array_of(d.body)
            body = array[0] if array else d.body
            types.update(t for t in (body, d.response) if t is not None)
    typed = {schema: VARIANTS[schema] for schema in types if schema in VARIANTS}
    types.update(struct for _, _, structs in typed.values() for struct in structs.values())
    _, components = msgspec.json.schema_components(
        sorted(types, key=lambda t: t.__name__), ref_template="#/components/schemas/{name}"
    )
    for schema, (tag, field_name, structs) in typed.items():
        one_of(components, schema.__name__, tag, field_name, structs)
    for component in components.values():
        _as_openapi_30(component)
    return {
        "openapi": "3.0.3",
        "info": {"title": "Yunge 云格 API", "version": "1.0.0"},
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            },
        },
    }
