"""Write a model directory: the joblib artifact and manifest.json beside it (docs/manifest.md).

Files are written to a temporary directory next to the destination and moved into place only
when everything has been computed, so a failed run leaves the previous model untouched.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import tempfile
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import sklearn

from calculator.artifact import MANIFEST, Model, sha256_of
from calculator.features import HORIZON_DAYS
from calculator.predict import predict_survival
from training.fit import CV_SPLITS
from training.pooling import Pooled

ARTIFACT = "model.joblib"
MODEL_RELEASE = "2"  # bump when the model's form (predictors, outcome, method) changes; 2: pooled

# Input profiles spanning the range, recorded with their predictions in every manifest; the
# shipped artifact must reproduce them (tests/test_artifact.py). Includes KPS 20 and 10, which lie
# outside the default cohort, so the extrapolation warning is exercised too.
REFERENCE_PROFILES = [
    dict(zip(("kps", "other_metastases", "mccormick_grade", "resection", "compartment"), p))
    for p in [
        (100, False, 1, "gross_total", "intramedullary"),
        (90, False, 1, "gross_total", "intradural_extramedullary"),
        (90, True, 1, "biopsy", "intradural_extramedullary"),
        (80, False, 2, "subtotal", "intramedullary"),
        (80, True, 2, "gross_total", "intradural_extramedullary"),
        (70, False, 2, "gross_total", "intramedullary"),
        (70, True, 3, "subtotal", "intramedullary"),
        (60, True, 3, "biopsy", "intradural_extramedullary"),
        (60, False, 4, "subtotal", "intradural_extramedullary"),
        (50, True, 4, "biopsy", "intramedullary"),
        (40, True, 5, "biopsy", "intramedullary"),
        (30, True, 5, "subtotal", "intradural_extramedullary"),
        (20, True, 5, "biopsy", "intramedullary"),
        (10, False, 1, "gross_total", "intramedullary"),
    ]
]


def versions() -> dict[str, str]:
    return {
        "python": platform.python_version(),
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "joblib": joblib.__version__,
    }


def coefficients(pooled: Pooled) -> dict:
    """The formula: pooled intercept and coefficients on the fixed design, each with its 95%
    interval over the draws. Every point estimate is 1 - sigmoid(intercept + sum of coefficient x
    design value)."""
    return {
        "outcome": f"log odds of death within {HORIZON_DAYS} days",
        "design": {
            "intercept": "the reference patient (KPS 70, no other metastases, McCormick grade II, "
            "intramedullary) after a biopsy",
            "kps_per_10": "(KPS - 70) / 10",
            "mccormick_grade": "grade - 2 (grade I = 1 ... V = 5)",
            "other_metastases": "1 if other metastases, else 0",
            "resection_subtotal": "1 if subtotal resection, else 0 (vs biopsy)",
            "resection_gross_total": "1 if gross total resection, else 0 (vs biopsy)",
            "compartment_intradural_extramedullary": "1 if intradural extramedullary, else 0 "
            "(vs intramedullary)",
        },
        "pooled": pooled.coefficient_table(),
    }


def pooled_method(draws: int, c_search_draws: int) -> dict:
    return {
        "method": "IPCW-weighted logistic regression for death within 90 days, L2 penalty (C chosen by "
        f"repeated stratified {CV_SPLITS}-fold CV averaged over {c_search_draws} reconstructions), fitted "
        f"to each of {draws} reconstructions of the published series and pooled",
        "pooling": f"{draws} draws; each draws every assumption from its distribution and a fresh random "
        "stream, reconstructs the cohort and fits it as it is (point) and on a bootstrap resample "
        "(sampled); coefficients = mean of the point fits (Rubin's rule)",
        "interval": "2.5th-97.5th percentile over the draws of the prediction of each sampled fit: "
        "sampling and structural (assumption and reconstruction) uncertainty together",
    }


def registry_method(resamples: int) -> dict:
    return {
        "method": "IPCW-weighted logistic regression for death within 90 days, L2 penalty, C chosen by "
        f"repeated stratified {CV_SPLITS}-fold CV",
        "pooling": "one cohort: coefficients = the fit on it",
        "interval": f"percentile bootstrap: 2.5th-97.5th percentile of the predictions of {resamples} "
        "refits on bootstrap resamples",
    }


def reference_predictions(model: Model) -> list[dict]:
    survival, interval = predict_survival(model, REFERENCE_PROFILES)
    return [
        {"inputs": p, "survival_90d": float(s), "interval_95": [float(lo), float(hi)]}
        for p, s, (lo, hi) in zip(REFERENCE_PROFILES, survival, interval)
    ]


def write_model_dir(
    out_dir: Path,
    pooled: Pooled,
    support: np.ndarray,
    manifest: dict,
    extra_files: dict[str, Path] | None = None,
) -> dict:
    """Dump the artifact, complete the manifest (hash, version, reference predictions, the list of
    files it owns) and move everything into out_dir. Returns the manifest.

    Files the previous manifest in out_dir listed and this one does not (e.g. an earlier synthetic
    cohort beside a new registry fit) are removed, so a directory never mixes two models. Nothing
    else in out_dir is touched.
    """
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    previous = _owned_files(out_dir)
    with tempfile.TemporaryDirectory(dir=out_dir.parent, prefix=".fit-") as tmp:
        tmp = Path(tmp)
        content = {
            "coefficients": pooled.coefficients,
            "draws": pooled.draws,
            "support": np.asarray(support, float),
        }
        joblib.dump(content, tmp / ARTIFACT, compress=3)
        sha = sha256_of(tmp / ARTIFACT)
        manifest = {
            "version": f"{MODEL_RELEASE}+{sha[:12]}",
            "artifact": ARTIFACT,
            "sha256": sha,
            **manifest,
            "versions": versions(),
            "horizon_days": HORIZON_DAYS,
            "files": sorted([ARTIFACT, MANIFEST, *(extra_files or {})]),
        }
        model = Model(**content, manifest=manifest)
        manifest["reference_predictions"] = reference_predictions(model)
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        for name, source in (extra_files or {}).items():
            shutil.copyfile(source, tmp / name)
        out_dir.mkdir(exist_ok=True)
        for path in sorted(tmp.iterdir()):
            os.replace(path, out_dir / path.name)
    for name in previous - set(manifest["files"]):
        (out_dir / name).unlink(missing_ok=True)
    return manifest


def _owned_files(model_dir: Path) -> set[str]:
    """Plain file names the model directory's current manifest lists as its own (none if absent)."""
    try:
        files = json.loads((model_dir / MANIFEST).read_text(encoding="utf-8")).get("files", [])
    except (OSError, ValueError, AttributeError):
        return set()
    return {f for f in files if isinstance(f, str) and Path(f).name == f}
