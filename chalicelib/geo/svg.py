"""A grid map as SVG: each grid's polygon filled in its own colour and labelled with the grid's
name, its manager and the manager's phone — the maps stations drew by hand. Pure: WGS84
GeoJSON geometries in, SVG text out (an equirectangular projection, fine at a station's
or a branch's scale)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.phone import display_phone

BOX = 1200
MARGIN = 40
PALETTE = (
    "#8dd3c7",
    "#ffffb3",
    "#bebada",
    "#fb8072",
    "#80b1d3",
    "#fdb462",
    "#b3de69",
    "#fccde5",
    "#d9d9d9",
    "#bc80bd",
    "#ccebc5",
    "#ffed6f",
)


def escape(text: str) -> str:
    """Text for SVG content and attributes (xml.sax.saxutils would pull in urllib)."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


@dataclass(frozen=True, slots=True)
class MapGrid:
    grid_id: str
    name: str
    manager: str
    phone: str
    geometry: dict[str, Any]  # GeoJSON Polygon or MultiPolygon, WGS84
    label_at: tuple[float, float]  # (lng, lat) inside the polygon


def polygons(geometry: dict[str, Any]) -> list[list[list[list[float]]]]:
    """The polygons (each a list of rings) of a Polygon or MultiPolygon."""
    coordinates = geometry.get("coordinates") or []
    return [coordinates] if geometry.get("type") == "Polygon" else list(coordinates)


@dataclass(frozen=True, slots=True)
class Projection:
    west: float
    north: float
    scale: float  # pixels per degree of latitude
    squeeze: float  # cos(latitude): a degree of longitude is shorter
    width: int
    height: int

    @classmethod
    def fit(cls, grids: Sequence[MapGrid], box: int = BOX) -> Projection:
        """Scaled so the grids fill a `box`-pixel square on their longer side."""
        points = [
            p for g in grids for poly in polygons(g.geometry) for ring in poly for p in ring
        ] or [[0.0, 0.0]]
        west, east = min(p[0] for p in points), max(p[0] for p in points)
        south, north = min(p[1] for p in points), max(p[1] for p in points)
        squeeze = math.cos(math.radians((north + south) / 2))
        wide, tall = max((east - west) * squeeze, 1e-9), max(north - south, 1e-9)
        scale = (box - 2 * MARGIN) / max(wide, tall)  # pixels per degree of latitude
        width = int(wide * scale) + 2 * MARGIN
        height = int(tall * scale) + 2 * MARGIN
        return cls(west, north, scale, squeeze, width, height)

    def xy(self, lng: float, lat: float) -> tuple[float, float]:
        x = MARGIN + (lng - self.west) * self.squeeze * self.scale
        y = MARGIN + (self.north - lat) * self.scale
        return round(x, 1), round(y, 1)


def _path(geometry: dict[str, Any], project: Projection) -> str:
    parts = []
    for poly in polygons(geometry):
        for ring in poly:
            points = [project.xy(p[0], p[1]) for p in ring]
            head, *rest = points
            parts.append(f"M{head[0]},{head[1]}" + "".join(f"L{x},{y}" for x, y in rest) + "Z")
    return "".join(parts)


def colour_of(at: int) -> str:
    return PALETTE[at % len(PALETTE)]


def render_svg(title: str, grids: Sequence[MapGrid]) -> str:
    """One map: the grids in id order, coloured in turn, then their labels on top."""
    ordered = sorted(grids, key=lambda g: g.grid_id)
    project = Projection.fit(ordered)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{project.width}" '
        f'height="{project.height + 40}" viewBox="0 0 {project.width} {project.height + 40}" '
        'font-family="sans-serif">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{project.width}" height="{project.height + 40}" fill="#ffffff"/>',
        f'<text x="{MARGIN}" y="{project.height + 25}" font-size="20">{escape(title)}</text>',
        '<g class="grids" stroke="#333333" stroke-width="1.5">',
    ]
    for at, grid in enumerate(ordered):
        out.append(
            f'<path id="grid-{escape(grid.grid_id)}" data-grid="{escape(grid.grid_id)}" '
            f'fill="{colour_of(at)}" fill-rule="evenodd" d="{_path(grid.geometry, project)}"/>'
        )
    out.append("</g>")
    out.append('<g class="labels" font-size="13" text-anchor="middle" fill="#000000">')
    for grid in ordered:
        x, y = project.xy(*grid.label_at)
        phone = display_phone(grid.phone) if grid.phone else ""
        manager = f"{grid.manager} {phone}".strip() or "（未指定网格经理）"
        out.append(
            f'<text data-grid="{escape(grid.grid_id)}" x="{x}" y="{y}">'
            f'<tspan x="{x}" dy="-0.2em">{escape(grid.name)}</tspan>'
            f'<tspan x="{x}" dy="1.2em">{escape(manager)}</tspan></text>'
        )
    out.append("</g></svg>")
    return "\n".join(out)
