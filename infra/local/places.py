"""Transformer areas of the demo district and the compounds or villages they serve."""

from __future__ import annotations

import random

from chalicelib.domain.org import AreaClass, Grid, TransformerArea
from infra.local import names as n
from infra.local.people import Site

BRANCH_ID = "br-linhe"
U, R, X = AreaClass.URBAN, AreaClass.RURAL, AreaClass.REMOTE
_TAS_PER_GRID = {U: (3, 6), R: (2, 4), X: (1, 2)}
_CUSTOMER_WEIGHT = {U: 3.0, R: 1.6, X: 0.6}
MIN_TRANSFORMER_AREAS = 320


def _place_names(rng: random.Random) -> tuple[list[str], list[str]]:
    compounds = [p + s for p in n.COMPOUND_PREFIXES for s in n.COMPOUND_SUFFIXES]
    villages = [v + "村" for v in n.VILLAGE_PREFIXES]
    rng.shuffle(compounds)
    rng.shuffle(villages)
    return list(dict.fromkeys(compounds)), villages


def transformer_areas(
    rng: random.Random, grid_sites: list[tuple[Grid, str]]
) -> tuple[list[TransformerArea], list[Site], list[float]]:
    """Transformer areas for each grid (a compound or a village each), where their
    customers live, and how many customers each should get relative to the others."""
    compounds, villages = _place_names(rng)
    counts = [rng.randint(*_TAS_PER_GRID[g.area_class]) for g, _ in grid_sites]
    while sum(counts) < MIN_TRANSFORMER_AREAS:
        counts[rng.randrange(len(counts))] += 1
    tas: list[TransformerArea] = []
    sites: list[Site] = []
    weights: list[float] = []
    free_compounds, free_villages = iter(compounds), iter(villages * 8)
    numbered: dict[str, int] = {}
    for (grid, loc), count in zip(grid_sites, counts, strict=True):
        rural = grid.area_class is not U
        place = ""
        for _ in range(count):
            if not place or rng.random() < 0.6:
                place = next(free_villages if rural else free_compounds)
            numbered[place] = numbered.get(place, 0) + 1
            ta_id = f"ta-{len(tas) + 1:04d}"
            name = f"{place}{numbered[place]}#{'台区' if rural else '箱变'}"
            tas.append(TransformerArea(ta_id, name, grid.grid_id, grid.station_id, BRANCH_ID))
            sites.append(Site(ta_id, loc, place, rural))
            weights.append(_CUSTOMER_WEIGHT[grid.area_class])
    return tas, sites, weights
