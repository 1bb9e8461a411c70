"""Tiny SVG charts rendered in Python: no JavaScript, no CDN, readable offline.

Why hand-rolled: the report must open from a file on a laptop with no network,
years from now. Two chart kinds cover it (lines per series over years, paired
bars per month). Every mark carries a `<title>` (the browser's tooltip) and,
where it has evidence, a link; every piece of text goes through `html.escape`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 64, 150, 16, 40


@dataclass(frozen=True)
class Mark:
    x: float
    y: float
    tooltip: str
    href: str | None = None
    flagged: bool = False  # drawn hollow: e.g. a conflicting figure


@dataclass(frozen=True)
class Series:
    name: str
    marks: Sequence[Mark]


def short_number(value: float) -> str:
    """Axis labels: 7000 -> 7k, 1200000 -> 1.2M."""
    for size, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.3g}{suffix}"
    return f"{value:g}"


def nice_ticks(top: float, count: int = 5) -> list[float]:
    """Round tick values from 0 to at least `top`."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    # counts are whole numbers: never a step below 1
    step = max(1.0, next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw))
    return [i * step for i in range(math.ceil(top / step - 1e-9) + 1)]


def _frame(width: int, height: int, label: str, body: list[str]) -> str:
    return (
        f'<svg class="chart" role="img" aria-label="{escape(label)}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}">' + "".join(body) + "</svg>"
    )


def _y_axis(ticks: list[float], y_of: Callable[[float], float], width: int, out: list[str]) -> None:
    for tick in ticks:
        y = y_of(tick)
        out.append(f'<line class="grid" x1="{MARGIN_LEFT}" x2="{width - MARGIN_RIGHT}" '
                   f'y1="{y:.1f}" y2="{y:.1f}"/>')
        out.append(f'<text class="tick" x="{MARGIN_LEFT - 6}" y="{y + 4:.1f}" '
                   f'text-anchor="end">{escape(short_number(tick))}</text>')


def _linked(href: str | None, inner: str) -> str:
    if not href:
        return inner
    return f'<a href="{escape(href)}" target="_blank" rel="noopener noreferrer">{inner}</a>'


def line_chart(series: Sequence[Series], label: str, *, width: int = 820, height: int = 300) -> str:
    """Lines over integer x values (years), one per series, with a legend on the right."""
    marks = [m for s in series for m in s.marks]
    if not marks:
        return _frame(width, height, label, [(f'<text x="{width / 2}" y="{height / 2}" '
                                              'text-anchor="middle">no figures</text>')])
    xs = sorted({m.x for m in marks})
    x_lo, x_hi = xs[0] - 0.5, xs[-1] + 0.5
    ticks = nice_ticks(max(m.y for m in marks))
    plot_w = width - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = height - MARGIN_TOP - MARGIN_BOTTOM

    def x_of(x: float) -> float:
        return MARGIN_LEFT + (x - x_lo) / (x_hi - x_lo) * plot_w

    def y_of(y: float) -> float:
        return MARGIN_TOP + plot_h - y / ticks[-1] * plot_h

    body: list[str] = []
    _y_axis(ticks, y_of, width, body)
    every = max(1, math.ceil(len(xs) / 12))
    for x in xs[::every]:
        body.append(f'<text class="tick" x="{x_of(x):.1f}" y="{height - MARGIN_BOTTOM + 16}" '
                    f'text-anchor="middle">{escape(f"{x:g}")}</text>')
    for i, s in enumerate(series):
        color = PALETTE[i % len(PALETTE)]
        ordered = sorted(s.marks, key=lambda m: m.x)
        if len(ordered) > 1:
            path = " ".join(f"{x_of(m.x):.1f},{y_of(m.y):.1f}" for m in ordered)
            body.append(f'<polyline class="line" points="{path}" stroke="{color}"/>')
        for m in ordered:
            fill = "#fff" if m.flagged else color
            dot = (f'<circle class="mark" cx="{x_of(m.x):.1f}" cy="{y_of(m.y):.1f}" r="4.5" '
                   f'stroke="{color}" fill="{fill}"><title>{escape(m.tooltip)}</title></circle>')
            body.append(_linked(m.href, dot))
        ly = MARGIN_TOP + 8 + i * 18
        lx = width - MARGIN_RIGHT + 14
        body.append(f'<rect x="{lx}" y="{ly - 8}" width="12" height="12" fill="{color}"/>'
                    f'<text class="legend" x="{lx + 18}" y="{ly + 2}">{escape(s.name)}</text>')
    return _frame(width, height, label, body)


def bar_chart(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[int]]],
    label: str,
    *,
    width: int = 820,
    height: int = 260,
) -> str:
    """Bars per category (months), the series overlaid front to back (e.g. all vs relevant)."""
    if not categories:
        return _frame(width, height, label, [(f'<text x="{width / 2}" y="{height / 2}" '
                                              'text-anchor="middle">no articles</text>')])
    ticks = nice_ticks(max((max(values, default=0) for _, values in series), default=0))
    plot_w = width - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = height - MARGIN_TOP - MARGIN_BOTTOM
    slot = plot_w / len(categories)

    def y_of(y: float) -> float:
        return MARGIN_TOP + plot_h - y / ticks[-1] * plot_h

    body: list[str] = []
    _y_axis(ticks, y_of, width, body)
    every = max(1, math.ceil(len(categories) / 12))
    for i, name in enumerate(categories):
        if i % every == 0:
            body.append(f'<text class="tick" x="{MARGIN_LEFT + (i + 0.5) * slot:.1f}" '
                        f'y="{height - MARGIN_BOTTOM + 16}" text-anchor="middle">{escape(name)}</text>')
    for s_index, (name, values) in enumerate(series):
        color = PALETTE[s_index % len(PALETTE)]
        shrink = 0.15 + 0.2 * s_index  # later series drawn narrower, in front
        for i, value in enumerate(values):
            x = MARGIN_LEFT + (i + shrink / 2) * slot
            top = y_of(value)
            body.append(
                f'<rect class="bar" x="{x:.1f}" y="{top:.1f}" width="{max(slot * (1 - shrink), 1):.1f}" '
                f'height="{MARGIN_TOP + plot_h - top:.1f}" fill="{color}">'
                f"<title>{escape(f'{categories[i]}: {value:,} {name}')}</title></rect>"
            )
        ly = MARGIN_TOP + 8 + s_index * 18
        lx = width - MARGIN_RIGHT + 14
        body.append(f'<rect x="{lx}" y="{ly - 8}" width="12" height="12" fill="{color}"/>'
                    f'<text class="legend" x="{lx + 18}" y="{ly + 2}">{escape(name)}</text>')
    return _frame(width, height, label, body)
