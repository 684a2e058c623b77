"""停电 figures for a period (issue 14, item 6): how many outages started, how many customers
they affected, customer-minutes lost per 1,000 customers, and fault restoration time against
the commitment. Pure: outages, the reference, the policy and the window in, figures out.

- An outage counts in the period when it started in it, by `as_of`: a fault outage when it
  formed (`created_at`), a planned / temporary one at its notice's start. Cancelled ones never
  count.
- Its minutes run from that start to its restoration, else to a notice's end, else (still
  out) to `as_of`; never past `as_of`.
- Customer-minutes per 1,000 customers = Σ customers affected × minutes ÷ the scope's
  customers (the Reference) × 1,000; None when the customers are unknown.
- Restoration: restored fault outages per area class, start → restored, against the
  arrival commitment + the restoration commitment of that area class (what customers were
  promised as the default ETR, clustering.py)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta

from chalicelib.domain.org import AreaClass
from chalicelib.domain.outage_vocabulary import OutageKind, OutageState
from chalicelib.domain.outages import Outage
from chalicelib.domain.policy import ServicePolicy
from chalicelib.domain.tickets import TicketType

from .checks import Window
from .figures import OutageFigures, OutageRestoration
from .reference import Reference

AREA_ORDER = tuple(a.value for a in AreaClass)


def started(outage: Outage) -> datetime:
    if outage.kind is OutageKind.FAULT:
        return outage.created_at
    return outage.starts_at or outage.created_at


def ended(outage: Outage, as_of: datetime) -> datetime:
    """When its customers had power again (or `as_of` for those still out)."""
    last = outage.restored_at
    if last is None and outage.kind is not OutageKind.FAULT:
        last = outage.ends_at
    return min(last or as_of, as_of)


def restore_commitment(policy: ServicePolicy, area_class: str) -> timedelta | None:
    if area_class not in AREA_ORDER:
        return None
    area = AreaClass(area_class)
    clocks = (
        policy.arrive_clock(TicketType.FAULT_REPAIR, area),
        policy.resolve_clock(TicketType.FAULT_REPAIR, area_class=area),
    )
    if not all(isinstance(c, timedelta) for c in clocks):
        return None
    return sum((c for c in clocks if isinstance(c, timedelta)), timedelta())


def counted(outages: Iterable[Outage], window: Window) -> list[Outage]:
    cut = min(window.end, window.as_of)
    return [
        o
        for o in outages
        if o.state is not OutageState.CANCELLED and window.start <= started(o) < cut
    ]


def _area_rank(area: str) -> int:
    return AREA_ORDER.index(area) if area in AREA_ORDER else len(AREA_ORDER)


def _minutes(delta: timedelta) -> float:
    return max(delta.total_seconds(), 0.0) / 60


def outage_figures(
    outages: Iterable[Outage], reference: Reference, policy: ServicePolicy, window: Window
) -> OutageFigures:
    chosen = counted(outages, window)
    by_kind = Counter(o.kind.value for o in chosen)
    lost = sum(o.customers_affected * _minutes(ended(o, window.as_of) - started(o)) for o in chosen)
    customers = reference.customers().get(("bureau", ""))
    restored: dict[str, list[float]] = {}
    for o in chosen:
        if o.kind is OutageKind.FAULT and o.restored_at is not None:
            area = reference.area_class(o.grid_id) if o.grid_id else ""
            restored.setdefault(area, []).append(_minutes(o.restored_at - started(o)))
    restoration = []
    for area in sorted(restored, key=_area_rank):
        minutes = restored[area]
        commitment = restore_commitment(policy, area)
        limit = None if commitment is None else _minutes(commitment)
        restoration.append(
            OutageRestoration(
                area_class=area,
                restored=len(minutes),
                within_commitment=sum(1 for m in minutes if limit is not None and m <= limit),
                average_minutes=round(sum(minutes) / len(minutes), 1),
                commitment_minutes=limit,
            )
        )
    return OutageFigures(
        outages=len(chosen),
        by_kind={k.value: by_kind[k.value] for k in OutageKind},
        customers_affected=sum(o.customers_affected for o in chosen),
        customer_minutes=round(lost),
        customers=customers,
        customer_minutes_per_1000=round(lost * 1000 / customers, 2) if customers else None,
        restoration=restoration,
    )
