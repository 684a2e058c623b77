"""Who a timeline (a ticket's or an outage's) names as having acted: the system, the
customer, or one member of staff as `staff:<id>`."""

from __future__ import annotations

SYSTEM = "system"  # dispatch, escalation, auto-close, clustering and an outage's own steps
CUSTOMER = "customer"


def staff_actor(staff_id: str) -> str:
    return f"staff:{staff_id}"
