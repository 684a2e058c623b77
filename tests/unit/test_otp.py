"""Staff SMS login codes: delivery, limits, attempts, single use, no enumeration."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from chalicelib.auth.otp import InMemoryOtpStore, OtpService, code_hash
from chalicelib.domain.errors import DomainError, RateLimited, Unauthorized, ValidationFailed
from chalicelib.domain.org import Role, Staff
from chalicelib.domain.phone import phone_hash
from chalicelib.notify.fakes import RecordingSmsSender
from tests.clock import Clock
from tests.keys import PHONE_KEY, phone_key

STAFF_PHONE = "13800001234"
UNKNOWN_PHONE = "13900005678"
MANAGER = Staff(staff_id="st-001", name="网格经理甲", phone=STAFF_PHONE, role=Role.MANAGER)


class Login:
    def __init__(self) -> None:
        self.clock = Clock()
        self.sms = RecordingSmsSender()
        self.store = InMemoryOtpStore()
        self.otp = OtpService(
            self.store,
            staff_by_phone={STAFF_PHONE: MANAGER}.get,
            sms=self.sms,
            signature="【云格供电】",
            clock=self.clock,
            key=phone_key,
        )

    def last_code(self) -> str:
        match = re.search(r"验证码为(\d+)", self.sms.to(STAFF_PHONE)[-1].text)
        assert match is not None
        return match.group(1)


@pytest.fixture
def login() -> Login:
    return Login()


def refusal(call: Callable[..., object], *args: str) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call(*args)
    return caught.value


def test_staff_phone_gets_a_six_digit_code_by_sms(login: Login) -> None:
    login.otp.request_code(STAFF_PHONE)

    (sms,) = login.sms.to(STAFF_PHONE)
    assert sms.key == "staff_login_code"
    assert sms.text.startswith("【云格供电】")
    assert re.fullmatch(r"\d{6}", sms.params["code"])
    assert sms.params["valid_minutes"] == "5"


def test_the_code_logs_the_staff_member_in_once(login: Login) -> None:
    login.otp.request_code(STAFF_PHONE)
    code = login.last_code()

    assert login.otp.verify(STAFF_PHONE, code) == MANAGER
    error = refusal(login.otp.verify, STAFF_PHONE, code)
    assert (error.code, error.message) == ("invalid_code", "验证码错误或已过期")


def test_the_code_is_stored_only_as_a_hash(login: Login) -> None:
    login.otp.request_code(STAFF_PHONE)
    code = login.last_code()

    stored = [repr(entry) for entry in login.store.entries.values()]
    assert not any(code in text for text in stored)
    assert not any(STAFF_PHONE in key for key in login.store.entries)


def test_stored_code_and_phone_hashes_are_keyed_with_the_phone_key(login: Login) -> None:
    login.otp.request_code(STAFF_PHONE)
    code = login.last_code()

    entry = login.store.entries[f"otp#{phone_hash(STAFF_PHONE, PHONE_KEY)}"]
    assert entry.code_hash == code_hash(PHONE_KEY, STAFF_PHONE, code)
    guessed = code_hash(b"guessed", STAFF_PHONE, code)
    assert guessed != entry.code_hash
    assert f"otp#{phone_hash(STAFF_PHONE, b'guessed')}" not in login.store.entries


def test_codes_are_limited_per_client_address_before_the_phone_is_charged(login: Login) -> None:
    for n in range(5):
        login.otp.request_code(f"1390000{n:04d}", "203.0.113.9")

    error = refusal(login.otp.request_code, STAFF_PHONE, "203.0.113.9")

    assert isinstance(error, RateLimited) and error.retry_after == 60
    assert login.sms.to(STAFF_PHONE) == []
    login.otp.request_code(STAFF_PHONE, "198.51.100.7")  # the phone's own quota is untouched
    assert len(login.sms.to(STAFF_PHONE)) == 1


def test_an_address_gets_twenty_codes_an_hour(login: Login) -> None:
    for n in range(20):
        login.otp.request_code(f"1390000{n:04d}", "203.0.113.9")
        login.clock.advance(60)

    error = refusal(login.otp.request_code, STAFF_PHONE, "203.0.113.9")

    assert isinstance(error, RateLimited) and error.retry_after == 3600 - 20 * 60


def test_codes_are_limited_overall_whoever_asks(login: Login) -> None:
    # many addresses and phones, each within its own limits, together reach the overall cap
    for n in range(1000):
        login.otp.request_code(f"139{n:08d}", f"10.0.{n // 5}.{n % 5}")

    error = refusal(login.otp.request_code, STAFF_PHONE, "198.51.100.7")

    assert isinstance(error, RateLimited) and error.retry_after == 3600
    assert login.sms.to(STAFF_PHONE) == []
    login.clock.advance(3600)
    login.otp.request_code(STAFF_PHONE, "198.51.100.7")
    assert len(login.sms.to(STAFF_PHONE)) == 1


def test_the_code_expires_after_five_minutes(login: Login) -> None:
    login.otp.request_code(STAFF_PHONE)
    code = login.last_code()

    login.clock.advance(300)

    assert refusal(login.otp.verify, STAFF_PHONE, code).code == "invalid_code"


def test_a_code_is_still_good_just_before_it_expires(login: Login) -> None:
    login.otp.request_code(STAFF_PHONE)
    login.clock.advance(299)

    assert login.otp.verify(STAFF_PHONE, login.last_code()) == MANAGER


def test_five_wrong_codes_then_even_the_right_one_is_refused(login: Login) -> None:
    login.otp.request_code(STAFF_PHONE)
    code = login.last_code()
    wrong = "000000" if code != "000000" else "111111"

    for _ in range(5):
        assert refusal(login.otp.verify, STAFF_PHONE, wrong).code == "invalid_code"
    error = refusal(login.otp.verify, STAFF_PHONE, code)

    assert isinstance(error, RateLimited)
    assert error.code == "too_many_attempts"
    assert error.retry_after is not None and 0 < error.retry_after <= 300


def test_four_wrong_codes_leave_the_fifth_attempt(login: Login) -> None:
    login.otp.request_code(STAFF_PHONE)
    code = login.last_code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(4):
        refusal(login.otp.verify, STAFF_PHONE, wrong)

    assert login.otp.verify(STAFF_PHONE, code) == MANAGER


def test_a_new_code_replaces_the_old_one(login: Login) -> None:
    login.otp.request_code(STAFF_PHONE)
    first = login.last_code()
    login.clock.advance(60)
    login.otp.request_code(STAFF_PHONE)
    second = login.last_code()

    if first != second:
        assert refusal(login.otp.verify, STAFF_PHONE, first).code == "invalid_code"
    assert login.otp.verify(STAFF_PHONE, second) == MANAGER


def test_one_code_a_minute(login: Login) -> None:
    login.otp.request_code(STAFF_PHONE)
    login.clock.advance(45)

    error = refusal(login.otp.request_code, STAFF_PHONE)

    assert isinstance(error, RateLimited) and error.retry_after == 15
    login.clock.advance(15)
    login.otp.request_code(STAFF_PHONE)
    assert len(login.sms.to(STAFF_PHONE)) == 2


def test_five_codes_an_hour(login: Login) -> None:
    for _ in range(5):
        login.otp.request_code(STAFF_PHONE)
        login.clock.advance(60)

    error = refusal(login.otp.request_code, STAFF_PHONE)

    assert isinstance(error, RateLimited) and error.retry_after == 3600 - 5 * 60
    login.clock.advance(error.retry_after)
    login.otp.request_code(STAFF_PHONE)
    assert len(login.sms.to(STAFF_PHONE)) == 6


def test_unknown_phone_gets_the_same_answers_and_no_sms(login: Login) -> None:
    def answers(phone: str) -> list[str]:
        seen = []
        for step in range(7):
            try:
                if step < 2:
                    login.otp.request_code(phone)
                else:
                    login.otp.verify(phone, "999999")
                seen.append("ok")
            except (Unauthorized, RateLimited) as error:
                seen.append(f"{error.status} {error.code} {error.retry_after}")
        return seen

    known, unknown = answers(STAFF_PHONE), answers(UNKNOWN_PHONE)

    assert known == unknown
    assert known[:2] == ["ok", "429 rate_limited 60"]
    assert login.sms.to(UNKNOWN_PHONE) == []


def test_unknown_phone_never_logs_in(login: Login) -> None:
    login.otp.request_code(UNKNOWN_PHONE)

    assert login.sms.sent == []
    assert refusal(login.otp.verify, UNKNOWN_PHONE, "123456").code == "invalid_code"


def test_a_failed_sms_answers_like_any_other_request(login: Login) -> None:
    login.sms.reject(STAFF_PHONE)

    login.otp.request_code(STAFF_PHONE)

    assert login.sms.sent == []


@pytest.mark.parametrize(
    "phone", ["", "1380000123", "23800001234", "+8613800001234", "1380000123x"]
)
def test_phone_must_be_a_mainland_mobile(login: Login, phone: str) -> None:
    for call in (login.otp.request_code, lambda p: login.otp.verify(p, "123456")):
        error = refusal(call, phone)
        assert isinstance(error, ValidationFailed)
        assert error.fields == {"phone": "手机号格式不正确"}


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "١٢٣٤٥٦", " 12345"])
def test_malformed_codes_are_refused_without_spending_an_attempt(login: Login, code: str) -> None:
    login.otp.request_code(STAFF_PHONE)
    for _ in range(6):
        assert refusal(login.otp.verify, STAFF_PHONE, code).code == "invalid_code"

    assert login.otp.verify(STAFF_PHONE, login.last_code()) == MANAGER
