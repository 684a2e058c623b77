"""The reports' ReferenceSource port: the `Reference` (reports/reference.py) a report needs,
names and grid facts. Its DynamoDB adapter reads the org table, one Query per kind on its
`by_kind` index, cached per container for a short while; the static fake holds a Reference
built with `reports.reference.reference_of`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from chalicelib.reports.reference import GridInfo, Reference

NAMED_KINDS = ("branch", "station", "grid", "ta", "staff")


class ReferenceSource(Protocol):
    def load(self) -> Reference: ...


class DynamoReferenceSource:
    def __init__(
        self, bureau: str, clock: Callable[[], datetime], ttl: timedelta = timedelta(minutes=5)
    ) -> None:
        self.bureau = bureau
        self.clock = clock
        self.ttl = ttl
        self._cached: tuple[datetime, Reference] | None = None

    def load(self) -> Reference:
        now = self.clock()
        if self._cached is None or now - self._cached[0] >= self.ttl:
            self._cached = (now, self._read())
        return self._cached[1]

    def _read(self) -> Reference:
        from chalicelib.store.models import OrgModel

        names: dict[str, str] = {}
        grids: dict[str, GridInfo] = {}
        for kind in NAMED_KINDS:
            for item in OrgModel.by_kind.query(f"{self.bureau}#{kind}"):
                names[item.pk] = item.name
                if kind == "grid":
                    grids[item.pk.split("#", 1)[1]] = _grid_info(item)
        return Reference(grids, names)


def _grid_info(item: Any) -> GridInfo:
    count = item.customer_count
    return GridInfo(
        station_id=item.station_id or "",
        branch_id=item.branch_id or "",
        area_class=item.area_class or "",
        manager_id=item.manager_id or "",
        customers=int(count) if count is not None else None,
    )


class StaticReferenceSource:
    def __init__(self, reference: Reference) -> None:
        self.reference = reference

    def load(self) -> Reference:
        return self.reference
