"""A generated storm district: 200 transformer areas in 40 grids over 4 stations, one manager
per grid plus one spare per mutual-aid group, a chief per station; 5 customers per area."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from tempfile import mkdtemp
from typing import Any

from chalicelib.domain.org import (
    AreaClass,
    Branch,
    Customer,
    Grid,
    MutualAidGroup,
    Role,
    Staff,
    Station,
    TransformerArea,
)

STATIONS, GRIDS_PER_STATION, AREAS_PER_GRID, CUSTOMERS_PER_AREA = 4, 10, 5, 5
CLASSES = (AreaClass.URBAN, AreaClass.RURAL, AreaClass.REMOTE)


def organisation() -> list[object]:
    entities: list[object] = [Branch("B1", "临河供电分局")]
    for s in range(1, STATIONS + 1):
        station, group = f"S{s}", f"A{s}"
        entities.append(Station(station, f"第{s}供电所", "B1"))
        members = []
        for g in range(1, GRIDS_PER_STATION + 1):
            n = (s - 1) * GRIDS_PER_STATION + g
            grid, manager = f"G{n:03d}", f"M{n:03d}"
            members.append(manager)
            area_class = CLASSES[n % 3]
            entities.append(Grid(grid, f"网格{n}", station, "B1", area_class, manager, group))
            entities.append(_staff(manager, n, station, group, (grid,)))
            for a in range(1, AREAS_PER_GRID + 1):
                ta = f"T{(n - 1) * AREAS_PER_GRID + a:03d}"
                entities.append(TransformerArea(ta, f"{ta}台区", grid, station, "B1"))
        spare = f"M9{s:02d}"
        entities.append(_staff(spare, 900 + s, station, group, ()))
        entities.append(MutualAidGroup(group, f"互助组{s}", station, (*members, spare)))
        entities.append(Staff(f"C{s}", f"所长{s}", f"1392000{s:04d}", Role.CHIEF, "B1", station))
    entities.append(Staff("D1", "分局值班员", "13930000001", Role.BRANCH, "B1"))
    return entities


def _staff(staff_id: str, n: int, station: str, group: str, grids: tuple[str, ...]) -> Staff:
    return Staff(
        staff_id, f"网格经理{n}", f"1391{n:07d}", Role.MANAGER, "B1", station, grids, group
    )


def customers() -> list[Customer]:
    areas = STATIONS * GRIDS_PER_STATION * AREAS_PER_GRID
    return [
        Customer(f"06{ta:04d}{c:04d}", f"客户{ta}-{c}", f"台区{ta}第{c}户", f"T{ta:03d}")
        for ta in range(1, areas + 1)
        for c in range(1, CUSTOMERS_PER_AREA + 1)
    ]


class SetClock:
    """A clock a bench moves by hand (`clock.now += …`): the services' injected time."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def moto_services(stage: str, region: str, clock: Callable[[], datetime] | None = None) -> Any:
    """One deployment's Services over in-process moto for `stage` (its own tables and key
    files, SMS through SNS), with this district's organisation loaded."""
    from chalicelib.bootstrap import Services
    from chalicelib.config import Settings
    from chalicelib.store.models import bind_tables, create_tables

    tmp = Path(mkdtemp(prefix=f"yunge-{stage}-"))
    env = {"YUNGE_STAGE": stage, "AWS_DEFAULT_REGION": region, "YUNGE_SMS": "sns",
           "YUNGE_JWT_KEY_FILE": str(tmp / "jwt.key"), "YUNGE_BUREAU": "bench",
           "YUNGE_PHONE_KEY_FILE": str(tmp / "phone.key")}  # fmt: skip
    settings = Settings.from_env(env)
    bind_tables(settings.table_prefix, region)
    create_tables()
    svc = Services(settings) if clock is None else Services(settings, clock=clock)
    svc.org.put_all(organisation())  # type: ignore[arg-type]
    return svc
