"""The waterfall chart: one row per input shown, numbers that add up, text escaped."""

import re
import xml.etree.ElementTree as ET

from calculator.contribution_svg import contribution_svg
from calculator.contributions import Contributions

SVG = "{http://www.w3.org/2000/svg}"
TEXTS = {"reference": "Reference patient", "estimate": "This patient", "unit": "points"}


def test_rows_labels_and_numbers_add_up_to_the_two_shown():
    shares = Contributions(0.86, 0.25, {"kps": -0.3, "other_metastases": -0.2, "compartment": -0.11}, {})
    labels = {"kps": "KPS 40", "other_metastases": "Other metastases", "compartment": "<Extramedullary>"}
    svg = str(contribution_svg(shares, labels, {**TEXTS, "title": 'Chart "quoted"'}))
    root = ET.fromstring(svg.replace("<svg ", f'<svg xmlns="{SVG[1:-1]}" ', 1))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "<Extramedullary>" in texts  # escaped in the markup, the same text once parsed
    assert "&lt;Extramedullary&gt;" in svg and 'aria-label="Chart &#34;quoted&#34;"' in svg
    numbers = [t for t in texts if re.fullmatch(r"[+\u2212]?\d+", t or "")]
    points = [int(n.replace("\u2212", "-")) for n in numbers]
    assert sum(points) == 25 - 86
    assert "86%" in texts and "25%" in texts
    bars = [r for r in root.iter(f"{SVG}rect")]
    assert len(bars) == len(labels) + 2


def test_an_input_not_known_gets_a_whisker_for_its_range():
    shares = Contributions(
        0.76, 0.47, {"kps": -0.14, "mccormick_grade": -0.15}, {"mccormick_grade": (-0.4, 0.1)}
    )
    svg = str(
        contribution_svg(
            shares, {"kps": "KPS 40", "mccormick_grade": "McCormick not known"}, {**TEXTS, "title": "t"}
        )
    )
    assert svg.count("<path ") == 1
