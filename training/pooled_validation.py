"""Internal validation of the pooled procedure that is shipped (training.pooled), on VALIDATION_DRAWS
of its reconstructions. Pure: no I/O.

The shipped model averages DRAWS fits; repeating all of that inside every bootstrap resample and
for every left-out study would cost hundreds of times the fit itself, so two stated reductions:

- Optimism (Harrell, Lee & Mark, Stat Med 1996): for each of VALIDATION_DRAWS reconstructions, one
  bootstrap resample, on which the single-draw procedure is refitted with the choice of C repeated
  by cross-validation on the resample; optimism = performance on the resample - performance on the
  reconstruction it came from, averaged. The pooled model averages many such fits and overfits
  less than one, so this optimism is if anything too large: the corrected figures are conservative.
  Apparent performance is the pooled model's own, on each reconstruction, averaged.
- Leave-one-study-out (Steyerberg & Harrell, J Clin Epidemiol 2016): for each series, the pooled
  procedure at the shipped C on VALIDATION_DRAWS reconstructions without that series (the mean of
  their fits), predicting that series' patients in each reconstruction. C is not re-chosen
  without the series (it pools 20 draws; one choice is all the budget allows).

Predictions of stacked reconstructions are scored on the stack; calibration intervals count one
cohort's patients, not the stack's (training.metrics.calibration_groups, `replicates`).
"""

from __future__ import annotations

import numpy as np
from joblib import Parallel, delayed
from sklearn.metrics import roc_auc_score

from calculator.predict import design_columns, survival_from
from training.fit import ipcw
from training.metrics import calibration_groups, performance, slope_estimable
from training.pooled import N_JOBS, bootstrap_rows, choose_C_on, draw_cohort, fit_design
from training.pooling import Pooled
from training.validation import CALIBRATION_GROUPS, MEASURES, _measures

VALIDATION_DRAWS = 100


def _draw_data(seed):
    rec, _ = draw_cohort(seed)
    cohort = rec.cohort
    y, w = ipcw(cohort["survival_days"], cohort["died"])
    return cohort, design_columns(cohort), y, w


def _optimism(D, y, w, rng: np.random.Generator) -> dict[str, float]:
    """Optimism per measure of one bootstrap resample of one reconstruction."""
    idx = bootstrap_rows(y, w, rng)
    Db, yb, wb = D[idx], y[idx], w[idx]
    C = choose_C_on(Db, yb, wb, int(rng.integers(0, 2**31 - 1)))
    coef = fit_design(Db, yb, wb, C)
    base_rate = float(np.average(yb[wb > 0], weights=wb[wb > 0]))
    apparent = _measures(yb, 1 - survival_from(coef, Db), wb, base_rate)
    test = _measures(y, 1 - survival_from(coef, D), w, base_rate)
    return {m: apparent[m] - test[m] for m in MEASURES}


def _left_out_fits(cohort, D, y, w, C: float, studies: list[str]) -> dict:
    """For one reconstruction: per study, the fit without it, and the study's rows."""
    out = {}
    for s in studies:
        rows = (cohort["study_id"] == s).to_numpy()
        ys, ws = ipcw(cohort.loc[rows, "survival_days"], cohort.loc[rows, "died"])
        out[s] = (fit_design(D[~rows], y[~rows], w[~rows], C), D[rows], ys, ws)
    return out


def _validate_draw(seed, resample_seed, coefficients, C: float, studies: list[str]) -> tuple:
    """Everything validation needs from one reconstruction, which is rebuilt once: the pooled
    model's apparent performance on it, one resample's optimism, and its leave-one-study-out fits."""
    cohort, D, y, w = _draw_data(seed)
    apparent = _measures(
        y, 1 - survival_from(coefficients, D), w, float(np.average(y[w > 0], weights=w[w > 0]))
    )
    optimism = _optimism(D, y, w, np.random.default_rng(resample_seed))
    return apparent, optimism, _left_out_fits(cohort, D, y, w, C, studies)


def pooled_validation(pooled: Pooled, C: float, seeds, resample_seeds, studies, n_jobs: int = N_JOBS) -> dict:
    """The manifest's validation entries for the pooled model: apparent, optimism, corrected,
    internal-external (leave-one-study-out) and its calibration curve."""
    runs = Parallel(n_jobs=n_jobs)(
        delayed(_validate_draw)(s, r, pooled.coefficients, C, studies) for s, r in zip(seeds, resample_seeds)
    )
    apparent = {m: float(np.mean([r[0][m] for r in runs])) for m in MEASURES}
    optimism = {m: float(np.mean([r[1][m] for r in runs])) for m in MEASURES}
    iecv, stacked = _internal_external([r[2] for r in runs], studies)
    return {
        "apparent": apparent,
        "optimism": optimism,
        "optimism_corrected": {m: apparent[m] - optimism[m] for m in MEASURES},
        "bootstrap_resamples": len(runs),
        "internal_external": iecv,
        "calibration_curve": _calibration_curve(*stacked, replicates=len(seeds)),
    }


def _internal_external(left: list[dict], studies: list[str]) -> tuple[dict, tuple]:
    per_study, all_y, all_p, all_w = [], [], [], []
    for s in studies:
        coef = np.mean([draw[s][0] for draw in left], axis=0)  # the pooled fit without s
        death = np.concatenate([1 - survival_from(coef, draw[s][1]) for draw in left])
        ys = np.concatenate([draw[s][2] for draw in left])
        ws = np.concatenate([draw[s][3] for draw in left])
        known = ws > 0
        both = len(np.unique(ys[known])) == 2
        per_study.append(
            {
                "study_id": s,
                "n": int(len(left[0][s][2])),
                "events_90d": float(np.mean([draw[s][2].sum() for draw in left])),
                "observed_survival_90d": float(1 - np.average(ys, weights=ws)),
                "status": "ok",
                "reason": None,
                "mean_predicted_survival_90d": float(1 - death.mean()),
                "c_statistic": float(roc_auc_score(ys[known], death[known], sample_weight=ws[known]))
                if both
                else None,
                "C": None,
            }
        )
        all_y.append(ys), all_p.append(death), all_w.append(ws)
    y, p, w = np.concatenate(all_y), np.concatenate(all_p), np.concatenate(all_w)
    known = w > 0
    if not slope_estimable(y[known], p[known]):
        pooled = {"status": "not available", "reason": "the out-of-sample predictions cannot support a slope"}
    else:
        pooled = performance(y[known], p[known], w[known]) | {
            "n": int(round(known.sum() / len(left))),
            "studies_predicted": len(studies),
        }
    return {"per_study": per_study, "pooled": pooled}, (y, p, w)


def _calibration_curve(y, death, w, replicates: int) -> dict:
    return {
        "groups": calibration_groups(1 - y, 1 - death, w, CALIBRATION_GROUPS, replicates=replicates),
        "method": f"{CALIBRATION_GROUPS} equal-sized groups by out-of-sample (leave-one-study-out) "
        f"predicted 90-day survival over {replicates} reconstructions; observed = IPCW-weighted "
        "proportion alive at day 90 (Kaplan-Meier consistent); 95% Wilson interval on one cohort's "
        "effective n (the reconstructions are stacked copies of the same 172 published patients)",
    }
