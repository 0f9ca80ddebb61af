"""Charts drawn as SVG on the server, so that they need no script, no file from the internet, and look the
same in a page and in an exported report.

Every chart is a function from plain data to an SVG string. The text in it is escaped here; the caller marks
the result safe (``mark_safe``) when it puts it in a template. Colours come from CSS classes (``bar``,
``interval``, …; see ``habeas/core/static/habeas/app.css``), with a fallback fill for a chart saved on its own.
Domain charts (the UpSet chart of list overlaps, the map of places) build on the ``Svg`` helper below.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape


def fmt(value: float) -> str:
    """A number for a label: thousands separated, no needless decimals."""
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.1f}"


@dataclass
class Svg:
    """An SVG document being drawn: append elements, then ``str()`` it."""

    width: float
    height: float
    title: str
    parts: list[str] = field(default_factory=list)

    def add(self, tag: str, text: str = "", **attrs: object) -> None:
        rendered = " ".join(f'{k.rstrip("_").replace("_", "-")}="{escape(str(v))}"' for k, v in attrs.items())
        self.parts.append(f"<{tag} {rendered}>{escape(text)}</{tag}>" if text else f"<{tag} {rendered}/>")

    def text(self, x: float, y: float, text: str, **attrs: object) -> None:
        self.add("text", text, x=round(x, 1), y=round(y, 1), **attrs)

    def __str__(self) -> str:
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {self.width:.0f} {self.height:.0f}" '
            f'width="{self.width:.0f}" height="{self.height:.0f}" role="img" aria-label="{escape(self.title)}">'
            f"<title>{escape(self.title)}</title>{''.join(self.parts)}</svg>"
        )


def nice_max(value: float) -> float:
    """The smallest round number (1, 2 or 5 × a power of ten) at or above ``value``."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return float(step * power)
    return float(10 * power)


def bars(
    rows: Sequence[tuple[str, float]],
    *,
    title: str,
    classes: Sequence[str] | None = None,
    width: int = 520,
    label_width: int = 190,
    centred: bool = False,
) -> str:
    """Horizontal bars, one per (label, value), each with its value written beside it. ``centred`` draws a
    funnel: every bar centred on the same axis, so that the narrowing between stages shows."""
    row_height, top = 24, 6
    svg = Svg(width, top * 2 + row_height * max(len(rows), 1), title)
    top_value = nice_max(max((value for _, value in rows), default=0))
    span = width - label_width - 60
    for i, (label, value) in enumerate(rows):
        y = top + i * row_height
        length = span * value / top_value
        x = label_width + (span - length) / 2 if centred else label_width
        css = f"bar {classes[i]}" if classes else "bar"
        svg.add(
            "rect",
            x=round(x, 1),
            y=y + 3,
            width=round(max(length, 1), 1),
            height=row_height - 8,
            class_=css,
            fill="#1f5f8b",
        )
        svg.text(label_width - 6, y + row_height / 2 + 4, label, text_anchor="end")
        svg.text((x + length + 5) if not centred else label_width + span + 5, y + row_height / 2 + 4, fmt(value))
    if not rows:
        svg.text(label_width, top + 16, "—", class_="muted")
    return str(svg)


@dataclass(frozen=True)
class Interval:
    label: str
    estimate: float
    low: float | None
    high: float | None


def intervals(rows: Sequence[Interval], *, title: str, observed: float | None = None, width: int = 560) -> str:
    """Point estimates with their 95% intervals on one axis (a dot and a line each), and a dashed line at the
    number of people actually observed, below which no estimate can go."""
    label_width, row_height, top, bottom = 170, 26, 8, 26
    svg = Svg(width, top + bottom + row_height * max(len(rows), 1), title)
    values = [v for r in rows for v in (r.estimate, r.low, r.high) if v is not None and math.isfinite(v)]
    if observed is not None:
        values.append(observed)
    top_value = nice_max(max(values, default=1) * 1.05)
    span = width - label_width - 20

    def x(value: float) -> float:
        return label_width + span * min(value, top_value) / top_value

    axis_y = top + row_height * max(len(rows), 1)
    svg.add("line", x1=label_width, y1=axis_y, x2=label_width + span, y2=axis_y, class_="axis", stroke="#9aa4b2")
    for tick in range(5):
        value = top_value * tick / 4
        svg.add(
            "line",
            x1=round(x(value), 1),
            y1=axis_y,
            x2=round(x(value), 1),
            y2=axis_y + 4,
            class_="tick",
            stroke="#9aa4b2",
        )
        svg.text(x(value), axis_y + 16, fmt(value), text_anchor="middle", class_="muted")
    if observed is not None:
        svg.add(
            "line",
            x1=round(x(observed), 1),
            y1=top,
            x2=round(x(observed), 1),
            y2=axis_y,
            stroke="#5b6575",
            stroke_dasharray="4 3",
        )
        svg.text(x(observed) + 3, top + 9, f"observed {fmt(observed)}", class_="muted")
    for i, row in enumerate(rows):
        y = top + i * row_height + row_height / 2
        svg.text(label_width - 8, y + 4, row.label, text_anchor="end")
        if row.low is not None and row.high is not None:
            high = row.high if math.isfinite(row.high) else top_value
            svg.add(
                "line",
                x1=round(x(row.low), 1),
                y1=y,
                x2=round(x(high), 1),
                y2=y,
                class_="interval",
                stroke="#1f5f8b",
                stroke_width=3,
            )
        svg.add("circle", cx=round(x(row.estimate), 1), cy=y, r=4.5, class_="point", fill="#1d2430")
    return str(svg)


def histogram(values: Sequence[float], *, title: str, bins: int = 40, width: int = 520, height: int = 160) -> str:
    """The distribution of ``values`` (posterior draws, say) as adjoining bars over an axis of the values."""
    svg = Svg(width, height, title)
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        svg.text(10, 20, "—", class_="muted")
        return str(svg)
    low, high = min(finite), max(finite)
    step = (high - low) / bins or 1.0
    counts = [0] * bins
    for value in finite:
        counts[min(int((value - low) / step), bins - 1)] += 1
    left, bottom, plot_height = 10, 22, height - 30
    bar_width = (width - 2 * left) / bins
    tallest = max(counts)
    for i, count in enumerate(counts):
        h = plot_height * count / tallest
        svg.add(
            "rect",
            x=round(left + i * bar_width, 1),
            y=round(height - bottom - h, 1),
            width=round(bar_width - 1, 1),
            height=round(h, 1),
            class_="bar",
            fill="#1f5f8b",
        )
    svg.add("line", x1=left, y1=height - bottom, x2=width - left, y2=height - bottom, class_="axis", stroke="#9aa4b2")
    for value, anchor in ((low, "start"), ((low + high) / 2, "middle"), (high, "end")):
        svg.text(
            left + (width - 2 * left) * (value - low) / (high - low or 1),
            height - 6,
            fmt(round(value)),
            text_anchor=anchor,
            class_="muted",
        )
    return str(svg)
