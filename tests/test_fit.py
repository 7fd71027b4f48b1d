"""Fitting (training/fit.py) and performance measures (training/metrics.py) on known answers.

The central case is a hand-made cohort of 20 identical patients, four of them censored before day
90, whose Kaplan-Meier 90-day survival is worked out below by hand: the IPCW weights and the fitted
pipeline must reproduce it, and the two naive treatments of censoring must not.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from calculator.predict import to_frame
from training.fit import FitError, bootstrap_coefficients, fit_procedure, ipcw
from training.metrics import brier, calibration, logit, performance

PATIENT = {
    "kps": 70,
    "other_metastases": False,
    "mccormick_grade": 2,
    "resection": "subtotal",
    "compartment": "intramedullary",
}

# (survival_days, died): 6 deaths by day 90, 4 censored before day 90 (one tied with a death at
# day 30), and 10 whose 90-day status is known to be "alive" (one censored exactly at day 90).
TINY = [
    (10, 1), (20, 1), (30, 1), (30, 0), (45, 0), (50, 1), (60, 0), (75, 1), (80, 0), (88, 1),
    (90, 0), (95, 1), (120, 1), (150, 0), (200, 1), (250, 0), (300, 1), (365, 0), (400, 1), (500, 0),
]  # fmt: skip

# Kaplan-Meier by hand (deaths precede censorings at a tied time). At each death time, the number
# still at risk Y and the factor (Y - 1) / Y:
#   day 10: Y = 20           -> 19/20
#   day 20: Y = 19           -> 18/19
#   day 30: Y = 18           -> 17/18  (the patient censored at day 30 is still at risk)
#   day 50: Y = 15 (30c, 45c gone)    -> 14/15
#   day 75: Y = 13 (50, 60c gone)     -> 12/13
#   day 88: Y = 11 (75, 80c gone)     -> 10/11
# S(90) = 19/20 * 18/19 * 17/18 * 14/15 * 12/13 * 10/11 = 17/20 * 14/15 * 12/13 * 10/11
#       = 28560 / 42900 = 0.665734...; 90-day mortality 1 - S(90) = 0.334266...
KM_SURVIVAL_90 = Fraction(19, 20) * Fraction(18, 19) * Fraction(17, 18) * Fraction(14, 15)
KM_SURVIVAL_90 *= Fraction(12, 13) * Fraction(10, 11)
# Censoring survival G(t-), for the weights: the Kaplan-Meier of the censorings, with the same tie
# rule, so the death at day 30 has left the risk set before the censoring at day 30. Censorings at
# day 30 (17 at risk: T > 30, or censored at 30), 45 (16), 60 (14) and 80 (12); the censoring at
# day 90 is not before day 90. (Counting the day-30 death as still at risk, 17/18, breaks the
# identity below.)
G_BEFORE_50 = Fraction(16, 17) * Fraction(15, 16)
G_BEFORE_75 = G_BEFORE_50 * Fraction(13, 14)
G_BEFORE_90 = G_BEFORE_75 * Fraction(11, 12)
# The naive answers: drop the 4 censored (6 deaths of 16), or count them alive (6 of 20).
DROP_CENSORED_MORTALITY = 6 / 16
CENSORED_AS_SURVIVORS_MORTALITY = 6 / 20


def tiny_cohort(rows=TINY):
    days, died = (np.array(v) for v in zip(*rows))
    return to_frame([PATIENT] * len(rows)), days, died


def test_hand_computed_kaplan_meier_is_what_the_comment_says():
    assert Fraction(28560, 42900) == KM_SURVIVAL_90
    assert float(1 - KM_SURVIVAL_90) == pytest.approx(0.334266, abs=1e-6)


def test_ipcw_weights_are_the_inverse_censoring_survival():
    _, days, died = tiny_cohort()
    y, w = ipcw(days, died)
    assert y.tolist() == [1, 1, 1, 0, 0, 1, 0, 1, 0, 1] + [0] * 10
    expected = [1, 1, 1, 0, 0, 1 / G_BEFORE_50, 0, 1 / G_BEFORE_75, 0, 1 / G_BEFORE_90]
    expected += [1 / G_BEFORE_90] * 10
    np.testing.assert_allclose(w, [float(x) for x in expected], rtol=0, atol=1e-12)
    # The weights restore the sample size: 3 + 17/15 + 238/195 + 11 * 2856/2145 = 20 (the day-88
    # death and the 10 known survivors share 1 / G(90-)).
    assert w.sum() == pytest.approx(20, abs=1e-12)


def test_ipcw_weighted_death_fraction_equals_one_minus_kaplan_meier():
    _, days, died = tiny_cohort()
    y, w = ipcw(days, died)
    assert np.average(y, weights=w) == pytest.approx(float(1 - KM_SURVIVAL_90), abs=1e-12)


def test_ipcw_without_censoring_weights_everyone_one():
    y, w = ipcw([5, 89, 90, 91, 400], [1, 1, 1, 1, 0])
    assert y.tolist() == [1, 1, 1, 0, 0]
    assert w.tolist() == [1, 1, 1, 1, 1]


def fitted_survival(X, y, w) -> float:
    fitted = fit_procedure(X, y, w, seed=0, C=1e6)  # effectively unpenalised
    survival = 1 - fitted.pipeline.predict_proba(X)[:, 1]
    assert np.ptp(survival) == 0  # identical patients, identical estimates
    return float(survival[0])


def test_fitted_model_reproduces_kaplan_meier_and_not_the_naive_answers():
    X, days, died = tiny_cohort()
    y, w = ipcw(days, died)
    km = float(KM_SURVIVAL_90)
    assert fitted_survival(X, y, w) == pytest.approx(km, abs=1e-3)

    # The same pipeline, fed the naive treatments of censoring, gives the naive answers, which
    # are far from Kaplan-Meier: the weights, not the model, do the work.
    known = (w > 0).astype(float)
    dropped = fitted_survival(X, y, known)
    as_survivors = fitted_survival(X, y, np.ones(len(y)))
    assert dropped == pytest.approx(1 - DROP_CENSORED_MORTALITY, abs=1e-3)
    assert as_survivors == pytest.approx(1 - CENSORED_AS_SURVIVORS_MORTALITY, abs=1e-3)
    assert km - dropped > 0.03
    assert as_survivors - km > 0.03


@pytest.mark.parametrize(
    "rows, message",
    [
        ([(10, 1)] * 4 + [(200, 0)] * 16, "only 4 patients in the smaller outcome group"),
        ([(10, 1)] * 16 + [(200, 0)] * 4, "only 4 patients in the smaller outcome group"),
        # 5 deaths, but 12 of the 16 "survivors" censored before day 90: 4 known survivors left
        ([(10, 1)] * 5 + [(200, 0)] * 4 + [(60, 0)] * 12, "only 4 patients"),
    ],
    ids=["4-deaths", "4-survivors", "survivors-lost-to-censoring"],
)
def test_too_few_events_is_a_fit_error(rows, message):
    X, days, died = tiny_cohort(rows)
    y, w = ipcw(days, died)
    with pytest.raises(FitError, match=message):
        fit_procedure(X, y, w, seed=0)


def test_bootstrap_coefficients_are_seeded_and_shaped():
    rows = [
        {**PATIENT, "kps": kps, "other_metastases": other}
        for kps in (40, 50, 60, 70, 80, 90)
        for other in (False, True)
    ] * 3
    rng = np.random.default_rng(1)
    X = to_frame(rows)
    y = (rng.uniform(size=len(rows)) < 0.4).astype(int)
    w = np.ones(len(rows))
    fitted = fit_procedure(X, y, w, seed=0, C=1.0)
    first = bootstrap_coefficients(fitted, X, y, w, seed=3, resamples=7)
    again = bootstrap_coefficients(fitted, X, y, w, seed=3, resamples=7)
    n_coef = len(fitted.pipeline[-1].coef_[0])
    assert first.shape == (7, 1 + n_coef)
    np.testing.assert_array_equal(first, again)


# --- training/metrics.py -------------------------------------------------------------------------


def test_c_statistic_of_perfect_separation_is_one():
    assert performance([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])["c_statistic"] == 1.0


def test_constant_prediction_c_statistic_and_calibration_in_the_large():
    result = performance([0, 1, 1, 0], [0.3] * 4)
    assert result["c_statistic"] == 0.5
    # Observed 1/2, predicted 0.3: offset = logit(0.5) - logit(0.3) = log(7/3).
    assert result["calibration_intercept"] == pytest.approx(np.log(7 / 3), abs=1e-9)
    assert result["observed_mortality_90d"] == 0.5
    assert result["mean_predicted_mortality_90d"] == pytest.approx(0.3, abs=1e-15)
    assert result["brier_null"] == 0.25


def outcomes_drawn_from(n: int = 200_000, seed: int = 20251121):
    rng = np.random.default_rng(seed)
    p = 1 / (1 + np.exp(-rng.normal(-1.0, 1.2, n)))
    return (rng.uniform(size=n) < p).astype(int), p


@pytest.mark.parametrize(
    "distort, intercept, slope",
    [
        (lambda lp: lp, 0.0, 1.0),  # the true risks: perfectly calibrated
        (lambda lp: 2 * lp, None, 0.5),  # too extreme: slope 1/2
        (lambda lp: lp - 1, 1.0, 1.0),  # too low by 1 on the logit scale: intercept 1
    ],
    ids=["true-risk", "too-extreme", "too-low"],
)
def test_calibration_recovers_known_distortions(distort, intercept, slope):
    y, p = outcomes_drawn_from()
    predicted = 1 / (1 + np.exp(-distort(logit(p))))
    got_intercept, got_slope = calibration(y, predicted)
    # n = 200,000: the standard errors are about 0.006 (intercept) and 0.007 (slope).
    assert got_slope == pytest.approx(slope, abs=0.03)
    if intercept is not None:
        assert got_intercept == pytest.approx(intercept, abs=0.03)


def test_brier_known_values():
    y, p = [0, 1, 1, 0], [0.1, 0.8, 0.6, 0.3]
    assert brier(y, p) == pytest.approx((0.01 + 0.04 + 0.16 + 0.09) / 4, abs=1e-15)  # 0.075
    assert brier(y, p, w=[1, 1, 1, 3]) == pytest.approx((0.01 + 0.04 + 0.16 + 3 * 0.09) / 6, abs=1e-15)


def test_weights_act_as_repeated_patients():
    y, p = [0, 1, 1, 0, 1], [0.2, 0.7, 0.4, 0.5, 0.9]
    weighted = performance(y, p, w=[1, 2, 1, 3, 1])
    repeated = performance([0, 1, 1, 1, 0, 0, 0, 1], [0.2, 0.7, 0.7, 0.4, 0.5, 0.5, 0.5, 0.9])
    assert weighted == pytest.approx(repeated, abs=1e-9)


def test_logit_is_finite_at_zero_and_one():
    values = logit([0.0, 0.5, 1.0])
    assert np.all(np.isfinite(values))
    assert values[1] == 0.0
    assert values[0] == pytest.approx(-values[2], abs=1e-6)


def test_performance_of_a_frame_column_matches_arrays():
    frame = pd.DataFrame({"y": [0, 1, 1, 0], "p": [0.1, 0.8, 0.6, 0.3]})
    assert performance(frame["y"], frame["p"]) == performance(frame["y"].to_numpy(), frame["p"].to_numpy())
