"""Outages as clients see them: local times, the notice a customer reads."""

from __future__ import annotations

from datetime import datetime

from chalicelib.api.outage_schemas import OutageEventOut, OutageOut
from chalicelib.api.present import local_time, local_time_or_none
from chalicelib.dispatch.messages import local_moment
from chalicelib.domain.outage_vocabulary import OutageKind
from chalicelib.domain.outages import NOTICE_KIND_LABELS, Outage
from chalicelib.domain.phone import number_to_call
from chalicelib.store.org import OrgStore


def notice(outage: Outage, now: datetime) -> str | None:
    """ "您所在台区正在抢修，预计HH:MM恢复" and its planned-notice counterpart."""
    if not outage.is_open:
        return None
    if outage.kind is OutageKind.FAULT:
        return f"您所在台区正在抢修，预计{local_moment(outage.etr, now)}恢复"
    window = f"{local_moment(outage.starts_at, now)}至{local_moment(outage.ends_at, now)}"
    label = NOTICE_KIND_LABELS.get(outage.kind, "")
    cause = outage.cause or "检修"
    return f"您所在台区{window}{label}停电（{cause}），咨询{number_to_call(outage.contact_phone)}"


def outage_out(
    outage: Outage, *, now: datetime, org: OrgStore, timeline: bool = False
) -> OutageOut:
    return OutageOut(
        outage_id=outage.outage_id,
        kind=outage.kind,
        state=outage.state,
        scope=outage.scope,
        transformer_area_ids=list(outage.ta_ids),
        reports=outage.reports,
        customers_affected=outage.customers_affected,
        created_at=local_time(outage.created_at),
        line_id=outage.line_id,
        etr=local_time_or_none(outage.etr),
        starts_at=local_time_or_none(outage.starts_at),
        ends_at=local_time_or_none(outage.ends_at),
        cause=outage.cause,
        station_id=outage.station_id,
        grid_id=outage.grid_id,
        publisher=outage.publisher,
        contact_phone=outage.contact_phone,
        important_notified=outage.important_notified
        if outage.kind is OutageKind.TEMPORARY
        else None,
        notice=notice(outage, now),
        timeline=[
            OutageEventOut(
                at=local_time(e.at),
                action=e.action,
                actor=e.actor,
                from_state=e.from_state,
                to_state=e.to_state,
                note=e.note,
            )
            for e in outage.timeline
        ]
        if timeline
        else None,
    )
