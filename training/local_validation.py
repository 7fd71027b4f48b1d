"""Validate a model on a hospital's own cohort: the numbers behind `python -m training validate`.

`local_validation` is pure (model and cohort in, plain dict out); `write_report` is the command:
load the model (verified), read the cohort (validated), compute, render (training/report.py),
write. Outcomes use the same IPCW weights as training, so a registry with censoring before day 90
is handled as in fitting; the observed survival in each group is its Kaplan-Meier at day 90.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score

from calculator.artifact import load_model, sha256_of
from calculator.features import FEATURE_NAMES, HORIZON_DAYS, RESECTION
from calculator.predict import Model, predict_survival
from training.cohort import ecog_rng, read_cohort
from training.fit import ipcw
from training.metrics import brier, calibration, calibration_groups, calibration_intercept, slope_estimable
from training.report import render_report
from training.tables import ReadOptions

RESAMPLES = 1000  # percentile bootstrap of the performance measures
GROUPS = 5  # calibration groups, as for the shipped model (training/validation.py)
MEASURES = ("c_statistic", "calibration_intercept", "calibration_slope")
REFIT = "python -m training fit --cohort YOUR_REGISTRY.csv"


def _estimates(y, p, w) -> dict[str, float | None]:
    """MEASURES, None where not estimable: c and intercept need deaths and survivors; the slope
    also needs the predictions of the two groups to overlap (training.metrics.slope_estimable)."""
    if len(np.unique(y)) < 2:
        return dict.fromkeys(MEASURES)
    slope = None
    if slope_estimable(y, p):
        with np.errstate(all="ignore"):  # nearly separated resamples: Newton may run off to inf/nan
            slope = calibration(y, p, w)[1]
    return {
        "c_statistic": float(roc_auc_score(y, p, sample_weight=w)),
        "calibration_intercept": calibration_intercept(y, p, w),
        "calibration_slope": slope if slope is not None and np.isfinite(slope) else None,
    }


def _observed(y, w) -> float | None:
    return float(1 - np.average(y, weights=w)) if w.sum() > 0 else None


def local_validation(model: Model, cohort, seed: int, resamples: int = RESAMPLES) -> dict:
    """Performance of `model` on `cohort` (a frame from training.cohort.read_cohort).

    Raises ValueError when nobody's 90-day status is known (all censored before day 90).
    """
    survival, _ = predict_survival(model, cohort.loc[:, list(FEATURE_NAMES)].to_dict("records"))
    y, w = ipcw(cohort["survival_days"], cohort["died"])
    known = w > 0
    if not known.any():
        raise ValueError(f"no patient's {HORIZON_DAYS}-day status is known: all were censored before it")
    yk, pk, wk = y[known], 1 - survival[known], w[known]
    point = _estimates(yk, pk, wk)
    rng = np.random.default_rng(seed)
    draws = [
        _estimates(yk[i], pk[i], wk[i]) for i in (rng.integers(0, len(yk), len(yk)) for _ in range(resamples))
    ]
    measures = {}
    for m in MEASURES:
        values = [d[m] for d in draws if d[m] is not None]
        estimable = point[m] is not None and values
        ci = [float(v) for v in np.percentile(values, [2.5, 97.5])] if estimable else None
        measures[m] = {"estimate": point[m], "ci_95": ci, "resamples_used": len(values)}
    groups = min(GROUPS, int(known.sum()))
    by_resection = []
    for choice in RESECTION.choices:
        rows = (cohort["resection"] == choice.value).to_numpy()
        if rows.any():
            ys, ws = ipcw(cohort.loc[rows, "survival_days"], cohort.loc[rows, "died"])
            by_resection.append(
                {
                    "resection": choice.label,
                    "n": int(rows.sum()),
                    "deaths_90d": int(ys.sum()),
                    "observed_survival_90d": _observed(ys, ws),
                    "mean_predicted_survival_90d": float(survival[rows].mean()),
                }
            )
    results = {
        "n": int(len(cohort)),
        "deaths_90d": int(y.sum()),
        "censored_before_90d": int(((cohort["died"] == 0) & (cohort["survival_days"] < HORIZON_DAYS)).sum()),
        "observed_survival_90d": _observed(y, w),
        "mean_predicted_survival_90d": float(survival.mean()),
        "measures": measures,
        "brier": brier(yk, pk, wk),
        "brier_null": brier(yk, np.full(len(yk), np.average(yk, weights=wk)), wk),
        "calibration_groups": calibration_groups(1 - yk, 1 - pk, wk, groups),
        "by_resection": by_resection,
        "resamples": resamples,
    }
    return results | {"advice": advice(results, bool(model.manifest.get("synthetic")))}


def advice(results: dict, synthetic_model: bool) -> list[str]:
    """Plain sentences for the reader deciding whether to use, recalibrate or refit the model.
    Judged on the 95% intervals (does the interval exclude the ideal value?), not on thresholds."""
    out = []
    if synthetic_model:
        out.append(
            "This model was fitted to a SYNTHETIC cohort reconstructed from published summary figures, "
            "not to real patients: these results are its first test on real data."
        )
    deaths = results["deaths_90d"]
    if deaths < 100:
        out.append(
            f"Only {deaths} deaths by day {HORIZON_DAYS}: a validation needs at least 100 events, ideally "
            "200 (Collins, Ogundimu & Altman, Stat Med 2016;35:214-226), so every interval here is wide "
            "and a good-looking result is weak evidence."
        )
    m = results["measures"]
    flagged = False
    c = m["c_statistic"]
    if c["estimate"] is None:
        flagged = True
        out.append(
            "The c-statistic cannot be computed: the cohort needs both deaths and survivors by day 90."
        )
    elif c["ci_95"] and c["ci_95"][0] <= 0.5:
        flagged = True
        out.append(
            "The c-statistic's 95% interval includes 0.5: in your patients the model may rank risk no "
            "better than chance. Do not use it without refitting on your data."
        )
    a = m["calibration_intercept"]
    if a["ci_95"] and (a["ci_95"][0] > 0 or a["ci_95"][1] < 0):
        flagged = True
        direction = "More" if a["estimate"] > 0 else "Fewer"
        tone = "optimistic" if a["estimate"] > 0 else "pessimistic"
        out.append(
            f"{direction} patients died by day {HORIZON_DAYS} than the model predicts (calibration-in-the-"
            f"large {a['estimate']:+.2f} on the log-odds scale): its survival estimates are too {tone} for "
            f"your patients. Recalibrate the intercept, or refit on your registry: `{REFIT}`."
        )
    b = m["calibration_slope"]
    if b["estimate"] is None and c["estimate"] is not None:
        flagged = True
        out.append(
            "The calibration slope cannot be estimated: the predictions of those who died and those who "
            "survived do not overlap (a perfect or a constant predictor in this cohort)."
        )
    elif b["ci_95"] and (b["ci_95"][1] < 1 or b["ci_95"][0] > 1):
        flagged = True
        shape = (
            "too extreme (high risks too high, low risks too low)" if b["estimate"] < 1 else "too moderate"
        )
        out.append(
            f"Calibration slope {b['estimate']:.2f}: the estimates are {shape} for your patients. "
            f"Recalibrate (slope and intercept) or refit on your registry: `{REFIT}`."
        )
    if not flagged:
        out.append(
            "No evidence here of poor discrimination or of miscalibration. That is not proof of good "
            "performance: read the intervals and the calibration plot, not only the point estimates."
        )
    return out


def write_report(
    cohort_path: Path, out: Path, model_dir: Path, seed: int, options: ReadOptions | None = None
) -> dict:
    """Validate the model in `model_dir` on `cohort_path` and write the HTML report to `out`.

    Raises CohortError (file, or a data-quality check not accepted in `options`), ModelLoadError
    (model) or ValueError (no known outcome) before anything is written. Returns the results.
    """
    cohort, cohort_report = read_cohort(cohort_path, options, rng=ecog_rng(seed))  # checks first
    model = load_model(model_dir)
    results = local_validation(model, cohort, seed)
    context = {
        "model_version": model.version,
        "model_sha256": model.manifest["sha256"],
        "model_synthetic": bool(model.manifest.get("synthetic")),
        "model_n": model.manifest.get("cohort", {}).get("n"),
        "cohort_file": Path(cohort_path).name,
        "cohort_sha256": sha256_of(Path(cohort_path)),
        "rows_excluded": cohort_report.n_rows - cohort_report.n_used,
        "seed": seed,
        "generated_on": datetime.date.today().isoformat(),
        "refit_command": REFIT,
    }
    html = render_report(results, context)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(html, encoding="utf-8")
    return results
