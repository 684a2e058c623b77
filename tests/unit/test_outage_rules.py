"""The outage's pure rules: which reports count, how many make an outage, who may move it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.errors import Conflict, ValidationFailed
from chalicelib.domain.outage_vocabulary import Notice, OutageAction, OutageScope, OutageState
from chalicelib.domain.outages import (
    OutagePolicy,
    act,
    attaches,
    counts_toward_outage,
    densest_window,
    formed,
    notices_due,
    rolled_up,
    rolls_up,
    told,
    unacknowledged_areas,
)
from chalicelib.domain.policy import DEFAULT_POLICY

T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def probable():  # type: ignore[no-untyped-def]
    return formed(
        outage_id="O1",
        ta_id="T1",
        grid_id="G1",
        station_id="S1",
        branch_id="B1",
        line_id=None,
        manager_id="M1",
        reports={"a": "t1", "b": "t2", "c": "t3"},
        customers_affected=0,
        etr=None,
        now=T0,
    )


def test_home_building_and_area_reports_count_a_single_socket_never_does() -> None:
    for scope in ("household", "building", "area"):
        assert counts_toward_outage("fault_repair", {"scope": scope})
    assert counts_toward_outage("fault_repair", {})  # the default scope is the whole home
    assert not counts_toward_outage("fault_repair", {"scope": "socket"})
    assert not counts_toward_outage("meter_service", {"scope": "area"})


def test_three_accounts_make_an_outage_two_in_a_small_area() -> None:
    rules = DEFAULT_POLICY.outages
    assert rules.accounts_needed(300) == 3
    assert rules.accounts_needed(29) == 2
    assert rules.accounts_needed(30) == 3
    assert rules.accounts_needed(None) == 3  # customers not imported: the cautious number
    assert rules.cluster_window == timedelta(minutes=15)


def test_the_reporters_are_affected_even_when_no_customer_list_was_imported() -> None:
    outage = probable()
    assert outage.customers_affected == 3 and outage.reports == 3
    assert (outage.state, outage.timeline[0].action) == (OutageState.PROBABLE, "form")


def test_only_a_person_confirms_then_restores_and_a_closed_outage_stays_closed() -> None:
    later = T0 + timedelta(minutes=40)
    confirmed = act(probable(), OutageAction.CONFIRM, actor="staff:M1", now=later)
    restored = act(confirmed, OutageAction.RESTORE, actor="staff:M1", now=later)

    assert (confirmed.state, confirmed.confirmed_at) == (OutageState.CONFIRMED, later)
    assert (restored.state, restored.restored_at, restored.ends_at) == ("restored", later, later)
    assert [e.action for e in restored.timeline] == ["form", "confirm", "restore"]
    with pytest.raises(Conflict):
        act(restored, OutageAction.CANCEL, actor="staff:C1", now=later)
    with pytest.raises(Conflict):
        act(confirmed, OutageAction.CONFIRM, actor="staff:C1", now=later)
    with pytest.raises(ValidationFailed):
        act(probable(), OutageAction.FORM, actor="staff:C1", now=later)


def test_an_etr_must_be_given_and_lie_ahead() -> None:
    with pytest.raises(ValidationFailed) as missing:
        act(probable(), OutageAction.SET_ETR, actor="staff:M1", now=T0)
    with pytest.raises(ValidationFailed):
        act(probable(), OutageAction.SET_ETR, actor="staff:M1", now=T0, etr=T0)
    moved = act(
        probable(), OutageAction.SET_ETR, actor="staff:M1", now=T0, etr=T0 + timedelta(hours=2)
    )

    assert missing.value.fields == {"etr": "请填写预计恢复时间"}
    assert moved.etr == T0 + timedelta(hours=2) and moved.state is OutageState.PROBABLE


def test_reports_stop_attaching_once_closed_or_too_old() -> None:
    rules = OutagePolicy()
    outage = probable()
    assert attaches(outage, T0 + timedelta(hours=11), rules)
    assert not attaches(outage, T0 + timedelta(hours=13), rules)
    cancelled = act(outage, OutageAction.CANCEL, actor="staff:C1", now=T0)
    assert not attaches(cancelled, T0, rules)


def test_the_window_slides_over_report_times_rather_than_anchoring_at_one() -> None:
    minute = timedelta(minutes=1)
    window = DEFAULT_POLICY.outages.cluster_window
    spread = {"a": T0, "b": T0 + 10 * minute, "c": T0 + 20 * minute}
    bunched = {**spread, "d": T0 + 12 * minute}

    assert len(densest_window(spread, window)) == 2  # no 15 minutes hold all three
    assert densest_window(bunched, window) == {"a", "b", "d"}  # the earliest of two threes
    assert densest_window({}, window) == set()


def on_line(at: datetime = T0):  # type: ignore[no-untyped-def]
    return formed(
        outage_id="O1",
        ta_id="T1",
        grid_id="G1",
        station_id="S1",
        branch_id="B1",
        line_id="L1",
        manager_id="M1",
        reports={"a": "t1", "b": "t2", "c": "t3"},
        customers_affected=40,
        etr=at + timedelta(hours=4),
        now=at,
    )


def test_a_second_area_rolls_up_within_the_window_and_into_a_line_outage_while_open() -> None:
    rules = OutagePolicy()
    first = on_line()
    assert rolls_up(first, T0 + timedelta(minutes=15), rules)
    assert not rolls_up(first, T0 + timedelta(minutes=16), rules)  # two faults, most likely
    assert not rolls_up(probable(), T0, rules)  # no line known: nothing to roll up to

    line = rolled_up(
        first,
        ta_id="T2",
        reports={"d": "t4", "e": "t5"},
        customers_affected=30,
        now=T0 + timedelta(minutes=10),
    )
    assert (line.scope, line.ta_ids, line.state) == (OutageScope.LINE, ("T1", "T2"), "probable")
    assert line.reports == 5 and line.customers_affected == 70 and line.etr == first.etr
    assert line.timeline[-1].action == "roll_up" and line.timeline[-1].data["ta_id"] == "T2"
    assert rolls_up(line, T0 + timedelta(hours=2), rules)  # the feeder is out: later ones join
    assert rolled_up(line, ta_id="T2", reports={}, customers_affected=0, now=T0) == line
    cancelled = act(line, OutageAction.CANCEL, actor="staff:C1", now=T0 + timedelta(hours=1))
    assert not rolls_up(cancelled, T0 + timedelta(hours=1), rules)


def test_a_rolled_up_area_is_acknowledged_once_even_at_the_same_instant() -> None:
    rules = OutagePolicy()
    first = on_line()
    assert unacknowledged_areas(first) == ("T1",) and notices_due(first, T0, rules) == [Notice.ACK]
    acked = told(first, [Notice.ACK], 40, T0)
    assert notices_due(acked, T0, rules) == []

    line = rolled_up(acked, ta_id="T2", reports={"d": "t4"}, customers_affected=30, now=T0)

    assert unacknowledged_areas(line) == ("T2",) and notices_due(line, T0, rules) == [Notice.ACK]
    again = told(line, [Notice.ACK], 30, T0)
    assert unacknowledged_areas(again) == () and notices_due(again, T0, rules) == []
    assert again.acked_at == T0 and again.timeline[-1].data["areas"] == ["T2"]


def test_first_reports_are_held_the_whole_window_only_in_a_storm() -> None:
    rules = OutagePolicy()
    # normally a lone report waits 2 minutes for its neighbours, within the 5-min dispatch step
    assert rules.hold_for(areas_reporting=1) == rules.hold == timedelta(minutes=2)
    assert rules.hold_for(areas_reporting=rules.storm_areas) == rules.cluster_window
    assert rules.storm_hold == rules.cluster_window  # a 台区 that trips has the window to cluster
