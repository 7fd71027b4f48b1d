"""Performance measures for predicted P(death by day 90), all accepting IPCW weights.

Pure numpy (plus sklearn's weighted AUC), so the same functions serve apparent performance,
bootstrap optimism, internal-external cross-validation and a hospital's local validation.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import roc_auc_score

EPS = 1e-9


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


def calibration(y, p, w=None) -> tuple[float, float]:
    """(calibration-in-the-large intercept, calibration slope).

    Intercept: logit-scale offset a in logit P(y) = a + logit(p) (0 is perfect). Slope: b in
    logit P(y) = a' + b * logit(p) (1 is perfect; < 1 means predictions too extreme).
    """
    y, lp = np.asarray(y, dtype=float), logit(p)
    w = np.ones_like(y) if w is None else np.asarray(w, dtype=float)
    ones = np.ones((len(y), 1))
    intercept = _newton_logistic(ones, y, w, offset=lp)[0]
    slope = _newton_logistic(np.column_stack([ones, lp]), y, w, offset=np.zeros(len(y)))[1]
    return float(intercept), float(slope)


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
