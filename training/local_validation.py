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

from calculator.artifact import load_model, sha256_of
from calculator.features import FEATURE_NAMES, HORIZON_DAYS, RESECTION
from calculator.predict import Model, predict_survival
from training.cohort import ecog_rng, read_cohort
from training.fit import ipcw
from training.local_measures import BAND_RESAMPLES, statistician_measures, verdict_sentences
from training.metrics import brier, calibration, calibration_groups, calibration_intercept, slope_estimable
from training.report import render_report
from training.tables import ReadOptions
from training.validation_measures import weighted_auc

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
        "c_statistic": weighted_auc(y, p, w),
        "calibration_intercept": calibration_intercept(y, p, w),
        "calibration_slope": slope if slope is not None and np.isfinite(slope) else None,
    }


def _observed(y, w) -> float | None:
    return float(1 - np.average(y, weights=w)) if w.sum() > 0 else None


def local_validation(
    model: Model, cohort, seed: int, resamples: int = RESAMPLES, band_resamples: int = BAND_RESAMPLES
) -> dict:
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
        se = float(np.std(values, ddof=1)) if estimable and len(values) > 1 else None
        measures[m] = {"estimate": point[m], "ci_95": ci, "resamples_used": len(values), "se": se}
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
    results["statistician"] = statistician_measures(
        model, cohort, known, yk, pk, wk, measures["calibration_slope"], seed, band_resamples
    )
    return results | {"advice": advice(results, bool(model.manifest.get("synthetic")))}


def advice(results: dict, synthetic_model: bool) -> list[str]:
    """Plain sentences for the reader deciding whether to use, recalibrate or refit the model:
    the verdict against stated tolerances (training.local_measures), how precise this validation
    is, and the update the closed test recommends. Never "no evidence of" on weak data."""
    out = []
    if synthetic_model:
        out.append(
            "This model was fitted to SYNTHETIC cohorts reconstructed from published summary figures, "
            "not to patient records: this report tests it on the patients of the file named below."
        )
    deaths = results["deaths_90d"]
    if deaths < 100:
        out.append(
            f"Only {deaths} deaths by day {HORIZON_DAYS}: a validation needs at least 100 events, ideally "
            "200 (Collins, Ogundimu & Altman, Stat Med 2016;35:214-226), so every interval here is wide "
            "and a good-looking result is weak evidence."
        )
    c = results["measures"]["c_statistic"]
    if c["estimate"] is None:
        out.append(
            "The c-statistic cannot be computed: the cohort needs both deaths and survivors by day 90."
        )
    elif c["ci_95"] and c["ci_95"][0] <= 0.5:
        out.append(
            "The c-statistic's 95% interval includes 0.5: in your patients the model may rank risk no "
            "better than chance. Do not use it without refitting on your data."
        )
    a = results["measures"]["calibration_intercept"]
    if a["ci_95"] and (a["ci_95"][0] > 0 or a["ci_95"][1] < 0):
        direction = "More" if a["estimate"] > 0 else "Fewer"
        tone = "optimistic" if a["estimate"] > 0 else "pessimistic"
        out.append(
            f"{direction} patients died by day {HORIZON_DAYS} than the model predicts (calibration-in-the-"
            f"large {a['estimate']:+.2f} on the log-odds scale): its survival estimates are too {tone} for "
            "your patients."
        )
    stats = results.get("statistician")
    if stats:
        out += verdict_sentences(stats, results["measures"]["calibration_slope"])
    return out


def write_report(
    cohort_path: Path,
    out: Path,
    model_dir: Path,
    seed: int,
    options: ReadOptions | None = None,
    impute: int | None = None,
) -> dict:
    """Validate the model in `model_dir` on `cohort_path` and write the HTML report to `out`.
    `impute`: validate on that many imputed data sets and pool (training/imputed_validation.py).

    Raises CohortError (file, or a data-quality check not accepted in `options`), ModelLoadError
    (model) or ValueError (no known outcome) before anything is written. Returns the results.
    """
    if impute:
        from training.imputed_fit import imputed_sets  # imports the fitting code only when imputing
        from training.imputed_validation import pool_validations

        sets, _, cohort_report = imputed_sets(Path(cohort_path), options, seed, impute)  # checks first
        model = load_model(model_dir)
        children = np.random.SeedSequence(seed).spawn(len(sets))
        runs = [
            # the bootstrap resamples shared out over the imputations (at least 50 and 20 each)
            local_validation(
                model,
                s,
                int(c.generate_state(1)[0]),
                resamples=max(50, RESAMPLES // len(sets)),
                band_resamples=max(20, BAND_RESAMPLES // len(sets)),
            )
            for s, c in zip(sets, children)
        ]
        results = pool_validations(runs, model, sets)
        results["advice"] = advice(results, bool(model.manifest.get("synthetic")))
    else:
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
        "model_dir": str(model_dir),
        "imputations": impute,
    }
    html = render_report(results, context)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(html, encoding="utf-8")
    return results
