"""The ops console's search box: which of a number, an account or a phone's last four
digits the text is."""

from __future__ import annotations

from datetime import date

from chalicelib.domain.search import SearchTerm, read_term


def test_a_ticket_number_is_read_with_its_creation_day() -> None:
    assert read_term(" 261127-7kq2mx ") == SearchTerm("number", "261127-7KQ2MX", date(2026, 11, 27))


def test_every_number_the_intake_gives_is_read_back_on_its_day() -> None:
    import re
    from datetime import UTC, datetime

    from chalicelib.domain.ids import CROCKFORD, CROCKFORD_CLASS, new_ulid, ticket_number

    # The regex class is the alphabet (no I, L, O or U), and a number written is a number read
    ascii_ = "".join(map(chr, range(33, 127)))
    assert "".join(c for c in ascii_ if re.fullmatch(CROCKFORD_CLASS, c)) == CROCKFORD
    at = datetime(2026, 11, 26, 17, 30, tzinfo=UTC)  # 01:30 on the 27th in Shanghai
    for _ in range(50):
        number = ticket_number(new_ulid(at), at)
        assert read_term(number) == SearchTerm("number", number, date(2026, 11, 27))


def test_four_digits_are_a_phone_suffix_and_longer_digits_an_account() -> None:
    assert read_term("5678") == SearchTerm("phone_last4", "5678")
    assert read_term("0601000001") == SearchTerm("account_no", "0601000001")


def test_anything_else_is_not_a_search() -> None:
    for text in ("", "abc", "12", "261399-7KQ2MX", "261127-7KQ2MU", "13812345678 x"):
        assert read_term(text) is None, text
