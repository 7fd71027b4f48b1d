"""Plain-language text: reference comparison, averaged inputs, the selection caveat, coverage."""

import re

import numpy as np
import pytest

from calculator.contributions import signed
from calculator.coverage import Coverage
from calculator.explain import coverage_warnings, gap_sentence
from calculator.features import REFERENCE_PATIENT
from calculator.predict import estimate, input_grid
from calculator.result import build_result
from calculator.wording import describe

REFERENCE = {**REFERENCE_PATIENT, "resection": "subtotal"}


def test_reference_patient_has_no_contrast_sentences(model):
    sentences = build_result(model, REFERENCE)["explanation"]
    assert "matches the reference patient" in sentences[1]
    assert len(sentences) == 3


def test_each_changed_input_gets_one_sentence_whose_points_add_up_to_the_numbers_shown(model):
    inputs = {**REFERENCE, "kps": 40, "other_metastases": True, "mccormick_grade": 4}
    est = estimate(model, inputs)
    result = build_result(model, inputs)
    text = " ".join(result["explanation"])
    assert "KPS 40 instead of 70 lowers the estimate by" in text
    assert "McCormick grade IV instead of II lowers" in text
    assert "odds scale" not in text and "Shapley values" in text
    changes = [
        (1 if verb == "raises" else -1) * int(n)
        for verb, n in re.findall(r"(raises|lowers) the estimate by (\d+) percentage point", text)
    ]
    assert len(changes) == 3
    shown = round(100 * est.survival_90d) - round(100 * est.reference.survival_90d)
    assert sum(changes) == shown
    assert f"whose estimate is {round(100 * est.reference.survival_90d)}%" in text


@pytest.mark.parametrize("resection", ["biopsy", "subtotal", "gross_total"])
def test_resection_sentence_never_credits_the_operation(model, resection):
    for inputs in ({**REFERENCE, "resection": resection}, {**REFERENCE, "resection": resection, "kps": None}):
        last = build_result(model, inputs)["explanation"][-1]
        assert "which patients were chosen for which operation" in last
        assert "must not be read as the effect of choosing a more radical operation" in last
        for claim in ("improves survival", "better survival with", "benefit of resection"):
            assert claim not in last


def test_an_unknown_input_is_named_with_the_range_knowing_it_could_move(model):
    result = build_result(model, {**REFERENCE, "mccormick_grade": None})
    low, high = result["averaged_over"]["mccormick_grade"]["estimate_range"]
    sentence = next(s for s in result["explanation"] if s.startswith("The McCormick grade is not known yet"))
    share_low, share_high = result["contributions"]["ranges"]["mccormick_grade"]
    assert re.search(r"its share is [+-]?\d+ percentage points", sentence)
    assert f"anywhere from {signed(100 * share_low)} to {signed(100 * share_high)}" in sentence
    assert low <= result["survival_90d"] <= high


def test_ecog_is_named_with_its_band(model):
    result = build_result(model, {**REFERENCE, "kps": None, "ecog": 1})
    assert any(
        "ECOG 1, which corresponds to KPS 80-70 (ECOG-ACRIN table)" in s for s in result["explanation"]
    )
    assert describe(result["inputs"]).startswith("ECOG 1 (as KPS 80-70), ")


def test_no_estimate_has_no_contributions_only_the_caveat(model):
    result = build_result(model, {**REFERENCE, "kps": 10, "mccormick_grade": 1})
    assert result["survival_90d"] is None
    assert len(result["explanation"]) == 1 and "chosen for which operation" in result["explanation"][0]


def test_rare_values_are_named(model):
    warnings = coverage_warnings({**REFERENCE, "mccormick_grade": 5}, model.coverage)
    assert any(
        re.search(
            r"Only (about \d+|fewer than one) of the 172 patients behind the model had McCormick grade V", w
        )
        for w in warnings
    )


def test_common_profile_has_no_warning(model):
    assert coverage_warnings({**REFERENCE, "kps": 70}, model.coverage) == []


def one_cell_support(**where) -> np.ndarray:
    """Ten patients in every combination matching `where`, none elsewhere."""
    return np.array([10.0 if all(r[k] == v for k, v in where.items()) else 0.0 for r in input_grid()])


def test_absent_value_and_pair_give_no_number_and_say_what_is_covered():
    coverage = Coverage(one_cell_support(kps=70) + one_cell_support(kps=60, resection="biopsy"))
    gaps = coverage.gaps({"kps": 80})
    assert gaps == [("value", "kps", 80)]
    assert gap_sentence(gaps[0], coverage) == (
        "No estimate: the evidence behind the model has essentially no patient with KPS 80 (it covers "
        "KPS 60-70). A number here would be an extrapolation, not a summary of evidence."
    )
    gaps = coverage.gaps({"kps": 60, "resection": "subtotal"})
    assert gaps == [("pair", "kps", 60, "resection", "subtotal")]
    assert "essentially never combines KPS 60 with subtotal resection" in gap_sentence(gaps[0], coverage)


def test_describe_uses_the_explanations_words():
    inputs = {
        "kps": 50,
        "other_metastases": True,
        "mccormick_grade": 4,
        "resection": "subtotal",
        "compartment": "intradural_extramedullary",
    }
    assert describe(inputs) == (
        "KPS 50, other metastases, McCormick grade IV, subtotal resection, intradural extramedullary lesion"
    )
    assert describe({**inputs, "kps": None, "other_metastases": None}).startswith(
        "KPS not known yet, other metastases not known yet, McCormick grade IV"
    )
