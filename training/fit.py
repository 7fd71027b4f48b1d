"""Fit the 90-day model: IPCW-weighted, L2-penalised logistic regression in one Pipeline.

Censoring: a patient censored before day 90 has an unknown 90-day status. Dropping such patients
biases the estimate towards death, counting them as survivors biases it towards survival. We use
inverse probability of censoring weights (IPCW): each patient whose 90-day status is known is
weighted by 1 / G, where G is the Kaplan-Meier probability of remaining uncensored up to the time
that status became known; patients censored before day 90 get weight 0. With no predictors the
weighted death fraction equals 1 - Kaplan-Meier survival at day 90 exactly.

Regularisation: ridge (L2) with C chosen by repeated stratified cross-validation of the weighted
log-loss. Ridge keeps every pre-specified predictor and shrinks them together, which is what a
cohort with few events per parameter needs; lasso would drop predictors chosen a priori.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import xlogy
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import RepeatedStratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from calculator.features import COMPARTMENT, HORIZON_DAYS, RESECTION

C_GRID = tuple(float(c) for c in np.logspace(-2, 2, 9))  # 0.01 .. 100, 4 per decade / 2
CV_SPLITS, CV_REPEATS = 5, 2
INTERVAL_RESAMPLES = 200


class FitError(Exception):
    """The cohort cannot support a fit (e.g. too few deaths or survivors); says what to do."""


@dataclass(frozen=True)
class Fitted:
    pipeline: Pipeline
    C: float
    cv_log_loss: dict[float, float]  # mean held-out weighted log-loss per C


def ipcw(survival_days, died, horizon: float = HORIZON_DAYS) -> tuple[np.ndarray, np.ndarray]:
    """(death by horizon 0/1, weight) per patient; weight 0 where the 90-day status is unknown."""
    time = np.asarray(survival_days, dtype=float)
    died = np.asarray(died, dtype=int)
    death_by_horizon = (died == 1) & (time <= horizon)
    known = death_by_horizon | (time >= horizon)
    # Kaplan-Meier of censoring, G(t-) = P(still uncensored just before t); deaths at a tied time
    # are taken to precede censorings, as usual, so they have left the censoring risk set.
    censor_times = np.unique(time[died == 0])
    at_risk = np.array([np.sum((time > c) | ((time == c) & (died == 0))) for c in censor_times])
    censored = np.array([np.sum((time == c) & (died == 0)) for c in censor_times])
    factors = 1 - censored / np.maximum(at_risk, 1)

    def g_before(t: float) -> float:
        return float(np.prod(factors[censor_times < t]))

    status_time = np.minimum(time, horizon)
    weight = np.array([1 / g_before(t) if k else 0.0 for t, k in zip(status_time, known)])
    return death_by_horizon.astype(int), weight


def build_pipeline(C: float) -> Pipeline:
    """Preprocessing and the classifier, all inside one Pipeline (predicts P(death by day 90))."""
    preprocess = ColumnTransformer(
        [
            ("scaled", StandardScaler(), ["kps", "mccormick_grade"]),
            ("binary", "passthrough", ["other_metastases"]),
            (
                "categories",
                OneHotEncoder(
                    categories=[list(RESECTION.values), list(COMPARTMENT.values)],
                    drop="first",
                    sparse_output=False,
                    handle_unknown="error",
                ),
                ["resection", "compartment"],
            ),
        ],
        verbose_feature_names_out=False,
    )
    return Pipeline([("preprocess", preprocess), ("classifier", classifier(C))])


def classifier(C: float) -> LogisticRegression:
    """The penalised logistic regression. Newton-Cholesky: exact to machine precision in 3-5 steps
    on these few columns, and 7x faster than lbfgs, which matters because the default fit makes
    thousands of fits (training.pooled)."""
    return LogisticRegression(C=C, solver="newton-cholesky", max_iter=100)


def fit_procedure(X, y, w, seed: int, C: float | None = None) -> Fitted:
    """The whole fitting procedure, including the choice of C (unless C is given).

    Rows with weight 0 are dropped first. Raises FitError when fewer than CV_SPLITS deaths or
    survivors remain (cross-validation and the model both need more).
    """
    keep = np.asarray(w) > 0
    X, y, w = X[keep].reset_index(drop=True), np.asarray(y)[keep], np.asarray(w)[keep]
    fewest = min(int(np.sum(y == 1)), int(np.sum(y == 0)))
    if fewest < CV_SPLITS:
        raise FitError(
            f"only {fewest} patients in the smaller outcome group (deaths or survivors "
            f"at day {HORIZON_DAYS}); at least {CV_SPLITS} of each are needed to fit"
        )
    scores = {}
    if C is None:
        scores = cross_validated_log_loss(X, y, w, seed)
        C = best_C(scores)
    pipeline = build_pipeline(C).fit(X, y, classifier__sample_weight=w)
    return Fitted(pipeline, C, scores)


def bootstrap_rows(y, w, rng: np.random.Generator) -> np.ndarray:
    """Row indices of one bootstrap resample with at least CV_SPLITS deaths and survivors of
    known status (redrawn otherwise): the one resampling rule of validation, pooling, imputation."""
    while True:
        idx = rng.integers(0, len(y), len(y))
        known = w[idx] > 0
        if min(np.sum(y[idx][known] == 1), np.sum(y[idx][known] == 0)) >= CV_SPLITS:
            return idx


def best_C(losses: dict[float, float]) -> float:
    """The C with the lowest cross-validated log-loss; ties go to the larger C (less shrinkage)."""
    return min(losses, key=lambda c: (losses[c], -c))


def cross_validated_log_loss(X, y, w, seed: int) -> dict[float, float]:
    folds = RepeatedStratifiedKFold(n_splits=CV_SPLITS, n_repeats=CV_REPEATS, random_state=seed)
    losses = {c: [] for c in C_GRID}
    for train, test in folds.split(X, y):
        # The preprocessing does not depend on C, so it is fitted once per fold: the same arrays
        # reach each classifier as in build_pipeline(c).fit (identical losses), ~3x faster, which
        # matters because bootstrap validation repeats this whole search 200 times.
        preprocess = build_pipeline(C_GRID[0])[:-1]
        X_train = preprocess.fit_transform(X.iloc[train])
        X_test = preprocess.transform(X.iloc[test])
        for c in C_GRID:
            clf = classifier(c).fit(X_train, y[train], sample_weight=w[train])
            p = clf.predict_proba(X_test)[:, 1]
            losses[c].append(weighted_log_loss(y[test], p, w[test]))
    return {c: float(np.mean(v)) for c, v in losses.items()}


def weighted_log_loss(y, p, w) -> float:
    """sklearn.metrics.log_loss(y, p, sample_weight=w) for 0/1 y, computed the same way (same
    clipping, same sum) to the last bit or two, without its input validation, which cost as much
    as the rest of the C search and is repeated 90 times per search, 200 searches per bootstrap."""
    eps = np.finfo(float).eps
    q = np.clip(np.column_stack([1 - p, p]), eps, 1 - eps)
    loss = -np.sum(xlogy(np.column_stack([1 - y, y]).astype(float), q), axis=1)
    return float(np.sum(loss * w) / np.sum(w))


def bootstrap_coefficients(
    fitted: Fitted, X, y, w, seed: int, resamples: int = INTERVAL_RESAMPLES
) -> np.ndarray:
    """(resamples, 1 + n_coef): intercept and coefficients of the classifier refitted on bootstrap
    resamples of the patients, on the main fit's preprocessing and C. Evaluated at prediction time
    to give each estimate its percentile interval."""
    keep = np.asarray(w) > 0
    Xt = fitted.pipeline[:-1].transform(X[keep].reset_index(drop=True))
    y, w = np.asarray(y)[keep], np.asarray(w)[keep]
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(resamples):
        idx = rng.integers(0, len(y), len(y))
        while len(np.unique(y[idx])) < 2:  # a resample needs both outcomes
            idx = rng.integers(0, len(y), len(y))
        clf = classifier(fitted.C).fit(Xt[idx], y[idx], sample_weight=w[idx])
        rows.append(np.concatenate([clf.intercept_, clf.coef_[0]]))
    return np.array(rows)
