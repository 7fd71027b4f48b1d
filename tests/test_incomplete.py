"""Incomplete information (calculator/incomplete.py): inputs not known yet, ECOG instead of KPS,
and no number where the evidence has no patients. Pure: no Flask."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from calculator.features import BY_NAME, ECOG_KPS_BAND, FEATURE_NAMES
from calculator.incomplete import answer
from calculator.predict import GRID_INDEX, grid_key, input_grid

KNOWN = {
    "kps": 60,
    "other_metastases": True,
    "mccormick_grade": 3,
    "resection": "subtotal",
    "compartment": "intramedullary",
    "ecog": None,
}
CASES = [
    {**KNOWN, **change}
    for change in (
        {},
        {"resection": "gross_total", "compartment": "intradural_extramedullary"},
        {"kps": 80, "mccormick_grade": 2, "other_metastases": False, "resection": "biopsy"},
        {"kps": 40, "mccormick_grade": 4},
    )
]


def covered_values(model, inputs, name):
    """The values of one input at which the other (known) inputs' combination is covered."""
    return [v for v in BY_NAME[name].values if model.coverage.covered({**inputs, name: v})]


@pytest.mark.parametrize("name", ["kps", "other_metastases", "mccormick_grade"])
@pytest.mark.parametrize("inputs", CASES, ids=range(len(CASES)))
def test_a_null_input_gives_an_estimate_between_those_of_its_values(model, inputs, name):
    result = answer(model, {**inputs, name: None})
    values = covered_values(model, inputs, name)
    assert values
    estimates = [model.table[grid_key({**inputs, name: v})] for v in values]
    points = [e.survival_90d for e in estimates]
    assert min(points) - 1e-12 <= result.survival_90d <= max(points) + 1e-12
    assert result.ranges[name] == pytest.approx((min(points), max(points)))
    # CHANGES and the model card: the interval widens to cover where the estimate could lie
    low, high = result.interval_95
    assert low - 1e-12 <= min(points) and max(points) <= high + 1e-12


@pytest.mark.parametrize("grade", list(ECOG_KPS_BAND))
def test_ecog_is_the_support_weighted_average_over_its_kps_band(model, grade):
    inputs = {**KNOWN, "kps": None, "ecog": grade}
    band = [k for k in ECOG_KPS_BAND[grade] if model.coverage.covered({**KNOWN, "kps": k})]
    result = answer(model, inputs)
    if not band:  # ECOG 4 is KPS 20-10: no patient in the evidence
        assert result.survival_90d is None
        return
    weights = np.array([model.support[GRID_INDEX[grid_key({**KNOWN, "kps": k})]] for k in band])
    points = [model.table[grid_key({**KNOWN, "kps": k})].survival_90d for k in band]
    assert result.survival_90d == pytest.approx(np.average(points, weights=weights), abs=1e-12)
    assert set(result.ranges) == {"kps"}


def test_every_input_unknown_still_gives_an_estimate_inside_the_range_of_the_data(model):
    result = answer(model, {**KNOWN, "kps": None, "other_metastases": None, "mccormick_grade": None})
    assert set(result.ranges) == {"kps", "other_metastases", "mccormick_grade"}
    low, high = result.interval_95
    assert low < result.survival_90d < high


@pytest.mark.parametrize(
    "change",
    [
        {"kps": 10, "mccormick_grade": 1, "other_metastases": False},  # the 75% case
        {"kps": 20},
        {"kps": 100, "mccormick_grade": 5},
        {"kps": None, "ecog": 4},
    ],
)
def test_no_number_where_the_evidence_has_no_patients(model, change):
    result = answer(model, {**KNOWN, **change})
    assert result.survival_90d is None and result.interval_95 is None
    assert result.gaps


def test_a_covered_combination_always_gets_a_number(model):
    for row in input_grid():
        if model.coverage.covered(row):
            assert answer(model, {**row, "ecog": None}).survival_90d is not None


def test_most_combinations_of_the_evidence_are_covered(model):
    covered = sum(model.coverage.covered(r) for r in input_grid())
    assert 300 < covered < 600  # KPS 10 and 20 are never covered: no operated patient below 30


@pytest.mark.parametrize(
    "name, order",
    [
        ("kps", sorted(BY_NAME["kps"].values)),  # higher KPS, higher survival
        ("other_metastases", [True, False]),
        ("mccormick_grade", [5, 4, 3, 2, 1]),
    ],
)
def test_point_estimates_are_monotone_in_kps_other_metastases_and_mccormick(model, name, order):
    others = [n for n in FEATURE_NAMES if n != name]
    for combination in itertools.product(*(BY_NAME[n].values for n in others)):
        base = dict(zip(others, combination))
        points = [model.table[grid_key({**base, name: v})].survival_90d for v in order]
        assert all(a <= b + 1e-12 for a, b in zip(points, points[1:])), (name, base)


def test_the_manifests_coverage_rule_is_the_one_the_app_applies(model):
    """The card's "408 of 600 combinations covered" and its thresholds come from the manifest;
    the app decides with calculator.coverage: the two must agree."""
    from calculator.coverage import NO_EVIDENCE, RARE_PAIR, RARE_VALUE
    from calculator.grid import input_grid

    rule = model.manifest["support"]["rule"]
    assert (rule["no_evidence_below"], rule["rare_value_below"], rule["rare_pair_below"]) == (
        NO_EVIDENCE,
        RARE_VALUE,
        RARE_PAIR,
    )
    assert sum(model.coverage.covered(row) for row in input_grid()) == rule["covered_combinations"]
