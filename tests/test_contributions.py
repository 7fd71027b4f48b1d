"""Shapley shares of the inputs: they add up to estimate minus reference, for every patient."""

import pytest

from calculator.contributions import PLAYERS, cell_shares, contributions, rounded_points, shapley
from calculator.features import REFERENCE_PATIENT
from calculator.incomplete import answer
from calculator.predict import input_grid

REFERENCE = {**REFERENCE_PATIENT, "resection": "subtotal"}


def test_shapley_of_an_additive_game_is_each_players_own_term():
    terms = {"a": 1.0, "b": -2.5, "c": 0.25}
    assert shapley(lambda s: sum(terms[p] for p in s), ("a", "b", "c")) == pytest.approx(terms, abs=1e-15)


def test_shares_add_up_exactly_for_every_complete_combination(model):
    checked = 0
    for row in input_grid():
        c = contributions(model, row)
        if c is None:
            continue
        checked += 1
        assert c.estimate == model.table[tuple(row.values())].survival_90d
        assert abs(sum(c.shares.values()) - (c.estimate - c.reference)) < 1e-12
        assert c.ranges == {}
        points = rounded_points(c)
        assert sum(points.values()) == round(100 * c.estimate) - round(100 * c.reference)
        assert all(abs(points[p] - 100 * c.shares[p]) < 1 for p in PLAYERS)
    assert checked > 100


def test_the_reference_patient_has_no_shares_and_one_change_has_its_whole_difference(model):
    assert all(s == 0 for s in contributions(model, REFERENCE).shares.values())
    c = contributions(model, {**REFERENCE, "kps": 40})
    assert c.shares["kps"] == pytest.approx(c.estimate - c.reference, abs=1e-15)
    assert c.shares["mccormick_grade"] == 0


@pytest.mark.parametrize(
    "unknown",
    [
        {"mccormick_grade": None},
        {"other_metastases": None},
        {"kps": None},
        {"kps": None, "ecog": 1},
        {"kps": None, "ecog": 2, "other_metastases": None},
    ],
)
def test_averaged_estimates_add_up_and_the_unknown_input_has_a_range(model, unknown):
    inputs = {**REFERENCE, "kps": 60, "ecog": None, **unknown}
    c = contributions(model, inputs)
    own = answer(model, inputs)
    assert c.estimate == pytest.approx(own.survival_90d, abs=1e-12)
    assert abs(sum(c.shares.values()) - (c.estimate - c.reference)) < 1e-12
    open_inputs = {name for name, value in unknown.items() if name != "ecog" and value is None}
    assert set(c.ranges) == open_inputs
    for name, (low, high) in c.ranges.items():
        assert low - 1e-12 <= c.shares[name] <= high + 1e-12


def test_no_estimate_means_no_shares(model):
    gap = next(row for row in input_grid() if answer(model, row).survival_90d is None)
    assert contributions(model, gap) is None


def test_the_models_table_of_shares_is_the_definition_row_by_row(model):
    for i, row in enumerate(input_grid()):
        direct = cell_shares(model, row)
        assert list(model.shares[i]) == pytest.approx([direct[p] for p in PLAYERS], abs=1e-15)
