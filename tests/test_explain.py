"""Plain-language text: reference comparison, the selection caveat, coverage warnings."""

import re

import pytest

from calculator.explain import coverage_warnings, describe, explain
from calculator.features import REFERENCE_PATIENT
from calculator.predict import estimate

REFERENCE = {**REFERENCE_PATIENT, "resection": "subtotal"}


def test_reference_patient_has_no_contrast_sentences(model):
    sentences = explain(estimate(model, REFERENCE))
    assert "matches the reference patient" in sentences[1]
    assert len(sentences) == 3


def test_each_changed_input_gets_one_sentence_with_the_right_direction(model):
    inputs = {**REFERENCE, "kps": 40, "other_metastases": True, "mccormick_grade": 5}
    est = estimate(model, inputs)
    sentences = explain(est)
    assert any(s.startswith("KPS 40 instead of 70 lowers the estimate by about") for s in sentences)
    assert any(s.startswith("Having other metastases lowers") for s in sentences)
    assert any(s.startswith("McCormick grade V instead of II lowers") for s in sentences)
    kps_points = int(
        re.search(r"KPS 40 instead of 70 lowers the estimate by about (\d+)", " ".join(sentences))[1]
    )
    assert kps_points == round(100 * (est.reference.survival_90d - est.one_at_a_time["kps"]))


def test_resection_sentence_never_credits_the_operation(model):
    for resection in ("biopsy", "subtotal", "gross_total"):
        last = explain(estimate(model, {**REFERENCE, "resection": resection}))[-1]
        assert "which patients were chosen for which operation" in last
        assert "must not be read as the effect of choosing a more radical operation" in last
        for claim in ("improves survival", "better survival with", "benefit of resection"):
            assert claim not in last


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({"kps": 10}, "No patient in the cohort behind the model had KPS 10"),
        ({"mccormick_grade": 5}, "patients in the cohort had McCormick grade V"),
    ],
)
def test_rare_values_are_named(model, changes, expected):
    warnings = coverage_warnings({**REFERENCE, **changes}, model.manifest["support"])
    assert any(expected in w for w in warnings)


def test_common_profile_has_no_warning(model):
    assert coverage_warnings({**REFERENCE, "kps": 70}, model.manifest["support"]) == []


def test_absent_pair_is_named():
    support = {
        "n": 10,
        "marginal": {
            "kps": {"70": 10},
            "other_metastases": {"false": 10, "true": 10},
            "mccormick_grade": {"2": 10},
            "resection": {"subtotal": 10},
            "compartment": {"intramedullary": 10},
        },
        "pairs": [{"features": ["kps", "resection"], "counts": [["70", "subtotal", 0]]}],
    }
    warnings = coverage_warnings(REFERENCE, support)
    assert warnings == [
        "No patient in the cohort combined KPS 70 with subtotal resection: "
        "this combination is rare in the data."
    ]


def test_describe_uses_the_explanations_words():
    inputs = {
        "kps": 50,
        "other_metastases": True,
        "mccormick_grade": 4,
        "resection": "subtotal",
        "compartment": "intradural_extramedullary",
    }
    assert describe(inputs) == (
        "KPS 50, other metastases, McCormick grade IV, subtotal resection, "
        "an intradural extramedullary lesion"
    )
