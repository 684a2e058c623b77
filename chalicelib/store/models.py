"""pynamodb models: the ONE definition of every table, used by the app, the tests, the
local stack and the deployment template. Access patterns are written beside each model;
every hot path is a GetItem, a Query or a transaction — never a Scan.

Table names come from settings at bind time (`bind_tables`), not at import.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model


class _Base(Model):
    class Meta:
        abstract = True
        billing_mode = "PAY_PER_REQUEST"


# ---------------------------------------------------------------- tickets
class OwnerIndex(GlobalSecondaryIndex["TicketModel"]):
    """A customer's tickets, newest first: Query owner_id, created_at desc."""

    class Meta:
        index_name = "by_owner"
        projection = AllProjection()

    owner_id = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class GridIndex(GlobalSecondaryIndex["TicketModel"]):
    """A grid's tickets (manager lists, hotspots): Query grid_id, created_at desc."""

    class Meta:
        index_name = "by_grid"
        projection = AllProjection()

    grid_id = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class StationIndex(GlobalSecondaryIndex["TicketModel"]):
    """A station's tickets (chief lists)."""

    class Meta:
        index_name = "by_station"
        projection = AllProjection()

    station_id = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class BranchIndex(GlobalSecondaryIndex["TicketModel"]):
    """A branch's tickets (branch duty officer lists)."""

    class Meta:
        index_name = "by_branch"
        projection = AllProjection()

    branch_id = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class AssigneeIndex(GlobalSecondaryIndex["TicketModel"]):
    """Every ticket ever assigned to a staff member (their list, mutual-aid work included)."""

    class Meta:
        index_name = "by_assignee"
        projection = AllProjection()

    assignee_id = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class OpenStationIndex(GlobalSecondaryIndex["TicketModel"]):
    """Sparse: open tickets by assignee (DESIGN.md), partitioned by station. Query (station,
    open_assignee = X) lists one person's open tickets; Query (station) counts every mutual-aid
    peer's at once, since all of a ticket's possible assignees work in its station."""

    class Meta:
        index_name = "open_by_station"
        projection = KeysOnlyProjection()

    open_station = UnicodeAttribute(hash_key=True)
    open_assignee = UnicodeAttribute(range_key=True)


class DueIndex(GlobalSecondaryIndex["TicketModel"]):
    """Sparse, sharded: tickets with a pending clock by due time (sla_watchdog queries every
    shard for next_due_at <= now). Shard = hash(ticket_id) % due_shards."""

    class Meta:
        index_name = "by_due"
        projection = AllProjection()

    due_shard = UnicodeAttribute(hash_key=True)
    next_due_at = UnicodeAttribute(range_key=True)


class MonthIndex(GlobalSecondaryIndex["TicketModel"]):
    """Sharded by Shanghai month, e.g. "2026-11#07": reports and bureau-wide lists read a
    month shard by shard, in parallel, without a hot partition."""

    class Meta:
        index_name = "by_month"
        projection = AllProjection()

    month_shard = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class SettleIndex(GlobalSecondaryIndex["TicketModel"]):
    """Sharded by the Shanghai month a closed or cancelled ticket settles in (no KPI fact can
    happen after: domain.rounds.settles_at), "open#07" before that: a report finds the tickets
    created before its month that may have a fact in it — Query the month's and later
    months' shards and the open shards for created_at before the month."""

    class Meta:
        index_name = "by_settle"
        projection = AllProjection()

    settle_shard = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class TicketModel(_Base):
    """工单. Key ticket_id (ULID). Stream NEW_AND_OLD_IMAGES feeds ticket_stream.
    Access: GetItem by id; the GSIs above; every change is a conditional transaction
    on `version` together with its timeline event."""

    class Meta(_Base.Meta):
        table_name = "tickets"
        stream_view_type = "NEW_AND_OLD_IMAGES"

    ticket_id = UnicodeAttribute(hash_key=True)
    number = UnicodeAttribute()
    type = UnicodeAttribute()
    status = UnicodeAttribute()
    channel = UnicodeAttribute(default="miniprogram")
    owner_id = UnicodeAttribute()
    account_no = UnicodeAttribute()
    contact_phone = UnicodeAttribute()
    description = UnicodeAttribute()
    photos = ListAttribute(of=UnicodeAttribute, default=list)
    location: MapAttribute[str, Any] = MapAttribute(null=True)
    details: MapAttribute[str, Any] = MapAttribute(null=True)
    address = UnicodeAttribute()
    ta_id = UnicodeAttribute()
    grid_id = UnicodeAttribute()
    station_id = UnicodeAttribute()
    branch_id = UnicodeAttribute()
    area_class = UnicodeAttribute()
    priority = BooleanAttribute(default=False)  # important or special customer
    assignee_id = UnicodeAttribute(null=True)
    open_station = UnicodeAttribute(null=True)
    open_assignee = UnicodeAttribute(null=True)
    escalation_level = NumberAttribute(default=0)
    overdue = BooleanAttribute(default=False)
    created_at = UnicodeAttribute()  # ISO 8601 UTC, microseconds: sortable
    updated_at = UnicodeAttribute()
    month_shard = UnicodeAttribute()
    settle_shard = UnicodeAttribute(null=True)  # null only on items written before by_settle
    clocks: MapAttribute[str, Any] = MapAttribute(
        null=True
    )  # {"accept_due", "arrive_due", "resolve_due", *_at}
    due_shard = UnicodeAttribute(null=True)
    next_due_at = UnicodeAttribute(null=True)
    next_due_clock = UnicodeAttribute(null=True)
    outcome: MapAttribute[str, Any] = MapAttribute(
        null=True
    )  # cause, rating, comment, reopen_count, no_callback
    outage_id = UnicodeAttribute(null=True)  # attached to an outage
    version = VersionAttribute()

    by_owner = OwnerIndex()
    by_grid = GridIndex()
    by_station = StationIndex()
    by_branch = BranchIndex()
    by_assignee = AssigneeIndex()
    open_by_station = OpenStationIndex()
    by_due = DueIndex()
    by_month = MonthIndex()
    by_settle = SettleIndex()


class TicketEventModel(_Base):
    """A ticket's timeline. Key ticket_id + event_key ("<ISO UTC>#<version:06d>"), so a
    Query returns it oldest first. Written in the same transaction as the change."""

    class Meta(_Base.Meta):
        table_name = "ticket_events"

    ticket_id = UnicodeAttribute(hash_key=True)
    event_key = UnicodeAttribute(range_key=True)
    at = UTCDateTimeAttribute()
    action = UnicodeAttribute()
    actor = UnicodeAttribute()
    from_status = UnicodeAttribute(null=True)  # absent on the creation event
    to_status = UnicodeAttribute()
    note = UnicodeAttribute(null=True)
    data: MapAttribute[str, Any] = MapAttribute(null=True)


# ---------------------------------------------------------------- org
class OrgKindIndex(GlobalSecondaryIndex["OrgModel"]):
    """Every entity of a kind in a bureau ("bayannur#grid"): loads the topology cache."""

    class Meta:
        index_name = "by_kind"
        projection = AllProjection()

    bureau_kind = UnicodeAttribute(hash_key=True)
    pk = UnicodeAttribute(range_key=True)


class StaffPhoneIndex(GlobalSecondaryIndex["OrgModel"]):
    """Sparse: staff by phone hash (SMS login)."""

    class Meta:
        index_name = "by_phone"
        projection = AllProjection()

    phone_hash = UnicodeAttribute(hash_key=True)


class OrgModel(_Base):
    """Branches, stations, grids, transformer areas, staff, mutual-aid groups. Key pk =
    "<kind>#<id>". Small (thousands of items per bureau): GetItem by key through a short-TTL
    in-memory cache; by_kind for loading a kind; by_phone for staff login."""

    class Meta(_Base.Meta):
        table_name = "org"

    pk = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute()  # branch | station | grid | ta | staff | group
    bureau_kind = UnicodeAttribute()
    name = UnicodeAttribute()
    branch_id = UnicodeAttribute(null=True)
    station_id = UnicodeAttribute(null=True)
    grid_id = UnicodeAttribute(null=True)
    line_id = UnicodeAttribute(null=True)  # transformer areas: the 10 kV feeder
    area_class = UnicodeAttribute(null=True)
    manager_id = UnicodeAttribute(null=True)
    group_id = UnicodeAttribute(null=True)
    member_ids = ListAttribute(of=UnicodeAttribute, null=True)
    grid_ids = ListAttribute(of=UnicodeAttribute, null=True)
    role = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    phone_hash = UnicodeAttribute(null=True)
    on_duty = BooleanAttribute(null=True)
    duty_until = UnicodeAttribute(null=True)
    customer_count = NumberAttribute(null=True)  # grids: customers served (reports)

    by_kind = OrgKindIndex()
    by_phone = StaffPhoneIndex()


# ---------------------------------------------------------------- customers
class OpenIdIndex(GlobalSecondaryIndex["CustomerModel"]):
    """Sparse: a WeChat user's bound accounts (GET /v1/me/accounts)."""

    class Meta:
        index_name = "by_openid"
        projection = AllProjection()

    openid = UnicodeAttribute(hash_key=True)
    account_no = UnicodeAttribute(range_key=True)


class CustomerAreaIndex(GlobalSecondaryIndex["CustomerModel"]):
    """Sparse (profiles only): the customers of one 台区 — who an outage affects, and how
    many there are (Select COUNT) when clustering needs the small-area threshold."""

    class Meta:
        index_name = "by_ta"
        projection = AllProjection()

    ta_id = UnicodeAttribute(hash_key=True)
    account_no = UnicodeAttribute(range_key=True)


class CustomerModel(_Base):
    """户号 and its bindings. Key account_no + sk: sk "profile" holds the customer record;
    sk "bind#<openid>" records that a WeChat user bound the account. Ticket intake reads
    both in ONE BatchGetItem."""

    class Meta(_Base.Meta):
        table_name = "customers"

    account_no = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    holder_name = UnicodeAttribute(null=True)
    address = UnicodeAttribute(null=True)
    ta_id = UnicodeAttribute(null=True)
    important = BooleanAttribute(null=True)
    special = BooleanAttribute(null=True)
    phone = UnicodeAttribute(null=True)  # from the customer import (手机号)
    openid = UnicodeAttribute(null=True)
    bound_at = UnicodeAttribute(null=True)

    by_openid = OpenIdIndex()
    by_ta = CustomerAreaIndex()


# ---------------------------------------------------------------- usage
class UsageModel(_Base):
    """用电信息, laid out for the read path (store/usage.py): key account_no + sk, where sk
    is "YYYY-MM" (one month's bill and the balance it left) or "YYYY-MM-DD" (one daily
    reading), so a month's bill sorts just before its days. One customer's 13 months of
    bills and last 30 days come back in ONE Query on the account's partition (days expire
    by TTL after ~2 months); a day's feed is plain puts (BatchWriteItem), so loading a
    file twice or a corrected day simply overwrites. sk "feed#<s3 key>#<etag>" under
    account_no "#feeds" records each feed file loaded."""

    class Meta(_Base.Meta):
        table_name = "usage"

    account_no = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kwh = NumberAttribute(null=True)  # null: missing day
    quality = UnicodeAttribute(null=True)  # days: actual | estimated | missing
    peak_kwh = NumberAttribute(null=True)
    flat_kwh = NumberAttribute(null=True)
    valley_kwh = NumberAttribute(null=True)
    amount_yuan = NumberAttribute(null=True)  # bills from here on
    paid = BooleanAttribute(null=True)
    balance_yuan = NumberAttribute(null=True)
    arrears_yuan = NumberAttribute(null=True)
    penalty_yuan = NumberAttribute(null=True)
    as_of = UnicodeAttribute(null=True)
    expires_at = TTLAttribute(null=True)


# ---------------------------------------------------------------- notifications
class NotificationTicketIndex(GlobalSecondaryIndex["NotificationModel"]):
    class Meta:
        index_name = "by_ticket"
        projection = AllProjection()

    ticket_id = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class NotificationRecipientIndex(GlobalSecondaryIndex["NotificationModel"]):
    class Meta:
        index_name = "by_recipient"
        projection = AllProjection()

    recipient_hash = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class NotificationStatusIndex(GlobalSecondaryIndex["NotificationModel"]):
    """Sparse: parked (permanently failed) SMS for the admin list."""

    class Meta:
        index_name = "by_failure"
        projection = AllProjection()

    failed_bureau = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class NotificationModel(_Base):
    """Every SMS. Key business_key (ticket id + transition/version + recipient role): the
    conditional put that claims it makes each SMS happen once per business event."""

    class Meta(_Base.Meta):
        table_name = "notifications"

    business_key = UnicodeAttribute(hash_key=True)
    ticket_id = UnicodeAttribute()
    recipient_role = UnicodeAttribute()
    recipient_masked = UnicodeAttribute()
    recipient_hash = UnicodeAttribute()
    template_id = UnicodeAttribute()
    template_key = UnicodeAttribute()
    params: MapAttribute[str, Any] = MapAttribute(null=True)
    status = UnicodeAttribute()  # pending | sent | failed
    failed_bureau = UnicodeAttribute(null=True)
    provider_message_id = UnicodeAttribute(null=True)
    attempts = NumberAttribute(default=0)
    error = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    sent_at = UnicodeAttribute(null=True)

    by_ticket = NotificationTicketIndex()
    by_recipient = NotificationRecipientIndex()
    by_failure = NotificationStatusIndex()


# ---------------------------------------------------------------- outages
class OutageStationIndex(GlobalSecondaryIndex["OutageModel"]):
    """A station's outages, newest first (chief and manager lists)."""

    class Meta:
        index_name = "by_station"
        projection = AllProjection()

    station_id = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class OutageBranchIndex(GlobalSecondaryIndex["OutageModel"]):
    class Meta:
        index_name = "by_branch"
        projection = AllProjection()

    branch_id = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class OutageBureauIndex(GlobalSecondaryIndex["OutageModel"]):
    """Every outage of a bureau (ops lists). Outages are few — hundreds a month, a storm's
    worth in a day — so one partition per bureau is not hot."""

    class Meta:
        index_name = "by_bureau"
        projection = AllProjection()

    bureau = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class OutageModel(_Base):
    """停电事件. Key outage_id (ULID). Attaching a report is one UpdateItem (ADD to the
    ticket and account sets, conditional on the outage being open); every state change is
    conditional on `version`, its timeline event appended in the same write."""

    class Meta(_Base.Meta):
        table_name = "outages"

    outage_id = UnicodeAttribute(hash_key=True)
    bureau = UnicodeAttribute()
    kind = UnicodeAttribute()
    state = UnicodeAttribute()
    scope = UnicodeAttribute()
    ta_ids = ListAttribute(of=UnicodeAttribute, default=list)
    station_id = UnicodeAttribute()
    branch_id = UnicodeAttribute()
    grid_id = UnicodeAttribute(null=True)
    line_id = UnicodeAttribute(null=True)
    manager_id = UnicodeAttribute(null=True)
    etr = UnicodeAttribute(null=True)
    starts_at = UnicodeAttribute(null=True)
    ends_at = UnicodeAttribute(null=True)
    cause = UnicodeAttribute(null=True)
    publisher = UnicodeAttribute(null=True)
    contact_phone = UnicodeAttribute(null=True)
    important_notified = BooleanAttribute(default=False)
    ticket_ids = UnicodeSetAttribute(null=True)
    account_nos = UnicodeSetAttribute(null=True)
    customers_affected = NumberAttribute(default=0)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    dispatched_at = UnicodeAttribute(null=True)
    contacts = UnicodeSetAttribute(null=True)  # "<account_no>#<phone>" of the reporters
    acked_at = UnicodeAttribute(null=True)
    etr_told = UnicodeAttribute(null=True)
    etr_told_at = UnicodeAttribute(null=True)
    etr_updates = NumberAttribute(default=0)
    restored_told_at = UnicodeAttribute(null=True)
    callback_told_at = UnicodeAttribute(null=True)
    reminded_at = UnicodeAttribute(null=True)
    reports_settled_at = UnicodeAttribute(null=True)
    confirmed_at = UnicodeAttribute(null=True)
    restored_at = UnicodeAttribute(null=True)
    timeline = ListAttribute(of=MapAttribute, default=list)
    version = NumberAttribute(default=0)  # conditions written by the store: attaching a
    # report must not move it (a staff action racing an attachment still succeeds)

    by_station = OutageStationIndex()
    by_branch = OutageBranchIndex()
    by_bureau = OutageBureauIndex()


class OutageAreaModel(_Base):
    """Per-台区 outage state. Key ta_id + sk:
    - "open": the 台区's open fault outage (outage_id). Put only if absent — the conditional
      write that makes two stream shards seeing "the third report" create ONE outage —
      and deleted with the state change that closes the outage.
    - "report#<account_no>": the latest qualifying report of that 户号 (ticket_id,
      reported_at), so a Query of the partition counts distinct accounts in the window.
      Expires by TTL.
    - "notice#<outage_id>": a published planned / temporary outage covering the 台区 (its
      window, cause and phone): a report from inside it is answered at once, not dispatched.
      Deleted when the notice is cancelled; expires a day after it ends."""

    class Meta(_Base.Meta):
        table_name = "outage_areas"

    ta_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    outage_id = UnicodeAttribute(null=True)
    opened_at = UnicodeAttribute(null=True)
    ticket_id = UnicodeAttribute(null=True)
    reported_at = UnicodeAttribute(null=True)
    kind = UnicodeAttribute(null=True)  # notices: planned | temporary, and what to answer
    starts_at = UnicodeAttribute(null=True)
    ends_at = UnicodeAttribute(null=True)
    cause = UnicodeAttribute(null=True)
    contact_phone = UnicodeAttribute(null=True)
    expires_at = TTLAttribute(null=True)


# ---------------------------------------------------------------- idempotency, counters
class IdempotencyModel(_Base):
    """Idempotency-Key claims ("<caller>#<key>" → ticket_id), written in the ticket's own
    creation transaction. Expires after 24 h."""

    class Meta(_Base.Meta):
        table_name = "idempotency"

    key = UnicodeAttribute(hash_key=True)
    ticket_id = UnicodeAttribute()
    payload_hash = UnicodeAttribute()
    expires_at = TTLAttribute()


class CounterModel(_Base):
    """OTP codes, rate-limit windows and the assignment ledger, expiring by TTL. Keys:
    "otp#<phone_hash>", "rl#<name>#<subject>#<window>", "assigned#<staff_id>"."""

    class Meta(_Base.Meta):
        table_name = "counters"

    key = UnicodeAttribute(hash_key=True)
    hits = NumberAttribute(default=0)  # not "count": that name is Model.count()
    code_hash = UnicodeAttribute(null=True)
    attempts = NumberAttribute(null=True)
    assigned_at = UnicodeAttribute(null=True)  # the ledger: when a staff member last got a ticket
    expires_at = TTLAttribute()


ALL_MODELS: tuple[type[Model], ...] = (
    TicketModel,
    TicketEventModel,
    OrgModel,
    CustomerModel,
    UsageModel,
    NotificationModel,
    IdempotencyModel,
    CounterModel,
    OutageModel,
    OutageAreaModel,
)
BASE_TABLE_NAMES = {model: model.Meta.table_name for model in ALL_MODELS}


def bind_tables(prefix: str, region: str) -> None:
    """Point every model at its table for this deployment (idempotent)."""
    for model, base in BASE_TABLE_NAMES.items():
        model.Meta.table_name = f"{prefix}{base}"
        model.Meta.region = region
        model._connection = None


def create_tables() -> None:
    """Create every table that does not exist yet (local stack and tests)."""
    for model in ALL_MODELS:
        if not model.exists():
            model.create_table(wait=True)
