"""docs/API.md from the OpenAPI document the app serves at /v1/openapi.json: every endpoint
with its parameters, body fields (per-type variants of `details` included), responses and the
shared error shape, then every schema. Pure text in, text out; deterministic."""

from __future__ import annotations

from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
TARGET = ROOT / "docs" / "API.md"
HEAD = """# 云格 Yunge API reference

Generated from the app's OpenAPI document (`GET /v1/openapi.json`; readable in the browser at
`GET /v1/docs`) by `make docs` (`python -m infra.docs`). Do not edit by hand: a test fails
when this file differs from what the routes say.

- Every endpoint is under `/v1/` and speaks JSON (`Content-Type: application/json`; 64 KB at
  most, nesting at most 16 deep). 🔒 marks an endpoint that needs `Authorization: Bearer <token>`
  (from `/v1/auth/*`).
- Errors always have one shape: `{"error": {"code": "...", "message": "中文说明",
  "fields": {"<field>": "<原因>"}}}`. A 400 names **every** bad field of the body at once, nested
  ones by path (`location.lat`, `photos[0]`, `details.scope`); an invalid choice lists the
  allowed values (`取值无效，可选：…`). A 429 carries `Retry-After` (seconds).
- Times are ISO 8601 with an offset (`+08:00`). `contact_phone` is stored in E.164.
"""


def _name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def type_text(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        name = _name(schema["$ref"])
        return f"[{name}](#{name.lower()})"
    alternatives = schema.get("anyOf") or schema.get("oneOf")
    if alternatives:
        return " \\| ".join(type_text(a) for a in alternatives)
    if schema.get("type") == "array":
        return type_text(schema.get("items", {})) + "[]"
    if "enum" in schema:
        return "enum"
    return str(schema.get("type", "any"))


def notes(schema: dict[str, Any], schemas: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for option in schema.get("anyOf", []):
        if option.get("type") != "null":
            out += notes(schemas.get(_name(option["$ref"]), {}) if "$ref" in option else option, {})
    if "description" in schema:
        out.append(str(schema["description"]))
    if "enum" in schema:
        out.append("one of " + ", ".join(f"`{v}`" for v in schema["enum"]))
    if "minLength" in schema or "maxLength" in schema:
        out.append(f"length {schema.get('minLength', 0)}–{schema.get('maxLength', '∞')}")
    low = (
        f"≥ {schema['minimum']}"
        if "minimum" in schema
        else (f"> {schema['exclusiveMinimum']}" if "exclusiveMinimum" in schema else "")
    )
    high = f"≤ {schema['maximum']}" if "maximum" in schema else ""
    if low or high:
        out.append(" ".join(p for p in (low, high) if p))
    if "maxItems" in schema:
        out.append(f"at most {schema['maxItems']} items")
    if "pattern" in schema:
        out.append(f"pattern `{schema['pattern']}`")
    if schema.get("default") not in (None, [], {}):
        out.append(f"default `{schema['default']}`")
    return out


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def fields(schema: dict[str, Any], schemas: dict[str, Any]) -> list[str]:
    """A Markdown table of a schema's fields (a `oneOf` as one table per variant)."""
    resolved = schemas.get(_name(schema["$ref"]), {}) if "$ref" in schema else schema
    if resolved.get("type") == "array" and "items" in resolved:
        bound = f" (at most {resolved['maxItems']})" if "maxItems" in resolved else ""
        return [f"A JSON array{bound} of:", "", *fields(resolved["items"], schemas)]
    if "oneOf" in resolved:
        lines = [resolved.get("description", "One of:"), ""]
        for variant in resolved["oneOf"]:
            lines += [f"*{_name(variant['$ref'])}*", "", *fields(variant, schemas), ""]
        return lines
    if "enum" in resolved:
        return ["One of " + ", ".join(f"`{v}`" for v in resolved["enum"]) + "."]
    props: dict[str, Any] = resolved.get("properties", {})
    if not props:
        return ["(no fields)"]
    required = set(resolved.get("required", []))
    lines = ["| field | type | required | notes |", "| --- | --- | --- | --- |"]
    for name, prop in props.items():
        text = "; ".join(notes(prop, schemas))
        lines.append(
            f"| `{name}` | {type_text(prop)} | {'yes' if name in required else ''} "
            f"| {_cell(text)} |"
        )
    return lines


def _json_schema(part: dict[str, Any]) -> dict[str, Any] | None:
    return part.get("content", {}).get("application/json", {}).get("schema")


def operation(path: str, method: str, op: dict[str, Any], schemas: dict[str, Any]) -> list[str]:
    lock = "🔒 " if op.get("security") else ""
    lines = [f"### `{method.upper()} {path}`", "", lock + op.get("summary", ""), ""]
    params = op.get("parameters", [])
    if params:
        lines += ["| parameter | in | notes |", "| --- | --- | --- |"]
        lines += [
            f"| `{p['name']}` | {p['in']} | {_cell(p.get('description', ''))} |" for p in params
        ]
        lines.append("")
    body = _json_schema(op.get("requestBody", {}))
    if body:
        lines += [f"Body: {type_text(body)}", "", *fields(body, schemas), ""]
    lines += ["| status | meaning | body |", "| --- | --- | --- |"]
    for code, answer in op.get("responses", {}).items():
        schema = _json_schema(answer)
        shown = type_text(schema) if schema else ""
        lines.append(f"| {code} | {_cell(answer.get('description', ''))} | {shown} |")
    return [*lines, ""]


def render(document: dict[str, Any]) -> str:
    schemas: dict[str, Any] = document["components"]["schemas"]
    lines = [HEAD, "## Endpoints", ""]
    for path, methods in document["paths"].items():
        lines += [f"- [`{m.upper()} {path}`](#{_anchor(m, path)})" for m in methods]
    lines.append("")
    for path, methods in document["paths"].items():
        for method, op in methods.items():
            lines += operation(path, method, op, schemas)
    lines += ["## Schemas", ""]
    for name in sorted(schemas):
        lines += [f"### {name}", "", *fields({"$ref": f"#/{name}"}, schemas), ""]
    return "\n".join(lines).rstrip() + "\n"


def _anchor(method: str, path: str) -> str:
    """GitHub's heading anchor for "### `POST /v1/tickets`"."""
    text = f"{method} {path}".lower()
    return "".join(c for c in text.replace(" ", "-") if c.isalnum() or c in "-_")


def current() -> str:
    """docs/API.md as the app's routes say it should be now."""
    import app
    from chalicelib.api.openapi import openapi_document

    return render(openapi_document(app.app.routes))
