"""The model card (calculator/model_card): built from the manifest alone, for the synthetic default
and for a registry-fitted model; docs/model-card.md is exactly what it makes of models/manifest.json."""

from __future__ import annotations

import copy
import hashlib
import html as html_lib
import json
import re
import shutil
import xml.etree.ElementTree as ET

import pytest

import training.__main__ as cli
from calculator import create_app
from calculator.artifact import DEFAULT_MODEL_DIR, MANIFEST
from calculator.explain import SELECTION_CAVEAT
from calculator.features import FEATURES
from calculator.model_card import build_card, by_hand, card_markdown, worked_profile
from calculator.model_card.blocks import Bullets, Figure, Formula, Paragraph, Table, coef, num, pct
from calculator.model_card.markdown import text
from training.card import DEFAULT_CARD

SVG = "{http://www.w3.org/2000/svg}"
SHIPPED = json.loads((DEFAULT_MODEL_DIR / MANIFEST).read_text(encoding="utf-8"))


def registry_manifest() -> dict:
    """The shipped manifest as if fitted on a hospital registry: no reconstruction, other studies."""
    m = copy.deepcopy(SHIPPED)
    m["synthetic"] = False
    del m["reconstruction"]
    m["files"] = ["manifest.json", m["artifact"]]  # a registry cohort is never copied
    m["cohort"] |= {
        "file": "our_registry_2024.csv",
        "sha256": "ab" * 32,
        "synthetic": False,
        "n_rows": 180,
        "excluded_missing": {"kps": 5, "mccormick_grade": 4},
        "studies": [
            {"study_id": "site_north", "n": 100, "events_90d": 25},
            {"study_id": "site_south", "n": 72, "events_90d": 20},
        ],
    }
    return m


def card_text(card, *section_ids: str) -> str:
    """Every text of the card (or of the named sections), flattened, for 'does it say X' checks."""
    parts = []
    for s in card.sections:
        if section_ids and s.id not in section_ids:
            continue
        parts.append(s.title)
        for b in s.blocks:
            if isinstance(b, Paragraph):
                parts += [b.lead, b.text]
            elif isinstance(b, Bullets):
                parts += [f"{i.lead} {i.text}" for i in b.items]
            elif isinstance(b, Table):
                parts += [b.caption, *b.header, *(c for row in b.rows for c in row)]
            else:
                parts.append(getattr(b, "text", "") or getattr(b, "caption", ""))
    return "\n".join(parts)


def test_docs_model_card_is_generated_from_the_shipped_manifest():
    expected = card_markdown(build_card(SHIPPED))
    assert DEFAULT_CARD.read_text(encoding="utf-8") == expected, (
        "docs/model-card.md is out of date: run `python -m training card`"
    )


def test_sections_in_order_for_the_two_minute_and_the_twenty_minute_reader():
    ids = [s.id for s in build_card(SHIPPED).sections]
    assert ids[0] == "at-a-glance"
    for required in (
        "intended-use", "predictors", "input-handling", "data", "series", "targets", "assumptions",
        "method", "coefficients", "worked-example", "performance", "by-study", "calibration",
        "sample-size", "limitations", "version",
    ):  # fmt: skip
        assert required in ids
    assert len(ids) == len(set(ids))  # ids are HTML anchors


def test_summary_says_what_for_whom_and_how_far_to_trust_it():
    glance = card_text(build_card(SHIPPED), "at-a-glance")
    metrics = SHIPPED["metrics"]
    assert f"SYNTHETIC cohort of {SHIPPED['cohort']['n']} patients" in glance
    assert "has not been validated on real patients" in glance
    assert f"Optimism-corrected c-statistic {num(metrics['optimism_corrected']['c_statistic'], 2)}" in glance
    assert metrics["sample_size"]["statement"] in glance and "does NOT meet" in glance
    assert SELECTION_CAVEAT in glance


@pytest.mark.parametrize(
    "ref", SHIPPED["reference_predictions"], ids=lambda r: str(list(r["inputs"].values()))
)
def test_formula_by_hand_reproduces_every_reference_prediction(ref):
    _, _, survival = by_hand(SHIPPED["model"]["coefficients"]["raw_units"], ref["inputs"])
    assert survival == pytest.approx(ref["survival_90d"], abs=1e-9)


def test_worked_example_shows_the_hand_result_equal_to_the_recorded_prediction():
    ref = worked_profile(SHIPPED)
    assert ref["inputs"] | {"resection": "biopsy"} == {  # the explanation's reference patient
        "kps": 70, "other_metastases": False, "mccormick_grade": 2,
        "resection": "biopsy", "compartment": "intramedullary",
    }  # fmt: skip
    section = build_card(SHIPPED).section("worked-example")
    result = section.blocks[-1].text
    assert result.count(pct(ref["survival_90d"])) == 2  # by hand, then the calculator's
    lp = by_hand(SHIPPED["model"]["coefficients"]["raw_units"], ref["inputs"])[1]
    assert f"1 / (1 + exp({num(lp, 4)}))" in result
    # The displayed products add up (to rounding) to the displayed linear predictor.
    products = [float(row[3]) for row in section.blocks[1].rows[:-1]]
    assert sum(products) == pytest.approx(float(section.blocks[1].rows[-1][3]), abs=5e-4)


def test_coefficients_in_raw_units_and_formula():
    card = build_card(SHIPPED)
    coefficients = card.section("coefficients")
    shown = card_text(card, "coefficients")
    raw = SHIPPED["model"]["coefficients"]["raw_units"]
    for value in raw.values():
        assert coef(value) in shown
    formula = coefficients.blocks[-1].text
    assert formula.startswith(f"LP = {coef(raw['intercept'])}")
    assert "P(alive at day 90) = 1 / (1 + exp(LP))" in formula
    assert len(formula.splitlines()) == len(raw) + 1  # one line per term, then P


def test_predictors_come_from_the_declarations():
    shown = card_text(build_card(SHIPPED))
    for feature in FEATURES:
        assert feature.label in shown and feature.help in shown
        for choice in feature.choices:
            assert choice.description in shown
    assert "Karnofsky & Burchenal 1949" in shown and "McCormick et al., J Neurosurg 1990" in shown


def test_input_handling_names_required_inputs_and_the_cohorts_gaps():
    shown = card_text(build_card(SHIPPED), "input-handling")
    assert "nothing is imputed or filled with a default" in shown
    assert "no patient had KPS 20 or KPS 10" in shown  # support counts of the shipped cohort
    assert "complete-case" in shown and "172 rows read, 172 used" in shown


def test_sources_every_series_figure_parameter_and_target_with_its_citation():
    card = build_card(SHIPPED)
    shown = card_text(card)
    rec = SHIPPED["reconstruction"]
    series_rows = {row[0]: row for row in card.section("series").blocks[0].rows}
    for s in rec["series"]:
        assert series_rows[s["study_id"]][1:5] == (
            s["citation"],
            s["doi_or_pmid"],
            str(s["n"]),
            s["compartment"],
        )
    assert series_rows["ferini2022"][5].startswith("outcome figure only: ")
    for p in rec["parameters"]:
        assert p["name"] in shown and p["source"] in shown and p["reason"] in shown
    assert len(card.section("targets").blocks[1].rows) == len(rec["targets"])
    assert "The cohort is synthetic." in shown


def test_performance_tables_read_the_metrics():
    card = build_card(SHIPPED)
    metrics = SHIPPED["metrics"]
    overview = {row[0]: row for row in card.section("performance").blocks[1].rows}
    c = overview["c-statistic (AUC), death by day 90"]
    assert c[1:5] == (
        num(metrics["apparent"]["c_statistic"]),
        f"{metrics['optimism']['c_statistic']:+.3f}",
        num(metrics["optimism_corrected"]["c_statistic"]),
        num(metrics["internal_external"]["pooled"]["c_statistic"]),
    )
    by_study = card.section("by-study").blocks[1].rows
    per_study = metrics["internal_external"]["per_study"]
    assert [r[0] for r in by_study[:-1]] == [s["study_id"] for s in per_study]
    assert by_study[-1][0] == "Pooled (9 studies)"
    figure = card.section("calibration").blocks[0]
    assert figure.svg.count('class="point"') == len(metrics["calibration_curve"]["groups"])
    size = card_text(card, "sample-size")
    assert metrics["sample_size"]["statement"] in size and "Riley et al., Stat Med 2019" in size
    assert "van Houwelingen & le Cessie" in size


def test_limitations_cover_what_a_statistician_asks():
    card = build_card(SHIPPED)
    shown, limits = card_text(card), card_text(card, "limitations")
    for lead in (
        "Small cohort.", "Reconstructed from summary figures.", "Effect sizes borrowed.",
        "No external validation.", "Confounding by indication of the resection variable.",
        "No age or histology.",
    ):  # fmt: skip
        assert lead in limits
    assert "hazard ratio 0.8 per 10 KPS points (PRISM 2015 spine radiosurgery trials)" in limits
    assert SHIPPED["sha256"] in shown and SHIPPED["version"] in shown


def test_registry_model_card_shows_its_own_cohort_and_no_reconstruction():
    m = registry_manifest()
    card = build_card(m)
    shown = card_text(card)
    ids = {s.id for s in card.sections}
    assert not ids & {"series", "targets", "assumptions"}
    assert "synthetic" not in shown.lower()
    assert "our_registry_2024.csv" in shown and "ab" * 32 in shown
    assert "registry cohort our_registry_2024.csv: 172 patients, 45 deaths by day 90, 2 studies" in shown
    studies = card.section("data").blocks[1].rows
    assert [r[0] for r in studies] == ["site_north", "site_south", "All"]
    assert "kps missing in 5, mccormick_grade missing in 4" in shown
    assert "The file is not kept with the model" in shown
    assert "Effect sizes borrowed." not in shown and "No external validation." in shown
    assert card_markdown(card).startswith("# Model card")


def test_a_manifest_without_internal_validation_still_makes_a_card():
    m = registry_manifest()
    m["metrics"] = {"apparent": m["metrics"]["apparent"]}
    del m["support"]
    card = build_card(m)
    ids = {s.id for s in card.sections}
    assert "performance" in ids and not ids & {"by-study", "calibration", "sample-size"}
    assert "Only apparent performance was recorded" in card_text(card)


def test_markdown_escapes_text_and_keeps_tables_rectangular():
    assert text("a*b*<i>`c`") == "a\\*b\\*&lt;i>\\`c\\`"
    md = card_markdown(build_card(SHIPPED))
    for block in md.split("\n\n"):
        lines = [line for line in block.splitlines() if line.startswith("|")]
        widths = {len(re.findall(r"(?<!\\)\|", line)) for line in lines}
        assert len(widths) <= 1, block[:200]
    assert "<svg" not in md  # the plot is on the page; the Markdown has its numbers


def test_card_command_writes_the_markdown(tmp_path, capsys):
    out = tmp_path / "card.md"
    assert cli.main(["card", "--model", str(DEFAULT_MODEL_DIR), "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == card_markdown(build_card(SHIPPED))
    assert cli.main(["card", "--model", str(tmp_path / "missing"), "--out", str(out)]) == 2
    assert "does not exist" in capsys.readouterr().err


@pytest.mark.parametrize("out, rewrites_card", [(None, True), ("elsewhere", False)])
def test_fit_rewrites_the_card_only_for_the_shipped_models_dir(monkeypatch, tmp_path, out, rewrites_card):
    written = []
    monkeypatch.setattr(cli, "fit_model_dir", lambda cohort, out_dir, seed: SHIPPED)
    monkeypatch.setattr(cli, "write_model_card", lambda model_dir: written.append(model_dir) or DEFAULT_CARD)
    monkeypatch.setattr(cli, "write_shipped_pin", lambda: DEFAULT_CARD)  # tests/test_pin.py
    argv = ["fit"] + ([] if out is None else ["--out", str(tmp_path / out)])
    assert cli.main(argv) == 0
    assert written == ([DEFAULT_MODEL_DIR] if rewrites_card else [])


# The page: GET /model renders the same card.


def page_text(html: str) -> str:
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def pieces(card):
    """Each text the card holds, whitespace collapsed, as the page must show it."""
    for s in card.sections:
        yield s.title
        for b in s.blocks:
            if isinstance(b, Paragraph | Formula):
                yield b.text
            elif isinstance(b, Bullets):
                yield from (i.text for i in b.items)
            elif isinstance(b, Table):
                yield from (b.caption, *b.header, *(c for row in b.rows for c in row))
            elif isinstance(b, Figure):
                yield b.caption


def test_model_page_shows_the_whole_card(client):
    response = client.get("/model")
    assert response.status_code == 200
    page = page_text(response.get_data(as_text=True))
    for piece in pieces(build_card(SHIPPED)):
        assert " ".join(piece.split()) in page


def test_model_page_lists_every_study_coefficients_and_corrected_metrics(client):
    page = page_text(client.get("/model").get_data(as_text=True))
    for study in SHIPPED["cohort"]["studies"]:
        assert study["study_id"] in page
    for series in SHIPPED["reconstruction"]["series"]:
        assert series["doi_or_pmid"] in page
    for value in SHIPPED["model"]["coefficients"]["raw_units"].values():
        assert coef(value) in page
    corrected = SHIPPED["metrics"]["optimism_corrected"]
    for key in ("c_statistic", "calibration_slope", "calibration_intercept", "brier"):
        assert num(corrected[key]) in page


def test_model_page_calibration_plot_is_inline_svg_that_parses(client):
    html = client.get("/model").get_data(as_text=True)
    svgs = re.findall(r"<svg\b.*?</svg>", html, re.S)
    assert len(svgs) == 1
    root = ET.fromstring(svgs[0])
    assert root.tag == f"{SVG}svg"
    points = [c for c in root.iter(f"{SVG}circle") if c.get("class") == "point"]
    assert len(points) == len(SHIPPED["metrics"]["calibration_curve"]["groups"])
    assert "out-of-study" in root.find(f"{SVG}title").text


def test_model_page_markup_obeys_the_csp_and_labels_its_tables(client):
    html = client.get("/model").get_data(as_text=True)
    assert not re.search(r"<style|\sstyle=|<script(?![^>]*\ssrc=)", html)  # CSP: no inline style/script
    assert not re.findall(r"<th(?=[\s>])(?![^>]*\sscope=\"(col|row)\")", html)
    assert html.count("<table>") == html.count('<div class="table-wrap') == html.count("<caption>")
    assert not re.search(r'(src|href)="(https?:)?//', html)


def test_model_page_for_a_registry_model(tmp_path):
    shutil.copy(DEFAULT_MODEL_DIR / SHIPPED["artifact"], tmp_path / SHIPPED["artifact"])
    (tmp_path / MANIFEST).write_text(json.dumps(registry_manifest()), encoding="utf-8")
    pin = hashlib.sha256((tmp_path / MANIFEST).read_bytes()).hexdigest()
    client = create_app({"TESTING": True, "MODEL_DIR": str(tmp_path), "MODEL_SHA256": pin}).test_client()
    response = client.get("/model")
    assert response.status_code == 200
    page = page_text(response.get_data(as_text=True))
    for piece in pieces(build_card(registry_manifest())):
        assert " ".join(piece.split()) in page
    assert "site_north" in page and "our_registry_2024.csv" in page
    assert "synthetic" not in page.lower()
