"""The two training commands as functions: reconstruct a cohort file, fit a model directory.

The default model: reconstruct the published series many times under assumptions drawn from
their uncertainty, fit each, pool (training/pooled.py), validate the pooled procedure
(training/pooled_validation.py), export. A cohort file (a registry): read -> validate -> weights ->
fit -> bootstrap intervals -> evaluate (training/validation.py) -> export. Both write the same
artifact: pooled coefficients and their draws (training/pooling.py).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from calculator.artifact import DEFAULT_MODEL_DIR, sha256_of
from calculator.coverage import coverage_summary
from calculator.features import ECOG_KPS_BAND, ECOG_SOURCE, FEATURES, HORIZON_DAYS
from training.cohort import ecog_rng, model_frame, read_cohort
from training.evidence import load_assumptions, resolve_parameters
from training.export import coefficients, pooled_method, registry_method, write_model_dir
from training.fit import bootstrap_coefficients, fit_procedure, ipcw
from training.imputed_fit import fit_imputed
from training.metrics import performance
from training.pooled import C_SEARCH_DRAWS, DRAWS, cell_counts, fit_pooled
from training.pooled_validation import VALIDATION_DRAWS
from training.pooled_validation import pooled_validation as validation_pooled
from training.pooling import Pooled, design_coefficients, pool
from training.reconstruction_files import (  # noqa: F401 (re-exported for the CLI and tests)
    DEFAULT_SEED,
    SYNTHETIC_NAME,
    is_synthetic,
    provenance_path,
    read_provenance,
    reconstruction_record,
    targets_path,
    write_example,
    write_reconstruction,
)
from training.sample_size import sample_size_report
from training.tables import ReadOptions
from training.uncertainty import distributions
from training.validation import BOOTSTRAP_RESAMPLES, validation_metrics

UNITS = {"kps": "Karnofsky points, 10-100 in steps of 10", "mccormick_grade": "grade 1 (I) to 5 (V)"}


def fit_model_dir(
    cohort_path: Path | None,
    out_dir: Path = DEFAULT_MODEL_DIR,
    seed: int = DEFAULT_SEED,
    log=print,
    draws: int | None = None,
    options: ReadOptions | None = None,
    impute: int | None = None,
) -> dict:
    """Fit the default pooled model (no cohort) or a cohort file's model and write out_dir.
    Returns the manifest. `impute`: the number of imputations for a cohort with missing
    predictors (training/imputed_fit.py); None: complete cases.

    Raises CohortError (bad file, or a data-quality check not accepted in `options`) or FitError
    (too few events) before anything is written.
    """
    # One BLAS thread: the matrices are tiny, and on 2 cores the default threads of this process
    # and of the parallel workers fight each other (default fit: 144 s -> 77 s measured).
    with threadpool_limits(limits=1), tempfile.TemporaryDirectory() as tmp:
        if cohort_path is None:
            return _fit_default(Path(out_dir), seed, draws or DRAWS, Path(tmp), log)
        if impute:
            parts = (cohort_summary, _model_entry, _features_and_outcome())
            return fit_imputed(Path(cohort_path), Path(out_dir), seed, impute, options, log, parts)
        return _fit_cohort(Path(cohort_path), Path(out_dir), seed, log, options)


def _fit_default(out_dir: Path, seed: int, draws: int, tmp: Path, log) -> dict:
    started = time.perf_counter()
    fit = fit_pooled(seed, draws, log=log)
    log(f"pooled {draws} reconstructions ({time.perf_counter() - started:.0f} s)")
    validation_seeds = np.random.SeedSequence(seed).spawn(3)[2].spawn(VALIDATION_DRAWS)
    studies = [s["study_id"] for s in load_assumptions()["series"]]
    metrics = validation_pooled(fit.pooled, fit.C, fit.seeds[:VALIDATION_DRAWS], validation_seeds, studies)
    metrics |= _size_and_shrinkage(fit.example.cohort, fit.C)
    log(f"validated on {VALIDATION_DRAWS} reconstructions ({time.perf_counter() - started:.0f} s in all)")
    example = tmp / SYNTHETIC_NAME
    record = write_example(fit.example, example, seed)
    assumptions = load_assumptions()
    params = resolve_parameters(assumptions)
    reconstruction = reconstruction_record(fit.example, distributions(params, assumptions))
    reconstruction["targets"] = fit.targets
    reconstruction["example_cohort"] = {"file": example.name, "sha256": record["cohort_sha256"]}
    n = len(fit.example.cohort)
    sizes = fit.example.cohort.groupby("study_id", sort=False).size()
    manifest = {
        "synthetic": True,
        "cohort": {
            "file": example.name,
            "sha256": record["cohort_sha256"],
            "synthetic": True,
            "n_rows": n,
            "n": n,
            "excluded_missing": {},
            "ignored_columns": [],
            "events_90d": fit.events_90d["mean"],
            "events_90d_range": [fit.events_90d["min"], fit.events_90d["max"]],
            "censored_before_90d": 0,
            "reconstructions": draws,
            "studies": [
                {"study_id": s, "n": int(k), "events_90d": float(e)}
                for (s, k), e in zip(sizes.items(), fit.study_events)
            ],
        },
        **_features_and_outcome(),
        "model": _model_entry(
            fit.pooled, fit.C, fit.cv_log_loss, pooled_method(draws, min(C_SEARCH_DRAWS, draws))
        ),
        "stability": fit.stability,
        "seed": seed,
        "metrics": metrics,
        "support": coverage_summary(fit.support),
        "reconstruction": reconstruction,
    }
    extra = {p.name: p for p in (example, provenance_path(example), targets_path(example))}
    return write_model_dir(out_dir, fit.pooled, fit.support, manifest, extra)


def _fit_cohort(cohort_path: Path, out_dir: Path, seed: int, log, options: ReadOptions | None) -> dict:
    cohort, report = read_cohort(cohort_path, options, rng=ecog_rng(seed))  # checks first
    provenance = read_provenance(cohort_path)
    synthetic = is_synthetic(cohort_path)
    X = model_frame(cohort)
    y, w = ipcw(cohort["survival_days"], cohort["died"])
    fitted = fit_procedure(X, y, w, seed)
    log(f"fitted on {len(cohort)} patients; C = {fitted.C:g} (cross-validated)")
    bootstrap = bootstrap_coefficients(fitted, X, y, w, seed)
    pooled = pool(
        [design_coefficients(fitted.pipeline)], [design_coefficients(fitted.pipeline, b) for b in bootstrap]
    )
    death = fitted.pipeline.predict_proba(X)[:, 1]
    started = time.perf_counter()
    validation = validation_metrics(cohort, fitted.pipeline, seed)
    log(
        f"validated: {BOOTSTRAP_RESAMPLES} bootstrap refits and leave-one-study-out "
        f"({time.perf_counter() - started:.0f} s)"
    )
    counts = cell_counts(cohort)
    manifest = {
        "synthetic": synthetic,
        "cohort": cohort_summary(cohort_path, cohort, report, synthetic),
        **_features_and_outcome(),
        "model": _model_entry(pooled, fitted.C, fitted.cv_log_loss, registry_method(len(bootstrap))),
        "seed": seed,
        "metrics": {"apparent": performance(y[w > 0], death[w > 0], w[w > 0]), **validation},
        "support": coverage_summary(counts),
    }
    extra = {}
    if provenance:
        # Only a verified synthetic cohort travels with the model. A registry export is patient
        # data: the manifest keeps its name, hash and counts, never its rows.
        manifest["reconstruction"] = provenance["reconstruction"]
        for path in (cohort_path, provenance_path(cohort_path), targets_path(cohort_path)):
            extra[path.name] = path
    return write_model_dir(out_dir, pooled, counts.astype(float), manifest, extra)


def _features_and_outcome() -> dict:
    return {
        "features": [
            {
                "name": f.name,
                "label": f.label,
                "values": list(f.values),
                "unit": UNITS.get(f.name, "category"),
            }
            for f in FEATURES
        ],
        "ecog": {"kps_band": {str(k): list(v) for k, v in ECOG_KPS_BAND.items()}, "source": ECOG_SOURCE},
        "outcome": f"alive {HORIZON_DAYS} days after surgery",
    }


def _model_entry(pooled: Pooled, C: float, cv_log_loss: dict, method: dict) -> dict:
    return {
        "method": method["method"],
        "C": C,
        "cv_log_loss": {f"{c:g}": v for c, v in cv_log_loss.items()},
        "pooling": method["pooling"],
        "interval": {
            "method": method["interval"],
            "draws": len(pooled.draws),
            "level": 0.95,
        },
        "coefficients": coefficients(pooled),
    }


def _size_and_shrinkage(cohort, C: float) -> dict:
    """Shrinkage and Riley's sample size on one reconstruction (every one has the same 172
    patients; deaths vary by draw, see cohort.events_90d_range)."""
    X = model_frame(cohort)
    y, w = ipcw(cohort["survival_days"], cohort["died"])
    pipeline = fit_procedure(X, y, w, 0, C=C).pipeline
    known = w > 0
    design = pipeline[:-1].transform(X[known].reset_index(drop=True))
    shrinkage, sample_size = sample_size_report(design, y[known], w[known], int(y.sum()))
    return {"shrinkage": shrinkage, "sample_size": sample_size}


def cohort_summary(path, cohort, report, synthetic) -> dict:
    died_90 = (cohort["died"] == 1) & (cohort["survival_days"] <= HORIZON_DAYS)
    studies = cohort.assign(event=died_90).groupby("study_id", sort=False)["event"].agg(["size", "sum"])
    return {
        "file": path.name,
        "sha256": sha256_of(path),
        "synthetic": synthetic,
        "n_rows": report.n_rows,
        "n": report.n_used,
        "excluded_missing": report.excluded_missing,
        "ignored_columns": report.ignored_columns,
        "read": report.source,
        "accepted_checks": report.accepted,
        "kps_from_ecog": report.kps_from_ecog,
        "ecog_kps_correspondence": ECOG_SOURCE if report.kps_from_ecog else None,
        "events_90d": int(died_90.sum()),
        "censored_before_90d": int(((cohort["died"] == 0) & (cohort["survival_days"] < HORIZON_DAYS)).sum()),
        "studies": [
            {"study_id": s, "n": int(r["size"]), "events_90d": int(r["sum"])} for s, r in studies.iterrows()
        ],
    }
