"""Copy to note: the plain-text summary, a pure function of the result, tested without Flask; then
the box on the page."""

import re
from datetime import date

from calculator.note import REGISTRY_CAVEAT, SYNTHETIC_CAVEAT, note_text
from calculator.predict import estimate
from calculator.result import build_result

RESULT = {
    "inputs": {
        "kps": 70,
        "other_metastases": True,
        "mccormick_grade": 3,
        "resection": "gross_total",
        "compartment": "intramedullary",
        "ecog": None,
    },
    "survival_90d": 0.684,
    "interval_95": [0.556, 0.805],
    "by_resection": {},
    "averaged_over": {},
    "explanation": [],
    "warnings": [],
    "model": {"version": "1+5d097b07bfdd", "sha256": "0" * 64, "synthetic": True},
}


def test_known_answer():
    assert note_text(RESULT, date(2026, 11, 21)) == (
        "Intradural spinal metastasis: estimated 90-day survival after surgery\n"
        "Inputs: Karnofsky performance status (KPS): 70; Other metastases: Yes; Modified McCormick grade "
        "(preoperative): III; Planned resection: Gross total resection; Compartment: Intramedullary.\n"
        "Estimated 90-day survival: 68% (95% interval 56-80%).\n"
        "Caveat: decision support from a model fitted on synthetic cohorts reconstructed from published "
        "series (not real patients, not validated on real patients); it supports, and does not replace, "
        "clinical judgement.\n"
        "Model 1+5d097b07bfdd; estimate computed 21 November 2026."
    )


def test_not_known_inputs_and_ecog_are_said_in_the_note():
    result = {
        **RESULT,
        "inputs": {**RESULT["inputs"], "kps": None, "ecog": 2, "other_metastases": None},
        "averaged_over": {
            "kps": {"reason": "ecog", "kps_values": [60, 50], "estimate_range": [0.5, 0.6]},
            "other_metastases": {"reason": "not_known", "estimate_range": [0.52, 0.58]},
        },
    }
    text = note_text(result, date(2026, 11, 21))
    assert (
        "Inputs: Karnofsky performance status (KPS): ECOG 2 (as KPS 60-50); Other metastases: not known yet;"
        in text
    )
    assert (
        "\nAveraged over KPS (derived from ECOG: KPS 60-50, ECOG-ACRIN table); "
        "the estimate ranges from 50% to 60% over its values.\n" in text
    )
    assert (
        "\nAveraged over other metastases (not known yet); "
        "the estimate ranges from 52% to 58% over its values.\n" in text
    )


def test_no_estimate_is_said_in_the_note():
    text = note_text(
        {**RESULT, "survival_90d": None, "interval_95": None, "warnings": ["No estimate: x."]},
        date(2026, 11, 21),
    )
    assert (
        "Estimated 90-day survival: none (no patients like this one in the evidence; see warning).\n"
        "Warning: No estimate: x." in text
    )


def test_warnings_are_carried_into_the_note():
    text = note_text(
        {**RESULT, "warnings": ["No patient in the cohort behind the model had KPS 10: ..."]},
        date(2026, 11, 21),
    )
    assert "\nWarning: No patient in the cohort behind the model had KPS 10: ...\n" in text


def test_registry_model_gets_no_synthetic_caveat():
    text = note_text({**RESULT, "model": {**RESULT["model"], "synthetic": False}}, date(2026, 11, 21))
    assert REGISTRY_CAVEAT in text and SYNTHETIC_CAVEAT not in text


def test_caveat_is_one_sentence():
    for caveat in (SYNTHETIC_CAVEAT, REGISTRY_CAVEAT):
        assert caveat.count(". ") == 0 and caveat.endswith(".")


def test_shipped_model_result_matches_the_estimate(model):
    inputs = {
        "kps": 40,
        "other_metastases": False,
        "mccormick_grade": 4,
        "resection": "biopsy",
        "compartment": "intradural_extramedullary",
    }
    est = estimate(model, inputs)
    text = note_text(build_result(model, inputs), date(2026, 1, 2))
    low, high = est.interval_95
    assert (
        f"Estimated 90-day survival: {round(100 * est.survival_90d)}% "
        f"(95% interval {round(100 * low)}-{round(100 * high)}%)."
    ) in text
    assert f"Model {model.version}; estimate computed 2 January 2026." in text


def test_the_page_shows_the_note_in_a_read_only_box(client, model):
    html = client.post(
        "/",
        data={
            "kps": "70",
            "other_metastases": "yes",
            "mccormick_grade": "3",
            "resection": "gross_total",
            "compartment": "intramedullary",
        },
    ).get_data(as_text=True)
    assert re.search(r'<textarea id="note-text" lang="en" readonly rows="\d+"', html)
    assert "Inputs: Karnofsky performance status (KPS): 70; Other metastases: Yes;" in html
    assert (
        'data-copy-from="note-text"' in html and " hidden>Copy to clipboard</button>" in html
    )  # shown by JS
    assert 'data-copied="Copied to the clipboard."' in html  # what calculator.js says, in the page's language
