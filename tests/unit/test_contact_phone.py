"""A customer's contact number: the formats people give, stored in E.164; SMS only to mobiles."""

from __future__ import annotations

from dataclasses import replace

import pytest

from chalicelib.dispatch.messages import People, compose
from chalicelib.domain.notices import changes
from chalicelib.domain.phone import (
    contact_e164,
    display_phone,
    is_mobile_contact,
    mask,
    phone_hash,
    same_number,
)
from chalicelib.domain.tickets import Status
from tests.unit.test_dispatch_messages import AUTO_CLOSE, M1, dispatch, submitted


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("13812345678", "+8613812345678"),
        ("+8613812345678", "+8613812345678"),
        ("+86 138 1234 5678", "+8613812345678"),
        ("138-1234-5678", "+8613812345678"),
        ("138 1234 5678", "+8613812345678"),
        ("0086 138 1234 5678", "+8613812345678"),
        ("0478-8123456", "+864788123456"),  # 巴彦淖尔 landline with its area code
        ("04788123456", "+864788123456"),
        ("(0478) 812 3456", "+864788123456"),
        ("+86 478 8123456", "+864788123456"),
        ("010-12345678", "+861012345678"),
    ],
)
def test_mobiles_and_landlines_are_stored_in_e164(given: str, stored: str) -> None:
    assert contact_e164(given) == stored


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("+8613812345678", "13812345678"),  # a mobile: its 11 digits, tappable in an SMS
        ("13812345678", "13812345678"),  # a staff or account phone is kept bare already
        ("+864788123456", "0478-8123456"),  # a landline: trunk 0, area code, number
        ("+861012345678", "010-12345678"),
        ("+8675512345678", "0755-12345678"),
        ("+864008123456", "400 812 3456"),  # no area code: the national grouping
        ("0478-8123456", "0478-8123456"),  # typed by a publisher: shown as typed
        ("95598", "95598"),
    ],
)
def test_a_number_is_shown_as_a_person_in_china_dials_it(stored: str, shown: str) -> None:
    assert display_phone(stored) == shown


def test_every_customer_form_of_a_number_is_shown_alike() -> None:
    forms = ("13812345678", "+86 138 1234 5678", "138-1234-5678", "0086 138 1234 5678")
    assert {display_phone(contact_e164(f) or "") for f in forms} == {"13812345678"}


@pytest.mark.parametrize(
    "given",
    [
        "12345",
        "8123456",  # a landline without its area code
        "12812345678",  # no such mobile range
        "+1 650 253 0000",  # not a mainland number
        "13812345678\n",
        "1381234567８",  # a full-width digit
        "138١٢٣٤٥٦٧٨",  # Arabic-Indic digits
        "138 1234 5678 ext 9",
    ],
)
def test_anything_else_is_no_contact_number(given: str) -> None:
    assert contact_e164(given) is None


def test_only_mobiles_take_sms_and_both_mask_like_a_national_number() -> None:
    assert is_mobile_contact("+8613812345678") and is_mobile_contact("13812345678")
    assert not is_mobile_contact("+864788123456")
    assert mask("+8613812345678") == "138****5678"
    assert same_number("13812345678", "+8613812345678") and not same_number("", "")
    # the SMS log is searched by the bare number an operator types
    assert phone_hash("+8613812345678", b"k" * 32) == phone_hash("13812345678", b"k" * 32)


@pytest.mark.parametrize(("contact", "told"), [("+8613700001111", True), ("+864788123456", False)])
def test_a_landline_customer_gets_no_sms_the_manager_still_does(contact: str, told: bool) -> None:
    # Given a ticket whose contact number is a mobile or a landline
    old = submitted(contact_phone=contact)
    new = dispatch(old)
    # When it is dispatched and later resolved
    people = People(assignee=M1, contact_on_record=True)
    out = compose(old, new, changes(old, new), people, AUTO_CLOSE)
    on_site = replace(new, status=Status.ON_SITE)
    resolved = replace(on_site, status=Status.RESOLVED, version=on_site.version + 1)
    out += compose(on_site, resolved, changes(on_site, resolved), people, AUTO_CLOSE)
    # Then the manager is told either way, the customer only on a mobile
    sent = [(o.phone, o.template) for o in out]
    assert (M1.phone, "dispatch_manager") in sent
    customer = [(contact, "dispatched_customer"), (contact, "resolved_customer")]
    assert all((c in sent) is told for c in customer)
    assert all(o.phone != "+864788123456" for o in out)
