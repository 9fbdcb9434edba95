"""The shared SVG charts (clinic/charts.py) on their own: plain data in, parsed SVG out."""

from xml.etree import ElementTree as ET

from clinic import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_stacked_columns_write_each_total_and_name_each_bar():
    root = parse(
        charts.column_chart(
            title="Inquiries a week",
            desc="In words.",
            labels=["Nov 2", "Nov 9"],
            series=[charts.Series("Question", [1, 0]), charts.Series("Candidacy", [2, 5])],
            id_prefix="t",
        )
    )
    assert root.get("role") == "img" and root.get("aria-labelledby") == "t-title t-desc"
    assert root.find(f"{SVG}title").text == "Inquiries a week" and root.find(f"{SVG}desc").text == "In words."
    bars = [el.find(f"{SVG}title").text for el in root.iter(f"{SVG}rect") if el.get("class") == "bar"]
    assert bars == ["Nov 2, Question: 1", "Nov 2, Candidacy: 2", "Nov 9, Candidacy: 5"]  # no bar for 0
    texts = [el.text for el in root.iter(f"{SVG}text")]
    assert {"3", "5", "Nov 2", "Nov 9", "Question", "Candidacy"} <= set(texts)


def test_side_by_side_columns_and_bars_say_none_for_a_missing_value():
    root = parse(
        charts.column_chart(
            title="t",
            desc="d",
            labels=["A"],
            series=[charts.Series("Median", [None]), charts.Series("90th", [4.25])],
            id_prefix="g",
            stacked=False,
            unit=" h",
        )
    )
    assert [el.find(f"{SVG}title").text for el in root.iter(f"{SVG}rect") if el.get("class") == "bar"] == [
        "A, 90th: 4.2 h"
    ]
    bars = parse(
        charts.bar_chart(title="t", desc="d", rows=[("Nobody", None), ("Nora", 2.5)], id_prefix="b", unit=" h")
    )
    assert [el.text for el in bars.iter(f"{SVG}text")] == ["Nobody", "none", "Nora", "2.5 h"]


def test_labels_are_escaped_and_long_ones_shortened_with_the_whole_label_kept():
    hostile = "</text><script>alert(1)</script> and a very long name indeed"
    svg = charts.bar_chart(title="<b>", desc="&", rows=[(hostile, 3)], id_prefix="x")
    assert "<script>" not in svg
    root = parse(svg)
    assert root.find(f"{SVG}title").text == "<b>"
    label = next(root.iter(f"{SVG}text")).text
    assert label.endswith("…") and len(label) == charts.LABEL_CHARS
    assert next(el for el in root.iter(f"{SVG}rect")).find(f"{SVG}title").text == f"{hostile}: 3"


def test_an_empty_chart_still_draws():
    root = parse(charts.column_chart(title="t", desc="d", labels=[], series=[], id_prefix="e"))
    assert root.find(f"{SVG}title").text == "t"
    assert parse(charts.bar_chart(title="t", desc="d", rows=[], id_prefix="e")).find(f"{SVG}desc").text == "d"
