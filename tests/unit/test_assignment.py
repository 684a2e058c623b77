"""The assignment engine: level 1 of the three-level rapid response, pure."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.assignment import (
    Route,
    Workload,
    assign,
    on_duty,
    peers_on_duty,
    tied_for_fewest,
)
from chalicelib.domain.org import Staff
from tests import district

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
M1, M2, M5 = district.staff("M1"), district.staff("M2"), district.staff("M5")
C1 = district.staff("C1")
GROUP_A1 = [M1, M2, M5]


def off(staff: Staff, until: datetime | None = None) -> Staff:
    return replace(staff, on_duty=False, duty_until=until)


class TestOnDuty:
    def test_on_duty_without_a_limit_holds(self) -> None:
        assert on_duty(M1, NOW)

    def test_off_duty_without_a_limit_holds_until_switched_back(self) -> None:
        assert not on_duty(off(M1), NOW + timedelta(days=30))

    def test_off_duty_until_a_time_is_back_on_at_that_time(self) -> None:
        until = NOW + timedelta(hours=8)

        assert not on_duty(off(M1, until), until - timedelta(seconds=1))
        assert on_duty(off(M1, until), until)

    def test_on_duty_until_a_time_goes_off_after_it(self) -> None:
        until = NOW + timedelta(hours=1)
        member = replace(M1, duty_until=until)

        assert on_duty(member, NOW)
        assert not on_duty(member, until)


class TestPeers:
    def test_the_grid_manager_and_off_duty_members_are_not_peers(self) -> None:
        peers = peers_on_duty("M1", [M1, off(M2), M5], NOW)

        assert [p.staff_id for p in peers] == ["M5"]

    def test_only_the_peers_sharing_the_fewest_open_tickets_tie(self) -> None:
        tied = tied_for_fewest([M2, M5, M1], {"M2": 1, "M5": 1, "M1": 4})

        assert [p.staff_id for p in tied] == ["M2", "M5"]


class TestAssign:
    def test_an_on_duty_grid_manager_gets_the_ticket(self) -> None:
        chosen = assign(manager=M1, peers=[], workloads={}, chief=C1, priority=False, now=NOW)

        assert (chosen.assignee.staff_id, chosen.route, chosen.alert_chief) == (
            "M1",
            Route.GRID_MANAGER,
            False,
        )

    def test_off_duty_manager_falls_to_the_peer_with_fewest_open_tickets(self) -> None:
        loads = {"M2": Workload(3), "M5": Workload(1)}

        chosen = assign(
            manager=off(M1), peers=[M2, M5], workloads=loads, chief=C1, priority=False, now=NOW
        )

        assert (chosen.assignee.staff_id, chosen.route) == ("M5", Route.MUTUAL_AID)

    def test_a_tie_goes_to_the_least_recently_assigned_peer(self) -> None:
        loads = {
            "M2": Workload(1, last_assigned_at=NOW - timedelta(minutes=5)),
            "M5": Workload(1, last_assigned_at=NOW - timedelta(hours=2)),
        }

        chosen = assign(
            manager=off(M1), peers=[M2, M5], workloads=loads, chief=C1, priority=False, now=NOW
        )

        assert chosen.assignee.staff_id == "M5"

    def test_a_peer_never_assigned_before_counts_as_least_recent(self) -> None:
        loads = {"M2": Workload(0), "M5": Workload(0, last_assigned_at=NOW)}

        chosen = assign(
            manager=off(M1), peers=[M5, M2], workloads=loads, chief=C1, priority=False, now=NOW
        )

        assert chosen.assignee.staff_id == "M2"

    def test_whole_group_off_duty_goes_to_the_station_chief(self) -> None:
        chosen = assign(manager=off(M1), peers=[], workloads={}, chief=C1, priority=True, now=NOW)

        assert (chosen.assignee.staff_id, chosen.route) == ("C1", Route.STATION_CHIEF)
        assert not chosen.alert_chief  # the chief is the assignee: told once, as assignee

    def test_important_or_special_customers_also_alert_the_chief(self) -> None:
        chosen = assign(manager=M1, peers=[], workloads={}, chief=C1, priority=True, now=NOW)

        assert chosen.assignee.staff_id == "M1"
        assert chosen.alert_chief

    def test_a_manager_back_from_a_timed_absence_gets_work_again(self) -> None:
        away = off(M1, until=NOW)

        chosen = assign(manager=away, peers=[M5], workloads={}, chief=C1, priority=False, now=NOW)

        assert chosen.assignee.staff_id == "M1"

    def test_nobody_at_all_is_a_topology_error(self) -> None:
        with pytest.raises(LookupError):
            assign(manager=None, peers=[], workloads={}, chief=None, priority=False, now=NOW)
