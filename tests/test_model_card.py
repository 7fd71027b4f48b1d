"""The model card (calculator/model_card): built from the manifest alone, for the pooled default and
for a registry-fitted model; docs/model-card.md is exactly what it makes of models/manifest.json.
Every expected figure is read from the manifest, never copied here."""

from __future__ import annotations

import copy
import hashlib
import html as html_lib
import itertools
import json
import math
import re
import shutil
import xml.etree.ElementTree as ET

import pytest
from quick_fit import quick_fit

import training.__main__ as cli
from calculator import create_app
from calculator.artifact import DEFAULT_MODEL_DIR, MANIFEST
from calculator.explain import SELECTION_CAVEAT
from calculator.features import BY_NAME, FEATURE_NAMES, FEATURES
from calculator.model_card import build_card, by_hand, card_markdown, estimates, worked_profile
from calculator.model_card.blocks import Bullets, Figure, Formula, Paragraph, Table, coef, num, pct, pp
from calculator.model_card.formula import TERMS
from calculator.model_card.markdown import text
from calculator.predict import DESIGN, design_matrix, input_grid, survival_from
from calculator.wording import value_phrase as phrase
from training.card import DEFAULT_CARD
from training.train import fit_model_dir, provenance_path

SVG = "{http://www.w3.org/2000/svg}"
SHIPPED = json.loads((DEFAULT_MODEL_DIR / MANIFEST).read_text(encoding="utf-8"))
POOLED = SHIPPED["model"]["coefficients"]["pooled"]


@pytest.fixture(scope="module")
def registry_dir(tmp_path_factory):
    """A real quick fit on a registry file (the example cohort under a registry's name: no
    provenance, so not synthetic, no reconstruction, no stability)."""
    tmp = tmp_path_factory.mktemp("registry")
    shutil.copyfile(DEFAULT_MODEL_DIR / "synthetic_cohort.csv", tmp / "registry_export.csv")
    with pytest.MonkeyPatch.context() as mp, quick_fit(mp):
        fit_model_dir(tmp / "registry_export.csv", tmp / "model", log=lambda *_: None)
    return tmp / "model"


@pytest.fixture(scope="module")
def registry(registry_dir) -> dict:
    return json.loads((registry_dir / MANIFEST).read_text(encoding="utf-8"))


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


def tables(card, section_id: str) -> list[Table]:
    return [b for b in card.section(section_id).blocks if isinstance(b, Table)]


def test_docs_model_card_is_generated_from_the_shipped_manifest():
    expected = card_markdown(build_card(SHIPPED))
    assert DEFAULT_CARD.read_text(encoding="utf-8") == expected, (
        "docs/model-card.md is out of date: run `python -m training card`"
    )


def test_sections_in_order_for_the_two_minute_and_the_twenty_minute_reader():
    ids = [s.id for s in build_card(SHIPPED).sections]
    assert ids[:3] == ["at-a-glance", "resection", "planned-vs-achieved"]  # resection prominently
    for required in (
        "intended-use", "predictors", "input-handling", "no-number", "incomplete", "data", "series",
        "targets", "assumptions", "method", "interval", "stability", "coefficients", "worked-example",
        "performance", "by-study", "calibration", "sample-size", "limitations", "version",
    ):  # fmt: skip
        assert required in ids
    assert ids.index("method") < ids.index("stability") < ids.index("coefficients")
    assert len(ids) == len(set(ids))  # ids are HTML anchors


def test_summary_says_what_for_whom_and_how_far_to_trust_it():
    glance = card_text(build_card(SHIPPED), "at-a-glance")
    metrics, cohort = SHIPPED["metrics"], SHIPPED["cohort"]
    assert f"SYNTHETIC cohorts of {cohort['n']} patients" in glance
    assert f"pooled over {cohort['reconstructions']} reconstructions" in glance
    low, high = cohort["events_90d_range"]
    assert f"{cohort['events_90d']:.1f} deaths by day 90 on average, {low} to {high}" in glance
    assert "has not been validated on real patients" in glance
    corrected, apparent = metrics["optimism_corrected"], metrics["apparent"]
    assert f"Optimism-corrected c-statistic {num(corrected['c_statistic'], 2)}" in glance
    assert f"apparent {num(apparent['c_statistic'], 2)} for the pooled model" in glance
    assert f"from the others: {num(metrics['internal_external']['pooled']['c_statistic'], 2)}" in glance
    assert metrics["sample_size"]["statement"] in glance and "does NOT meet" in glance
    assert SELECTION_CAVEAT in glance
    assert "Not: errors in the published figures" in glance
    assert f"{SHIPPED['support']['rule']['covered_combinations']} of the 600 combinations" in glance


# One formula -----------------------------------------------------------------------------------


def test_the_card_has_a_term_for_every_design_column():
    assert list(TERMS) == list(DESIGN) == [n for n in POOLED if n != "intercept"]


@pytest.mark.parametrize(
    "ref", SHIPPED["reference_predictions"], ids=lambda r: str(list(r["inputs"].values()))
)
def test_formula_by_hand_reproduces_every_reference_prediction(ref):
    _, _, survival = by_hand(estimates(SHIPPED), ref["inputs"])
    assert survival == pytest.approx(ref["survival_90d"], abs=1e-9)


def test_formula_by_hand_is_the_calculators_formula_for_all_600_patients():
    rows = input_grid()
    shipped = survival_from([POOLED[n]["estimate"] for n in ("intercept", *DESIGN)], design_matrix(rows))
    by_card = [by_hand(estimates(SHIPPED), row)[2] for row in rows]
    assert by_card == pytest.approx(list(shipped), abs=1e-12)


def test_the_printed_coefficients_are_precise_enough_to_use_by_hand():
    """Five significant digits, as printed, give every reference prediction to 0.05 points."""
    rows = tables(build_card(SHIPPED), "coefficients")[0].rows
    printed = dict(zip(POOLED, (float(r[2]) for r in rows)))
    for ref in SHIPPED["reference_predictions"]:
        assert by_hand(printed, ref["inputs"])[2] == pytest.approx(ref["survival_90d"], abs=5e-4)


def test_coefficient_table_gives_every_estimate_interval_and_odds_ratio():
    card = build_card(SHIPPED)
    rows = tables(card, "coefficients")[0].rows
    assert [r[0] for r in rows] == ["Intercept", *(TERMS[n][0] for n in DESIGN)]
    assert rows[0][1] == SHIPPED["model"]["coefficients"]["design"]["intercept"]
    for row, (name, c) in zip(rows, POOLED.items()):
        low, high = c["interval_95"]
        assert row[2:4] == (coef(c["estimate"]), f"{coef(low)} to {coef(high)}")
        if name != "intercept":
            ratio = f"{math.exp(c['estimate']):.2f} ({math.exp(low):.2f} to {math.exp(high):.2f})"
            assert row[4] == ratio
    formula = card.section("coefficients").blocks[-1].text
    assert formula.startswith(f"LP = {coef(POOLED['intercept']['estimate'])}")
    assert "(KPS - 70) / 10" in formula and "P(alive at day 90) = 1 / (1 + exp(LP))" in formula
    assert len(formula.splitlines()) == len(POOLED) + 1  # one line per term, then P


def test_worked_example_shows_the_hand_result_equal_to_the_recorded_prediction():
    ref = worked_profile(SHIPPED)
    assert ref["inputs"] | {"resection": "biopsy"} == {  # the explanation's reference patient
        "kps": 70, "other_metastases": False, "mccormick_grade": 2,
        "resection": "biopsy", "compartment": "intramedullary",
    }  # fmt: skip
    section = build_card(SHIPPED).section("worked-example")
    result = section.blocks[-1].text
    assert result.count(pct(ref["survival_90d"])) == 2  # by hand, then the calculator's
    lp = by_hand(estimates(SHIPPED), ref["inputs"])[1]
    assert f"1 / (1 + exp({num(lp, 4)}))" in result
    assert f"over the {SHIPPED['model']['interval']['draws']} draws" in result
    # The displayed products add up (to rounding) to the displayed linear predictor.
    rows = section.blocks[1].rows
    assert sum(float(row[3]) for row in rows[:-1]) == pytest.approx(float(rows[-1][3]), abs=5e-4)
    assert not any(row[3].startswith("-0.0000") for row in rows)


# Resection -------------------------------------------------------------------------------------


def test_resection_effect_with_its_interval_and_what_the_order_means():
    card = build_card(SHIPPED)
    shown = card_text(card, "resection")
    rows = {r[0]: r for r in tables(card, "resection")[0].rows}
    for option in ("subtotal", "gross_total"):
        c = POOLED[f"resection_{option}"]
        low, high = c["interval_95"]
        row = rows[BY_NAME["resection"].choice(option).label]
        assert row[-3] == f"{num(c['estimate'])} ({num(low)} to {num(high)})"
        assert row[-2] == f"{math.exp(c['estimate']):.2f} ({math.exp(low):.2f} to {math.exp(high):.2f})"
        assert row[-1] == ("yes" if low <= 0 <= high else "no")
    includes = [
        low <= 0 <= high for low, high in (POOLED[n]["interval_95"] for n in POOLED if "resection" in n)
    ]
    assert ("Both intervals include no effect" in shown) is all(includes)
    ivren = [
        t["note"] for t in SHIPPED["reconstruction"]["targets"] if t["figure"].startswith("mortality_90d_")
    ]
    assert ivren and all(note in shown for note in ivren)  # the published crude figures: 1/8, 3/5, 1/3
    assert "That order is an association, not an effect" in shown
    crude = [t for t in SHIPPED["reconstruction"]["targets"] if t["figure"].startswith("crude_mortality")]
    assert all(pct(t["reconstructed_median"]) in shown for t in crude)
    planned = card_text(card, "planned-vs-achieved")
    assert (
        "A planned gross total resection that ends subtotal belongs among the patients of the subtotal row"
        in planned
    )
    assert "not what choosing it would do" in planned


# Assumptions, targets, data --------------------------------------------------------------------


def test_every_assumption_with_its_distribution_source_reason_and_basis():
    card = build_card(SHIPPED)
    params = tables(card, "assumptions")[-1]
    assert params.header[:3] == ("Parameter", "Value", "Distribution")
    by_name = {row[0]: row for row in params.rows}
    for p in SHIPPED["reconstruction"]["parameters"]:
        row = by_name[p["name"]]
        assert row[2] == p["distribution"]["text"]
        assert p["source"] in row[3] and row[4] == p["reason"] and row[5] == p["uncertainty_basis"]
    assert len(params.rows) == len(SHIPPED["reconstruction"]["parameters"])
    assert "they are never drawn" in card_text(card, "assumptions")


def test_sources_every_series_figure_and_target_over_the_draws():
    card = build_card(SHIPPED)
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
    targets = tables(card, "targets")[0]
    assert "SYNTHETIC" in targets.caption and "Draws meeting it" in targets.header
    assert len(targets.rows) == len(rec["targets"])
    for row, t in zip(targets.rows, rec["targets"]):
        assert row[7] == ("—" if t["met_share"] is None else f"{100 * t['met_share']:.0f}%")
    shown = card_text(card, "targets")
    met = [t for t in rec["targets"] if t["kind"] == "target"]
    assert f"{sum(t['met_share'] == 1 for t in met)} of {len(met)} targets are met in every draw" in shown
    assert "The cohort is synthetic." in card_text(card)


# Method, interval, stability, validation -------------------------------------------------------


def test_method_says_what_one_draw_is_and_what_the_interval_does_not_contain():
    card = build_card(SHIPPED)
    method, interval = card_text(card, "method"), card_text(card, "interval")
    draws = SHIPPED["model"]["interval"]["draws"]
    assert f"Each of the {draws} draws takes every assumption" in method
    assert f"mean of the {draws} point fits" in method and f"C = {SHIPPED['model']['C']:g}" in method
    for contained in (
        "sampling error of a cohort of 172",
        "uncertainty of every assumption",
        "reconstructing",
    ):
        assert contained in interval
    for missing in (
        "errors in the published figures",
        "additive logistic model",
        "this hospital's",
        "planned",
    ):
        assert missing in interval.split("It does not contain:")[1]


def test_stability_figures_in_words_and_table():
    card = build_card(SHIPPED)
    shown = card_text(card, "stability")
    s = SHIPPED["stability"]
    assert f"by more than {pp(s['doubling']['point'])} percentage points" in shown
    assert f"the tolerance of {pp(s['tolerance']['doubling'])}" in shown  # 0.5
    assert f"none by more than {pp(s['master_seed']['point'])}" in shown
    assert f"tolerance of {pp(s['tolerance']['master_seed'])}" in shown  # 1.5
    assert f"{s['resection_order_agrees']} of {s['resection_order_patients']} patients" in shown
    ends = max(s["master_seed"]["interval_low"], s["master_seed"]["interval_high"])
    assert f"{pp(ends)} with another master seed" in shown


def test_performance_of_the_pooled_procedure_with_its_stated_reductions():
    card = build_card(SHIPPED)
    metrics = SHIPPED["metrics"]
    overview = {row[0]: row for row in tables(card, "performance")[0].rows}
    c = overview["c-statistic (AUC), death by day 90"]
    assert c[1:5] == (
        num(metrics["apparent"]["c_statistic"]),
        f"{metrics['optimism']['c_statistic']:+.3f}",
        num(metrics["optimism_corrected"]["c_statistic"]),
        num(metrics["internal_external"]["pooled"]["c_statistic"]),
    )
    shown = card_text(card, "performance")
    n = metrics["bootstrap_resamples"]
    assert "one bootstrap resample, on which the single-draw procedure is refitted" in shown
    assert f"on {n} of the reconstructions" in shown and "corrected figures are conservative" in shown
    assert "C is not re-chosen without the series" in shown
    by_study = card.section("by-study").blocks[1].rows
    assert [r[0] for r in by_study[:-1]] == [s["study_id"] for s in metrics["internal_external"]["per_study"]]
    assert by_study[-1][0] == f"Pooled ({len(by_study) - 1} studies)"
    figure = card.section("calibration").blocks[0]
    assert figure.svg.count('class="point"') == len(metrics["calibration_curve"]["groups"])
    size = card_text(card, "sample-size")
    low, high = SHIPPED["cohort"]["events_90d_range"]
    assert f"from {low} to {high}" in size and "one reconstruction" in size
    assert metrics["sample_size"]["statement"] in size and "Riley et al., Stat Med 2019" in size
    assert "van Houwelingen & le Cessie" in size


# Inputs: no number, not known yet, ECOG --------------------------------------------------------


def test_no_number_rule_lists_what_the_calculator_leaves_out(model):
    card = build_card(SHIPPED)
    shown = card_text(card, "no-number")
    rule = SHIPPED["support"]["rule"]
    assert (
        f"fewer than {rule['no_evidence_below']:g} expected patients per reconstruction of the 172" in shown
    )
    assert f"{rule['covered_combinations']} of the 600 combinations" in shown
    rows = {row[0]: row[2] for row in tables(card, "no-number")[0].rows}
    # The card's list is calculator.coverage's rule, applied to every value and every pair.
    cov = model.coverage
    for name in FEATURE_NAMES:
        for v in BY_NAME[name].values:
            words = phrase(name, v)
            expected = (
                "no number"
                if cov.gaps({name: v})
                else "a number, with a warning"
                if cov.rare({name: v})
                else None
            )
            assert rows.get(words) == expected, words
    for a, b in itertools.combinations(FEATURE_NAMES, 2):
        for va, vb in itertools.product(BY_NAME[a].values, BY_NAME[b].values):
            words = f"{phrase(a, va)} with {phrase(b, vb)}"
            gap = [g for g in cov.gaps({a: va, b: vb}) if g[0] == "pair"]
            rare = [r for r in cov.rare({a: va, b: vb}) if r[0] == "pair"]
            assert rows.get(words) == ("no number" if gap else "a number, with a warning" if rare else None)
    assert "KPS 10" in rows and rows["KPS 10"] == "no number"


def test_incomplete_information_and_ecog_with_its_source():
    card = build_card(SHIPPED)
    shown = card_text(card, "incomplete")
    assert "also covers where the estimate could lie once the input is known" in shown
    assert "The page shows that range" in shown
    assert SHIPPED["ecog"]["source"] in shown and "Prasad et al." in shown
    rows = tables(card, "incomplete")[0].rows
    assert [(r[0], r[2]) for r in rows] == [
        (grade, ", ".join(map(str, band))) for grade, band in SHIPPED["ecog"]["kps_band"].items()
    ]
    handling = card_text(card, "input-handling")
    assert "'not known yet' (JSON null)" in handling and "nothing is filled with a default" in handling


def test_predictors_come_from_the_declarations():
    shown = card_text(build_card(SHIPPED))
    for feature in FEATURES:
        assert feature.label in shown and feature.help in shown
        for choice in feature.choices:
            assert choice.description in shown
    assert "Karnofsky & Burchenal 1949" in shown and "McCormick et al., J Neurosurg 1990" in shown


def test_limitations_cover_what_a_statistician_asks():
    card = build_card(SHIPPED)
    shown, limits = card_text(card), card_text(card, "limitations")
    for lead in (
        "Small cohort.", "Reconstructed from summary figures.", "Effect sizes borrowed.",
        "No external validation.", "Confounding by indication of the resection variable.",
        "Achieved, not planned, resection.", "No age or histology.",
    ):  # fmt: skip
        assert lead in limits
    kps = next(p for p in SHIPPED["reconstruction"]["parameters"] if p["name"] == "hr_kps_per_10_points")
    assert f"hazard ratio {kps['value']:g} per 10 KPS points ({kps['source']}; drawn from: " in limits
    assert SHIPPED["sha256"] in shown and SHIPPED["version"] in shown


# Registry fits ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_registry_model_card_shows_its_own_cohort_and_no_reconstruction(registry):
    card = build_card(registry)
    shown = card_text(card)
    ids = [s.id for s in card.sections]
    assert not set(ids) & {"series", "targets", "assumptions", "stability"} and len(ids) == len(set(ids))
    assert "synthetic" not in shown.lower()
    cohort = registry["cohort"]
    assert (
        f"registry cohort registry_export.csv: {cohort['n']} patients, {cohort['events_90d']} deaths" in shown
    )
    assert [r[0] for r in card.section("data").blocks[1].rows][-1] == "All"
    assert "The file is not kept with the model" in shown
    assert f"over the {registry['model']['interval']['draws']} bootstrap refits" in shown
    assert "Effect sizes borrowed." not in shown and "No external validation." in shown
    for ref in registry["reference_predictions"]:  # the one formula holds for a cohort fit too
        assert by_hand(estimates(registry), ref["inputs"])[2] == pytest.approx(ref["survival_90d"], abs=1e-9)
    assert card_markdown(card).startswith("# Model card")


@pytest.mark.slow
def test_a_single_reconstruction_fitted_as_a_cohort_makes_a_card(registry):
    """`fit --cohort models/synthetic_cohort.csv` keeps that reconstruction's provenance: one
    reconstruction, parameters without distributions, targets with published/reconstructed/met."""
    m = copy.deepcopy(registry) | {"synthetic": True}
    record = json.loads(
        provenance_path(DEFAULT_MODEL_DIR / "synthetic_cohort.csv").read_text(encoding="utf-8")
    )
    m["reconstruction"] = record["reconstruction"]
    card = build_card(m)
    assert {"series", "targets", "assumptions"} <= {s.id for s in card.sections}
    assert "Met" in tables(card, "targets")[0].header
    assert card_markdown(card).startswith("# Model card")


@pytest.mark.slow
def test_a_manifest_without_internal_validation_still_makes_a_card(registry):
    m = copy.deepcopy(registry)
    m["metrics"] = {"apparent": m["metrics"]["apparent"]}
    del m["support"]
    card = build_card(m)
    ids = {s.id for s in card.sections}
    assert "performance" in ids and not ids & {"by-study", "calibration", "sample-size", "no-number"}
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
    monkeypatch.setattr(cli, "fit_model_dir", lambda cohort, out_dir, seed, options, impute=None: SHIPPED)
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


def test_model_page_ids_are_unique(client):
    ids = re.findall(r'\sid="([^"]+)"', client.get("/model").get_data(as_text=True))
    assert ids and len(ids) == len(set(ids))


def test_model_page_lists_every_study_coefficient_resection_effect_and_corrected_metric(client):
    page = page_text(client.get("/model").get_data(as_text=True))
    for study in SHIPPED["cohort"]["studies"]:
        assert study["study_id"] in page
    for series in SHIPPED["reconstruction"]["series"]:
        assert series["doi_or_pmid"] in page
    for c in POOLED.values():
        assert coef(c["estimate"]) in page
    for option in ("subtotal", "gross_total"):
        low, high = POOLED[f"resection_{option}"]["interval_95"]
        assert f"({math.exp(low):.2f} to {math.exp(high):.2f})" in page
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


@pytest.mark.slow
def test_model_page_for_a_registry_model(registry_dir, registry):
    pin = hashlib.sha256((registry_dir / MANIFEST).read_bytes()).hexdigest()
    client = create_app({"TESTING": True, "MODEL_DIR": str(registry_dir), "MODEL_SHA256": pin}).test_client()
    response = client.get("/model")
    assert response.status_code == 200
    page = page_text(response.get_data(as_text=True))
    for piece in pieces(build_card(registry)):
        assert " ".join(piece.split()) in page
    assert "registry_export.csv" in page
    assert "synthetic" not in page.lower()
