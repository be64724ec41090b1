"""Charts as SVG geometry, worked out here and drawn by the templates: no script runs in the
browser. Every chart on a page sits beside a table of the same figures (WCAG 1.1.1)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

WIDTH = 640
HEIGHT = 260
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 44
# Lines differ by dash pattern as well as colour, so they can be told apart without colour.
STYLES = (("#1d70b8", ""), ("#d4351c", "8 4"), ("#00703c", "2 4"))
MAX_X_LABELS = 6


@dataclass(frozen=True)
class Tick:
    at: float
    label: str


@dataclass(frozen=True)
class Line:
    name: str
    points: str
    colour: str
    dash: str
    # The last point, where the line's name is written.
    end: tuple[float, float]


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str


@dataclass(frozen=True)
class Chart:
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    lines: list[Line] = field(default_factory=list)
    bars: list[Bar] = field(default_factory=list)
    baseline: Tick | None = None
    width: int = WIDTH
    height: int = HEIGHT
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    plot_bottom: int = HEIGHT - BOTTOM


def nice_ceiling(value: float) -> float:
    """The tick step: 1, 2, 2.5 or 5 times a power of ten, at or above the value."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def _format(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


def _y_axis(top: float) -> tuple[list[Tick], float]:
    step = nice_ceiling(top / 4)
    ceiling = step * 4
    return [Tick(_y(step * i, ceiling), _format(step * i)) for i in range(5)], ceiling


def _x_positions(count: int) -> list[float]:
    span = WIDTH - LEFT - RIGHT
    if count == 1:
        return [LEFT + span / 2]
    return [LEFT + span * i / (count - 1) for i in range(count)]


def _x_ticks(labels: Sequence[str], xs: Sequence[float]) -> list[Tick]:
    step = max(1, math.ceil(len(labels) / MAX_X_LABELS))
    return [Tick(xs[i], labels[i]) for i in range(0, len(labels), step)]


def _y(value: float, ceiling: float) -> float:
    return HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * value / ceiling


def line_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    baseline: float | None = None,
) -> Chart:
    """One line per series over the labels (oldest first), with an optional dashed baseline."""
    values = [v for _name, points in series for v in points]
    top = max([*values, baseline or 0.0, 0.0])
    y_ticks, ceiling = _y_axis(top)
    xs = _x_positions(len(labels)) if labels else []
    lines = []
    for (name, points), (colour, dash) in zip(series, STYLES, strict=False):
        coords = [(x, _y(v, ceiling)) for x, v in zip(xs, points, strict=True)]
        if coords:
            text = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
            lines.append(Line(name, text, colour, dash, coords[-1]))
    mark = None if baseline is None else Tick(_y(baseline, ceiling), _format(baseline))
    return Chart(y_ticks, _x_ticks(labels, xs), lines=lines, baseline=mark)


def bar_chart(labels: Sequence[str], values: Sequence[float], top: float | None = None) -> Chart:
    """One bar per label; the axis reaches `top` (100 for percentages) or the largest value."""
    y_ticks, ceiling = _y_axis(max([*values, top or 0.0, 0.0]))
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(labels))
    bars = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = _y(value, ceiling)
        bars.append(Bar(LEFT + slot * i + slot * 0.15, y, slot * 0.7, HEIGHT - BOTTOM - y, label))
    x_ticks = [Tick(bar.x + bar.width / 2, bar.label) for bar in bars]
    return Chart(y_ticks, x_ticks, bars=bars)
