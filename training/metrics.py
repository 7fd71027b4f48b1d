"""Performance measures for predicted P(death by day 90), all accepting IPCW weights.

Pure numpy (plus sklearn's weighted AUC), so the same functions serve apparent performance,
bootstrap optimism, internal-external cross-validation and a hospital's local validation.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq
from scipy.special import expit
from scipy.stats import norm
from sklearn.metrics import roc_auc_score

EPS = 1e-9
Z_95 = float(norm.ppf(0.975))  # two-sided 95% interval


def logit(p) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=float), EPS, 1 - EPS)
    return np.log(p / (1 - p))


def _newton_logistic(X, y, w, offset, iterations: int = 50) -> np.ndarray:
    """Unpenalised weighted logistic regression by Newton-Raphson, with an offset."""
    beta = np.zeros(X.shape[1])
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-(offset + X @ beta)))
        gradient = X.T @ (w * (y - p))
        hessian = (X * (w * p * (1 - p))[:, None]).T @ X
        step = np.linalg.solve(hessian + 1e-12 * np.eye(X.shape[1]), gradient)
        beta += step
        if np.max(np.abs(step)) < 1e-10:
            break
    return beta


def logistic_mle(X, y, w=None) -> np.ndarray:
    """Unpenalised weighted maximum-likelihood logistic regression of y on X plus an intercept:
    (intercept, coefficients). Diverges (huge coefficients) when X separates the outcomes."""
    y = np.asarray(y, dtype=float)
    w = np.ones_like(y) if w is None else np.asarray(w, dtype=float)
    design = np.column_stack([np.ones(len(y)), np.asarray(X, dtype=float)])
    return _newton_logistic(design, y, w, offset=np.zeros(len(y)))


def calibration(y, p, w=None) -> tuple[float, float]:
    """(calibration-in-the-large intercept, calibration slope).

    Intercept: logit-scale offset a in logit P(y) = a + logit(p) (0 is perfect). Slope: b in
    logit P(y) = a' + b * logit(p) (1 is perfect; < 1 means predictions too extreme).
    """
    y, lp = np.asarray(y, dtype=float), logit(p)
    w = np.ones_like(y) if w is None else np.asarray(w, dtype=float)
    ones = np.ones((len(y), 1))
    slope = _newton_logistic(np.column_stack([ones, lp]), y, w, offset=np.zeros(len(y)))[1]
    return calibration_intercept(y, p, w), float(slope)


def calibration_intercept(y, p, w=None) -> float:
    """Calibration-in-the-large alone: finite whenever y holds both outcomes, even where the slope
    is not (predictions that separate deaths from survivors, or that are all equal).

    Solved as the root of the score equation sum w (y - expit(a + logit p)) = 0, which decreases
    monotonically in a, so it converges however far off the predictions are; Newton from a = 0
    overshoots and diverges when they are badly off, which is what a local validation may find.
    Raises ValueError when y holds one outcome only (no finite root).
    """
    y, lp = np.asarray(y, dtype=float), logit(p)
    w = np.ones_like(y) if w is None else np.asarray(w, dtype=float)
    # |logit p| <= 20.7 (EPS), so a = -/+60 puts every prediction at ~0 / ~1: the root lies between.
    return float(brentq(lambda a: float(np.sum(w * (y - expit(a + lp)))), -60.0, 60.0, xtol=1e-12))


def slope_estimable(y, p) -> bool:
    """Whether the calibration slope has a finite maximum-likelihood estimate: both outcomes are
    present and the predictions of deaths and survivors overlap. Complete or quasi-complete
    separation (a perfect predictor, or a constant one) has no finite slope."""
    y, p = np.asarray(y), np.asarray(p, dtype=float)
    deaths, survivors = p[y == 1], p[y == 0]
    if len(deaths) == 0 or len(survivors) == 0:
        return False
    return bool(deaths.min() < survivors.max() and survivors.min() < deaths.max())


def brier(y, p, w=None) -> float:
    y, p = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
    return float(np.average((p - y) ** 2, weights=w))


def performance(y, p, w=None) -> dict[str, float]:
    """c-statistic, calibration intercept and slope, Brier score and that of the null model."""
    y = np.asarray(y)
    intercept, slope = calibration(y, p, w)
    base_rate = float(np.average(y, weights=w))
    return {
        "c_statistic": float(roc_auc_score(y, p, sample_weight=w)),
        "calibration_intercept": intercept,
        "calibration_slope": slope,
        "brier": brier(y, p, w),
        "brier_null": brier(y, np.full(len(y), base_rate), w),
        "observed_mortality_90d": base_rate,
        "mean_predicted_mortality_90d": float(np.average(p, weights=w)),
    }


def effective_n(w) -> float:
    """Kish's effective sample size (sum w)^2 / sum w^2 (Kish, Survey Sampling, 1965): the number
    of unweighted patients carrying the same information; equals n when every weight is 1."""
    w = np.asarray(w, dtype=float)
    return float(w.sum() ** 2 / np.sum(w**2))


def wilson_interval(proportion: float, n: float, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval (Wilson, J Am Stat Assoc 1927;22:209-212) for a proportion observed
    in n patients (n may be an effective, non-integer n). Stays inside [0, 1], unlike the Wald
    interval, and is not degenerate at 0 or 1, which small calibration groups do reach."""
    centre = (proportion + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * np.sqrt(proportion * (1 - proportion) / n + z**2 / (4 * n**2))
    return float(max(0.0, centre - half)), float(min(1.0, centre + half))


def calibration_groups(y, p, w=None, groups: int = 5, replicates: int = 1) -> list[dict]:
    """Observed vs mean predicted proportion in `groups` equal-sized groups of ascending p.

    Rows with weight 0 (status unknown) are left out. Each group: n, predicted (weighted mean p),
    observed (weighted proportion of y = 1), and its 95% Wilson interval on Kish's effective n.
    `replicates`: the rows are that many stacked reconstructions of one cohort (training.pooled),
    so each group's n and effective n are divided by it: stacking copies adds no information.
    Tied predictions may fall into neighbouring groups so that the groups stay equal-sized.
    Raises ValueError when fewer rows than groups have a known status.
    """
    y, p = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
    w = np.ones_like(y) if w is None else np.asarray(w, dtype=float)
    known = w > 0
    y, p, w = y[known], p[known], w[known]
    if len(y) < groups:
        raise ValueError(f"{len(y)} patients with a known outcome cannot form {groups} calibration groups")
    rows = []
    for idx in np.array_split(np.argsort(p, kind="stable"), groups):
        observed = float(np.average(y[idx], weights=w[idx]))
        low, high = wilson_interval(observed, effective_n(w[idx]) / replicates)
        rows.append(
            {
                "n": int(round(len(idx) / replicates)),
                "predicted": float(np.average(p[idx], weights=w[idx])),
                "observed": observed,
                "ci_low": low,
                "ci_high": high,
            }
        )
    return rows
