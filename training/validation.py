"""Internal validation of the whole fitting procedure: bootstrap optimism and leave-one-study-out.

Pure (no I/O). Every refit calls `training.fit.fit_procedure` with C=None, so the choice of the
ridge penalty by cross-validation is repeated each time, as Harrell's method requires. All random
draws (resample rows and each refit's CV seed) are made in advance from one seeded generator, so
the results do not depend on the number of parallel jobs.

Censoring weights (training.fit.ipcw) are computed once on the full cohort and carried with each
patient into resamples and left-out studies; the censoring model has no predictors and nothing
tuned. With nobody censored before day 90 (the default cohort) every weight is 1.
"""

from __future__ import annotations

import numpy as np
from joblib import Parallel, delayed
from sklearn.metrics import roc_auc_score

from training.cohort import model_frame
from training.fit import FitError, bootstrap_rows, fit_procedure, ipcw
from training.metrics import brier, calibration_groups, performance, slope_estimable
from training.out_of_sample import FOLDS, cross_validated_death, single_study_reason
from training.sample_size import sample_size_report

BOOTSTRAP_RESAMPLES = 200  # Harrell's method; the issue asks for at least 200
N_JOBS = 2
CALIBRATION_GROUPS = 5  # quintiles: see calibration_curve
MEASURES = ("c_statistic", "calibration_slope", "calibration_intercept", "brier", "brier_null")


def _measures(y, p, w, base_rate: float) -> dict[str, float]:
    """MEASURES on rows of known status; the null model predicts `base_rate` for everyone."""
    known = w > 0
    scores = performance(y[known], p[known], w[known])
    scores["brier_null"] = brier(y[known], np.full(known.sum(), base_rate), w[known])
    return {m: scores[m] for m in MEASURES}


def _draw_resamples(y, w, seed: int, resamples: int) -> list[tuple[np.ndarray, int]]:
    """(row indices, CV seed) per resample. A resample that fit_procedure would refuse (fewer than
    CV_SPLITS deaths or survivors of known status) is redrawn, as in training.fit."""
    rng = np.random.default_rng(seed)
    draws = []
    while len(draws) < resamples:
        idx = bootstrap_rows(y, w, rng)
        draws.append((idx, int(rng.integers(0, 2**31 - 1))))
    return draws


def _optimism_one(X, y, w, idx, cv_seed: int) -> dict[str, float]:
    """apparent_b - test_b for one resample: refit on it, score on it and on the original data."""
    Xb, yb, wb = X.iloc[idx].reset_index(drop=True), y[idx], w[idx]
    pipeline = fit_procedure(Xb, yb, wb, cv_seed).pipeline
    base_rate = float(np.average(yb[wb > 0], weights=wb[wb > 0]))
    apparent = _measures(yb, pipeline.predict_proba(Xb)[:, 1], wb, base_rate)
    test = _measures(y, pipeline.predict_proba(X)[:, 1], w, base_rate)
    return {m: apparent[m] - test[m] for m in MEASURES}


def optimism_corrected(
    pipeline, X, y, w, seed: int, resamples: int = BOOTSTRAP_RESAMPLES, n_jobs: int = N_JOBS
) -> dict:
    """Harrell's bootstrap optimism correction (Harrell, Lee & Mark, Stat Med 1996;15:361-387).

    For each resample b: refit the whole procedure on it; optimism_b = measure on the resample
    (apparent_b) - measure on the original data (test_b). corrected = apparent - mean optimism_b,
    for each of MEASURES (the null model, refitted as the resample's death rate, too).
    `pipeline` is the model fitted on (X, y, w) whose apparent performance is corrected.
    Raises FitError only if the original data cannot be fitted at all.
    """
    y, w = np.asarray(y), np.asarray(w, dtype=float)
    apparent = _measures(y, pipeline.predict_proba(X)[:, 1], w, float(np.average(y[w > 0], weights=w[w > 0])))
    draws = _draw_resamples(y, w, seed, resamples)
    runs = Parallel(n_jobs=n_jobs)(delayed(_optimism_one)(X, y, w, idx, s) for idx, s in draws)
    optimism = {m: float(np.mean([r[m] for r in runs])) for m in MEASURES}
    return {
        "optimism": optimism,
        "optimism_corrected": {m: apparent[m] - optimism[m] for m in MEASURES},
        "bootstrap_resamples": len(runs),
    }


def _left_out(cohort, X, y, w, study: str, seed: int) -> dict:
    """Refit without `study`, predict it. Its observed survival is its own Kaplan-Meier at day 90
    (IPCW within the study: the weighted death fraction equals 1 - KM exactly)."""
    rows = (cohort["study_id"] == study).to_numpy()
    ys, ws = ipcw(cohort.loc[rows, "survival_days"], cohort.loc[rows, "died"])
    row = {
        "study_id": study,
        "n": int(rows.sum()),
        "events_90d": int(ys.sum()),
        "observed_survival_90d": float(1 - np.average(ys, weights=ws)) if ws.sum() > 0 else None,
    }
    empty = {"mean_predicted_survival_90d": None, "c_statistic": None, "C": None, "death": None}
    try:
        fitted = fit_procedure(X[~rows].reset_index(drop=True), y[~rows], w[~rows], seed)
    except FitError as e:
        return row | {"status": "not fitted", "reason": str(e)} | empty
    death = fitted.pipeline.predict_proba(X[rows].reset_index(drop=True))[:, 1]
    known = ws > 0
    both_outcomes = len(np.unique(ys[known])) == 2
    return row | {
        "status": "ok",
        "reason": None,
        "mean_predicted_survival_90d": float(1 - death.mean()),
        "c_statistic": float(roc_auc_score(ys[known], death[known], sample_weight=ws[known]))
        if both_outcomes
        else None,  # a study without deaths (or survivors) has no c-statistic
        "C": fitted.C,
        "death": death,
    }


def internal_external(cohort, seed: int, n_jobs: int = N_JOBS) -> tuple[dict, np.ndarray]:
    """Internal-external cross-validation (Steyerberg & Harrell, J Clin Epidemiol 2016;69:245-247):
    leave each study out in turn, refit the whole procedure on the rest, predict the study.

    Returns ({"per_study": [...], "pooled": {...}}, out-of-sample P(death) per patient, NaN where
    the study's complement could not be fitted). A study whose complement cannot be fitted
    (FitError) is reported with status "not fitted" and its reason, and left out of the pooled
    figures. When the pooled out-of-sample predictions cannot support a calibration slope (no
    study predicted, e.g. a single-site registry; one outcome only; or predictions that separate
    deaths from survivors) the pooled entry says so instead. Never raises FitError.
    """
    X = model_frame(cohort)
    y, w = ipcw(cohort["survival_days"], cohort["died"])
    studies = list(dict.fromkeys(cohort["study_id"]))
    rows = Parallel(n_jobs=n_jobs)(delayed(_left_out)(cohort, X, y, w, s, seed) for s in studies)
    death = np.full(len(cohort), np.nan)
    for row in rows:
        rows_s = (cohort["study_id"] == row["study_id"]).to_numpy()
        if row["death"] is not None:
            death[rows_s] = row["death"]
        del row["death"]
    scored = ~np.isnan(death) & (w > 0)
    predicted = sum(r["status"] == "ok" for r in rows)
    single = single_study_reason(cohort)
    if single:  # the complement is empty: say so, not "only 0 patients in the smaller group"
        for row in rows:
            row |= {"status": "not fitted", "reason": single}
        return {"per_study": rows, "pooled": {"status": "not available", "reason": single}}, death
    if not slope_estimable(y[scored], death[scored]):
        reason = (
            "no study could be predicted from the others"
            if predicted == 0
            else "the out-of-sample predictions of deaths and survivors do not overlap (or one outcome "
            "is missing): no calibration slope can be estimated"
        )
        return {"per_study": rows, "pooled": {"status": "not available", "reason": reason}}, death
    pooled = performance(y[scored], death[scored], w[scored])
    pooled |= {"n": int(scored.sum()), "studies_predicted": predicted}
    return {"per_study": rows, "pooled": pooled}, death


def calibration_curve(cohort, death, groups: int = CALIBRATION_GROUPS, source: str | None = None) -> dict:
    """Grouped calibration of out-of-sample predictions, on the survival scale.

    Quintiles (5 groups) of predicted survival: with ~170 patients and ~45 deaths each group has
    ~34 patients and ~9 deaths, enough for an interval narrower than the whole axis; deciles would
    leave ~4 deaths per group. Smoothed curves are unreliable in validation sets this small (Van
    Calster et al., J Clin Epidemiol 2016;74:167-176). Rows without a prediction are left out;
    fewer groups when fewer patients remain (no groups when none does).
    """
    y, w = ipcw(cohort["survival_days"], cohort["died"])
    scored = ~np.isnan(death)
    groups = min(groups, int(np.sum(w[scored] > 0)))  # none when no study could be predicted
    return {
        "groups": calibration_groups(1 - y[scored], 1 - death[scored], w[scored], groups) if groups else [],
        "method": f"{groups} equal-sized groups by out-of-sample "
        f"({source or 'leave-one-study-out'}) predicted "
        "90-day survival; observed = IPCW-weighted proportion alive at day 90 (Kaplan-Meier "
        "consistent); 95% Wilson interval on Kish's effective n",
    }


def validation_metrics(
    cohort, pipeline, seed: int, resamples: int = BOOTSTRAP_RESAMPLES, n_jobs: int = N_JOBS
) -> dict:
    """Everything above as the manifest's `metrics` entries (beside "apparent")."""
    X = model_frame(cohort)
    y, w = ipcw(cohort["survival_days"], cohort["died"])
    optimism = optimism_corrected(pipeline, X, y, w, seed, resamples, n_jobs)
    iecv, death = internal_external(cohort, seed, n_jobs)
    source = None
    if single_study_reason(cohort):  # no study to leave out: the out-of-sample predictions it has
        death, source = cross_validated_death(cohort, seed), f"{FOLDS}-fold cross-validated"
    known = w > 0
    design = pipeline[:-1].transform(X[known].reset_index(drop=True))
    shrinkage, sample_size = sample_size_report(design, y[known], w[known], int(y.sum()))
    shrinkage["bootstrap_calibration_slope"] = optimism["optimism_corrected"]["calibration_slope"]
    return {
        **optimism,
        "internal_external": iecv,
        "calibration_curve": calibration_curve(cohort, death, source=source),
        "shrinkage": shrinkage,
        "sample_size": sample_size,
    }
