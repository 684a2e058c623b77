"""DynamoOutageStore: the outages and outage_areas tables (models.OutageModel,
OutageAreaModel).

Calls: `open_in_area` GetItem; `record_report` PutItem; `area` one Query of the 台区's
partition (its open slot and its reports; TTL removes old ones); `open` one transaction
(the outage + a conditional put of each area's "open" slot, and of the line's when clustering
claims it); `line_outage` GetItem; `roll_up` one transaction (a conditional put of the joining
台区's slot + an UpdateItem conditional on the version: scope, 台区 list, the changed fields,
ADD of its reports); `attach` one UpdateItem (ADD to sets, conditional on the state);
`commit` one transaction (an UpdateItem conditional on the version, and when it closes the
outage the deletion of its slots); lists one Query of by_station / by_branch / by_bureau.

The line slot lives in outage_areas too, under the partition "line#<line_id>" (sk "open").
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain.outage_vocabulary import OPEN_STATES, OutageKind, OutageScope, OutageState
from chalicelib.domain.outages import NoticeWindow, Outage, OutageEvent
from chalicelib.domain.phone import HOTLINE
from chalicelib.store.keys import Cursor, iso, parse_iso
from chalicelib.store.outages import (
    NOTICE_LOOKBACK,
    AreaState,
    LineClaim,
    LineTaken,
    OutageExists,
    OutageFilter,
    OutagePage,
    OutageSource,
    StaleOutage,
    newest_first,
    started_between,
    window_of,
)

OPEN = "open"
NOTICE = "notice#"
LINE = "line#"
_INDEX = {"station": "by_station", "branch": "by_branch", "bureau": "by_bureau"}
_HASH = {"station": "station_id", "branch": "branch_id", "bureau": "bureau"}


def _report_key(account_no: str) -> str:
    return f"report#{account_no}"


def _opt(moment: datetime | None) -> str | None:
    return iso(moment) if moment else None


def _when(value: str | None) -> datetime | None:
    return parse_iso(value) if value else None


# An outage's optional moments, stored as ISO strings (absent when unset), read back as they are.
_MOMENTS = (
    "etr",
    "starts_at",
    "ends_at",
    "dispatched_at",
    "acked_at",
    "etr_told",
    "etr_told_at",
    "restored_told_at",
    "callback_told_at",
    "reminded_at",
    "reports_settled_at",
    "confirmed_at",
    "restored_at",
)


def _moments(source: Any, convert: Callable[[Any], Any]) -> dict[str, Any]:
    """`_MOMENTS` of an Outage or an OutageModel, each through `convert` (_opt or _when)."""
    return {name: convert(getattr(source, name)) for name in _MOMENTS}


def _failed_at(error: Any) -> list[int]:
    reasons = getattr(error, "cancellation_reasons", None) or []
    return [
        i for i, r in enumerate(reasons) if r is not None and r.code == "ConditionalCheckFailed"
    ]


class DynamoOutageStore:
    def __init__(self, bureau: str) -> None:
        self.bureau = bureau

    def _transaction(self) -> Any:
        from pynamodb.transactions import TransactWrite

        from chalicelib.store.models import OutageModel

        return TransactWrite(connection=OutageModel._get_connection().connection)

    def get(self, outage_id: str) -> Outage | None:
        from pynamodb.exceptions import DoesNotExist

        from chalicelib.store.models import OutageModel

        try:
            return to_outage(OutageModel.get(outage_id, consistent_read=True))
        except DoesNotExist:
            return None

    def open_in_area(self, ta_id: str) -> str | None:
        from pynamodb.exceptions import DoesNotExist

        from chalicelib.store.models import OutageAreaModel

        try:
            return OutageAreaModel.get(ta_id, OPEN, consistent_read=True).outage_id
        except DoesNotExist:
            return None

    def line_outage(self, line_id: str) -> str | None:
        return self.open_in_area(LINE + line_id)

    def record_report(
        self, ta_id: str, account_no: str, ticket_id: str, at: datetime, keep: timedelta
    ) -> None:
        from chalicelib.store.models import OutageAreaModel

        OutageAreaModel(
            ta_id,
            _report_key(account_no),
            ticket_id=ticket_id,
            reported_at=iso(at),
            expires_at=at + keep,
        ).save()

    def area(self, ta_id: str, since: datetime) -> AreaState:
        from chalicelib.store.models import OutageAreaModel as M

        open_id, reports, notices = None, {}, []
        for item in M.query(ta_id, consistent_read=True):
            if item.sk == OPEN:
                open_id = item.outage_id
            elif item.sk.startswith(NOTICE):
                notices.append(
                    NoticeWindow(
                        outage_id=item.outage_id,
                        kind=OutageKind(item.kind),
                        starts_at=parse_iso(item.starts_at),
                        ends_at=parse_iso(item.ends_at),
                        cause=item.cause or "",
                        contact_phone=item.contact_phone or HOTLINE,
                    )
                )
            elif item.reported_at and item.reported_at >= iso(since):
                reports[item.sk.split("#", 1)[1]] = (item.ticket_id, parse_iso(item.reported_at))
        return AreaState(open_id, reports, tuple(notices))

    def open(self, outage: Outage, line: LineClaim | None = None) -> Outage:
        from pynamodb.exceptions import TransactWriteError

        from chalicelib.store.models import OutageAreaModel as A
        from chalicelib.store.models import OutageModel

        slots = list(outage.ta_ids) if outage.kind is OutageKind.FAULT else []
        try:
            with self._transaction() as tx:  # puts in this order: outage, slots, line slot
                tx.save(
                    to_item(outage, self.bureau, version=1),
                    condition=OutageModel.outage_id.does_not_exist(),
                )
                for ta in slots:
                    slot = A(ta, OPEN, outage_id=outage.outage_id, opened_at=iso(outage.created_at))
                    tx.save(slot, condition=A.sk.does_not_exist())
                if outage.kind is not OutageKind.FAULT:
                    for ta in outage.ta_ids:
                        tx.save(_notice_item(ta, window_of(outage)))
                if line is not None:
                    tx.save(_line_item(line.line_id, outage), condition=_line_free(line))
        except TransactWriteError as error:
            failed = _failed_at(error)
            taken = [slots[i - 1] for i in failed if 0 < i <= len(slots)]
            if not failed:
                raise
            if failed == [len(slots) + 1] and line is not None:
                raise LineTaken(self.line_outage(line.line_id)) from None
            winner = self.open_in_area(taken[0]) if taken else outage.outage_id
            raise OutageExists(winner or outage.outage_id) from None
        return self.get(outage.outage_id) or outage

    def roll_up(self, before: Outage, after: Outage, ta_id: str) -> Outage:
        from pynamodb.exceptions import TransactWriteError

        from chalicelib.store.models import OutageAreaModel as A
        from chalicelib.store.models import OutageModel as M

        new = to_item(after, self.bureau, version=before.version + 1)
        actions: list[Any] = [
            getattr(M, name).set(value) if value is not None else getattr(M, name).remove()
            for name, value in _changing(new)
        ]
        actions += [M.scope.set(after.scope.value), M.ta_ids.set(new.ta_ids)]
        for name in ("ticket_ids", "account_nos", "contacts"):
            added = set(getattr(after, name)) - set(getattr(before, name))
            if added:
                actions.append(getattr(M, name).add(added))
        slot = A(ta_id, OPEN, outage_id=after.outage_id, opened_at=iso(after.updated_at))
        open_now = M.state.is_in(*(s.value for s in OPEN_STATES))
        try:
            with self._transaction() as tx:  # the put (slot) goes before the update
                tx.save(slot, condition=A.sk.does_not_exist())
                tx.update(
                    M(after.outage_id),
                    actions=actions,
                    condition=(M.version == before.version) & open_now,
                )
        except TransactWriteError as error:
            failed = _failed_at(error)
            if 0 in failed:
                raise OutageExists(self.open_in_area(ta_id) or after.outage_id) from None
            if 1 in failed:
                raise StaleOutage() from error
            raise
        return self.get(after.outage_id) or after

    def attach(
        self, outage_id: str, ticket_id: str, account_no: str, phone: str = ""
    ) -> Outage | None:
        from pynamodb.exceptions import UpdateError

        from chalicelib.store.models import OutageModel as M

        item = M(outage_id)
        actions: list[Any] = [M.ticket_ids.add({ticket_id}), M.account_nos.add({account_no})]
        if phone:
            actions.append(M.contacts.add({f"{account_no}#{phone}"}))
        try:
            item.update(
                actions=actions,
                condition=M.state.is_in(*(s.value for s in OPEN_STATES)),
            )
        except UpdateError as error:
            if getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException":
                return None
            raise
        return to_outage(item)

    def commit(self, before: Outage, after: Outage) -> Outage:
        from pynamodb.exceptions import TransactWriteError

        from chalicelib.store.models import OutageAreaModel
        from chalicelib.store.models import OutageModel as M

        new = to_item(after, self.bureau, version=before.version + 1)
        actions = [
            getattr(M, name).set(value) if value is not None else getattr(M, name).remove()
            for name, value in _changing(new)
        ]
        closing = before.is_open and not after.is_open
        freed = list(after.ta_ids) if closing else []
        slot = OPEN if after.kind is OutageKind.FAULT else NOTICE + after.outage_id
        try:
            with self._transaction() as tx:  # pynamodb sends deletes first, then the update
                tx.update(
                    M(after.outage_id), actions=actions, condition=M.version == before.version
                )
                for ta in freed:
                    tx.delete(
                        OutageAreaModel(ta, slot),
                        condition=(OutageAreaModel.outage_id == after.outage_id)
                        | OutageAreaModel.sk.does_not_exist(),
                    )
        except TransactWriteError as error:
            if len(freed) in _failed_at(error):
                raise StaleOutage() from error
            raise
        return self.get(after.outage_id) or after

    def since(
        self, created_after: datetime, kinds: frozenset[OutageKind] | None = None
    ) -> list[Outage]:
        from chalicelib.store.models import OutageModel

        found = OutageModel.by_bureau.query(
            self.bureau,
            OutageModel.created_at >= iso(created_after),
            filter_condition=OutageModel.kind.is_in(*(k.value for k in kinds)) if kinds else None,
        )
        return [to_outage(item) for item in found]

    def between(self, start: datetime, end: datetime) -> list[Outage]:
        """One Query of by_bureau over created_at in [start − NOTICE_LOOKBACK, end)."""
        from chalicelib.store.models import OutageModel

        found = OutageModel.by_bureau.query(
            self.bureau,
            OutageModel.created_at.between(iso(start - NOTICE_LOOKBACK), iso(end)),
        )
        outages = (to_outage(item) for item in found)
        return [o for o in outages if started_between(o, start, end)]

    def page(
        self, source: OutageSource, filters: OutageFilter, limit: int, cursor: Cursor | None
    ) -> OutagePage:
        from chalicelib.store.models import OutageModel

        index = getattr(OutageModel, _INDEX[source.by])
        condition = OutageModel.created_at <= cursor.created_at if cursor else None
        found: list[Outage] = []
        for item in index.query(source.key, condition, scan_index_forward=False):
            outage = to_outage(item)
            if filters.admits(outage) and (
                cursor is None or cursor.precedes(outage.created_at, outage.outage_id)
            ):
                found.append(outage)
                if len(found) > limit:
                    break
        return newest_first(found, limit)


def _line_item(line_id: str, outage: Outage) -> Any:
    from chalicelib.store.models import OutageAreaModel

    return OutageAreaModel(
        LINE + line_id,
        OPEN,
        outage_id=outage.outage_id,
        opened_at=iso(outage.created_at),
        expires_at=outage.created_at + timedelta(days=2),  # tidiness: it is read, not trusted
    )


def _line_free(line: LineClaim) -> Any:
    from chalicelib.store.models import OutageAreaModel as A

    free = A.sk.does_not_exist()
    return free | (A.outage_id == line.replacing) if line.replacing else free


def _notice_item(ta_id: str, window: NoticeWindow) -> Any:
    from chalicelib.store.models import OutageAreaModel

    return OutageAreaModel(
        ta_id,
        NOTICE + window.outage_id,
        outage_id=window.outage_id,
        kind=window.kind.value,
        starts_at=iso(window.starts_at),
        ends_at=iso(window.ends_at),
        cause=window.cause,
        contact_phone=window.contact_phone,
        expires_at=window.ends_at + timedelta(days=1),
    )


_MUTABLE = (
    "state",
    "cause",
    "manager_id",
    "customers_affected",
    "updated_at",
    "etr_updates",
    *_MOMENTS,
    "timeline",
    "version",
)


def _changing(item: Any) -> list[tuple[str, Any]]:
    """What a commit writes: everything but the keys, scope and the attachment sets (which
    only `attach` adds to, so a commit never drops a report attached meanwhile)."""
    return [(name, getattr(item, name)) for name in _MUTABLE]


def _event_map(event: OutageEvent) -> dict[str, Any]:
    raw = {
        "at": iso(event.at),
        "action": event.action,
        "actor": event.actor,
        "from_state": event.from_state.value,
        "to_state": event.to_state.value,
        "note": event.note,
        "data": dict(event.data) or None,
    }
    return {k: v for k, v in raw.items() if v is not None}


def to_item(outage: Outage, bureau: str, *, version: int) -> Any:
    from chalicelib.store.models import OutageModel

    return OutageModel(
        outage.outage_id,
        bureau=bureau,
        kind=outage.kind.value,
        state=outage.state.value,
        scope=outage.scope.value,
        ta_ids=list(outage.ta_ids),
        station_id=outage.station_id,
        branch_id=outage.branch_id,
        grid_id=outage.grid_id,
        line_id=outage.line_id,
        manager_id=outage.manager_id,
        cause=outage.cause,
        publisher=outage.publisher,
        contact_phone=outage.contact_phone,
        important_notified=outage.important_notified,
        ticket_ids=set(outage.ticket_ids) or None,
        account_nos=set(outage.account_nos) or None,
        customers_affected=outage.customers_affected,
        created_at=iso(outage.created_at),
        updated_at=iso(outage.updated_at),
        contacts=set(outage.contacts) or None,
        etr_updates=outage.etr_updates,
        timeline=[_event_map(e) for e in outage.timeline],
        version=version,
        **_moments(outage, _opt),
    )


def _plain(value: Any) -> Any:
    return value.as_dict() if hasattr(value, "as_dict") else value


def to_outage(item: Any) -> Outage:
    timeline = []
    for raw in item.timeline or []:
        event = _plain(raw)
        timeline.append(
            OutageEvent(
                at=parse_iso(event["at"]),
                action=event["action"],
                actor=event["actor"],
                from_state=OutageState(event["from_state"]),
                to_state=OutageState(event["to_state"]),
                note=event.get("note"),
                data=dict(_plain(event.get("data")) or {}),
            )
        )
    return Outage(
        outage_id=item.outage_id,
        kind=OutageKind(item.kind),
        state=OutageState(item.state),
        scope=OutageScope(item.scope),
        ta_ids=tuple(item.ta_ids or ()),
        station_id=item.station_id,
        branch_id=item.branch_id,
        grid_id=item.grid_id,
        line_id=item.line_id,
        manager_id=item.manager_id,
        cause=item.cause,
        publisher=item.publisher,
        contact_phone=item.contact_phone,
        important_notified=bool(item.important_notified),
        ticket_ids=frozenset(item.ticket_ids or ()),
        account_nos=frozenset(item.account_nos or ()),
        customers_affected=int(item.customers_affected or 0),
        created_at=parse_iso(item.created_at),
        updated_at=parse_iso(item.updated_at),
        contacts=frozenset(item.contacts or ()),
        etr_updates=int(item.etr_updates or 0),
        timeline=tuple(timeline),
        version=int(item.version or 0),
        **_moments(item, _when),
    )
