"""No 5xx from anything a client can send (issue 11, item 5): each input below answers 400
in API.md's error shape and saves nothing."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.domain.dates import is_month, parse_day
from chalicelib.domain.errors import ValidationFailed
from chalicelib.domain.org import Role
from chalicelib.domain.phone import is_mobile
from chalicelib.reports.service import memory_report_ports
from tests import district
from tests.functional.api_client import Api

WANG = ("wx-wang", Role.CUSTOMER)
MANAGER, OPS = ("M1", Role.MANAGER), ("O1", Role.OPS)


def fault(**overrides: Any) -> dict[str, Any]:
    body = {
        "type": "fault_repair",
        "account_no": "0601000001",
        "description": "家里突然停电",
        "contact_phone": "13812345678",
    }
    return {**body, **overrides}


@pytest.fixture
def bound(api: Api) -> Api:
    bind = {"account_no": "0601000001", "holder_name": "王建国"}
    assert api.call("POST", "/v1/me/accounts", bind, as_=WANG).status == 201
    api.services.reports = memory_report_ports(api.services.tickets, district.ORG, {"G1": 10})
    return api


def refused(reply: Any, field: str | None = None) -> None:
    assert reply.status == 400, reply.body
    error = reply.body["error"]
    assert set(error) <= {"code", "message", "fields"} and error["message"]
    if field is not None:
        assert field in error["fields"], error


def test_a_body_that_is_not_utf8_is_400_and_saves_nothing(bound: Api) -> None:
    raw = (
        json.dumps(fault(description="停电"), ensure_ascii=False)
        .encode()
        .replace("停电".encode(), b"\xff\xfe\xfd")
    )
    reply = bound.call("POST", "/v1/tickets", raw=raw, as_=WANG)
    refused(reply)
    assert reply.body["error"]["code"] == "invalid_json"
    assert bound.services.tickets.tickets == {}


@pytest.mark.parametrize("opener", ["[", '{"a":'])
def test_json_nested_1000_deep_is_400_and_saves_nothing(bound: Api, opener: str) -> None:
    closer = "]" if opener == "[" else "}"
    deep = opener * 1000 + "1" + closer * 1000
    raw = json.dumps(fault()).replace('"type"', f'"details": {deep}, "type"').encode()
    reply = bound.call("POST", "/v1/tickets", raw=raw, as_=WANG)
    refused(reply)
    assert bound.services.tickets.tickets == {}


def test_brackets_inside_strings_do_not_count_as_nesting(bound: Api) -> None:
    reply = bound.call("POST", "/v1/tickets", fault(description="[[[[{{{{" * 20), as_=WANG)
    assert reply.status == 201, reply.body


@pytest.mark.parametrize("day", ["9999-12-31", "0000-01-01", "2026-11-01\n", "２０２６-11-01"])
@pytest.mark.parametrize("name", ["from", "to"])
def test_stats_dates_out_of_range_are_400(bound: Api, day: str, name: str) -> None:
    refused(bound.call("GET", f"/v1/stats?{name}={quote(day)}", as_=OPS), name)


@pytest.mark.parametrize("day", ["9999-12-31", "0000-01-01", "2026-11-01\n"])
def test_list_dates_out_of_range_are_400(bound: Api, day: str) -> None:
    refused(bound.call("GET", f"/v1/tickets?to={quote(day)}", as_=OPS), "to")


@pytest.mark.parametrize("month", ["0000-01", "9999-12", "2026-11\n", "2026-1１"])
def test_report_months_out_of_range_are_400_and_build_nothing(bound: Api, month: str) -> None:
    refused(bound.call("POST", "/v1/reports", {"month": month}, as_=OPS), "month")
    refused(bound.call("GET", f"/v1/reports?month={quote(month)}", as_=OPS), "month")
    assert bound.services.reports.files.objects == {}


@pytest.mark.parametrize(
    "until",
    [
        "2026-11-25T00:00:00-23:59",
        "2026-11-25T00:00:00+15:00",
        "9999-12-31T23:59:59-12:00",
        "2036-11-25T00:00:00+08:00",
    ],
)
def test_an_out_of_range_duty_until_is_400_and_not_saved(bound: Api, until: str) -> None:
    before = bound.services.org.staff("M1")
    body = {"on_duty": False, "until": until}
    refused(bound.call("PUT", "/v1/staff/me/duty", body, as_=MANAGER), "until")
    assert bound.services.org.staff("M1") == before
    assert bound.call("GET", "/v1/staff/me", as_=MANAGER).status == 200


@pytest.mark.parametrize("description", [" ", "   \t\n  ", "\u3000\u3000"])
def test_a_description_of_only_spaces_is_400(bound: Api, description: str) -> None:
    refused(bound.call("POST", "/v1/tickets", fault(description=description), as_=WANG))
    assert bound.services.tickets.tickets == {}


@pytest.mark.parametrize("phone", ["13812345678\n", "1381234567８", "138١٢٣٤٥٦٧٨"])
def test_a_phone_with_a_trailing_newline_or_other_digits_is_400(bound: Api, phone: str) -> None:
    refused(bound.call("POST", "/v1/tickets", fault(contact_phone=phone), as_=WANG))
    assert not is_mobile(phone)
    assert bound.services.tickets.tickets == {}


def test_anchors_reject_a_trailing_newline_everywhere() -> None:
    assert is_mobile("13812345678") and not is_mobile("13812345678\n")
    assert is_month("2026-11") and not is_month("2026-11\n")
    assert parse_day("2026-11-01", "from").isoformat() == "2026-11-01"
    with pytest.raises(ValidationFailed):
        parse_day("2026-11-01\n", "from")


# ------------------------------------------------------------------ fuzzing
EXTREME = [
    "0000-01-01",
    "9999-12-31",
    "0000-01",
    "9999-12",
    "2026-11\n",
    "2026-11-01\n",
    "13812345678\n",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-23:59",
    "2026-11-25T00:00:00-23:59",
    "   ",
    "\x00",
    "\ud800",
]
text = st.one_of(st.sampled_from(EXTREME), st.text(max_size=30))
leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), text)
json_value = st.recursive(
    leaf,
    lambda kids: st.lists(kids, max_size=3) | st.dictionaries(text, kids, max_size=3),
    max_leaves=8,
)
BODY_ROUTES = {  # (method, path, caller): a valid body whose fields the fuzzer spoils
    ("POST", "/v1/tickets", WANG): fault(details={"scope": "household"}),
    ("POST", "/v1/tickets/T1/actions", MANAGER): {"action": "accept", "note": "x"},
    ("POST", "/v1/me/accounts", WANG): {"account_no": "0601000001", "holder_name": "王建国"},
    ("POST", "/v1/uploads", WANG): {"content_type": "image/png", "size": 10},
    ("PUT", "/v1/staff/me/duty", MANAGER): {"on_duty": False, "until": "2026-11-25T08:00:00+08:00"},
    ("POST", "/v1/reports", OPS): {"month": "2026-10"},
    ("POST", "/v1/auth/wechat", None): {"code": "dev:fuzz"},
    ("POST", "/v1/auth/staff/token", None): {"phone": "13910000001", "code": "123456"},
}
QUERY_ROUTES = ["/v1/stats", "/v1/tickets", "/v1/reports", "/v1/admin/notifications"]
QUERY_NAMES = ["from", "to", "month", "limit", "cursor", "status", "type", "phone", "group_by"]
FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def deep(n: int, opener: str) -> bytes:
    closer = "]" if opener == "[" else "}"
    return (opener * n + "1" + closer * n).encode()


spoilt = st.one_of(
    st.binary(max_size=8).map(lambda raw: b'"' + raw + b'\xff\xfe"'),  # not UTF-8
    st.builds(deep, st.integers(10, 2000), st.sampled_from(["[", '{"a":'])),
    json_value.map(lambda v: json.dumps(v, ensure_ascii=False).encode("utf-8", "surrogatepass")),
)


@st.composite
def bodies(draw: Any, base: dict[str, Any]) -> bytes:
    """A route's valid body with one field spoilt (or, now and then, any bytes at all)."""
    if draw(st.integers(0, 9)) == 0:
        return bytes(draw(st.binary(max_size=120)))
    field = draw(st.sampled_from([*sorted(base), "details", "extra"]))
    marked = json.dumps({**base, field: "@SPOILT@"}, ensure_ascii=False).encode()
    return marked.replace(b'"@SPOILT@"', draw(spoilt))


def shaped(reply: Any) -> None:
    assert reply.status < 500, reply.body
    if reply.status >= 400:
        assert set(reply.body) == {"error"} and reply.body["error"]["code"], reply.body


@FUZZ
@given(data=st.data())
def test_fuzzed_bodies_never_answer_5xx(bound: Api, data: Any) -> None:
    method, path, who = data.draw(st.sampled_from(sorted(BODY_ROUTES, key=str)))
    body = data.draw(bodies(BODY_ROUTES[method, path, who]))
    shaped(bound.call(method, path, raw=body, as_=who))


@FUZZ
@given(
    path=st.sampled_from(QUERY_ROUTES),
    query=st.dictionaries(st.sampled_from(QUERY_NAMES), text, max_size=3),
)
def test_fuzzed_queries_never_answer_5xx(bound: Api, path: str, query: dict[str, str]) -> None:
    encoded = urlencode({k: v.encode("utf-8", "surrogatepass") for k, v in query.items()})
    shaped(bound.call("GET", f"{path}?{encoded}", as_=OPS))
