"""The local stack's minute pass keeps pace with YUNGE_CLOCK_SCALE: with every clock ten times
faster, a lone report's 12-second wait must not end a whole real minute late."""

from __future__ import annotations

import pytest

from infra.local.server import watchdog_seconds


@pytest.mark.parametrize(("scale", "seconds"), [(1, 60.0), (0.1, 6.0), (1 / 60, 1.0), (0.001, 1.0)])
def test_the_minute_pass_runs_as_often_as_the_scaled_minute(scale: float, seconds: float) -> None:
    assert watchdog_seconds({}, scale) == pytest.approx(seconds)


def test_yunge_watchdog_seconds_still_wins() -> None:
    assert watchdog_seconds({"YUNGE_WATCHDOG_SECONDS": "2.5"}, 0.1) == 2.5
