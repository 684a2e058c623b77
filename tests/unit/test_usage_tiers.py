"""The stepped-tariff tier a customer is in, on monthly and annual bases, across a change
of tariff; and the usage view's months, days and flags."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib.domain.tariffs import (
    DEMO_LABEL,
    Basis,
    Tariffs,
    TariffVersion,
    parse_tariffs,
    period_of,
    tier_of,
)
from chalicelib.domain.usage import DailyUsage, MonthlyBill, Quality, usage_view, window

LABEL = f"居民阶梯电价（{DEMO_LABEL}）"


def version(basis: Basis, since: date, thresholds: tuple[float, ...]) -> TariffVersion:
    prices = tuple(0.5 + 0.1 * n for n in range(len(thresholds) + 1))
    return TariffVersion("residential", LABEL, basis, thresholds, prices, since)


def bill(period: str, kwh: float, balance: float = 100.0, arrears: float = 0.0) -> MonthlyBill:
    return MonthlyBill(
        "0100000001",
        period,
        kwh,
        round(kwh * 0.5, 2),
        True,
        balance,
        arrears,
        0.0,
        datetime(2026, 11, 2, tzinfo=UTC),
    )


def day(d: date, kwh: float | None, quality: Quality = Quality.ACTUAL) -> DailyUsage:
    return DailyUsage("0100000001", d, kwh, quality)


def test_monthly_basis_counts_this_month_only_and_a_new_version_applies_from_its_month() -> None:
    # Given monthly thresholds of 200/400 kWh until June and 150/300 from July
    tariffs = Tariffs(
        (
            version(Basis.MONTHLY, date(2026, 1, 1), (200, 400)),
            version(Basis.MONTHLY, date(2026, 7, 1), (150, 300)),
        )
    )
    june_days = [day(date(2026, 6, n), 8.0) for n in range(1, 21)]  # 160 kWh by 21 June
    july_days = [day(date(2026, 7, n), 8.0) for n in range(1, 21)]  # 160 kWh by 21 July
    # When the tier is asked on 21 June and on 21 July
    june = usage_view("0100000001", date(2026, 6, 21), [], june_days, tariffs).tier
    july = usage_view("0100000001", date(2026, 7, 21), [], july_days, tariffs).tier
    # Then the same 160 kWh is tier 1 (40 left) under the old version, tier 2 under the new
    assert june is not None and (june.current, june.remaining_kwh) == (1, 40.0)
    assert july is not None and (july.current, july.remaining_kwh) == (2, 140.0)
    assert july.label == LABEL and july.basis is Basis.MONTHLY


def test_annual_basis_counts_billed_months_and_this_month_and_prorates_a_mid_year_version() -> None:
    # Given an annual tariff (2,400 / 4,800 kWh a year) replaced on 1 July by one of
    # 2,000 / 4,000 kWh a year
    old = version(Basis.ANNUAL, date(2025, 1, 1), (2400, 4800))
    new = version(Basis.ANNUAL, date(2026, 7, 1), (2000, 4000))
    tariffs = Tariffs((old, new))
    bills = [bill(f"2026-{m:02d}", 250.0) for m in range(1, 10)]  # Jan–Sep: 250 kWh each
    days = [day(date(2026, 10, n), 5.0) for n in range(1, 11)]  # 50 kWh by 11 October
    # When asked in May (old version, whole year) and in October (new version since July)
    may = usage_view("0100000001", date(2026, 5, 1), bills, [], tariffs).tier
    october = usage_view("0100000001", date(2026, 10, 11), bills, days, tariffs).tier
    # Then May counts Jan–Apr (1,000 kWh) against 2,400
    assert may is not None and (may.current, may.remaining_kwh) == (1, 1400.0)
    # and October counts only Jul–Sep + October so far (800 kWh) against half of 2,000
    assert period_of(new, date(2026, 10, 11)).thresholds_kwh == (1000.0, 2000.0)
    assert october is not None and (october.current, october.remaining_kwh) == (1, 200.0)
    # and the next year the new version counts from 1 January with its full thresholds
    assert period_of(new, date(2027, 2, 1)).start == date(2027, 1, 1)
    assert period_of(new, date(2027, 2, 1)).thresholds_kwh == (2000, 4000)


def test_the_top_tier_has_nothing_left_and_no_tariff_means_no_tier() -> None:
    v = version(Basis.MONTHLY, date(2026, 1, 1), (200, 400))
    top = tier_of(v, period_of(v, date(2026, 3, 5)), 400.0)
    assert (top.current, top.remaining_kwh, top.price_yuan) == (3, None, 0.7)
    assert usage_view("0100000001", date(2026, 3, 5), [], [], Tariffs()).tier is None
    assert Tariffs((v,)).in_effect(date(2025, 12, 31)) is None


def test_tariffs_come_from_configuration_and_bad_ones_are_refused() -> None:
    text = (
        '[{"label": "示例", "basis": "annual", "thresholds_kwh": [2040, 3000],'
        ' "prices_yuan": [0.1, 0.2, 0.3], "effective_from": "2026-01-01"}]'
    )
    parsed = parse_tariffs(text)
    assert parsed.in_effect(date(2026, 5, 1)) is not None
    assert parse_tariffs("") == Tariffs()
    with pytest.raises(ValueError):
        parse_tariffs(text.replace("2026-01-01", "2026-01-15"))  # not the 1st of a month
    with pytest.raises(ValueError):
        parse_tariffs(text.replace("[2040, 3000]", "[3000, 2040]"))
    with pytest.raises(ValueError):
        parse_tariffs(text.replace('"prices_yuan": [0.1, 0.2, 0.3]', '"prices_yuan": [0.1]'))
    with pytest.raises(ValueError):
        parse_tariffs("{}")


def test_missing_and_estimated_days_are_flagged_never_zero() -> None:
    # Given readings for 23 November: one estimated day, one missing-flagged, one never sent
    today = date(2026, 11, 24)
    days = [day(today - timedelta(days=n), 6.0) for n in range(1, 31)]
    days[0] = day(date(2026, 11, 23), 7.5, Quality.ESTIMATED)
    days[1] = day(date(2026, 11, 22), None, Quality.MISSING)
    del days[2]  # 21 November: no row at all
    view = usage_view("0100000001", today, [], days, Tariffs())
    by_day = {d.day: d for d in view.days}
    # Then 30 days end yesterday, oldest first
    assert len(view.days) == 30 and view.days[-1].day == date(2026, 11, 23)
    assert view.days[0].day == date(2026, 10, 25)
    assert (by_day[date(2026, 11, 23)].kwh, by_day[date(2026, 11, 23)].quality) == (
        7.5,
        Quality.ESTIMATED,
    )
    assert (by_day[date(2026, 11, 22)].kwh, by_day[date(2026, 11, 22)].quality) == (
        None,
        Quality.MISSING,
    )
    assert by_day[date(2026, 11, 21)].kwh is None
    assert view.as_of is not None and view.as_of.isoformat() == "2026-11-24T00:00:00+08:00"


def test_twelve_months_before_this_one_oldest_first_and_the_latest_bill_is_the_balance() -> None:
    bills = [bill("2025-11", 100.0), bill("2026-10", 180.0, balance=12.5, arrears=3.0)]
    view = usage_view("0100000001", date(2026, 11, 24), bills, [], Tariffs())
    assert [m.month for m in view.months] == [f"2025-{m}" for m in ("11", "12")] + [
        f"2026-{m:02d}" for m in range(1, 11)
    ]
    assert (view.months[0].kwh, view.months[-1].amount_yuan) == (100.0, 90.0)
    assert view.months[5].kwh is None and view.months[5].amount_yuan is None  # no bill: null
    assert view.balance is not None and view.balance.settlement_balance_yuan == 12.5
    assert view.as_of is None  # no daily reading at all


def test_the_read_window_is_thirteen_months_and_the_days_this_month_needs() -> None:
    w = window(date(2026, 11, 24))
    assert (w.first_month, w.last_month) == ("2025-11", "2026-11")
    assert (w.first_day, w.last_day) == (date(2026, 10, 25), date(2026, 11, 23))
    late = window(date(2026, 12, 31))  # 30 days back from the 30th miss the 1st: read it too
    assert late.first_day == date(2026, 12, 1)


def test_a_bad_tariff_setting_stops_the_app_at_start() -> None:
    from chalicelib.config import Settings, SettingsError

    with pytest.raises(SettingsError):
        Settings.from_env({"YUNGE_STAGE": "local", "YUNGE_TARIFFS": '[{"basis": "weekly"}]'})
    assert Settings.from_env({"YUNGE_STAGE": "local"}).low_balance_yuan == 20.0


def test_a_bill_reminds_for_arrears_or_a_low_balance_of_recent_periods_only() -> None:
    from chalicelib.domain.usage import Reminder, reminder_due, reminder_key

    today = date(2026, 11, 24)
    assert reminder_due(bill("2026-10", 100, arrears=5.0), 20.0, today) is Reminder.ARREARS
    assert reminder_due(bill("2026-10", 100, balance=19.99), 20.0, today) is Reminder.LOW_BALANCE
    assert reminder_due(bill("2026-10", 100, balance=20.0), 20.0, today) is None  # at the line
    assert reminder_due(bill("2026-11", 100, balance=-3), 20.0, today) is Reminder.LOW_BALANCE
    assert reminder_due(bill("2026-09", 100, arrears=5.0), 20.0, today) is None  # backfill
    # one key per account and period, whatever the reason
    assert reminder_key(bill("2026-10", 1, arrears=1)) == reminder_key(
        bill("2026-10", 2, balance=1)
    )
