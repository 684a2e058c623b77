"""What each ticket type records beyond the common fields (`Ticket.details`). The API decodes
a request's `details` into the struct of its type; any other caller builds the struct."""

from __future__ import annotations

from typing import Annotated, Literal

from msgspec import Meta, Struct

from .tickets import TicketType


class FaultDetails(Struct, forbid_unknown_fields=True):
    # household 本户 · building 整栋 · area 整片 · socket 单个插座/电器 (never an outage)
    scope: Literal["household", "building", "area", "socket"] = "household"
    hazard: bool = False  # 断线、冒烟等危险情况


class MeterDetails(Struct, forbid_unknown_fields=True):
    service: Literal["accuracy_test", "reading_dispute", "replacement", "relocation", "other"]
    # "meter_fast" (电表走得快, from the usage page): intake attaches the account's usage
    reason: Literal["meter_fast"] | None = None


class ConsultationDetails(Struct, forbid_unknown_fields=True):
    topic: Literal["billing", "tariff", "outage", "safety", "other"] = "other"


class NewConnectionDetails(Struct, forbid_unknown_fields=True):
    category: Literal["residential", "non_residential"]
    capacity_kw: Annotated[float, Meta(gt=0, le=1000)]
    applicant_name: Annotated[str, Meta(max_length=64)] | None = None


TicketDetails = FaultDetails | MeterDetails | ConsultationDetails | NewConnectionDetails

DETAILS: dict[TicketType, type[TicketDetails]] = {
    TicketType.FAULT_REPAIR: FaultDetails,
    TicketType.METER_SERVICE: MeterDetails,
    TicketType.CONSULTATION: ConsultationDetails,
    TicketType.NEW_CONNECTION: NewConnectionDetails,
}
