"""Create every table and the bucket from the app's own definitions, write the demo district
through the app's own stores, and describe the demo's sample accounts in demo.json."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from chalicelib.config import Settings
from chalicelib.domain.org import AreaClass, Customer
from infra.local.demo_data import DemoDistrict

SAMPLE_IMPORTANT = 4
SAMPLE_SPECIAL = 4
SAMPLE_ORDINARY = {AreaClass.URBAN: 8, AreaClass.RURAL: 2, AreaClass.REMOTE: 2}


def seed(
    settings: Settings, district: DemoDistrict, say: Callable[[str], None] = print
) -> dict[str, float]:
    """Tables, bucket and data, a progress line per step to `say`; returns seconds per step
    (for the startup banner)."""
    import boto3

    from chalicelib.bootstrap import Services
    from chalicelib.store.customers import DynamoCustomerStore
    from chalicelib.store.models import bind_tables, create_tables
    from chalicelib.store.org import DynamoOrgStore

    timings: dict[str, float] = {}
    started = time.perf_counter()

    def lap(step: str, what: str) -> None:
        nonlocal started
        now = time.perf_counter()
        timings[step] = now - started
        started = now
        say(f"  seeded {what} in {timings[step]:.1f}s")

    bind_tables(settings.table_prefix, settings.region)
    create_tables()
    lap("tables", "the tables")
    s3 = boto3.client("s3", region_name=settings.region)
    if settings.region == "us-east-1":
        s3.create_bucket(Bucket=settings.bucket)
    else:
        s3.create_bucket(
            Bucket=settings.bucket,
            CreateBucketConfiguration={"LocationConstraint": settings.region},
        )
    lap("bucket", "the bucket")
    org = district.org_entities()
    DynamoOrgStore(settings.bureau, Services(settings).phone_key.hash_phone).put_all(org)
    lap("org", f"the organisation ({len(org):,} grids, areas, staff…)")
    DynamoCustomerStore().put_customers(district.customers)
    lap("customers", f"{len(district.customers):,} customers")
    return timings


def sample_customers(district: DemoDistrict) -> list[Customer]:
    """A handful of accounts worth trying: important and special ones, and ordinary ones
    in urban, rural and remote grids — at most one per grid, spread over the district."""
    grid_of_ta = {ta.ta_id: ta.grid_id for ta in district.transformer_areas}
    class_of_grid = {g.grid_id: g.area_class for g in district.grids}

    def spread(wanted: int, keep: Callable[[Customer, AreaClass], bool]) -> list[Customer]:
        by_grid: dict[str, Customer] = {}
        for c in district.customers:
            grid_id = grid_of_ta[c.ta_id]
            if keep(c, class_of_grid[grid_id]):
                by_grid.setdefault(grid_id, c)
        found = list(by_grid.values())
        return found[:: max(1, len(found) // wanted)][:wanted]

    chosen = spread(SAMPLE_IMPORTANT, lambda c, _: c.important)
    chosen += spread(SAMPLE_SPECIAL, lambda c, _: c.special)
    for area_class, wanted in SAMPLE_ORDINARY.items():
        chosen += spread(wanted, _ordinary_in(area_class))
    return chosen


def _ordinary_in(area_class: AreaClass) -> Callable[[Customer, AreaClass], bool]:
    return lambda c, cls: cls is area_class and not (c.important or c.special)


def outage_neighbours(district: DemoDistrict, count: int = 4) -> list[Customer]:
    """Ordinary customers of one 台区 that no sample customer lives in (the README's curl
    loop reports "no power" from each, and an outage forms): the busiest such 台区."""
    taken = {c.ta_id for c in sample_customers(district)}
    by_area: dict[str, list[Customer]] = {}
    for c in district.customers:
        if c.ta_id not in taken and not (c.important or c.special):
            by_area.setdefault(c.ta_id, []).append(c)
    busiest = max(sorted(by_area), key=lambda ta: len(by_area[ta]))
    return by_area[busiest][:count]


def demo_document(district: DemoDistrict, base_url: str) -> dict[str, Any]:
    tas = {ta.ta_id: ta for ta in district.transformer_areas}
    grids = {g.grid_id: g for g in district.grids}
    staff = {s.staff_id: s for s in district.staff}
    customers = []
    for c in sample_customers(district):
        grid = grids[tas[c.ta_id].grid_id]
        manager = staff[grid.manager_id]
        customers.append(
            {
                "account_no": c.account_no,
                "holder_name": c.holder_name,
                "address": c.address,
                "important": c.important,
                "special": c.special,
                "ta_id": c.ta_id,
                "grid_id": grid.grid_id,
                "grid_name": grid.name,
                "area_class": grid.area_class.value,
                "station_id": grid.station_id,
                "manager_id": manager.staff_id,
                "manager_phone": manager.phone,
            }
        )
    members = []
    for s in district.staff:
        entry: dict[str, Any] = {
            "staff_id": s.staff_id,
            "name": s.name,
            "phone": s.phone,
            "role": s.role.value,
            "station_id": s.station_id,
            "branch_id": s.branch_id,
        }
        if s.grid_ids:
            entry["grid_ids"] = list(s.grid_ids)
            entry["mutual_aid_group_id"] = s.mutual_aid_group_id
        members.append(entry)
    return {
        "base_url": base_url,
        "counts": {
            "stations": len(district.stations),
            "grids": len(district.grids),
            "transformer_areas": len(district.transformer_areas),
            "staff": len(district.staff),
            "customers": len(district.customers),
        },
        "customers": customers,
        "staff": members,
        "outage_neighbours": [
            {"account_no": c.account_no, "holder_name": c.holder_name, "ta_id": c.ta_id}
            for c in outage_neighbours(district)
        ],
    }


def write_demo_json(path: Path, district: DemoDistrict, base_url: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(demo_document(district, base_url), ensure_ascii=False, indent=2)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text + "\n", encoding="utf-8")
    tmp.replace(path)  # readers never see half a file
