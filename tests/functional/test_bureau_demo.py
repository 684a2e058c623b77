"""The bureau-scale demo's files (2,070 grids, 386 managers; customers scaled down here)
load through the import jobs as `YUNGE_DEMO=bureau make run` loads them, and the result is
a bureau Yunge can route in: a point finds its grid's manager, every station has its map."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chalicelib.domain.org import Role
from tests.functional.test_imports_api import run


def test_the_bureau_demo_loads_through_the_import_jobs(api, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from infra.local.bureau import GRIDS, MANAGERS, STATIONS, load_bureau, write_bureau_files

    paths = write_bureau_files(tmp_path, customers=300)
    files = api.services.import_files

    def upload(url: str, headers: dict[str, str], data: bytes) -> None:
        key = url.split("/", 3)[3].split("?")[0]
        files.objects[key] = data  # the client's PUT; then the upload's event
        run(key)

    lines: list[str] = []
    jobs: dict[str, Any] = load_bureau(
        api.services, paths, "O1", lines.append, upload, lambda: None
    )
    assert {kind: j.status.value for kind, j in jobs.items()} == dict.fromkeys(jobs, "done")
    assert jobs["grids"].counts.created == GRIDS and jobs["grids"].counts.failed == 0
    assert jobs["staff"].counts.created == MANAGERS
    assert jobs["customers"].counts.created == 300
    assert any("customers: done" in line for line in lines)

    grid = api.services.org.grid("BG0100")
    manager = api.services.org.staff(grid.manager_id)
    shape = api.services.import_files.objects["geo/grids.json"]
    import json

    import shapely.geometry

    inside = shapely.geometry.shape(json.loads(shape)["BG0100"]).representative_point()
    found = api.call(
        "POST", "/v1/locate", {"lat": inside.y, "lng": inside.x}, as_=("wx-bureau", Role.CUSTOMER)
    )
    assert found.status == 200
    assert found.body["grid"]["grid_id"] == "BG0100"
    assert found.body["manager"] == {"name": manager.name, "phone": manager.phone}
    maps = api.call("GET", "/v1/maps", as_=("O1", Role.OPS)).body["items"]
    stations = {m["id"] for m in maps if m["scope"] == "station" and m["id"].startswith("BS")}
    assert len(stations) == STATIONS
