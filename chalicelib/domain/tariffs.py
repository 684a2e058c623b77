"""Stepped tariffs (阶梯电价) as versioned configuration, and the tier a customer is in.

A tariff version has a basis (monthly or annual), ascending tier thresholds in kWh, one
price per tier and the first day it applies (always the 1st of a month). Versions come
from configuration (YUNGE_TARIFFS, JSON); no price is written in the code. The demo's
values are labelled 示例电价，非官方.

Across a change: the version in effect on the day asked decides. On the annual basis a
version that took effect after 1 January counts only from its effective month, with its
thresholds prorated by the months left in the year (a July version: 6/12 of each
threshold); on the monthly basis each month stands alone. Pure: no I/O, no clock.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from itertools import pairwise

DEMO_LABEL = "示例电价，非官方"


class Basis(StrEnum):
    MONTHLY = "monthly"
    ANNUAL = "annual"


@dataclass(frozen=True, slots=True)
class TariffVersion:
    code: str  # which customers it prices, e.g. "residential"
    label: str  # shown to the customer beside the tier
    basis: Basis
    thresholds_kwh: tuple[float, ...]  # upper bound of tiers 1 … n-1, ascending
    prices_yuan: tuple[float, ...]  # one per tier: len(thresholds) + 1
    effective_from: date

    def __post_init__(self) -> None:
        if self.effective_from.day != 1:
            raise ValueError(f"{self.code}: a tariff takes effect on the 1st of a month")
        if len(self.prices_yuan) != len(self.thresholds_kwh) + 1:
            raise ValueError(f"{self.code}: one price per tier (thresholds + 1)")
        steps = (0.0, *self.thresholds_kwh)
        if any(b <= a for a, b in pairwise(steps)):
            raise ValueError(f"{self.code}: thresholds must be positive and ascending")


@dataclass(frozen=True, slots=True)
class Period:
    """The stretch of days whose consumption counts against `thresholds_kwh`."""

    start: date
    thresholds_kwh: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class Tier:
    current: int  # 1-based
    remaining_kwh: float | None  # None in the top tier
    price_yuan: float
    label: str
    basis: Basis


@dataclass(frozen=True, slots=True)
class Tariffs:
    versions: tuple[TariffVersion, ...] = ()

    def in_effect(self, day: date, code: str = "residential") -> TariffVersion | None:
        mine = [v for v in self.versions if v.code == code and v.effective_from <= day]
        return max(mine, key=lambda v: v.effective_from, default=None)


def period_of(version: TariffVersion, day: date) -> Period:
    if version.basis is Basis.MONTHLY:
        return Period(day.replace(day=1), version.thresholds_kwh)
    year_start = date(day.year, 1, 1)
    if version.effective_from <= year_start:
        return Period(year_start, version.thresholds_kwh)
    share = (13 - version.effective_from.month) / 12
    return Period(
        version.effective_from, tuple(round(t * share, 2) for t in version.thresholds_kwh)
    )


def tier_of(version: TariffVersion, period: Period, consumed_kwh: float) -> Tier:
    """The tier `consumed_kwh` (counted from `period.start`) has reached, and what is left."""
    for at, threshold in enumerate(period.thresholds_kwh):
        if consumed_kwh < threshold:
            remaining = round(threshold - consumed_kwh, 2)
            return Tier(at + 1, remaining, version.prices_yuan[at], version.label, version.basis)
    top = len(period.thresholds_kwh)
    return Tier(top + 1, None, version.prices_yuan[top], version.label, version.basis)


def parse_tariffs(text: str) -> Tariffs:
    """YUNGE_TARIFFS: a JSON list of versions; "" means no tariff is configured (no tier)."""
    if not text.strip():
        return Tariffs()
    try:
        raw = json.loads(text)
        if not isinstance(raw, list):
            raise TypeError("expected a JSON list")
        versions = tuple(
            TariffVersion(
                code=str(v.get("code", "residential")),
                label=str(v["label"]),
                basis=Basis(v["basis"]),
                thresholds_kwh=tuple(float(t) for t in v["thresholds_kwh"]),
                prices_yuan=tuple(float(p) for p in v["prices_yuan"]),
                effective_from=date.fromisoformat(v["effective_from"]),
            )
            for v in raw
        )
    except (KeyError, TypeError, AttributeError, json.JSONDecodeError) as error:
        raise ValueError(f"YUNGE_TARIFFS is not a list of tariff versions: {error}") from None
    seen = {(v.code, v.effective_from) for v in versions}
    if len(seen) != len(versions):
        raise ValueError("YUNGE_TARIFFS: two versions of one tariff share an effective date")
    return Tariffs(versions)
