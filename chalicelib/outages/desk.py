"""The outage desk: who may see which outages, and the staff actions on one (confirm, set
the ETR, restore, cancel). Plain commands in, domain values out; api/outages.py presents.

Scope: a customer sees the outages of a 户号 they bound (404 otherwise); a manager those of
their grids, a chief their station's, a branch officer their branch's, ops and admin the
bureau's. An outage outside the caller's scope is 403 (staff), an unknown id 404. An outage
over several 台区 (a line outage, a notice) is within the scope of each of them: the manager
of a 台区 rolled up into another grid's outage sees it and confirms it on arrival.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from chalicelib.domain.actors import staff_actor
from chalicelib.domain.errors import Forbidden, NotFound, ValidationFailed
from chalicelib.domain.ids import new_ulid
from chalicelib.domain.org import Role, Scope, TransformerArea
from chalicelib.domain.outage_vocabulary import OutageAction, OutageKind, OutageState
from chalicelib.domain.outages import Outage, OutagePolicy, act, notice_errors, published
from chalicelib.store.customers import CustomerStore
from chalicelib.store.keys import Cursor
from chalicelib.store.org import OrgStore
from chalicelib.store.outages import OutageFilter, OutagePage, OutageSource, OutageStore

ACTING_ROLES = frozenset({Role.MANAGER, Role.CHIEF, Role.BRANCH, Role.OPS})
PUBLISHING_ROLES = frozenset({Role.CHIEF, Role.BRANCH, Role.OPS})


class OutageNotFound(NotFound):
    code = "outage_not_found"
    message = "未找到该停电事件"


@dataclass(frozen=True, slots=True)
class OutageQuery:
    account_no: str | None = None
    station_id: str | None = None
    state: OutageState | None = None
    kind: OutageKind | None = None
    limit: int = 20
    cursor: str | None = None


@dataclass(frozen=True, slots=True)
class PublishCommand:
    kind: OutageKind
    starts_at: datetime
    ends_at: datetime
    cause: str
    publisher: str
    contact_phone: str
    transformer_area_ids: tuple[str, ...] = ()
    line_id: str | None = None
    important_notified: bool | None = None


@dataclass(frozen=True, slots=True)
class OutageCommand:
    action: OutageAction
    etr: datetime | None = None
    note: str | None = None


def parse_moment(value: str | None, field: str) -> datetime | None:
    """An ISO 8601 time with its offset, or a 400 naming `field`."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(fields={field: "应为带时区的 ISO 8601 时间"}) from None
    if moment.utcoffset() is None:
        raise ValidationFailed(fields={field: "应为带时区的 ISO 8601 时间"})
    if not 2000 < moment.year < 2099:  # also keeps UTC conversion from overflowing
        raise ValidationFailed(fields={field: "时间超出范围"})
    return moment


def covers(scope: Scope, outage: Outage) -> bool:
    if scope.role is Role.MANAGER:
        return outage.grid_id in scope.grid_ids or outage.manager_id == scope.subject
    return scope.covers(
        grid_id=outage.grid_id or "", station_id=outage.station_id, branch_id=outage.branch_id
    )


@dataclass
class OutageDesk:
    outages: OutageStore
    customers: CustomerStore
    org: OrgStore
    bureau: str
    clock: Callable[[], datetime]
    policy: OutagePolicy = field(default_factory=OutagePolicy)

    def find(self, scope: Scope, query: OutageQuery) -> OutagePage:
        if scope.role is Role.CUSTOMER:
            return self._for_customer(scope, query)
        filters = OutageFilter(state=query.state, kind=query.kind)
        cursor = Cursor.decode(query.cursor) if query.cursor else None
        page = self.outages.page(self._source(scope, query), filters, query.limit, cursor)
        if scope.role is Role.MANAGER:  # a station's list, narrowed to the manager's grids
            return OutagePage([o for o in page.items if self._covers(scope, o)], page.next_cursor)
        return page

    def _covers(self, scope: Scope, outage: Outage) -> bool:
        """The outage's first 台区 (its grid and station) is in scope, or another of its 台区."""
        if covers(scope, outage):
            return True
        areas = (self.org.transformer_area(ta) for ta in outage.ta_ids[1:])
        return any(
            scope.covers(grid_id=a.grid_id, station_id=a.station_id, branch_id=a.branch_id)
            for a in areas
            if a is not None
        )

    def _source(self, scope: Scope, query: OutageQuery) -> OutageSource:
        wanted = query.station_id
        if wanted is None:
            if scope.bureau_wide:
                return OutageSource("bureau", self.bureau)
            if scope.role is Role.BRANCH:
                return OutageSource("branch", str(scope.branch_id))
            return OutageSource("station", str(scope.station_id))
        station = self.org.station(wanted)
        if station is None:
            raise ValidationFailed(fields={"station_id": "未知的供电所"})
        allowed = scope.bureau_wide or (
            station.branch_id == scope.branch_id
            if scope.role is Role.BRANCH
            else wanted == scope.station_id
        )
        if not allowed:
            raise Forbidden()
        return OutageSource("station", wanted)

    def _for_customer(self, scope: Scope, query: OutageQuery) -> OutagePage:
        if not query.account_no:
            raise ValidationFailed(fields={"account_no": "请填写户号"})
        customer = self.customers.bound_customer(scope.subject, query.account_no)
        if customer is None:
            raise NotFound("未找到该户号，请先绑定户号", code="account_not_found")
        area = self.outages.area(customer.ta_id, self.clock())
        ids = [n.outage_id for n in area.notices] + ([area.open_id] if area.open_id else [])
        found = [o for o in map(self.outages.get, ids) if o is not None and o.is_open]
        return OutagePage(found, None)

    def publish(self, scope: Scope, command: PublishCommand) -> Outage:
        """A planned or temporary notice over 台区 in the caller's scope; 400 with fields
        when it breaks the notice rules, 403 when an area lies outside the scope."""
        if scope.role not in PUBLISHING_ROLES:
            raise Forbidden()
        now = self.clock()
        areas = self._areas(command)
        fields = notice_errors(
            kind=command.kind,
            starts_at=command.starts_at,
            ends_at=command.ends_at,
            important_notified=command.important_notified,
            has_area=bool(areas),
            now=now,
            policy=self.policy,
        )
        if fields:
            raise ValidationFailed("停电公告不符合规定", code="notice_rejected", fields=fields)
        if not all(
            scope.covers(grid_id=a.grid_id, station_id=a.station_id, branch_id=a.branch_id)
            for a in areas
        ):
            raise Forbidden("停电范围超出您的管辖", code="outside_scope")
        customers = sum(self.customers.count_in_area(a.ta_id) for a in areas)
        outage = published(
            outage_id=new_ulid(now),
            kind=command.kind,
            ta_ids=tuple(a.ta_id for a in areas),
            line_id=command.line_id,
            station_id=areas[0].station_id,
            branch_id=areas[0].branch_id,
            starts_at=command.starts_at,
            ends_at=command.ends_at,
            cause=command.cause,
            publisher=command.publisher,
            contact_phone=command.contact_phone,
            important_notified=bool(command.important_notified),
            customers_affected=customers,
            actor=staff_actor(scope.subject),
            now=now,
        )
        return self.outages.open(outage)

    def _areas(self, command: PublishCommand) -> list[TransformerArea]:
        found: dict[str, TransformerArea] = {}
        unknown = []
        for ta_id in command.transformer_area_ids:
            area = self.org.transformer_area(ta_id)
            if area is None:
                unknown.append(ta_id)
            else:
                found[ta_id] = area
        if unknown:
            raise ValidationFailed(
                fields={"transformer_area_ids": f"未知的台区：{'、'.join(unknown[:5])}"}
            )
        if command.line_id:
            on_line = [
                e
                for e in self.org.all_of("ta")
                if isinstance(e, TransformerArea) and e.line_id == command.line_id
            ]
            if not on_line:
                raise ValidationFailed(fields={"line_id": "该线路下没有台区"})
            found.update({a.ta_id: a for a in on_line})
        return list(found.values())

    def act(self, scope: Scope, outage_id: str, command: OutageCommand) -> Outage:
        if scope.role not in ACTING_ROLES:
            raise Forbidden()
        outage = self.outages.get(outage_id)
        if outage is None:
            raise OutageNotFound()
        if not self._covers(scope, outage):
            raise Forbidden()
        after = act(
            outage,
            command.action,
            actor=staff_actor(scope.subject),
            now=self.clock(),
            etr=command.etr,
            note=command.note,
        )
        return self.outages.commit(outage, after)  # StaleOutage (409) if it moved meanwhile
