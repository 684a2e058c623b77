"""One contract for the outage store, in memory and in DynamoDB (moto): the open slot that
makes one outage per 台区, attachments that never drop a report, version-checked changes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta

import pytest
from moto import mock_aws

from chalicelib.domain.outage_vocabulary import OutageAction, OutageKind, OutageScope, OutageState
from chalicelib.domain.outages import Outage, act, formed, published, rolled_up
from chalicelib.store.keys import Cursor
from chalicelib.store.outages import (
    InMemoryOutageStore,
    LineClaim,
    LineTaken,
    OutageExists,
    OutageFilter,
    OutageSource,
    OutageStore,
    StaleOutage,
)

T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
BUREAU = "bayannur"


@pytest.fixture(params=["memory", "dynamo"])
def store(request) -> Iterator[OutageStore]:  # type: ignore[no-untyped-def]
    if request.param == "memory":
        yield InMemoryOutageStore(BUREAU)
        return
    with mock_aws():
        from chalicelib.store.dynamo_outages import DynamoOutageStore
        from chalicelib.store.models import OutageAreaModel, OutageModel, bind_tables

        bind_tables("contract-", "us-east-1")
        for model in (OutageModel, OutageAreaModel):
            model.create_table(wait=True)
        yield DynamoOutageStore(BUREAU)


def outage(outage_id: str, ta: str = "T1", at: datetime = T0, station: str = "S1"):  # type: ignore[no-untyped-def]
    return formed(
        outage_id=outage_id,
        ta_id=ta,
        grid_id="G1",
        station_id=station,
        branch_id="B1",
        line_id="L1",
        manager_id="M1",
        reports={"0601000001": "TK1", "0601000002": "TK2", "0601000003": "TK3"},
        customers_affected=120,
        etr=at + timedelta(hours=3, minutes=45),
        now=at,
    )


def test_an_outage_is_stored_and_read_back_whole(store: OutageStore) -> None:
    saved = store.open(outage("O1"))

    read = store.get("O1")
    assert read == saved
    assert read is not None and read.version == 1
    assert (read.kind, read.state, read.ta_ids, read.reports) == ("fault", "probable", ("T1",), 3)
    assert read.customers_affected == 120 and read.etr == T0 + timedelta(hours=3, minutes=45)
    assert [e.action for e in read.timeline] == ["form"]
    assert store.open_in_area("T1") == "O1"


def test_every_moment_of_an_outage_reads_back_as_it_was_written(store: OutageStore) -> None:
    # Given an outage with each of its optional moments set, a minute apart
    moments = [f.name for f in fields(Outage) if f.type == "datetime | None"]
    whole = replace(
        outage("O1"), **{name: T0 + timedelta(minutes=i) for i, name in enumerate(moments)}
    )

    saved = store.open(whole)

    assert len(moments) >= 13
    assert store.get("O1") == saved
    assert all(getattr(saved, name) == getattr(whole, name) for name in moments)


def test_a_second_outage_for_the_same_area_loses_and_names_the_first(store: OutageStore) -> None:
    # Two stream shards both saw "the third report": the conditional write lets one win.
    store.open(outage("O1"))

    with pytest.raises(OutageExists) as lost:
        store.open(outage("O2", at=T0 + timedelta(seconds=1)))

    assert lost.value.outage_id == "O1"
    assert store.get("O2") is None
    assert store.open_in_area("T1") == "O1"


def test_attaching_is_idempotent_and_only_to_an_open_outage(store: OutageStore) -> None:
    store.open(outage("O1"))

    store.attach("O1", "TK4", "0601000004")
    again = store.attach("O1", "TK4", "0601000004")

    assert again is not None and again.reports == 4 and len(again.account_nos) == 4
    first = store.get("O1")
    assert first is not None
    restored = store.commit(first, act(first, OutageAction.RESTORE, actor="staff:M1", now=T0))
    assert restored.state is OutageState.RESTORED and restored.version == 2
    assert store.attach("O1", "TK5", "0601000005") is None
    assert store.open_in_area("T1") is None  # the area is free for the next outage


def test_a_change_made_on_a_stale_version_is_refused_but_attachments_are_kept(
    store: OutageStore,
) -> None:
    opened = store.open(outage("O1"))
    store.attach("O1", "TK4", "0601000004")  # an attachment does not move the version

    confirmed = store.commit(opened, act(opened, OutageAction.CONFIRM, actor="staff:M1", now=T0))
    with pytest.raises(StaleOutage):
        store.commit(opened, act(opened, OutageAction.CANCEL, actor="staff:C1", now=T0))

    assert confirmed.state is OutageState.CONFIRMED and confirmed.reports == 4
    assert [e.action for e in confirmed.timeline] == ["form", "confirm"]


def test_recent_reports_count_each_account_once_within_the_window(store: OutageStore) -> None:
    keep = timedelta(hours=1)
    store.record_report("T1", "0601000001", "TK1", T0, keep)
    store.record_report("T1", "0601000001", "TK2", T0 + timedelta(minutes=5), keep)  # same 户号
    store.record_report("T1", "0601000002", "TK3", T0 + timedelta(minutes=6), keep)
    store.record_report("T2", "0601000009", "TK9", T0 + timedelta(minutes=6), keep)

    store.open(outage("O1", ta="T1"))
    area = store.area("T1", T0 + timedelta(minutes=1))
    assert area.open_id == "O1"
    assert area.reports == {
        "0601000001": ("TK2", T0 + timedelta(minutes=5)),
        "0601000002": ("TK3", T0 + timedelta(minutes=6)),
    }


def test_lists_are_newest_first_filtered_and_paginated(store: OutageStore) -> None:
    for n in range(3):
        store.open(outage(f"O{n}", ta=f"T{n}", at=T0 + timedelta(minutes=n)))
    other = store.open(outage("OX", ta="T9", station="S2"))
    first = store.get("O0")
    assert first is not None
    store.commit(first, act(first, OutageAction.CANCEL, actor="staff:C1", now=T0))

    station = OutageSource("station", "S1")
    page = store.page(station, OutageFilter(), 2, None)
    assert [o.outage_id for o in page.items] == ["O2", "O1"] and page.next_cursor
    rest = store.page(station, OutageFilter(), 2, Cursor.decode(page.next_cursor))
    assert [o.outage_id for o in rest.items] == ["O0"] and rest.next_cursor is None
    probable = store.page(station, OutageFilter(state=OutageState.PROBABLE), 10, None)
    assert [o.outage_id for o in probable.items] == ["O2", "O1"]
    everyone = store.page(
        OutageSource("bureau", BUREAU), OutageFilter(kind=OutageKind.FAULT), 10, None
    )
    assert len(everyone.items) == 4 and other in [replace(o) for o in everyone.items]


def test_a_published_notice_is_kept_per_area_until_cancelled(store: OutageStore) -> None:
    starts = T0 + timedelta(days=8)
    notice = published(
        outage_id="P1",
        kind=OutageKind.PLANNED,
        ta_ids=("T1", "T2"),
        line_id="L1",
        station_id="S1",
        branch_id="B1",
        starts_at=starts,
        ends_at=starts + timedelta(hours=5),
        cause="线路检修",
        publisher="临河供电分局",
        contact_phone="0478-8123456",
        important_notified=False,
        customers_affected=40,
        actor="staff:C1",
        now=T0,
    )
    saved = store.open(notice)

    window = store.area("T2", T0).notice_at(starts + timedelta(hours=1))
    assert window is not None and window.outage_id == "P1" and "线路检修" in window.text()
    assert store.area("T2", T0).notice_at(starts - timedelta(minutes=1)) is None
    assert store.open_in_area("T1") is None  # a notice is not a fault outage
    store.open(outage("F1", ta="T3"))
    planned = frozenset({OutageKind.PLANNED})
    assert [o.outage_id for o in store.since(T0 - timedelta(days=1), planned)] == ["P1"]
    assert {o.outage_id for o in store.since(T0 - timedelta(days=1))} == {"P1", "F1"}
    store.commit(saved, act(saved, OutageAction.CANCEL, actor="staff:C1", now=T0))
    assert store.area("T1", T0).notices == ()


def test_the_reports_read_the_outages_that_started_in_a_period(store: OutageStore) -> None:
    # a fault outage starts when it forms; a notice at its start, whenever it was published
    store.open(outage("F0", ta="T1", at=T0 - timedelta(minutes=1)))  # before the period
    store.open(outage("F1", ta="T2", at=T0))
    store.open(outage("F2", ta="T3", at=T0 + timedelta(days=1)))  # at the period's end
    starts = T0 + timedelta(hours=20)
    store.open(
        published(
            outage_id="P1",
            kind=OutageKind.PLANNED,
            ta_ids=("T4",),
            line_id=None,
            station_id="S1",
            branch_id="B1",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            cause="线路检修",
            publisher="临河供电分局",
            contact_phone="0478-8123456",
            important_notified=False,
            customers_affected=40,
            actor="staff:C1",
            now=T0 - timedelta(days=10),  # published before the period
        )
    )

    found = store.between(T0, T0 + timedelta(days=1))

    assert sorted(o.outage_id for o in found) == ["F1", "P1"]


def test_one_outage_per_line_slot_a_second_claim_loses_unless_it_replaces_what_it_read(
    store: OutageStore,
) -> None:
    # two shards forming two 台区 of line L1 at the same moment: one claims the line
    store.open(outage("O1", ta="T1"), LineClaim("L1"))

    with pytest.raises(LineTaken) as lost:
        store.open(outage("O2", ta="T2"), LineClaim("L1"))

    assert lost.value.outage_id == "O1" and store.line_outage("L1") == "O1"
    assert store.get("O2") is None and store.open_in_area("T2") is None  # nothing written
    with pytest.raises(OutageExists):  # the 台区's own slot is checked first
        store.open(outage("O3", ta="T1"), LineClaim("L1"))
    store.open(outage("O4", ta="T3"), LineClaim("L1", replacing="O1"))  # O1 too old by now
    assert store.line_outage("L1") == "O4" and store.line_outage("L2") is None


def test_rolling_up_claims_the_area_and_makes_a_line_outage_once(store: OutageStore) -> None:
    first = store.open(outage("O1", ta="T1"), LineClaim("L1"))
    later = T0 + timedelta(minutes=5)
    after = rolled_up(
        first,
        ta_id="T2",
        reports={"0602000001": "TK7", "0602000002": "TK8"},
        customers_affected=50,
        now=later,
    )

    line = store.roll_up(first, after, "T2")

    assert store.get("O1") == line and line.version == 2
    assert (line.scope, line.ta_ids, line.reports) == (OutageScope.LINE, ("T1", "T2"), 5)
    assert line.customers_affected == 170
    assert [e.action for e in line.timeline] == ["form", "roll_up"]
    assert store.open_in_area("T2") == "O1" and store.open_in_area("T1") == "O1"
    with pytest.raises(OutageExists) as again:  # a second shard rolling T2 up: it is there
        store.roll_up(first, after, "T2")
    assert again.value.outage_id == "O1"
    stale = rolled_up(first, ta_id="T3", reports={"0603": "TK9"}, customers_affected=9, now=later)
    with pytest.raises(StaleOutage):  # O1 moved since `first` was read: nothing written
        store.roll_up(first, stale, "T3")
    assert store.open_in_area("T3") is None and store.get("O1") == line

    restored = store.commit(line, act(line, OutageAction.RESTORE, actor="staff:M1", now=later))
    assert restored.ta_ids == ("T1", "T2") and restored.reports == 5
    assert store.open_in_area("T1") is None and store.open_in_area("T2") is None
