"""Charts of the counting workspace, drawn as SVG on the server on top of ``habeas.core.charts.Svg``.

* ``upset``: the lists of a linkage run and how they overlap (an UpSet chart, Lex et al. 2014): one bar per
  capture pattern (the people found on exactly that combination of lists), the dot matrix under the bars
  saying which lists make the pattern, and the size of each list beside its name.
* ``posterior``: the posterior distribution of the population size of a Bayesian estimate, from the compact
  histogram stored with the estimate, with its 95% interval, median and the number observed marked.

Like every chart of the workplace they are functions from plain data to an SVG string; the text in them is
escaped here, and the caller marks the string safe.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from habeas.core.charts import Svg, fmt, nice_max

#: fallback colours for a chart saved on its own (the page's CSS gives the real ones)
_INK, _FAINT, _ACCENT, _MUTED = "#1d2430", "#d8dde5", "#1f5f8b", "#5b6575"


@dataclass(frozen=True)
class Pattern:
    """A capture pattern: which lists (by position, True = on the list) and how many people it holds."""

    lists: tuple[bool, ...]
    people: int

    @property
    def degree(self) -> int:
        return sum(self.lists)


def upset(
    lists: Sequence[tuple[str, int]],
    patterns: Sequence[Pattern],
    *,
    title: str,
    most: int = 40,
    more_label: str = "{patterns} more patterns ({people} people) not drawn",
) -> str:
    """An UpSet chart. ``lists`` is (name, people on the list) in the order of each pattern's flags;
    ``patterns`` the non-empty capture patterns. The ``most`` largest patterns are drawn (largest first, then
    by how many lists they span); the rest are counted in a note (``more_label`` with ``{patterns}`` and
    ``{people}``)."""
    if any(len(p.lists) != len(lists) for p in patterns):
        raise ValueError("every pattern needs one flag per list")
    shown = sorted(
        (p for p in patterns if p.people > 0 and any(p.lists)),
        key=lambda p: (-p.people, p.degree, tuple(not flag for flag in p.lists)),
    )
    hidden, shown = shown[most:], shown[:most]
    size_width, name_width, column, row, gap = 110, 170, 24, 22, 8
    bar_height, top, bottom = 150, 18, 30 if hidden else 10
    matrix_x = size_width + name_width + gap
    matrix_y = top + bar_height + gap
    width = matrix_x + column * max(len(shown), 1) + 10
    height = matrix_y + row * max(len(lists), 1) + bottom
    svg = Svg(width, height, title)

    tallest = nice_max(max((p.people for p in shown), default=0))
    for i, pattern in enumerate(shown):  # the bars of the patterns
        x = matrix_x + i * column
        h = bar_height * pattern.people / tallest
        names = ", ".join(name for (name, _), on in zip(lists, pattern.lists, strict=True) if on)
        svg.add(
            "rect",
            x=round(x + 3, 1),
            y=round(top + bar_height - h, 1),
            width=column - 6,
            height=round(max(h, 1), 1),
            class_="bar pattern",
            fill=_ACCENT,
            data_lists=names,
            data_people=pattern.people,
        )
        svg.text(x + column / 2, top + bar_height - h - 4, fmt(pattern.people), text_anchor="middle", class_="count")
    svg.add(
        "line",
        x1=matrix_x,
        y1=top + bar_height,
        x2=matrix_x + column * max(len(shown), 1),
        y2=top + bar_height,
        class_="axis",
        stroke="#9aa4b2",
    )

    largest = nice_max(max((size for _, size in lists), default=0))
    for j, (name, size) in enumerate(lists):  # each list: its size (a bar growing left), its name, its row
        y = matrix_y + j * row
        if j % 2 == 0:
            svg.add(
                "rect", x=matrix_x, y=y, width=column * max(len(shown), 1), height=row, class_="stripe", fill="#f4f6f9"
            )
        length = (size_width - 40) * size / largest
        svg.add(
            "rect",
            x=round(size_width - length, 1),
            y=y + 4,
            width=round(max(length, 1), 1),
            height=row - 8,
            class_="bar list-size",
            fill=_ACCENT,
            data_list=name,
            data_people=size,
        )
        svg.text(size_width - length - 4, y + row / 2 + 4, fmt(size), text_anchor="end", class_="muted")
        svg.text(size_width + gap, y + row / 2 + 4, name, class_="list-name")
    for i, pattern in enumerate(shown):  # the dot matrix: which lists make each pattern
        cx = matrix_x + i * column + column / 2
        on = [j for j, flag in enumerate(pattern.lists) if flag]
        if len(on) > 1:
            svg.add(
                "line",
                x1=cx,
                y1=matrix_y + on[0] * row + row / 2,
                x2=cx,
                y2=matrix_y + on[-1] * row + row / 2,
                class_="link",
                stroke=_INK,
                stroke_width=2,
            )
        for j, flag in enumerate(pattern.lists):
            svg.add(
                "circle",
                cx=cx,
                cy=matrix_y + j * row + row / 2,
                r=5,
                class_="dot on" if flag else "dot off",
                fill=_INK if flag else _FAINT,
            )
    if not shown:
        svg.text(matrix_x, top + bar_height / 2, "—", class_="muted")
    if hidden:
        svg.text(
            matrix_x,
            height - 8,
            more_label.format(patterns=fmt(len(hidden)), people=fmt(sum(p.people for p in hidden))),
            class_="muted",
        )
    return str(svg)


@dataclass(frozen=True)
class Bin:
    """A bin of a posterior histogram: the values from ``low`` to ``high`` and the probability in it."""

    low: float
    high: float
    mass: float


def posterior(
    bins: Sequence[Bin],
    *,
    title: str,
    median: float | None = None,
    interval: tuple[float, float] | None = None,
    observed: float | None = None,
    width: int = 560,
    height: int = 190,
    labels: tuple[str, str] = ("median {value}", "observed {value}"),
) -> str:
    """The posterior of N as adjoining bars (their area the probability of the bin), the bins inside the 95%
    interval darker than those outside, a line at the median and a dashed line at the number observed (when
    it falls on the axis). ``labels`` are the texts beside those two lines, with ``{value}``."""
    svg = Svg(width, height, title)
    bins = [b for b in bins if b.high > b.low]
    if not bins:
        svg.text(10, 20, "—", class_="muted")
        return str(svg)
    left, right, top, bottom = 12, 12, 30, 24
    low, high = bins[0].low, bins[-1].high
    plot_width, plot_height = width - left - right, height - top - bottom
    base = height - bottom

    def x(value: float) -> float:
        return left + plot_width * (value - low) / (high - low)

    densest = max(b.mass / (b.high - b.low) for b in bins) or 1.0
    for b in bins:
        h = plot_height * (b.mass / (b.high - b.low)) / densest
        inside = interval is None or (b.high > interval[0] and b.low < interval[1])
        svg.add(
            "rect",
            x=round(x(b.low), 1),
            y=round(base - h, 1),
            width=round(max(x(b.high) - x(b.low) - 0.5, 0.5), 1),
            height=round(h, 1),
            class_="bar" if inside else "bar outside",
            fill=_ACCENT if inside else "#9fbad0",
        )
    svg.add("line", x1=left, y1=base, x2=width - right, y2=base, class_="axis", stroke="#9aa4b2")
    ticks = [(low, "start"), ((low + high) / 2, "middle"), (high, "end")]
    for value, anchor in ticks:
        svg.text(x(value), height - 8, fmt(round(value)), text_anchor=anchor, class_="muted")
    if interval is not None:
        start, end = (max(low, min(high, v)) for v in interval)
        svg.add(
            "line",
            x1=round(x(start), 1),
            y1=top - 8,
            x2=round(x(end), 1),
            y2=top - 8,
            class_="interval",
            stroke=_ACCENT,
        )
    if median is not None and low <= median <= high:
        mx = round(x(median), 1)
        svg.add("line", x1=mx, y1=6, x2=mx, y2=base, class_="median", stroke=_INK, stroke_width=1.5)
        anchor = "end" if mx > width * 0.7 else "start"
        text = labels[0].format(value=fmt(round(median)))
        svg.text(mx + (-4 if anchor == "end" else 4), 20, text, text_anchor=anchor)
    if observed is not None and low <= observed <= high:
        ox = round(x(observed), 1)
        svg.add("line", x1=ox, y1=top, x2=ox, y2=base, class_="observed", stroke=_MUTED, stroke_dasharray="4 3")
        svg.text(ox + 3, top + 12, labels[1].format(value=fmt(observed)), class_="muted")
    return str(svg)
