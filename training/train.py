"""The two training commands as functions: reconstruct a cohort file, fit a model directory.

read cohort -> validate -> (reconstruct) -> weights -> fit -> intervals -> evaluate (apparent,
bootstrap optimism, leave-one-study-out, sample size: training/validation.py) -> export.
"""

from __future__ import annotations

import json
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from threadpoolctl import threadpool_limits

from calculator.artifact import DEFAULT_MODEL_DIR, sha256_of
from calculator.features import ECOG_SOURCE, FEATURES, HORIZON_DAYS
from training.cohort import ecog_rng, model_frame, read_cohort, write_cohort
from training.evidence import evidence_sha256, load_assumptions, series_info
from training.export import coefficients, support, write_model_dir
from training.fit import bootstrap_coefficients, fit_procedure, ipcw
from training.metrics import performance
from training.reconstruct import Reconstruction, reconstruct
from training.tables import ReadOptions
from training.targets import write_targets
from training.validation import BOOTSTRAP_RESAMPLES, validation_metrics

DEFAULT_SEED = 20251121
SYNTHETIC_NAME = "synthetic_cohort.csv"
UNITS = {"kps": "Karnofsky points, 10-100 in steps of 10", "mccormick_grade": "grade 1 (I) to 5 (V)"}


def provenance_path(cohort_path: Path) -> Path:
    return cohort_path.with_name(cohort_path.stem + ".provenance.json")


def targets_path(cohort_path: Path) -> Path:
    return cohort_path.with_name(cohort_path.stem + ".targets.csv")


def reconstruction_record(rec: Reconstruction) -> dict:
    assumptions = load_assumptions()
    return {
        "generator": "python -m training reconstruct",
        "evidence_sha256": evidence_sha256(),
        "parameters": [asdict(p) for p in rec.parameters.values()],
        "data_generating_log_hr": asdict(rec.effects),
        "series": [
            asdict(series_info(s["study_id"])) | {"used_as": "patients"} for s in assumptions["series"]
        ]
        + [
            asdict(series_info(s["study_id"])) | {"used_as": "outcome figure only", "reason": s["reason"]}
            for s in assumptions["outcome_only"]
        ],
        "targets": rec.targets,
    }


def write_reconstruction(out: Path) -> tuple[Reconstruction, dict]:
    """Write the SYNTHETIC default cohort, its targets table and its provenance record."""
    out = Path(out)
    if "synthetic" not in out.name.lower():
        raise ValueError(
            f"{out.name}: the reconstructed cohort is synthetic and its file name must "
            f"say so (e.g. {SYNTHETIC_NAME})"
        )
    rec = reconstruct()
    out.parent.mkdir(parents=True, exist_ok=True)
    write_cohort(rec.cohort, out)
    write_targets(rec.targets, targets_path(out))
    record = {
        "synthetic": True,
        "cohort_file": out.name,
        "cohort_sha256": sha256_of(out),
        "note": "SYNTHETIC: reconstructed from published summary figures; no real patient.",
        "reconstruction": reconstruction_record(rec),
    }
    provenance_path(out).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return rec, record


def read_provenance(cohort_path: Path) -> dict | None:
    """The provenance record written beside a reconstructed cohort, if it still matches the file."""
    path = provenance_path(cohort_path)
    if not path.is_file():
        return None
    record = json.loads(path.read_text(encoding="utf-8"))
    return record if record.get("cohort_sha256") == sha256_of(cohort_path) else None


def fit_model_dir(
    cohort_path: Path | None,
    out_dir: Path = DEFAULT_MODEL_DIR,
    seed: int = DEFAULT_SEED,
    log=print,
    options: ReadOptions | None = None,
) -> dict:
    """Fit on a cohort file (or the reconstructed default) and write out_dir. Returns the manifest.

    Raises CohortError (bad file, or a data-quality check not accepted in `options`) or FitError
    (too few events) before anything is written.
    """
    # One BLAS thread: the matrices are tiny, and on 2 cores the default threads of this process
    # and of the parallel bootstrap workers fight each other (default fit: 144 s -> 77 s measured).
    with threadpool_limits(limits=1), tempfile.TemporaryDirectory() as tmp:
        if cohort_path is None:
            cohort_path = Path(tmp) / SYNTHETIC_NAME
            write_reconstruction(cohort_path)
            log(f"reconstructed the default SYNTHETIC cohort -> {cohort_path.name}")
        cohort_path = Path(cohort_path)
        cohort, report = read_cohort(cohort_path, options, rng=ecog_rng(seed))  # checks first
        provenance = read_provenance(cohort_path)
        synthetic = provenance is not None or "synthetic" in cohort_path.name.lower()
        X = model_frame(cohort)
        y, w = ipcw(cohort["survival_days"], cohort["died"])
        fitted = fit_procedure(X, y, w, seed)
        log(f"fitted on {len(cohort)} patients; C = {fitted.C:g} (cross-validated)")
        bootstrap = bootstrap_coefficients(fitted, X, y, w, seed)
        death = fitted.pipeline.predict_proba(X)[:, 1]
        started = time.perf_counter()
        validation = validation_metrics(cohort, fitted.pipeline, seed)
        log(
            f"validated: {BOOTSTRAP_RESAMPLES} bootstrap refits and leave-one-study-out "
            f"({time.perf_counter() - started:.0f} s)"
        )
        manifest = {
            "synthetic": synthetic,
            "cohort": cohort_summary(cohort_path, cohort, report, y, w, synthetic),
            "features": [
                {
                    "name": f.name,
                    "label": f.label,
                    "values": list(f.values),
                    "unit": UNITS.get(f.name, "category"),
                }
                for f in FEATURES
            ],
            "outcome": f"alive {HORIZON_DAYS} days after surgery",
            "model": {
                "method": "IPCW-weighted logistic regression for death within 90 days, "
                "L2 penalty, C chosen by repeated stratified 5-fold CV",
                "C": fitted.C,
                "cv_log_loss": {f"{c:g}": v for c, v in fitted.cv_log_loss.items()},
                "interval": {
                    "method": "percentile bootstrap of refitted coefficients",
                    "resamples": len(bootstrap),
                    "level": 0.95,
                },
                "coefficients": coefficients(fitted.pipeline),
            },
            "seed": seed,
            "metrics": {"apparent": performance(y[w > 0], death[w > 0], w[w > 0]), **validation},
            "support": support(cohort),
        }
        extra = {}
        if provenance:
            # Only a verified synthetic cohort travels with the model. A registry export is patient
            # data: the manifest keeps its name, hash and counts, never its rows.
            manifest["reconstruction"] = provenance["reconstruction"]
            for path in (cohort_path, provenance_path(cohort_path), targets_path(cohort_path)):
                extra[path.name] = path
        return write_model_dir(out_dir, fitted.pipeline, bootstrap, manifest, extra)


def cohort_summary(path, cohort, report, y, w, synthetic) -> dict:
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
