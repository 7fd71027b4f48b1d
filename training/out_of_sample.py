"""Out-of-sample predictions for a cohort that has no second study to leave out.

A single-site registry has one `study_id`, so leave-one-study-out cannot predict anyone: the
calibration plot then uses the out-of-sample predictions it does have, from K-fold
cross-validation of the whole procedure (C re-chosen by CV inside every training fold, as
training.validation does for each refit). Pure; deterministic for a seed.
"""

from __future__ import annotations

import numpy as np
from sklearn.model_selection import StratifiedKFold

from training.cohort import model_frame
from training.fit import FitError, fit_procedure, ipcw

FOLDS = 5


def single_study_reason(cohort) -> str | None:
    """The true reason leave-one-study-out is absent, or None when there are several studies."""
    studies = list(dict.fromkeys(cohort["study_id"]))
    if len(studies) > 1:
        return None
    return (
        f"the registry has one study_id ({studies[0]}): leaving it out leaves no patient to fit, "
        f"so no study can be predicted from the others; the calibration plot uses {FOLDS}-fold "
        "cross-validated predictions instead"
    )


def cross_validated_death(cohort, seed: int, folds: int = FOLDS) -> np.ndarray:
    """P(death by day 90) of every patient from a fit of the whole procedure on the other folds
    (folds stratified on the 90-day status, unknown status as its own stratum). NaN where a
    training fold cannot be fitted (FitError)."""
    X = model_frame(cohort)
    y, w = ipcw(cohort["survival_days"], cohort["died"])
    strata = np.where(w > 0, y, 2)
    counts = np.bincount(strata)
    folds = min(folds, int(counts[counts > 0].min()))
    death = np.full(len(cohort), np.nan)
    if folds < 2:
        return death
    rng = np.random.default_rng(seed)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=int(rng.integers(0, 2**31 - 1)))
    for train, test in splitter.split(X, strata):
        try:
            fitted = fit_procedure(X.iloc[train].reset_index(drop=True), y[train], w[train], seed)
        except FitError:
            continue
        death[test] = fitted.pipeline.predict_proba(X.iloc[test].reset_index(drop=True))[:, 1]
    return death
