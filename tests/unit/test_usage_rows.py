"""A bill file's period cell is read as the API's month (domain.dates.is_month)."""

from __future__ import annotations

import pytest

from chalicelib.imports.cells import CellProblem
from chalicelib.usage.rows import period


@pytest.mark.parametrize("cell", ["202611", "2026-11", "202611.0", " 202611 "])
def test_a_period_is_read_as_yyyymm_or_yyyy_mm(cell: str) -> None:
    assert period(cell) == "2026-11"


@pytest.mark.parametrize("cell", ["202613", "2026-1", "20261", "199912", "２０２６１１", "2026/11"])
def test_a_period_that_is_no_month_of_the_api_is_refused_in_the_bill_file_s_words(
    cell: str,
) -> None:
    with pytest.raises(CellProblem, match="账期应为 YYYYMM"):
        period(cell)
