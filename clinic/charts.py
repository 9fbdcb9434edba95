"""Charts as inline SVG drawn on the server: no JavaScript, no third-party script.

The pieces every chart shares (an accessible <svg> root, text, coordinates) and two generic charts:
columns over a sequence (stacked or side by side) and horizontal bars for labelled values. Used by
the case histories' pain charts (casestudies.charts) and the staff reports (intake.admin.report_charts).

Every chart is an <svg role="img"> labelled by its <title> and described by its <desc> (the numbers in
words); values are written on the chart as text, so it reads in black and white, in print and without
colour vision. The page puts the same numbers in a table next to it. Every text is escaped
(ElementTree), so a label typed by anyone cannot break out of the SVG.
"""

import xml.etree.ElementTree as ET
from dataclasses import dataclass

FONT_SIZE = 15
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
INK = "#222222"
GRID = "#c8c8c8"
# Series colours: dark enough for white text's contrast and told apart by lightness as well as hue
# (Okabe-Ito, darkened). A series is also named in the legend, in the same order as it is stacked.
PALETTE = ["#0b5c7a", "#b35900", "#2e7d4f", "#8e3b8e", "#5a5a5a", "#9c2a2a", "#3d4fa8", "#6b6b00"]


def svg_root(*, width: float, height: float, title: str, desc: str, id_prefix: str, css_class: str) -> ET.Element:
    """An <svg role="img"> labelled by its <title> and <desc> (ids from `id_prefix`, unique on the page)."""
    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    svg = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": f"0 0 {number(width)} {number(height)}",
            "width": number(width),
            "height": number(height),
            "role": "img",
            "aria-labelledby": f"{title_id} {desc_id}",
            "class": css_class,
            "font-family": FONT,
            "font-size": str(FONT_SIZE),
            "fill": INK,
        },
    )
    ET.SubElement(svg, "title", id=title_id).text = title
    ET.SubElement(svg, "desc", id=desc_id).text = desc
    return svg


def to_string(svg: ET.Element) -> str:
    return ET.tostring(svg, encoding="unicode")


def text(svg, x, y, content: str, *, anchor="start", weight=None, fill=None, size=None) -> ET.Element:
    attrs = {"x": number(x), "y": number(y)}
    if anchor != "start":
        attrs["text-anchor"] = anchor
    if weight:
        attrs["font-weight"] = weight
    if fill:
        attrs["fill"] = fill
    if size:
        attrs["font-size"] = str(size)
    element = ET.SubElement(svg, "text", attrs)
    element.text = content
    return element


def line(svg, x1, y1, x2, y2, *, stroke=GRID) -> ET.Element:
    return ET.SubElement(
        svg, "line", x1=number(x1), y1=number(y1), x2=number(x2), y2=number(y2), stroke=stroke, **{"stroke-width": "1"}
    )


def number(value: float) -> str:
    """A coordinate without a needless ".0"."""
    return f"{value:g}" if isinstance(value, int) or float(value).is_integer() else f"{value:.1f}"


def value_label(value: float | None, unit: str = "") -> str:
    if value is None:
        return "none"
    shown = f"{value:g}" if float(value).is_integer() else f"{value:.1f}"
    return f"{shown}{unit}"


@dataclass(frozen=True)
class Series:
    name: str
    values: list  # one number (or None: nothing to draw) per label


# --- columns over a sequence (weeks) ---------------------------------------------------------------

COLUMNS_WIDTH = 720
COLUMNS_LEFT, COLUMNS_RIGHT = 48, 12
COLUMNS_PLOT = 200
LEGEND_ROW = 22
SMALL = 12


def _nice_maximum(value: float) -> tuple[float, list[float]]:
    """A round top for the axis at or above `value`, and its ticks (0 and four more)."""
    if value <= 0:
        return 1, [0, 1]
    magnitude = 10 ** (len(str(int(value))) - 1) if value >= 1 else 1
    for step in (0.25, 0.5, 1, 2, 2.5, 5, 10):
        top = step * magnitude * 4
        if top >= value:
            break
    step = top / 4
    return top, [step * i for i in range(5)]


def column_chart(
    *, title: str, desc: str, labels: list[str], series: list[Series], id_prefix: str, stacked=True, unit=""
) -> str:
    """One column per label: the series stacked (their total written above) or side by side (each
    value written above its bar when there is room). A legend names the series in stacking order."""
    totals = [
        sum(s.values[i] or 0 for s in series) if stacked else max((s.values[i] or 0 for s in series), default=0)
        for i in range(len(labels))
    ]
    top, ticks = _nice_maximum(max(totals, default=0))
    legend_rows = (len(series) + 2) // 3
    plot_top = 16 + LEGEND_ROW * legend_rows + 14
    plot_bottom = plot_top + COLUMNS_PLOT
    height = plot_bottom + 40
    svg = svg_root(width=COLUMNS_WIDTH, height=height, title=title, desc=desc, id_prefix=id_prefix, css_class="chart")

    column_width = 220
    for i, s in enumerate(series):  # the legend, three a row
        x, y = COLUMNS_LEFT + (i % 3) * column_width, 16 + LEGEND_ROW * (i // 3)
        ET.SubElement(svg, "rect", x=number(x), y=number(y - 11), width="12", height="12", fill=PALETTE[i % 8])
        text(svg, x + 18, y, s.name[:28])
    for tick in ticks:
        y = plot_bottom - COLUMNS_PLOT * tick / top
        line(svg, COLUMNS_LEFT, y, COLUMNS_WIDTH - COLUMNS_RIGHT, y)
        text(svg, COLUMNS_LEFT - 6, y + 4, value_label(tick), anchor="end", size=SMALL)
    line(svg, COLUMNS_LEFT, plot_top, COLUMNS_LEFT, plot_bottom, stroke=INK)

    slot = (COLUMNS_WIDTH - COLUMNS_LEFT - COLUMNS_RIGHT) / max(len(labels), 1)
    every = max(1, round(52 / slot))  # a label every `every` columns, so they never overlap
    for i, label in enumerate(labels):
        x0 = COLUMNS_LEFT + slot * i + slot * 0.15
        inner = slot * 0.7
        bar = inner / (1 if stacked else max(len(series), 1))
        y = plot_bottom
        for j, s in enumerate(series):
            value = s.values[i]
            if not value:
                continue
            h = COLUMNS_PLOT * value / top
            x = x0 if stacked else x0 + bar * j
            top_y = y - h if stacked else plot_bottom - h
            rect = ET.SubElement(
                svg, "rect", x=number(x), y=number(top_y), width=number(bar), height=number(h), fill=PALETTE[j % 8]
            )
            rect.set("class", "bar")
            ET.SubElement(rect, "title").text = f"{label}, {s.name}: {value_label(value, unit)}"
            if stacked:
                y = top_y
            elif bar >= 7 * len(value_label(value)) + 2:  # written above the bar when it fits
                text(svg, x + bar / 2, top_y - 4, value_label(value), anchor="middle", size=SMALL)
        if stacked and totals[i]:
            text(svg, x0 + inner / 2, y - 5, value_label(totals[i]), anchor="middle", weight="bold", size=SMALL)
        if i % every == 0:
            fits = max(3, int(slot * every / 7))  # characters of about 7 units at SMALL
            short = label if len(label) <= fits else label[: fits - 1] + "…"
            text(svg, x0 + inner / 2, plot_bottom + 18, short, anchor="middle", size=SMALL)
    return to_string(svg)


# --- horizontal bars for labelled values ----------------------------------------------------------

BARS_WIDTH = 720
BARS_LABEL = 250  # the label column
BARS_ROW = 26
LABEL_CHARS = 30


def bar_chart(*, title: str, desc: str, rows: list[tuple[str, float | None]], id_prefix: str, unit="") -> str:
    """One horizontal bar a row, its label on the left (shortened; the whole label in the bar's
    <title>) and its value written after it. A row without a value says "none"."""
    top, _ = _nice_maximum(max((v or 0 for _, v in rows), default=0))
    height = 10 + BARS_ROW * max(len(rows), 1) + 6
    svg = svg_root(width=BARS_WIDTH, height=height, title=title, desc=desc, id_prefix=id_prefix, css_class="chart")
    room = BARS_WIDTH - BARS_LABEL - 80
    for i, (label, value) in enumerate(rows):
        y = 10 + BARS_ROW * i
        short = label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"
        text(svg, BARS_LABEL - 8, y + 15, short, anchor="end")
        w = room * (value or 0) / top
        if w:
            rect = ET.SubElement(
                svg, "rect", x=number(BARS_LABEL), y=number(y + 2), width=number(w), height="18", fill=PALETTE[0]
            )
            rect.set("class", "bar")
            ET.SubElement(rect, "title").text = f"{label}: {value_label(value, unit)}"
        text(svg, BARS_LABEL + w + 6, y + 15, value_label(value, unit), weight="bold")
    line(svg, BARS_LABEL, 8, BARS_LABEL, height - 4, stroke=INK)
    return to_string(svg)
