"""Every bad field of a body at once, by path, in Chinese (api/validation.py). Pure."""

from __future__ import annotations

from typing import Annotated, Literal

from msgspec import Meta, Struct

from chalicelib.api.validation import all_field_errors, invalid_choice
from chalicelib.domain.tickets import TicketType


class Point(Struct, forbid_unknown_fields=True):
    lat: Annotated[float, Meta(ge=-90, le=90)]
    lng: float


class Body(Struct):
    kind: TicketType
    mood: Literal["calm", "angry"] | None = None
    where: Point | None = None
    tags: Annotated[list[Literal["a", "b"]], Meta(max_length=2)] = []


def test_a_valid_body_has_no_errors() -> None:
    assert all_field_errors({"kind": "consultation", "tags": ["a"]}, Body) == {}


def test_every_bad_field_is_named_by_its_path() -> None:
    errors = all_field_errors(
        {"mood": "sad", "where": {"lat": 99, "height": 3}, "tags": ["a", "c", "d"]}, Body
    )
    assert errors == {
        "kind": "必填",
        "mood": "取值无效，可选：calm、angry",
        "where.lat": "超出允许范围",
        "where.lng": "必填",
        "where.height": "不支持的字段",
        "tags": "长度不符合要求",
        "tags[1]": "取值无效，可选：a、b",
        "tags[2]": "取值无效，可选：a、b",
    }


def test_a_body_that_is_no_object_is_one_error() -> None:
    assert all_field_errors([1, 2], Body) == {"$": "应为对象"}
    assert all_field_errors({"kind": "consultation", "where": 5}, Body) == {"where": "应为对象"}


def test_an_enum_lists_its_values_for_query_parameters_too() -> None:
    assert invalid_choice(TicketType) == (
        "取值无效，可选：fault_repair、meter_service、consultation、new_connection"
    )
    assert invalid_choice(int) == "取值无效"
