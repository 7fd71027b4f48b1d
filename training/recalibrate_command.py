"""`python -m training recalibrate --cohort FILE --model DIR --out DIR`: update a model on a registry.

Read the registry (every check first: a file that fails one writes nothing), load the parent
(verified), choose the update by closed testing (training/recalibrate.py), pool the chosen
update's draws with training.pooling.pool (the same function every model uses) and write a new
model directory in the same artifact format, whose manifest records the lineage: the parent's
version and SHA-256, the method, the test results, the registry's name, SHA-256 and counts, never
its rows.

What the new model is:
- intercept/logistic: the parent's formula with a shifted intercept (and all log odds scaled by
  b). Its relative effects still come from the parent's data, so `synthetic` stays the parent's
  (a synthetic-based model recalibrated on a registry is still synthetic-based), its `cohort`,
  `reconstruction` and `metrics` stay the parent's (they describe where its coefficients come
  from), and so does `support`: the no-number rule keeps marking where the parent's evidence had
  no patients, because that is where its relative effects are unsupported.
- refit: a model of the registry alone: `synthetic` is the registry's label, `cohort` the
  registry's summary, `support` its counts, as `fit --cohort` would write (without its internal
  validation: run `fit --cohort` for that).
- original: the parent's coefficients and draws unchanged, written with the lineage, so the
  decision is recorded.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from calculator.artifact import load_model, sha256_of
from calculator.predict import design_columns
from training.cohort import ecog_rng, read_cohort
from training.export import coefficients, write_model_dir
from training.fit import FitError, ipcw
from training.imputed_fit import imputed_sets
from training.pooled import bootstrap_rows, cell_counts, choose_C_on, fit_design
from training.pooling import pool
from training.recalibrate import LABELS, closed_test, closed_test_imputed, cv_log_loss, recalibrated_draws
from training.tables import ReadOptions

RESAMPLES = 200  # bootstrap resamples of the registry for the updated model's intervals
CV_IMPUTATIONS = 3  # with --impute, the CV log-loss is averaged over the first imputations
PARENT_KEYS_DROPPED = (
    "version",
    "artifact",
    "sha256",
    "versions",
    "horizon_days",
    "files",
    "reference_predictions",
)


def registry_arrays(cohort):
    """(design, death by day 90, IPCW weight) of the rows whose 90-day status is known."""
    y, w = ipcw(cohort["survival_days"], cohort["died"])
    known = w > 0
    return design_columns(cohort)[known], y[known], w[known]


def recalibrate_model_dir(
    cohort_path: Path,
    parent_dir: Path,
    out_dir: Path,
    seed: int,
    options: ReadOptions | None = None,
    log=print,
    impute: int | None = None,
) -> dict:
    """Run the command; returns the new manifest. `impute`: the number of imputations (missing
    predictors completed by training/imputation.py; every step per imputation, tests pooled by
    D2, fits by training.pooling.pool); None: complete cases. Raises CohortError,
    ModelLoadError or FitError before anything is written."""
    with threadpool_limits(limits=1):
        if impute:
            sets, _, report = imputed_sets(Path(cohort_path), options, seed, impute)
        else:
            cohort, report = read_cohort(Path(cohort_path), options, rng=ecog_rng(seed))  # checks first
            sets = [cohort]
        parent = load_model(Path(parent_dir))
        arrays = [registry_arrays(s) for s in sets]
        y = arrays[0][1]
        fewest = min(int(np.sum(y == 1)), int(np.sum(y == 0)))
        if fewest < 5:
            raise FitError(
                f"only {fewest} patients in the smaller outcome group: at least 5 deaths and 5 "
                "survivors of known 90-day status are needed to recalibrate"
            )
        return _update(cohort_path, sets, report, parent, arrays, Path(out_dir), seed, log)


def _update(cohort_path, sets, report, parent, arrays, out_dir, seed, log) -> dict:
    test_seed, cv_seed, boot_seed = np.random.SeedSequence(seed).spawn(3)
    D, y, w = arrays[0]
    test = (
        closed_test(D, y, w, parent.coefficients)
        if len(arrays) == 1
        else closed_test_imputed(arrays, parent.coefficients)
    )
    C = choose_C_on(D, y, w, int(test_seed.generate_state(1)[0]))
    runs = [
        cv_log_loss(*a, parent.coefficients, C, int(cv_seed.generate_state(1)[0]), fit_design)
        for a in arrays[:CV_IMPUTATIONS]
    ]
    losses = {m: float(np.mean([r[m] for r in runs])) for m in runs[0]}
    method = test["chosen"]
    log(
        f"closed test chose: {LABELS[method]}; CV log-loss "
        + ", ".join(f"{m} {v:.4f}" for m, v in losses.items())
    )
    # one share of the resamples per imputation; each imputation's point and sampled fits, pooled
    per = max(2, RESAMPLES // len(arrays))
    points, sampled = [parent.coefficients], parent.draws  # "original": the parent unchanged
    if method != "original":
        points, sampled = [], []
        for (Di, yi, wi), child in zip(arrays, boot_seed.spawn(len(arrays))):
            rows = [bootstrap_rows(yi, wi, np.random.default_rng(s)) for s in child.spawn(per)]
            p, s = recalibrated_draws(
                method, Di, yi, wi, parent.coefficients, parent.draws, rows, C, fit_design
            )
            points += list(p)
            sampled += list(s)
    pooled = pool(points, sampled)
    registry = {
        "file": Path(cohort_path).name,
        "sha256": sha256_of(Path(cohort_path)),
        "n_rows": report.n_rows,
        "n": report.n_used,
        "n_status_known": int(len(y)),
        "events_90d": int(y.sum()),
        "excluded_missing": report.excluded_missing,
        "accepted_checks": report.accepted,
        "date": datetime.date.today().isoformat(),
    }
    lineage = {
        "parent_version": parent.version,
        "parent_sha256": parent.manifest["sha256"],
        "method": method,
        "method_label": LABELS[method],
        "closed_test": test,
        "cv_log_loss": losses,
        "refit_C": C,
        "registry": registry,
        "resamples": len(sampled),
        "imputations": len(arrays) if len(arrays) > 1 else None,
    }
    manifest = {k: v for k, v in parent.manifest.items() if k not in PARENT_KEYS_DROPPED}
    manifest["model"] = dict(manifest["model"]) | {
        "coefficients": coefficients(pooled),
        "update": f"{LABELS[method]} on {registry['file']} (n = {registry['n']}), chosen by closed testing",
        "interval": manifest["model"]["interval"] | {"draws": len(pooled.draws)},
    }
    manifest["lineage"] = lineage
    support = parent.support
    if method == "refit":
        from training.train import cohort_summary, is_synthetic  # as fit --cohort writes them

        synthetic = is_synthetic(cohort_path)
        manifest |= {
            "synthetic": synthetic,
            "cohort": cohort_summary(Path(cohort_path), sets[0], report, synthetic),
        }
        manifest.pop("reconstruction", None)
        manifest.pop("stability", None)
        manifest.pop("metrics", None)
        support = np.mean([cell_counts(c) for c in sets], axis=0)
    return write_model_dir(out_dir, pooled, support, manifest)
