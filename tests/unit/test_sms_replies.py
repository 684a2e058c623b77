"""The SMS reply adapter (notify/replies.py): Aliyun's SmsUp push read into replies, the push
URL's secret, and the local stack's stand-in writing the same shape."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
import pytest

from chalicelib.notify.replies import SmsReply, national_mobile, parse_aliyun_push, token_matches
from infra.local.reply import push_body


def test_an_aliyun_push_reads_into_one_reply_per_item() -> None:
    raw = (
        '[{"phone_number": "13811112222", "send_time": "2026-11-24 12:01:00", "content": "2",'
        ' "sign_name": "云格供电", "dest_code": "1234", "sequence_id": 1234567890},'
        ' {"phone_number": "8613811113333", "content": "１", "sequence_id": "77",'
        ' "send_time": "2026-11-24 12:02:00", "dest_code": "1234", "new_field": true}]'
    ).encode()

    assert parse_aliyun_push(raw) == [
        SmsReply("13811112222", "2", "1234567890", "2026-11-24 12:01:00"),
        SmsReply("13811113333", "1", "77", "2026-11-24 12:02:00"),
    ]


@pytest.mark.parametrize(
    ("number", "national"),
    [
        ("13811112222", "13811112222"),
        ("+8613811112222", "13811112222"),
        ("008613811112222", "13811112222"),
        (" 8613811112222 ", "13811112222"),
        ("86138111122", ""),  # 86 is not a prefix here: an 11-digit non-mobile
        ("04788123456", ""),
        ("1069012345", ""),
        ("", ""),
    ],
)
def test_only_a_mainland_mobile_is_a_reply_phone(number: str, national: str) -> None:
    assert national_mobile(number) == national


def test_a_push_that_is_not_an_array_of_items_is_refused() -> None:
    with pytest.raises(msgspec.ValidationError):
        parse_aliyun_push(b'{"phone_number": "13811112222", "content": "2", "sequence_id": 1}')
    with pytest.raises(msgspec.DecodeError):
        parse_aliyun_push(b"2,")


class Text:
    def __init__(self, value: str | Exception) -> None:
        self.value = value

    def text(self) -> str:
        if isinstance(self.value, Exception):
            raise self.value
        return self.value


class SsmError(Exception):
    def __init__(self, code: str) -> None:
        self.response = {"Error": {"Code": code}}


def test_the_push_secret_must_match_exactly() -> None:
    assert token_matches("s3cret", Text("s3cret"))
    assert not token_matches("s3cre", Text("s3cret"))
    assert not token_matches("", Text(""))  # an empty secret opens nothing
    assert not token_matches("密钥", Text("s3cret"))


def test_a_missing_parameter_takes_no_replies_and_other_failures_are_raised() -> None:
    assert not token_matches("anything", Text(SsmError("ParameterNotFound")))
    with pytest.raises(SsmError):  # throttled: a 500, and Aliyun pushes again
        token_matches("anything", Text(SsmError("ThrottlingException")))


def test_the_local_stand_in_pushes_what_the_adapter_reads() -> None:
    now = datetime(2026, 11, 24, 12, 1, tzinfo=UTC)

    (reply,) = parse_aliyun_push(push_body("13811112222", "2", 42, now))

    assert reply == SmsReply("13811112222", "2", "42", "2026-11-24 12:01:00")
