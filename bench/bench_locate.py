"""Locate by point against a bureau's 2,070 grids: the index's build time and the median
lookup, as ratios to the issue's budgets (build ≤ 150 ms, median lookup ≤ 1 ms) and to
floors measured in the same run (decoding the WKB alone; making the query's Point alone).

The grids are a seeded Voronoi tiling of the Bayannur area (non-overlapping, like the
hand-drawn maps), each edge cut to ~40 m so a grid has a few hundred vertices as drawn
boundaries do. The index is built from WKB, the form the store keeps it in.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable

GRIDS = 2070
LOOKUPS = 20_000
BUILDS = 9
BUILD_BUDGET_S = 0.150
LOOKUP_BUDGET_S = 0.001


def tiling(count: int = GRIDS, seed: int = 12) -> list[tuple[str, bytes]]:
    import shapely

    rng = random.Random(seed)
    area = shapely.box(107.0, 40.5, 107.9, 41.1)
    seeds = shapely.MultiPoint(
        [(rng.uniform(107.0, 107.9), rng.uniform(40.5, 41.1)) for _ in range(count)]
    )
    cells = shapely.voronoi_polygons(seeds, extend_to=area).geoms
    shapes = [shapely.segmentize(shapely.intersection(c, area), 0.0004) for c in cells]
    return [(f"G{n:04d}", shapely.to_wkb(s)) for n, s in enumerate(shapes)]


def _median_seconds(action: Callable[[], object], runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    import shapely

    from chalicelib.geo.index import GridIndex

    items = tiling()
    vertices = sum(shapely.get_num_coordinates(shapely.from_wkb(w)) for _, w in items)
    print(f"{len(items)} grids, {vertices / len(items):.0f} vertices each on average")
    blobs = [w for _, w in items]
    floor_build = _median_seconds(lambda: shapely.from_wkb(blobs), BUILDS)
    build = _median_seconds(lambda: GridIndex.from_wkb(items), BUILDS)
    index = GridIndex.from_wkb(items)
    rng = random.Random(7)
    points = [(rng.uniform(106.95, 107.95), rng.uniform(40.45, 41.15)) for _ in range(LOOKUPS)]
    lookups, floors, found = [], [], 0
    for lng, lat in points:
        started = time.perf_counter()
        found += index.locate(lng, lat) is not None
        lookups.append(time.perf_counter() - started)
        started = time.perf_counter()
        shapely.Point(lng, lat)
        floors.append(time.perf_counter() - started)
    lookup, floor_lookup = statistics.median(lookups), statistics.median(floors)
    print(
        f"build: {build * 1e3:.1f} ms (median of {BUILDS}) = "
        f"{build / BUILD_BUDGET_S:.2f} × budget, "
        f"{build / floor_build:.2f} × floor (WKB decode alone {floor_build * 1e3:.1f} ms)"
    )
    print(
        f"lookup: median {lookup * 1e6:.0f} µs over {LOOKUPS} points ({found} inside a grid) = "
        f"{lookup / LOOKUP_BUDGET_S:.3f} × budget, {lookup / floor_lookup:.1f} × floor "
        f"(a Point alone {floor_lookup * 1e6:.1f} µs); p99 "
        f"{statistics.quantiles(lookups, n=100)[98] * 1e6:.0f} µs"
    )


if __name__ == "__main__":
    main()
