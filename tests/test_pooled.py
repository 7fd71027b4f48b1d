"""The pooled default model (training/pooled.py, pooling.py): the numbers are a property of the
evidence and its stated uncertainty, not of a seed."""

from __future__ import annotations

import json

import numpy as np
import pytest

from calculator.artifact import DEFAULT_MODEL_DIR
from calculator.predict import DESIGN, design_matrix, input_grid, predict_survival, survival_from
from training.cohort import model_frame
from training.fit import build_pipeline, cross_validated_log_loss, ipcw
from training.pooled import (
    C_SEARCH_DRAWS,
    choose_C,
    design_cv_log_loss,
    draw_cohort,
    fit_design,
    fit_draws,
    grid_difference,
    master_streams,
    pooled_of,
    resection_order,
)
from training.pooling import Pooled, design_coefficients, pool

MANIFEST = json.loads((DEFAULT_MODEL_DIR / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def draw():
    rec, _ = draw_cohort(master_streams(11, 1)[0][0])
    y, w = ipcw(rec.cohort["survival_days"], rec.cohort["died"])
    return rec.cohort, y, w


def test_design_coefficients_are_the_pipeline_re_expressed_exactly(draw):
    cohort, y, w = draw
    X = model_frame(cohort)
    pipeline = build_pipeline(0.1).fit(X, y, classifier__sample_weight=w)
    beta = design_coefficients(pipeline)
    rows = cohort.to_dict("records")
    assert survival_from(beta, design_matrix(rows)) == pytest.approx(
        pipeline.predict_proba(X)[:, 1] * -1 + 1, abs=1e-12
    )


def test_the_fast_fit_and_cv_equal_the_pipelines(draw):
    cohort, y, w = draw
    X = model_frame(cohort)
    D = design_matrix(cohort.to_dict("records"))
    pipeline = build_pipeline(0.3).fit(X, y, classifier__sample_weight=w)
    assert fit_design(D, y, w, 0.3) == pytest.approx(design_coefficients(pipeline), abs=1e-10)
    slow, fast = cross_validated_log_loss(X, y, w, 5), design_cv_log_loss(D, y, w, 5)
    assert fast == pytest.approx(slow, abs=1e-12)


def test_pool_is_the_mean_of_point_fits_and_keeps_the_sampled_ones():
    point = np.array([[0.0] * 7, [2.0] * 7])
    sampled = np.arange(21.0).reshape(3, 7)
    pooled = pool(point, sampled)
    assert pooled.coefficients == pytest.approx([1.0] * 7)
    assert pooled.draws is not None and pooled.draws.shape == (3, 7)
    with pytest.raises(ValueError):
        pool(point, sampled[:1])


def test_the_formula_reproduces_every_recorded_prediction(model):
    """One formula, the pooled coefficients, gives every point estimate (model card: by hand)."""
    pooled = MANIFEST["model"]["coefficients"]["pooled"]
    beta = np.array([pooled["intercept"]["estimate"], *(pooled[name]["estimate"] for name in DESIGN)])
    for ref in MANIFEST["reference_predictions"]:
        x = design_matrix([ref["inputs"]])[0]
        by_hand = 1 / (1 + np.exp(beta[0] + beta[1:] @ x))
        assert by_hand == pytest.approx(ref["survival_90d"], abs=1e-9)
        survival, interval = predict_survival(model, [ref["inputs"]])
        assert survival[0] == pytest.approx(ref["survival_90d"], abs=1e-12)
        assert interval[0] == pytest.approx(ref["interval_95"], abs=1e-12)


def test_the_manifest_records_that_doubling_the_draws_moves_no_estimate_beyond_tolerance():
    stability = MANIFEST["stability"]
    assert stability["draws"] == MANIFEST["model"]["interval"]["draws"] == 2000
    assert stability["doubling"]["point"] <= stability["tolerance"]["doubling"] == 0.005
    assert stability["master_seed"]["point"] <= stability["tolerance"]["master_seed"] == 0.015
    assert stability["resection_order_agrees"] == stability["resection_order_patients"] == 200


def test_every_published_target_is_met_in_every_draw_of_the_shipped_model():
    targets = [t for t in MANIFEST["reconstruction"]["targets"] if t["kind"] == "target"]
    assert len(targets) >= 30
    assert all(t["met_share"] == 1.0 for t in targets), [t for t in targets if t["met_share"] != 1.0]


@pytest.mark.slow
def test_another_master_seed_changes_no_estimate_by_more_than_one_and_a_half_points(model):
    """At full size: the shipped model (master seed 20251121) against the same procedure, choice
    of C included, with another master seed. The manifest records the same comparison made at
    fit time between two independent streams."""
    streams, _ = master_streams(7, MANIFEST["stability"]["draws"])
    C, _ = choose_C(streams[:C_SEARCH_DRAWS])
    other = pooled_of(fit_draws(streams, C))
    shipped = Pooled(model.coefficients, model.draws)
    assert grid_difference(shipped, other)["point"] <= 0.015
    assert resection_order(shipped) == resection_order(other)  # never decided by a seed


def test_the_resection_effect_is_not_presented_as_causal(model):
    """The pooled adjusted resection coefficients have intervals that include no effect: the crude
    gradient is selection (and Ivren's published deaths), not an effect of the operation."""
    pooled = MANIFEST["model"]["coefficients"]["pooled"]
    for name in ("resection_subtotal", "resection_gross_total"):
        low, high = pooled[name]["interval_95"]
        assert low < 0 < high


def test_every_point_estimate_lies_inside_its_interval(model):
    """For all 600 combinations; and the intervals are not a single reconstruction's narrow
    bootstrap (median width over the grid above 20 percentage points)."""
    X = design_matrix(input_grid())
    point = survival_from(model.coefficients, X)
    low, high = np.percentile(survival_from(model.draws, X), [2.5, 97.5], axis=0)
    assert np.all(low <= point + 1e-12) and np.all(point <= high + 1e-12)
    assert np.median(high - low) > 0.2
