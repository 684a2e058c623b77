"""Field errors in Chinese, every bad field of a body at once (API.md: `error.fields`).

msgspec stops at the first error. A body that failed to decode is read again as plain JSON
values and each field of the Struct converted on its own, so one 400 names every bad field,
nested ones by path (`location.lat`, `photos[0]`, `details.scope`). Only a failed body pays for
this; the depth and size limits of `api.http.decode` hold before either read.
"""

from __future__ import annotations

import enum
import functools
import re
import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import msgspec

_FIELD = re.compile(r"at `\$((?:\.|\[)[^`]*)`")
_MISSING = re.compile(r"missing required field `([^`]+)`")
_EXPECTED = re.compile(r"Expected `([^`]+)`")
_TYPE_NAMES = {
    "str": "字符串",
    "int": "整数",
    "float": "数字",
    "bool": "布尔值",
    "object": "对象",
    "array": "数组",
}
INVALID = "取值无效"
UNKNOWN = "不支持的字段"
MAX_ITEMS = 20  # a list's items named one by one; a longer list is refused for its length


def field_errors(error: msgspec.ValidationError, prefix: str = "") -> dict[str, str]:
    """The one field msgspec's error names, with its message in Chinese."""
    text = str(error)
    at = _FIELD.search(text)
    path = join(prefix, at.group(1)) if at else prefix
    missing = _MISSING.search(text)
    if missing:
        return {join(path, "." + missing.group(1)): "必填"}
    where = path or "$"
    if "matching regex" in text:
        return {where: "格式不正确"}
    if "length" in text:
        return {where: "长度不符合要求"}
    if any(op in text for op in (">=", "<=", "> ", "< ")):
        return {where: "超出允许范围"}
    expected = _EXPECTED.search(text)
    if expected:
        kind = expected.group(1).split(" ")[0]
        return {where: f"应为{_TYPE_NAMES.get(kind, kind)}"}
    if "Object contains unknown field" in text:
        return {where: UNKNOWN}
    return {where: INVALID}


def join(prefix: str, step: str) -> str:
    """`location` + `.lat` → `location.lat`; `photos` + `[0]` → `photos[0]`; `` + `.x` → `x`."""
    return f"{prefix}{step}" if prefix else step.lstrip(".")


def all_field_errors(data: Any, schema: type, prefix: str = "") -> dict[str, str]:
    """Every bad field of `data` (plain JSON values) against the Struct `schema`."""
    try:
        msgspec.convert(data, type=schema)
        return {}
    except msgspec.ValidationError as error:
        first = error
    if not isinstance(data, dict) or not isinstance(schema, type):
        return _explained(field_errors(first, prefix), schema, prefix)
    if not issubclass(schema, msgspec.Struct) or schema.__struct_config__.array_like:
        return field_errors(first, prefix)
    errors: dict[str, str] = {}
    known = set()
    for info in _fields(schema):
        known.add(info.encode_name)
        path = join(prefix, "." + info.encode_name)
        if info.encode_name not in data:
            if info.required:
                errors[path] = "必填"
            continue
        value = data[info.encode_name]
        inner = struct_of(info.type, value)
        if inner is not None:
            errors.update(all_field_errors(value, inner, path))
            continue
        try:
            msgspec.convert(value, type=info.type)
        except msgspec.ValidationError as error:
            found = _item_errors(value, info.type, path)
            errors.update(found or _explained(field_errors(error, path), info.type, path))
            if found and _wrong_length(value, info.type):
                errors[path] = "长度不符合要求"
    if schema.__struct_config__.forbid_unknown_fields:
        errors.update({join(prefix, "." + k): UNKNOWN for k in data if k not in known})
    return errors or field_errors(first, prefix)


@functools.cache
def _fields(schema: type) -> tuple[msgspec.structs.FieldInfo, ...]:
    """A Struct's fields with their types resolved (msgspec evaluates them on every call)."""
    return msgspec.structs.fields(schema)


def _wrong_length(value: Any, hint: Any) -> bool:
    """A list longer or shorter than its Annotated Meta allows (checked apart from its items)."""
    metas = get_args(hint)[1:] if get_origin(hint) is Annotated else ()
    for meta in (m for m in metas if isinstance(m, msgspec.Meta)):
        if meta.max_length is not None and len(value) > meta.max_length:
            return True
        if meta.min_length is not None and len(value) < meta.min_length:
            return True
    return False


def _item_errors(value: Any, hint: Any, path: str) -> dict[str, str]:
    """Each bad item of a list field (`photos[0]`, `photos[2]`)."""
    items = [get_args(t)[0] for t in _alternatives(hint) if get_origin(t) is list and get_args(t)]
    if not isinstance(value, list) or len(items) != 1:
        return {}
    errors: dict[str, str] = {}
    for index, item in enumerate(value[:MAX_ITEMS]):
        errors.update(all_field_errors(item, items[0], f"{path}[{index}]"))
    return errors


def struct_of(hint: Any, value: Any) -> type | None:
    """The Struct a field holds when its value is an object (`Location | None` → Location)."""
    if not isinstance(value, dict):
        return None
    options = _alternatives(hint)
    structs = [t for t in options if isinstance(t, type) and issubclass(t, msgspec.Struct)]
    return structs[0] if len(structs) == 1 else None


def allowed_values(hint: Any) -> list[str]:
    """The values an Enum or Literal field takes (empty for any other type)."""
    values: list[str] = []
    for option in _alternatives(hint):
        if get_origin(option) is Literal:
            values += [str(v) for v in get_args(option)]
        elif isinstance(option, type) and issubclass(option, enum.Enum):
            values += [str(member.value) for member in option]
    return values


def invalid_choice(hint: Any) -> str:
    """`取值无效，可选：a、b` for an Enum or Literal (a query parameter's, say)."""
    values = allowed_values(hint)
    return f"{INVALID}，可选：{'、'.join(values)}" if values else INVALID


def _explained(errors: dict[str, str], hint: Any, path: str) -> dict[str, str]:
    """An invalid choice lists the valid ones: `取值无效，可选：a、b`."""
    if errors.get(path) == INVALID and allowed_values(hint):
        return {**errors, path: invalid_choice(hint)}
    return errors


def _alternatives(hint: Any) -> list[Any]:
    """`Annotated[X | None, …]` → [X] (None, and Annotated's metadata, dropped)."""
    while get_origin(hint) is Annotated:
        hint = get_args(hint)[0]
    if get_origin(hint) in (Union, types.UnionType):
        return [a for arg in get_args(hint) if arg is not type(None) for a in _alternatives(arg)]
    return [hint]
