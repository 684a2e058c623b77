"""The outage desk: who may see which outages, and the staff actions on one (confirm, set
the ETR, restore, cancel). Plain commands in, domain values out; api/outages.py presents.

Scope: a customer sees the outages of a 户号 they bound (404 otherwise); a manager those of
their grids, a chief their station's, a branch officer their branch's, ops and admin the
bureau's. An outage outside the caller's scope is 403 (staff), an unknown id 404.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.errors import Forbidden, NotFound, ValidationFailed
from chalicelib.domain.org import Role, Scope
from chalicelib.domain.outages import Outage, OutageAction, OutageKind, OutageState, act
from chalicelib.store.customers import CustomerStore
from chalicelib.store.keys import Cursor
from chalicelib.store.org import OrgStore
from chalicelib.store.outages import OutageFilter, OutagePage, OutageSource, OutageStore

ACTING_ROLES = frozenset({Role.MANAGER, Role.CHIEF, Role.BRANCH, Role.OPS})


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

    def list(self, scope: Scope, query: OutageQuery) -> OutagePage:
        if scope.role is Role.CUSTOMER:
            return self._for_customer(scope, query)
        filters = OutageFilter(state=query.state, kind=query.kind)
        cursor = Cursor.decode(query.cursor) if query.cursor else None
        page = self.outages.page(self._source(scope, query), filters, query.limit, cursor)
        if scope.role is Role.MANAGER:  # a station's list, narrowed to the manager's grids
            return OutagePage([o for o in page.items if covers(scope, o)], page.next_cursor)
        return page

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
        found: list[Outage] = []
        open_id = self.outages.open_in_area(customer.ta_id)
        outage = self.outages.get(open_id) if open_id else None
        if outage is not None and outage.is_open:
            found.append(outage)
        return OutagePage(found, None)

    def act(self, scope: Scope, outage_id: str, command: OutageCommand) -> Outage:
        if scope.role not in ACTING_ROLES:
            raise Forbidden()
        outage = self.outages.get(outage_id)
        if outage is None:
            raise OutageNotFound()
        if not covers(scope, outage):
            raise Forbidden()
        after = act(
            outage,
            command.action,
            actor=f"staff:{scope.subject}",
            now=self.clock(),
            etr=command.etr,
            note=command.note,
        )
        return self.outages.commit(outage, after)  # StaleOutage (409) if it moved meanwhile
