"""Request and response schemas (msgspec). The same Structs validate requests and generate
the OpenAPI document, so the two cannot drift."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from msgspec import Meta, Struct

from chalicelib.domain.details import DETAILS
from chalicelib.domain.org import Role
from chalicelib.domain.phone import CONTACT_PATTERN
from chalicelib.domain.tickets import Action, Outcome, Status, TicketType

Text = Annotated[str, Meta(min_length=1, max_length=1000)]
ShortText = Annotated[str, Meta(min_length=1, max_length=64)]
ContactPhone = Annotated[
    str,
    Meta(
        pattern=CONTACT_PATTERN,
        description="联系电话：大陆手机号（可带 +86、空格、短横线）"
        "或带区号的固话（如 0478-8123456），存为 E.164（+8613812345678）；短信只发手机",
    ),
]


# ------------------------------------------------------------------ requests
class Location(Struct):
    lat: Annotated[float, Meta(ge=-90, le=90)]
    lng: Annotated[float, Meta(ge=-180, le=180)]
    address: Annotated[str, Meta(max_length=200)] | None = None
    accuracy: Annotated[float, Meta(ge=0, le=100_000, description="定位精度（米）")] | None = None


class CreateTicket(Struct):
    type: TicketType
    description: Text
    contact_phone: ContactPhone
    account_no: ShortText | None = None  # or a `location` (WGS84) only: routed by point
    photos: Annotated[list[Annotated[str, Meta(max_length=200)]], Meta(max_length=9)] = []
    location: Location | None = None
    details: dict[str, Any] = {}  # checked against the type's struct (domain.details)


# The OpenAPI document shows a body whose `details` follow its `type` as one variant per type
# (a `oneOf` with a discriminator on `type`): {schema: (tag field, typed field, {tag: Struct})}.
VARIANTS: dict[type, tuple[str, str, dict[str, type]]] = {
    CreateTicket: ("type", "details", {kind.value: struct for kind, struct in DETAILS.items()}),
}


class BindAccount(Struct):
    account_no: ShortText
    holder_name: ShortText


class RequestUpload(Struct):
    content_type: Literal["image/jpeg", "image/png", "image/webp", "image/heic"]
    size: Annotated[int, Meta(gt=0, description="字节数（必填）：签入上传地址，S3 拒收其他长度")]


class SetDuty(Struct):
    on_duty: bool
    until: str | None = None  # ISO 8601 with offset


class TicketAction(Struct):
    """POST /v1/tickets/{ticket_id}/actions. Which fields an action needs is checked by the
    lifecycle (arrive: location; resolve of a fault: cause; transfer: to_staff_id)."""

    action: Literal[
        "accept", "arrive", "resolve", "transfer", "callback", "cancel", "confirm", "reopen"
    ]
    note: Annotated[str, Meta(max_length=500)] | None = None
    location: Location | None = None
    photos: Annotated[list[Annotated[str, Meta(max_length=200)]], Meta(max_length=9)] = []
    cause: Annotated[str, Meta(min_length=1, max_length=200)] | None = None
    to_staff_id: ShortText | None = None
    rating: Annotated[int, Meta(ge=1, le=5)] | None = None
    comment: Annotated[str, Meta(max_length=500)] | None = None
    outcome: Literal["reached", "unreachable"] | None = None  # callback: was the customer reached


# ------------------------------------------------------------------ responses
class Health(Struct):
    status: str


class StaffCard(Struct):
    staff_id: str
    name: str
    phone: str


class GridRef(Struct):
    grid_id: str
    name: str


class ManagerCard(Struct):
    name: str
    phone: str


class AccountOut(Struct):
    account_no: str
    address: str
    grid: GridRef | None
    manager: ManagerCard | None


class AccountList(Struct):
    items: list[AccountOut]


class TimelineEntry(Struct, omit_defaults=True):
    at: str
    action: Action
    actor: str
    from_status: Status | None  # null on the creation event
    to_status: Status
    note: str | None = None


class Deadline(Struct):
    clock: str
    due: str
    outcome: Outcome
    done_at: str | None = None


class TicketOut(Struct, omit_defaults=True):
    ticket_id: str
    number: str
    type: TicketType
    type_label: str
    status: Status
    status_label: str
    account_no: str
    description: str
    contact_phone: Annotated[str, Meta(description="E.164（+8613812345678），供 tel: 链接拨号")]
    contact_phone_display: Annotated[
        str, Meta(description="显示用：手机 13812345678，固话 0478-8123456")
    ]
    address: str
    grid_id: str
    station_id: str
    created_at: str
    updated_at: str
    escalation_level: int
    overdue: bool
    photos: list[str] = []
    location: dict[str, Any] | None = None
    details: dict[str, Any] = {}
    assignee: StaffCard | None = None
    deadlines: list[Deadline] = []
    outcome: dict[str, Any] = {}
    outage_id: str | None = None  # a fault report that joined an outage
    outage_notice: str | None = None  # … and what the customer is told about it (on create)
    timeline: list[TimelineEntry] | None = None


class PhotoOut(Struct):
    label: str  # 报修照片 / 到达现场 / 处理完成
    key: str
    url: str  # presigned GET, valid 10 minutes


class PhotoList(Struct):
    items: list[PhotoOut]


class TicketList(Struct):
    items: list[TicketOut]
    next_cursor: str | None


class UploadOut(Struct):
    key: str
    upload_url: str
    expires_in: int


class StaffMe(Struct):
    staff_id: str
    name: str
    role: Role
    grids: list[GridRef]
    on_duty: bool
    duty_until: str | None = None


class PeerOut(Struct):
    staff_id: str
    name: str
    on_duty: bool


class PeerList(Struct):
    items: list[PeerOut]


class DutyGroupOut(Struct):
    station_id: str
    station_name: str
    group_id: str
    group_name: str
    members: list[PeerOut]


class DutyBoard(Struct):
    items: list[DutyGroupOut]


class ErrorBody(Struct, omit_defaults=True):
    code: str
    message: str
    fields: dict[str, str] = {}


class ErrorOut(Struct):
    error: ErrorBody
