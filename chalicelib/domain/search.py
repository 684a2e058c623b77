"""Ticket search terms (the ops console's one box): a ticket number, an account number, or
the last four digits of the contact phone. Pure: the reading of a term and the days it may
look back; the store applies it within the caller's scope."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from chalicelib.domain.ids import NUMBER_PATTERN

SEARCH_DAYS = 31  # a phone or account search looks back this far unless from/to say otherwise
_NUMBER = re.compile(NUMBER_PATTERN)
_ACCOUNT = re.compile(r"\d{6,20}")
_LAST4 = re.compile(r"\d{4}")


@dataclass(frozen=True, slots=True)
class SearchTerm:
    kind: Literal["number", "account_no", "phone_last4"]
    value: str
    day: date | None = None  # a number's creation day (Asia/Shanghai), read from the number


def read_term(text: str) -> SearchTerm | None:
    """What the box holds, or None when it is none of the three."""
    q = text.strip().upper()
    number = _NUMBER.fullmatch(q)
    if number:
        try:
            day = date(2000 + int(number[1]), int(number[2]), int(number[3]))
        except ValueError:
            return None
        return SearchTerm("number", q, day)
    if _LAST4.fullmatch(q):
        return SearchTerm("phone_last4", q)
    if _ACCOUNT.fullmatch(q):
        return SearchTerm("account_no", q)
    return None
