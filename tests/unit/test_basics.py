"""Small pure pieces: phone masking, ids, keys and cursors, scope, request decoding."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

import msgspec
import pytest

from chalicelib.api.schemas import CreateTicket
from chalicelib.api.validation import field_errors
from chalicelib.domain.errors import ValidationFailed
from chalicelib.domain.ids import CROCKFORD, new_ulid, ticket_number
from chalicelib.domain.org import Role, Scope
from chalicelib.domain.phone import is_mobile, mask, mask_phones, phone_hash
from chalicelib.store.keys import Cursor, due_shard, iso, month_shard, parse_iso

T0 = datetime(2026, 11, 30, 17, 30, tzinfo=UTC)  # already 1 Dec in Shanghai


def test_phones_are_validated_masked_and_hashed() -> None:
    assert is_mobile("13812345678") and not is_mobile("12812345678") and not is_mobile(138)
    assert mask("13812345678") == "138****5678"
    key = b"k" * 32
    same = phone_hash("13812345678", key)
    assert same == phone_hash("13812345678", key) != phone_hash("13812345679", key)


def test_a_phone_hash_cannot_be_recomputed_without_the_phone_key() -> None:
    # someone holding only a leaked table, hashing all 10⁸ mobiles the old unkeyed way or
    # with a guessed key, never meets a stored hash
    stored = phone_hash("13812345678", b"the-real-key" * 4)
    unkeyed = hashlib.sha256(b"yunge-phone:13812345678").hexdigest()[:32]

    assert stored not in (unkeyed, phone_hash("13812345678", b""), phone_hash("13812345678", b"x"))


def test_log_lines_never_carry_a_full_mobile_number() -> None:
    line = json.dumps(
        {"message": "sent to 13812345678", "to": "15900001111", "id": "2026112412345678"}
    )
    masked = mask_phones(line)
    assert "13812345678" not in masked and "138****5678" in masked
    assert "159****1111" in masked
    assert "2026112412345678" in masked  # longer digit runs are not phones


def test_ulids_sort_by_time_and_numbers_are_short() -> None:
    early, late = new_ulid(T0), new_ulid(T0 + timedelta(milliseconds=1))
    assert len(early) == 26 and early < late
    assert set(early) <= set(CROCKFORD)
    number = ticket_number(early, T0)
    assert number.startswith("261201-")  # Shanghai date
    assert len(number) == 13 and not set("ILOU") & set(number)


def test_timestamps_sort_lexically_and_shards_are_stable() -> None:
    times = [T0 + timedelta(microseconds=n * 997) for n in range(50)]
    assert sorted(iso(t) for t in times) == [iso(t) for t in times]
    assert parse_iso(iso(T0)) == T0
    assert due_shard("01ABC", 8) == due_shard("01ABC", 8)
    assert month_shard("01ABC", T0, 8).startswith("2026-12#")
    shards = {due_shard(new_ulid(T0), 8) for _ in range(200)}
    assert len(shards) == 8


def test_cursors_round_trip_and_reject_garbage() -> None:
    cursor = Cursor(iso(T0), "01ABC")
    assert Cursor.decode(cursor.encode()) == cursor
    for garbage in ("@@@", "e30", Cursor("yesterday", "x").encode()):
        with pytest.raises(ValidationFailed):
            Cursor.decode(garbage)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.MANAGER, {"G1"}),
        (Role.CHIEF, {"G1", "G2"}),
        (Role.BRANCH, {"G1", "G2", "G3"}),
        (Role.OPS, {"G1", "G2", "G3", "G4"}),
        (Role.CUSTOMER, set()),
    ],
)
def test_scope_covers_what_the_role_is_responsible_for(role: Role, expected: set[str]) -> None:
    scope = Scope(
        role=role, subject="x", grid_ids=frozenset({"G1"}), station_id="S1", branch_id="B1"
    )
    places = {"G1": ("S1", "B1"), "G2": ("S1", "B1"), "G3": ("S2", "B1"), "G4": ("S3", "B2")}
    covered = {
        g for g, (s, b) in places.items() if scope.covers(grid_id=g, station_id=s, branch_id=b)
    }
    assert covered == expected


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"type": "fault_repair"}, {"description": "必填"}),  # account_no or a location
        ({"type": 3}, {"type": "应为字符串"}),
        (
            {"type": "nope", "account_no": "1", "description": "d", "contact_phone": "13812345678"},
            {"type": "取值无效"},
        ),
        (
            {"type": "consultation", "account_no": "1", "description": "d", "contact_phone": "1"},
            {"contact_phone": "格式不正确"},
        ),
        (
            {
                "type": "consultation",
                "account_no": "",
                "description": "d",
                "contact_phone": "13812345678",
            },
            {"account_no": "长度不符合要求"},
        ),
    ],
)
def test_validation_errors_name_the_field_in_chinese(payload: dict, expected: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(msgspec.ValidationError) as raised:
        msgspec.convert(payload, type=CreateTicket)
    assert field_errors(raised.value) == expected
