"""A bureau-scale demo (issue 12 item 4): the four files a bureau keeps, generated — 9
branches, 60 stations, 2,070 non-overlapping grid polygons around Linhe/Bayannur, 386 grid
managers, a 台区 or two per grid and 346,000 customers — then loaded through the import
jobs themselves (a job per file, its upload PUT to the presigned URL, the job run by the
upload's event), printing progress. `YUNGE_DEMO=bureau make run` does both after the stack
is ready; `YUNGE_BUREAU_CUSTOMERS` scales the customer file.
"""

from __future__ import annotations

import csv
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chalicelib.domain.labels import AREA_LABELS
from chalicelib.domain.org import AreaClass

BRANCHES = 9
STATIONS = 60
GRIDS = 2070
MANAGERS = 386
CUSTOMERS = 346_000
AREA = (106.95, 40.45, 107.95, 41.15)  # west, south, east, north: Linhe and around (WGS84)
ORDER = ("grids", "staff", "transformer_areas", "customers")
FILES = {
    "grids": "网格.geojson",
    "staff": "人员.csv",
    "transformer_areas": "台区.csv",
    "customers": "用户.csv",
}
Say = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class BureauGrid:
    grid_id: str
    station_id: str
    branch_id: str
    group_id: str
    geometry: dict[str, Any]


def _grids(rng: random.Random) -> list[BureauGrid]:
    """A Voronoi tiling of the area (cells never overlap), grouped into stations by
    longitude bands and stations into branches, so neighbours share a station."""
    import shapely

    west, south, east, north = AREA
    seeds = [(rng.uniform(west, east), rng.uniform(south, north)) for _ in range(GRIDS)]
    seeds.sort(key=lambda p: (round((p[0] - west) / (east - west) * STATIONS), p[1]))
    box = shapely.box(*AREA)
    cells = shapely.voronoi_polygons(shapely.MultiPoint(seeds), extend_to=box, ordered=True)
    per_station = -(-GRIDS // STATIONS)
    grids = []
    for n, cell in enumerate(cells.geoms):  # ordered: cell n holds seed n
        shape = shapely.set_precision(shapely.intersection(cell, box), 1e-6)
        station = min(n // per_station, STATIONS - 1)
        grids.append(
            BureauGrid(
                grid_id=f"BG{n + 1:04d}",
                station_id=f"BS{station + 1:02d}",
                branch_id=f"BB{station * BRANCHES // STATIONS + 1}",
                group_id=f"BA{station + 1:02d}",
                geometry=json.loads(shapely.to_geojson(shape)),
            )
        )
    return grids


def _area_class(rng: random.Random) -> str:
    words = tuple(AREA_LABELS[a] for a in (AreaClass.URBAN, AreaClass.RURAL, AreaClass.REMOTE))
    return rng.choices(words, weights=(5, 4, 1))[0]  # as the staff writes it: 城区, 农村, 特殊边远


def write_bureau_files(out: Path, customers: int = CUSTOMERS, seed: int = 12) -> dict[str, Path]:
    """The four files, deterministic for a seed; returns {kind: path}."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    grids = _grids(rng)
    paths = {kind: out / name for kind, name in FILES.items()}
    features = [
        {
            "type": "Feature",
            "properties": {
                "grid_code": g.grid_id,
                "name": f"{g.station_id}第{n % 40 + 1}网格",
                "station": g.station_id,
                "branch": g.branch_id,
                "area_class": _area_class(rng),
                "mutual_aid_group": g.group_id,
            },
            "geometry": g.geometry,
        }
        for n, g in enumerate(grids)
    ]
    paths["grids"].write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
        encoding="utf-8",
    )
    with paths["staff"].open("w", encoding="utf-8", newline="") as f:
        rows = csv.writer(f)
        rows.writerow(["工号", "姓名", "手机号", "角色", "网格编号", "互助组", "供电所"])
        for m in range(MANAGERS):  # each manager a run of neighbouring grids
            mine = [g for n, g in enumerate(grids) if n * MANAGERS // len(grids) == m]
            if mine:
                rows.writerow(
                    [
                        f"BM{m + 1:03d}",
                        f"网格经理{m + 1:03d}",
                        f"137{m + 1:08d}",
                        "网格经理",
                        ",".join(g.grid_id for g in mine),
                        mine[0].group_id,
                        mine[0].station_id,
                    ]
                )
    areas: list[str] = []
    with paths["transformer_areas"].open("w", encoding="utf-8", newline="") as f:
        rows = csv.writer(f)
        rows.writerow(["台区编号", "台区名称", "所属线路编号", "供电所", "网格编号"])
        for g in grids:
            for k in range(1 + rng.randrange(2)):
                ta = f"B{g.grid_id[2:]}T{k + 1}"
                areas.append(ta)
                rows.writerow(
                    [ta, f"{g.grid_id}-{k + 1}号台区", f"L{g.station_id}", g.station_id, g.grid_id]
                )
    with paths["customers"].open("w", encoding="utf-8", newline="") as f:
        rows = csv.writer(f)
        rows.writerow(["户号", "户名", "用电地址", "台区编号", "用电类别", "重要客户"])
        for n in range(customers):
            rows.writerow(
                [
                    f"09{n:010d}",
                    f"用户{n}",
                    f"临河区某街道{n % 997}号",
                    areas[rng.randrange(len(areas))],
                    "居民生活",
                    "是" if n % 5000 == 0 else "否",
                ]
            )
    return paths


Upload = Callable[[str, dict[str, str], bytes], None]  # (url, headers, body): the client's PUT


def put_upload(url: str, headers: dict[str, str], data: bytes) -> None:
    import urllib.request

    request = urllib.request.Request(url, data, headers, method="PUT")
    with urllib.request.urlopen(request, timeout=600) as response:
        if response.status != 200:
            raise RuntimeError(f"upload refused: HTTP {response.status}")


def load_bureau(
    svc: Any,
    paths: dict[str, Path],
    ops_id: str,
    say: Say,
    upload: Upload = put_upload,
    poll: Callable[[], None] = lambda: time.sleep(1.0),
) -> dict[str, Any]:
    """Each file through an import job, in order, committing; the job runs from the
    upload's event (the local stack's watcher). Returns the finished jobs by kind."""
    from chalicelib.store.import_files import JobStore
    from chalicelib.usecases.imports import NewImport, request_import

    finished = {}
    for kind in ORDER:
        data = paths[kind].read_bytes()
        job, target = request_import(
            svc, ops_id, NewImport(kind, paths[kind].name, len(data), mode="commit")
        )
        upload(target.url, target.headers, data)
        say(f"  import {kind}: {paths[kind].name} ({len(data) / 1e6:.1f} MB) uploaded")
        shown = ""
        while True:
            current = JobStore(svc.import_files).get(job.import_id)
            assert current is not None
            line = f"  import {kind}: {current.status.value} {current.done:,}/{current.total:,}"
            if line != shown:
                say(line)
                shown = line
            if current.finished:
                break
            poll()
        c = current.counts
        say(
            f"  import {kind}: {current.status.value} — {c.rows:,} rows, {c.created:,} created, "
            f"{c.updated:,} updated, {c.unchanged:,} unchanged, {c.failed:,} failed"
        )
        finished[kind] = current
        if current.status.value != "done":
            break
    return finished


def run_bureau_demo(local_dir: Path, say: Say) -> None:
    """`YUNGE_DEMO=bureau`: generate the files under .local/bureau/ and load them through
    the import jobs, as ops would (the stack is already serving meanwhile)."""
    import os

    from chalicelib.bootstrap import services
    from chalicelib.domain.org import Role, Staff

    svc = services()
    count = int(os.environ.get("YUNGE_BUREAU_CUSTOMERS", str(CUSTOMERS)))
    started = time.perf_counter()
    say(f"云格 bureau demo: generating {GRIDS:,} grids, {MANAGERS} managers, {count:,} customers…")
    paths = write_bureau_files(local_dir / "bureau", customers=count)
    say(f"  files in {local_dir / 'bureau'} ({time.perf_counter() - started:.1f}s)")
    ops = next(s for s in svc.org.all_of("staff") if isinstance(s, Staff) and s.role is Role.OPS)
    jobs = load_bureau(svc, paths, ops.staff_id, say)
    done = all(j.status.value == "done" for j in jobs.values()) and len(jobs) == len(ORDER)
    state = "loaded" if done else "stopped: see the job above"
    say(f"云格 bureau demo: {state} in {time.perf_counter() - started:.0f}s")
