"""`fit --cohort FILE --impute`: a registry model fitted over m imputed data sets and pooled.

Per imputation (training/imputation.py): a point fit and RESAMPLES_PER_IMPUTATION fits on
bootstrap resamples, all with training.pooled.fit_design at one C, chosen by the repeated-CV
log-loss averaged over the first C_SEARCH_IMPUTATIONS imputations; pooled by
training.pooling.pool, the same function the default model uses: coefficients = mean of the
point fits (Rubin's rule for the estimate), interval = percentiles over the sampled fits, which
spread over imputations and resamples together (between- and within-imputation uncertainty).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from calculator.coverage import coverage_summary
from calculator.predict import design_columns
from training.cohort import read_cohort
from training.export import write_model_dir
from training.fit import C_GRID, CV_SPLITS, FitError, best_C, ipcw
from training.imputation import imputations, missing_share
from training.metrics import performance
from training.pooled import bootstrap_rows, cell_counts, design_cv_log_loss, fit_design
from training.pooling import pool
from training.reconstruction_files import is_synthetic
from training.tables import ReadOptions

RESAMPLES_PER_IMPUTATION = 10  # x 20 imputations = 200 sampled fits, as a registry fit has
C_SEARCH_IMPUTATIONS = 3


def imputed_sets(cohort_path: Path, options: ReadOptions | None, seed: int, m: int):
    """(completed data sets, the incomplete frame, report); checks first, as every command."""
    frame, report = read_cohort(Path(cohort_path), options, keep_missing_predictors=True)
    sets = imputations(frame, m, int(np.random.SeedSequence(seed).spawn(4)[3].generate_state(1)[0]))
    return sets, frame, report


def imputation_summary(frame, m: int) -> dict:
    return {
        "method": "multiple imputation by chained equations (scikit-learn IterativeImputer, "
        "BayesianRidge, sample_posterior=True, 10 iterations), outcome in the imputation model, "
        "predictors only imputed, values rounded to their scales",
        "imputations": m,
        "rows": int(len(frame)),
        "rows_with_missing_predictor": int(round(missing_share(frame) * len(frame))),
        "missing_by_column": {
            c: int(frame[c].isna().sum() - (frame["kps_from_ecog"].sum() if c == "kps" else 0))
            for c in ("kps", "other_metastases", "mccormick_grade", "resection", "compartment")
        },
    }


def fit_imputed(cohort_path: Path, out_dir: Path, seed: int, m: int, options, log, parts) -> dict:
    """Fit and write out_dir. `parts`: training.train's cohort_summary, model_entry and the
    features-and-outcome entries (passed in to avoid an import cycle). Raises CohortError or
    FitError before anything is written."""
    cohort_summary, model_entry, features_and_outcome = parts
    started = time.perf_counter()
    sets, frame, report = imputed_sets(cohort_path, options, seed, m)
    arrays = []
    for s in sets:
        y, w = ipcw(s["survival_days"], s["died"])
        arrays.append((design_columns(s), y, w))
    y0, w0 = arrays[0][1], arrays[0][2]
    fewest = min(int(np.sum(y0[w0 > 0] == 1)), int(np.sum(y0[w0 > 0] == 0)))
    if fewest < CV_SPLITS:
        raise FitError(
            f"only {fewest} patients in the smaller outcome group; at least {CV_SPLITS} are needed"
        )
    cv_seeds = np.random.SeedSequence(seed).spawn(2)
    search = [
        design_cv_log_loss(*a, int(cv_seeds[0].generate_state(1)[0])) for a in arrays[:C_SEARCH_IMPUTATIONS]
    ]
    losses = {c: float(np.mean([s[c] for s in search])) for c in C_GRID}
    C = best_C(losses)
    log(f"C = {C:g}, by cross-validation averaged over {len(search)} imputations")
    points, sampled = [], []
    for (D, y, w), child in zip(arrays, cv_seeds[1].spawn(m)):
        rng = np.random.default_rng(child)
        points.append(fit_design(D, y, w, C))
        sampled += [
            fit_design(D[i], y[i], w[i], C)
            for i in (bootstrap_rows(y, w, rng) for _ in range(RESAMPLES_PER_IMPUTATION))
        ]
    pooled = pool(points, sampled)
    apparent = [_apparent(pooled.coefficients, *a) for a in arrays]
    log(f"fitted and pooled {m} imputations ({time.perf_counter() - started:.0f} s)")
    support = np.mean([cell_counts(s) for s in sets], axis=0)
    synthetic = is_synthetic(cohort_path)
    summary = cohort_summary(Path(cohort_path), sets[0], report, synthetic)
    method = {
        "method": "IPCW-weighted logistic regression for death within 90 days, L2 penalty (C chosen by "
        f"repeated stratified 5-fold CV averaged over {len(search)} imputations), fitted to each of {m} "
        "imputed data sets and pooled",
        "pooling": f"{m} imputations; each fitted as it is (point) and on {RESAMPLES_PER_IMPUTATION} "
        "bootstrap resamples (sampled); coefficients = mean of the point fits (Rubin's rule)",
        "interval": "2.5th-97.5th percentile of the predictions of the sampled fits over imputations and "
        "resamples: imputation and sampling uncertainty together",
    }
    manifest = {
        "synthetic": synthetic,
        "cohort": summary | {"imputation": imputation_summary(frame, m)},
        **features_and_outcome,
        "model": model_entry(pooled, C, losses, method),
        "seed": seed,
        "metrics": {
            "apparent": {k: float(np.mean([a[k] for a in apparent])) for k in apparent[0]},
            "apparent_pooling": f"mean over the {m} imputed data sets; internal validation (bootstrap "
            "optimism, leave-one-study-out) is not repeated over imputations in this version",
        },
        "support": coverage_summary(support),
    }
    return write_model_dir(out_dir, pooled, support, manifest)


def _apparent(coefficients, D, y, w) -> dict:
    known = w > 0
    p = 1 / (1 + np.exp(-(coefficients[0] + D[known] @ coefficients[1:])))
    return performance(y[known], p, w[known])
