"""Mainland phone numbers: validation, a contact number in E.164, the national form people
read, masking for logs, hashing for lookups."""

from __future__ import annotations

import hashlib
import hmac
import re

# Read alike by Python and ECMA-262 (the OpenAPI document): `[0-9]`, not `\d` (Python's
# takes any Unicode digit), and `(?!\n)$` (Python's `$` also matches before a trailing newline).
MOBILE_PATTERN = r"^1[3-9][0-9]{9}(?!\n)$"
_MOBILE = re.compile(MOBILE_PATTERN)


# What a customer may type as a contact number before it is parsed: ASCII digits, an optional
# leading +, spaces, dashes and brackets (`+86 138-1234-5678`, `(0478) 812 3456`). Anything else
# (full-width or Arabic-Indic digits, a trailing newline) is refused before the phone library,
# which would quietly read those digits.
CONTACT_PATTERN = r"^\+?[0-9(][0-9 ()-]{4,24}(?!\n)$"
_CONTACT = re.compile(CONTACT_PATTERN)
_MAINLAND = "CN"


def is_mobile(value: object) -> bool:
    return isinstance(value, str) and _MOBILE.fullmatch(value) is not None


def is_mobile_contact(phone: str) -> bool:
    """A stored contact number that can take an SMS: a mainland mobile, bare or as +86…."""
    return is_mobile(phone.removeprefix("+86"))


def same_number(a: str, b: str) -> bool:
    """One mainland number written bare or in E.164 (`13812345678` is `+8613812345678`)."""
    return bool(a) and a.removeprefix("+86") == b.removeprefix("+86")


def contact_e164(text: str) -> str | None:
    """A customer's contact number in E.164, or None when it is no real mainland number.

    Mobiles with or without +86, spaces or dashes (`+86 138 1234 5678` → `+8613812345678`) and
    landlines with their area code (`0478-8123456` → `+864788123456`)."""
    if _CONTACT.fullmatch(text) is None:
        return None
    import phonenumbers  # here only: ~0.1 s to import, and only a submission needs it

    try:
        number = phonenumbers.parse(text, _MAINLAND)
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != 86 or not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


HOTLINE = "95598"  # the power company's service line: the number to call when no one is named


def number_to_call(phone: str | None) -> str:
    """The number an SMS or a notice tells a customer to call: the person's, as displayed,
    or the hotline when there is no one."""
    return display_phone(phone) if phone else HOTLINE


def display_phone(phone: str) -> str:
    """A phone number as a person in China reads and dials it, wherever one is shown (a page,
    an SMS): a mobile as its 11 digits (`+8613812345678` → `13812345678`, which an SMS app
    makes tappable), a landline with its trunk 0 and area code (`+864788123456` →
    `0478-8123456`). Storage, hashing and tel: links keep E.164; anything that is no mainland
    number in E.164 is shown as it is."""
    national = phone.removeprefix("+86")
    if is_mobile(national):
        return national
    if national == phone or not national.isdigit():
        return phone
    import phonenumbers  # here only, and only for a landline

    try:
        number = phonenumbers.parse(phone)
    except phonenumbers.NumberParseException:
        return phone
    area = phonenumbers.length_of_geographical_area_code(number)
    if not area:  # 400 numbers and the like
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return f"0{national[:area]}-{national[area:]}"


def mask(phone: str) -> str:
    """138****1234 — the only form a phone number may take in a log line (a +86 number
    is masked as its national number)."""
    phone = phone.removeprefix("+86")
    if len(phone) < 7:
        return "*" * len(phone)
    return _masked(phone[:3], phone[-4:])


_MOBILE_IN_TEXT = re.compile(r"(?<!\d)(?:\+?86)?(1[3-9]\d)\d{4}(\d{4})(?!\d)")


def mask_phones(text: str) -> str:
    """Mask every mainland mobile number in free text, bare or +86, as `mask` does:
    13812341234 and +8613812341234 → 138****1234."""
    return _MOBILE_IN_TEXT.sub(lambda m: _masked(m[1], m[2]), text)


def _masked(head: str, tail: str) -> str:
    return f"{head}****{tail}"


def phone_hash(phone: str, key: bytes) -> str:
    """Stable key for finding records by phone without storing it twice. Keyed (HMAC with
    the phone key, kept apart from the tables), so a leaked table cannot be reversed by
    hashing every one of the 10⁸ mobile numbers. A mainland number hashes alike bare or in
    E.164 (a contact phone is stored +8613812345678, a staff or account phone 13812345678)."""
    national = phone.removeprefix("+86")
    return hmac.new(key, f"yunge-phone:{national}".encode(), hashlib.sha256).hexdigest()[:32]
