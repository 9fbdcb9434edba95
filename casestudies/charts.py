"""Pain-over-time charts as inline SVG, drawn on the server: no JavaScript, no third-party script.

One chart per knee: pain intensity (0-10) in the upper panel and, where the source gives any, pain
frequency (% of the time) in the lower one. The x axis is the case's labelled points in order (not a
time scale: the source's intervals are too loose for one). A marker is drawn only where a value was
recorded, never interpolated; each marker carries its value as text, so the chart reads in black and
white, in print and without colour vision. The same numbers go in a table next to the chart.
"""

import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from clinic.charts import GRID, INK, svg_root, to_string
from clinic.charts import number as _n
from clinic.charts import text as _text

KNEE_NAMES = {"right": "Right knee", "left": "Left knee"}

# Geometry in SVG user units. The viewBox is narrow so that on a phone the text is drawn at about its
# nominal size (a 375 px phone gives the chart about 340 px, so 15 units draw at about 14 px); on a
# wide screen the CSS caps the width.
WIDTH = 360
LEFT = 44
RIGHT = 16
INSET = 28  # keeps the first and last markers off the axes
INTENSITY_TOP, INTENSITY_HEIGHT = 30, 120
FREQUENCY_GAP = 48
FREQUENCY_HEIGHT = 80
KEY_LINE = 20
KEY_CHARS = 38  # characters per line of the key before it wraps
INTENSITY_COLOUR = "#0b5c7a"
FREQUENCY_COLOUR = "#8a4500"


class Measurement(Protocol):
    knee: str
    point_order: int
    point_label: str
    intensity: int | None
    frequency: int | None
    knee_given: bool
    stated_as: str
    source_sentence: str


@dataclass(frozen=True)
class ChartPoint:
    number: int  # position on the x axis, from 1
    label: str
    intensity: int | None
    frequency: int | None
    knee_given: bool = True
    stated_as: str = ""  # the source's words where it gives words, not a figure: never drawn as a number
    source_sentence: str = ""


@dataclass(frozen=True)
class KneeChart:
    knee: str
    name: str
    points: list[ChartPoint]
    svg: str

    @property
    def has_frequency(self) -> bool:
        return any(p.frequency is not None for p in self.points)


def knee_charts(measurements: Iterable[Measurement], *, id_prefix: str = "pain-chart") -> list[KneeChart]:
    """A chart per knee that has any recorded value, right knee first.

    Every knee's x axis has the same points, those of the whole case, so the charts line up.
    """
    measurements = list(measurements)
    labels = dict(sorted((m.point_order, m.point_label) for m in measurements))
    numbers = {order: n for n, order in enumerate(labels, start=1)}
    charts = []
    for knee, name in KNEE_NAMES.items():
        recorded = {m.point_order: m for m in measurements if m.knee == knee}
        if not recorded:
            continue
        points = []
        for order, label in labels.items():
            m = recorded.get(order)
            points.append(
                ChartPoint(
                    number=numbers[order],
                    label=label,
                    intensity=m.intensity if m else None,
                    frequency=m.frequency if m else None,
                    knee_given=m.knee_given if m else True,
                    stated_as=m.stated_as if m else "",
                    source_sentence=getattr(m, "source_sentence", "") if m else "",
                )
            )
        svg = render_svg(name=name, points=points, id_prefix=f"{id_prefix}-{knee}")
        charts.append(KneeChart(knee=knee, name=name, points=points, svg=svg))
    return charts


def describe(name: str, points: list[ChartPoint]) -> str:
    """The chart in words, for screen readers (the SVG's <desc>)."""

    def series(attr: str, unit: str) -> str:
        given = [f"{p.label}, {getattr(p, attr)}{unit}" for p in points if getattr(p, attr) is not None]
        return "; ".join(given) if given else "not given"

    text = (
        f"{name}, pain over the course of treatment, at {len(points)} labelled points in order, not to time scale. "
        f"Pain intensity out of 10: {series('intensity', '/10')}. "
    )
    if any(p.frequency is not None for p in points):
        text += f"Pain frequency, per cent of the time: {series('frequency', '%')}. "
    if any(not p.knee_given for p in points if p.intensity is not None or p.frequency is not None):
        text += "Some figures are given in the source for both knees together, not per knee. "
    for p in points:
        if p.stated_as and p.intensity is None and p.frequency is None:
            text += f"{p.label}: the source gives words, not a figure: “{p.stated_as}”. "
    return text + "Points without a figure in the source are not drawn."


# The two panels of a chart: pain intensity always, pain frequency where the source gives any.
INTENSITY_PANEL = {
    "attr": "intensity",
    "height": INTENSITY_HEIGHT,
    "maximum": 10,
    "ticks": [0, 2, 4, 6, 8, 10],
    "heading": "Pain intensity (0 = none, 10 = worst)",
    "unit": "/10",
    "colour": INTENSITY_COLOUR,
    "marker": "circle",
}
FREQUENCY_PANEL = {
    "attr": "frequency",
    "height": FREQUENCY_HEIGHT,
    "maximum": 100,
    "ticks": [0, 50, 100],
    "heading": "Pain frequency (% of the time)",
    "unit": "%",
    "colour": FREQUENCY_COLOUR,
    "marker": "square",
}


def render_svg(*, name: str, points: list[ChartPoint], id_prefix: str) -> str:
    """The chart as an <svg> element (a string, well-formed XML, every text escaped)."""
    has_frequency = any(p.frequency is not None for p in points)
    plot_bottom = INTENSITY_TOP + INTENSITY_HEIGHT
    if has_frequency:
        frequency_top = plot_bottom + FREQUENCY_GAP
        plot_bottom = frequency_top + FREQUENCY_HEIGHT
    ticks_y = plot_bottom + 20
    key_top = ticks_y + 26
    key_lines = [textwrap.wrap(_key_label(p), KEY_CHARS) or [""] for p in points]
    height = key_top + KEY_LINE * (sum(len(lines) for lines in key_lines) - 1) + 10

    svg = svg_root(
        width=WIDTH,
        height=height,
        title=f"{name}: pain over the course of treatment",
        desc=describe(name, points),
        id_prefix=id_prefix,
        css_class="pain-chart",
    )

    xs = _x_positions(len(points))
    panels = [(INTENSITY_TOP, INTENSITY_PANEL)]
    if has_frequency:
        panels.append((frequency_top, FREQUENCY_PANEL))
    for top, panel in panels:
        _panel(svg, points=points, xs=xs, top=top, **panel)

    # The x axis: point numbers, and a key from number to the point's label.
    for point, x in zip(points, xs, strict=True):
        _text(svg, x, ticks_y, str(point.number), anchor="middle", weight="bold")
    y = key_top
    for point, lines in zip(points, key_lines, strict=True):
        _text(svg, LEFT - 30, y, str(point.number), weight="bold")
        for line in lines:
            _text(svg, LEFT - 14, y, line)
            y += KEY_LINE
    return to_string(svg)


def _key_label(point: ChartPoint) -> str:
    """The point's label; where the source gives words instead of a figure, the words too."""
    if point.stated_as and point.intensity is None and point.frequency is None:
        return f"{point.label}: “{point.stated_as}” (words, no figure)"
    return point.label


def _x_positions(n: int) -> list[float]:
    left, right = LEFT + INSET, WIDTH - RIGHT - INSET
    if n == 1:
        return [(left + right) / 2]
    step = (right - left) / (n - 1)
    return [round(left + i * step, 1) for i in range(n)]


def _panel(svg, *, points, xs, attr, top, height, maximum, ticks, heading, unit, colour, marker) -> None:
    bottom = top + height
    _text(svg, LEFT - 30, top - 12, heading, weight="bold")
    for tick in ticks:
        y = bottom - height * tick / maximum
        ET.SubElement(
            svg, "line", x1=str(LEFT), x2=str(WIDTH - RIGHT), y1=_n(y), y2=_n(y), stroke=GRID, **{"stroke-width": "1"}
        )
        _text(svg, LEFT - 6, y + 4, f"{tick}{'%' if unit == '%' else ''}", anchor="end")
    ET.SubElement(
        svg, "line", x1=str(LEFT), x2=str(LEFT), y1=str(top), y2=str(bottom), stroke=INK, **{"stroke-width": "1"}
    )

    recorded = [(x, p, getattr(p, attr)) for x, p in zip(xs, points, strict=True) if getattr(p, attr) is not None]
    coords = [(x, bottom - height * value / maximum) for x, _, value in recorded]
    if len(coords) > 1:
        ET.SubElement(
            svg,
            "polyline",
            points=" ".join(f"{_n(x)},{_n(y)}" for x, y in coords),
            fill="none",
            stroke=colour,
            **{"stroke-width": "2.5", "stroke-linejoin": "round", "class": f"line line-{attr}"},
        )
    for (x, point, value), (_, y) in zip(recorded, coords, strict=True):
        attrs = {"class": f"point point-{attr}", "fill": colour, "stroke": "#ffffff", "stroke-width": "1.5"}
        if marker == "circle":
            shape = ET.SubElement(svg, "circle", cx=_n(x), cy=_n(y), r="5.5", **attrs)
        else:
            shape = ET.SubElement(svg, "rect", x=_n(x - 5.5), y=_n(y - 5.5), width="11", height="11", **attrs)
        ET.SubElement(shape, "title").text = f"{point.label}: {value}{unit}"
        # The value's label sits above the marker, or below it when the marker is near the top.
        label_y = y - 10 if y - top > 18 else y + 20
        _text(svg, x, label_y, f"{value}{unit}", anchor="middle", weight="bold", fill=colour)
