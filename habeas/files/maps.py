"""Maps of places of detention drawn as SVG on the server, from the gazetteer's coordinates alone: no tile
server, no file from the internet.

The projection is equirectangular, scaled by the cosine of the middle latitude (so that a degree of longitude
is as long as it is on the ground there) and fitted to the bounding box of what is drawn. No country outline
is available offline, so a light graticule of parallels and meridians and the names of localities give the
reader their bearings. This module knows nothing of the database: it draws plain data (``Dot``, ``Line``,
``Label``), and every text in it is escaped by ``habeas.core.charts.Svg``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from habeas.core.charts import Svg

#: the smallest span of latitude or longitude a map shows, in degrees (one place alone is not a whole map)
MIN_SPAN = 2.0
#: the longest name written beside a dot (the whole name is its tooltip)
LABEL_CHARS = 28


@dataclass(frozen=True)
class Dot:
    """A place on the map; ``weight`` (people held) sets its size; ``approximate`` draws it hollow."""

    lat: float
    lon: float
    label: str
    weight: int = 0
    kind: str = "place"
    approximate: bool = False
    href: str = ""


@dataclass(frozen=True)
class Line:
    """A move between two points: a transfer (``kind="transfer"``) or from home (``kind="home-link"``)."""

    lat1: float
    lon1: float
    lat2: float
    lon2: float
    kind: str = "transfer"
    label: str = ""


@dataclass(frozen=True)
class Label:
    """A locality named on the map for orientation, with a small mark."""

    lat: float
    lon: float
    text: str


@dataclass(frozen=True)
class Projection:
    """Degrees to SVG coordinates: an equirectangular projection of the box (south, west, north, east),
    centred in a drawing of ``width`` × ``height`` with ``margin`` on every side."""

    south: float
    west: float
    north: float
    east: float
    width: float
    height: float
    margin: float = 24.0

    @classmethod
    def fitted(
        cls, points: Sequence[tuple[float, float]], *, width: float, height: float, margin: float = 24.0
    ) -> Projection:
        """The projection of the smallest box holding ``points`` (lat, lon), padded by a tenth of its span and
        at least ``MIN_SPAN`` degrees wide and tall."""
        if not points:
            return cls(-60.0, -180.0, 75.0, 180.0, width, height, margin)
        lats, lons = [p[0] for p in points], [p[1] for p in points]
        south, north, west, east = min(lats), max(lats), min(lons), max(lons)
        pad_lat = max((north - south) * 0.1, (MIN_SPAN - (north - south)) / 2, 0.0)
        pad_lon = max((east - west) * 0.1, (MIN_SPAN - (east - west)) / 2, 0.0)
        south, north = max(south - pad_lat, -89.0), min(north + pad_lat, 89.0)
        west, east = max(west - pad_lon, -180.0), min(east + pad_lon, 180.0)
        # widen the narrower side so that the box fills the drawing
        x_scale = max(math.cos(math.radians((south + north) / 2)), 0.05)
        aspect = (width - 2 * margin) / (height - 2 * margin)
        span_x, span_y = (east - west) * x_scale, north - south
        if span_x < span_y * aspect:
            extra = (span_y * aspect / x_scale - (east - west)) / 2
            west, east = max(west - extra, -180.0), min(east + extra, 180.0)
        else:
            extra = (span_x / aspect - span_y) / 2
            south, north = max(south - extra, -89.0), min(north + extra, 89.0)
        return cls(south, west, north, east, width, height, margin)

    @property
    def x_scale(self) -> float:
        """How much narrower a degree of longitude is than one of latitude, at the middle of the box."""
        return max(math.cos(math.radians((self.south + self.north) / 2)), 0.05)

    @property
    def scale(self) -> float:
        """SVG units per degree of latitude: the largest that fits both ways."""
        span_x = (self.east - self.west) * self.x_scale
        span_y = self.north - self.south
        return min((self.width - 2 * self.margin) / span_x, (self.height - 2 * self.margin) / span_y)

    def __call__(self, lat: float, lon: float) -> tuple[float, float]:
        scale = self.scale
        used_w = (self.east - self.west) * self.x_scale * scale
        used_h = (self.north - self.south) * scale
        left = (self.width - used_w) / 2
        top = (self.height - used_h) / 2
        return left + (lon - self.west) * self.x_scale * scale, top + (self.north - lat) * scale

    def contains(self, lat: float, lon: float) -> bool:
        return self.south <= lat <= self.north and self.west <= lon <= self.east


def graticule_step(span: float) -> float:
    """Degrees between graticule lines: 1, 2, 5, 10 or 20, for about three to eight lines across."""
    for step in (0.5, 1.0, 2.0, 5.0, 10.0, 20.0):
        if span / step <= 8:
            return step
    return 30.0


def dot_radius(weight: int) -> float:
    """A dot's radius grows with the square root of the people held (its area with their number), capped."""
    return round(min(3.5 + 1.6 * math.sqrt(max(weight, 0)), 16.0), 1)


def shorten(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def degrees(value: float, positive: str, negative: str) -> str:
    return f"{abs(value):g}°{positive if value >= 0 else negative}"


def draw(
    *,
    title: str,
    dots: Sequence[Dot] = (),
    lines: Sequence[Line] = (),
    labels: Sequence[Label] = (),
    width: int = 720,
    height: int = 440,
) -> str:
    """The map as an SVG string: graticule, locality labels, lines, then dots (on top), each dot with its
    name as a tooltip and, when it has one, a link."""
    points = [(d.lat, d.lon) for d in dots] + [p for ln in lines for p in ((ln.lat1, ln.lon1), (ln.lat2, ln.lon2))]
    svg = Svg(width, height, title)
    if not points:
        svg.text(width / 2, height / 2, "—", text_anchor="middle", class_="muted")
        return str(svg)
    project = Projection.fitted(points, width=width, height=height)
    svg.add("rect", x=0, y=0, width=width, height=height, class_="land", fill="#eef1ec", stroke="#c9d1c4")
    _graticule(svg, project)
    placed = _spread(dots, project)
    # names: the places' first, then the localities' where there is room left
    names = Svg(width, height, title)
    taken: list[tuple[float, float, float, float]] = []
    for dot, x, y, r in placed:
        if dot.kind == "place":
            _label(names, taken, x + r + 3, y + 4, shorten(dot.label), class_="place-name", left=x - r - 3)
    for label in labels:
        if project.contains(label.lat, label.lon):
            x, y = project(label.lat, label.lon)
            svg.add("circle", cx=round(x, 1), cy=round(y, 1), r=1.6, class_="locality", fill="#8a94a3")
            _label(svg, taken, x + 4, y - 3, shorten(label.text), class_="locality-name muted", left=x - 4)
    for line in lines:
        x1, y1 = project(line.lat1, line.lon1)
        x2, y2 = project(line.lat2, line.lon2)
        parts = [f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" class="{escape(line.kind)}"']
        stroke = "#b3261e" if line.kind == "transfer" else "#2e7d32"
        parts.append(f' stroke="{stroke}" stroke-width="1.5"')
        if line.kind != "transfer":
            parts.append(' stroke-dasharray="4 3"')
        else:
            parts.append(' marker-end="url(#arrow)"')
        title_text = f"<title>{escape(line.label)}</title>" if line.label else ""
        svg.parts.append("".join(parts) + f">{title_text}</line>")
    for dot, x, y, r in sorted(placed, key=lambda p: -p[0].weight):  # small dots on top of large ones
        css = f"{dot.kind} approximate" if dot.approximate else dot.kind
        fill = {"place": "#1f5f8b", "home": "#2e7d32"}.get(dot.kind, "#1d2430")
        shape = (
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" class="{escape(css)}" fill="{fill}" fill-opacity="0.75">'
            f"<title>{escape(dot.label)}</title></circle>"
            if dot.kind != "home"
            else f'<rect x="{x - 3:.1f}" y="{y - 3:.1f}" width="6" height="6" class="{escape(css)}" fill="{fill}">'
            f"<title>{escape(dot.label)}</title></rect>"
        )
        svg.parts.append(f'<a href="{escape(dot.href)}">{shape}</a>' if dot.href else shape)
    svg.parts.extend(names.parts)
    svg.parts.insert(
        0,
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" class="arrow" fill="#b3261e"/></marker></defs>',
    )
    return str(svg)


def _spread(dots: Sequence[Dot], project: Projection) -> list[tuple[Dot, float, float, float]]:
    """Each dot with its position and radius; places at the same spot (two prisons placed in the middle of
    one province) are set around it in a small ring, so that each can be seen and clicked."""
    at: dict[tuple[int, int], list[Dot]] = defaultdict(list)
    for dot in dots:
        x, y = project(dot.lat, dot.lon)
        at[(round(x), round(y))].append(dot)
    out = []
    for group in at.values():
        ring = max((dot_radius(d.weight) for d in group), default=0) + 2 if len(group) > 1 else 0
        for i, dot in enumerate(group):
            x, y = project(dot.lat, dot.lon)
            angle = 2 * math.pi * i / len(group)
            r = dot_radius(dot.weight) if dot.kind == "place" else 3.5
            out.append((dot, x + ring * math.cos(angle), y + ring * math.sin(angle), r))
    return out


def _graticule(svg: Svg, project: Projection) -> None:
    """Parallels and meridians at a round step, each named at its western or southern end."""
    step = graticule_step(max(project.north - project.south, project.east - project.west))

    def values(low: float, high: float) -> list[float]:
        first = math.ceil(low / step)
        return [n * step for n in range(first, math.floor(high / step) + 1)]

    segments = [
        (project(lat, project.west), project(lat, project.east), (2, -2), degrees(lat, "N", "S"))
        for lat in values(project.south, project.north)
    ] + [
        (project(project.south, lon), project(project.north, lon), (2, -3), degrees(lon, "E", "W"))
        for lon in values(project.west, project.east)
    ]
    for (x1, y1), (x2, y2), (dx, dy), name in segments:
        svg.add(
            "line",
            x1=round(x1, 1),
            y1=round(y1, 1),
            x2=round(x2, 1),
            y2=round(y2, 1),
            class_="graticule",
            stroke="#d3d9d0",
        )
        svg.text(x1 + dx, y1 + dy, name, class_="graticule-label muted")


def _label(
    svg: Svg,
    taken: list[tuple[float, float, float, float]],
    x: float,
    y: float,
    text: str,
    *,
    left: float,
    **attrs: object,
) -> None:
    """Write a label at ``x`` (or, when there is no room on the right, ending at ``left``) unless it would
    overlap one already written or leave the drawing (at 6.5 units a character, 13 high)."""
    length = 6.5 * len(text)
    for box, anchor in (((x, y - 11, x + length, y + 2), "start"), ((left - length, y - 11, left, y + 2), "end")):
        inside = box[0] >= 0 and box[2] <= svg.width and box[1] >= 0 and box[3] <= svg.height
        if inside and not any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in taken):
            taken.append(box)
            svg.text(x if anchor == "start" else left, y, text, text_anchor=anchor, **attrs)
            return
