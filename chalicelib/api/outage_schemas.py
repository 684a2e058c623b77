"""Outage request and response schemas (API.md, "Outages")."""

from __future__ import annotations

from typing import Annotated, Literal

from msgspec import Meta, Struct

from chalicelib.api.schemas import ShortText
from chalicelib.domain.outage_vocabulary import OutageKind, OutageScope, OutageState

Moment = Annotated[str, Meta(max_length=40, description="ISO 8601，带时区")]


class OutageActionBody(Struct):
    action: Literal["confirm", "set_etr", "restore", "cancel"]
    etr: Moment | None = None
    note: Annotated[str, Meta(max_length=500)] | None = None


class PublishOutage(Struct):
    kind: Literal["planned", "temporary"]
    starts_at: Moment
    ends_at: Moment
    cause: Annotated[str, Meta(min_length=1, max_length=200)]
    publisher: Annotated[str, Meta(min_length=1, max_length=100)]
    contact_phone: Annotated[str, Meta(pattern=r"^[0-9][0-9-]{4,19}$", description="咨询电话")]
    transformer_area_ids: Annotated[list[ShortText], Meta(max_length=200)] = []
    line_id: ShortText | None = None
    important_notified: bool | None = None


class OutageEventOut(Struct, omit_defaults=True):
    at: str
    action: str
    actor: str
    from_state: OutageState
    to_state: OutageState
    note: str | None = None


class OutageOut(Struct, omit_defaults=True):
    outage_id: str
    kind: OutageKind
    state: OutageState
    scope: OutageScope
    transformer_area_ids: list[str]
    reports: int
    customers_affected: int
    created_at: str
    line_id: str | None = None
    etr: str | None = None
    starts_at: str | None = None
    ends_at: str | None = None
    cause: str | None = None
    station_id: str | None = None
    grid_id: str | None = None
    publisher: str | None = None
    contact_phone: str | None = None
    important_notified: bool | None = None
    notice: str | None = None  # what the mini-program shows a customer of the area
    timeline: list[OutageEventOut] | None = None


class OutageList(Struct):
    items: list[OutageOut]
    next_cursor: str | None


class CallbackReply(Struct):
    account_no: ShortText
    reply: Literal["1", "2"]


class CallbackAnswer(Struct, omit_defaults=True):
    reply: str
    ticket_id: str | None = None  # "2": the new ticket, dispatched with its own clocks
    number: str | None = None
