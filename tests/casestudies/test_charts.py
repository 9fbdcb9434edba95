"""The chart module on its own: plain data in, SVG out (parsed, never compared as a string)."""

from dataclasses import dataclass
from xml.etree import ElementTree as ET

from casestudies.charts import ChartPoint, knee_charts, render_svg

SVG = "{http://www.w3.org/2000/svg}"


@dataclass
class M:
    knee: str
    point_order: int
    point_label: str
    intensity: int | None = None
    frequency: int | None = None
    knee_given: bool = True
    stated_as: str = ""


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def points(root: ET.Element, series: str) -> list[ET.Element]:
    return [el for el in root.iter() if f"point-{series}" in el.get("class", "").split()]


def texts(root: ET.Element) -> list[str]:
    return [el.text for el in root.iter(f"{SVG}text")]


def test_one_marker_per_recorded_value_and_none_where_the_source_gives_none():
    measurements = [
        M("left", 1, "At presentation", intensity=4),
        M("right", 1, "At presentation", intensity=5),
        M("left", 2, "After the first month", intensity=2, knee_given=False),
        M("right", 2, "After the first month", intensity=2, knee_given=False),
        M("left", 3, "One year after", intensity=4, frequency=20, knee_given=False),
        M("right", 3, "One year after", intensity=4, frequency=20, knee_given=False),
    ]
    charts = knee_charts(measurements)
    assert [c.knee for c in charts] == ["right", "left"]
    right = parse(charts[0].svg)
    assert len(points(right, "intensity")) == 3
    assert len(points(right, "frequency")) == 1
    # Markers carry their values, so the chart reads without colour or hover.
    assert [p.find(f"{SVG}title").text for p in points(right, "intensity")] == [
        "At presentation: 5/10",
        "After the first month: 2/10",
        "One year after: 4/10",
    ]
    assert {"5/10", "2/10", "4/10", "20%"} <= set(texts(right))


def test_a_missing_value_is_not_drawn_or_joined_up():
    chart_points = [
        ChartPoint(1, "First", intensity=7, frequency=90),
        ChartPoint(2, "Second", intensity=None, frequency=None),
        ChartPoint(3, "Third", intensity=0, frequency=None),
    ]
    root = parse(render_svg(name="Right knee", points=chart_points, id_prefix="t"))
    assert len(points(root, "intensity")) == 2
    assert len(points(root, "frequency")) == 1
    # One frequency value: a marker and no line.
    assert not [el for el in root.iter(f"{SVG}polyline") if "line-frequency" in el.get("class", "")]
    assert "Second" in texts(root)  # the point is on the axis, without a marker


def test_the_frequency_panel_is_left_out_when_no_frequency_is_recorded():
    root = parse(render_svg(name="Left knee", points=[ChartPoint(1, "First", 4, None)], id_prefix="t"))
    assert not points(root, "frequency")
    assert not any("frequency" in (t or "").lower() for t in texts(root))


def test_the_svg_names_itself_for_screen_readers():
    chart_points = [ChartPoint(1, "Final visit", 4, 100, knee_given=False), ChartPoint(2, "Third", 2, 30, False)]
    root = parse(render_svg(name="Right knee", points=chart_points, id_prefix="case-9-right"))
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert title.text == "Right knee: pain over the course of treatment"
    assert "Final visit, 4/10; Third, 2/10" in desc.text
    assert "Final visit, 100%; Third, 30%" in desc.text
    assert "for both knees together, not per knee" in desc.text
    assert "not to time scale" in desc.text


def test_labels_are_escaped_and_long_labels_wrap():
    label = "A <script>alert(1)</script> point & a label long enough that it has to wrap onto a second line"
    svg = render_svg(name="Left knee", points=[ChartPoint(1, label, 3, None)], id_prefix="t")
    assert "<script>" not in svg
    root = parse(svg)
    key = [t for t in texts(root) if t and ("script" in t or "wrap" in t or "line" in t)]
    assert len(key) >= 2 and "".join(key).count("alert(1)") == 1


def test_every_knee_shares_the_cases_points_so_the_charts_line_up():
    measurements = [
        M("right", 1, "At presentation", 7, 90),
        M("right", 2, "After", 0),
        M("left", 1, "At presentation", 4),
    ]
    right, left = knee_charts(measurements)
    assert [p.label for p in left.points] == ["At presentation", "After"]
    assert left.points[1].intensity is None
    assert len(points(parse(left.svg), "intensity")) == 1


def test_a_knee_without_any_figure_gets_no_chart():
    assert [c.knee for c in knee_charts([M("left", 1, "At presentation", 4)])] == ["left"]
    assert knee_charts([]) == []


def test_values_stay_inside_the_drawing():
    chart_points = [ChartPoint(1, "a", 10, 100), ChartPoint(2, "b", 0, 0)]
    root = parse(render_svg(name="Right knee", points=chart_points, id_prefix="t"))
    _, _, width, height = (float(v) for v in root.get("viewBox").split())
    for el in root.iter():
        for attr in ("x", "y", "cx", "cy"):
            if el.get(attr) is not None:
                assert 0 <= float(el.get(attr)) <= (width if attr in ("x", "cx") else height), (el.tag, attr)


def test_chart_text_is_readable_on_a_phone():
    from casestudies import charts

    root = parse(render_svg(name="Right knee", points=[ChartPoint(1, "First", 4, 20)], id_prefix="t"))
    # A 375 px phone gives the chart about 340 px: the text is drawn at font-size × 340 / WIDTH.
    drawn = int(root.get("font-size")) * 340 / charts.WIDTH
    assert drawn >= 14


def test_words_instead_of_a_figure_are_in_the_key_and_description_not_drawn():
    chart_points = [ChartPoint(1, "First", 4, None), ChartPoint(2, "Later", None, None, stated_as="free of pain")]
    root = parse(render_svg(name="Right knee", points=chart_points, id_prefix="t"))
    assert len(points(root, "intensity")) == 1
    assert any("free of pain" in (t or "") for t in texts(root))
    assert "“free of pain”" in root.find(f"{SVG}desc").text
    assert "0/10" not in " ".join(t or "" for t in texts(root))
