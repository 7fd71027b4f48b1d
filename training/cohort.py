"""Read a cohort file for fitting or validation, write one (docs/cohort-schema.md).

`read_cohort` is the one entry point of `fit` and `validate`: read the file (CSV or .xlsx,
training/tables.py), type every row (training/registry.py), run every data-quality check
(training/checks.py) and refuse, with CohortError, a file that fails one, unless the user accepted
that check with `--accept`. Only then is the complete-case frame built. Nothing is written by
anyone before this returns.

Missing values (an empty cell, NA, or a declared code) in a predictor or outcome exclude that row
(complete-case analysis, counted per column); `study_id` must never be missing. A row without KPS
but with an ECOG grade is kept: its KPS is one of the grade's two band values
(`calculator.features.ECOG_KPS_BAND`), drawn with probability 1/2 each by `draw_kps_from_ecog`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from calculator.features import COHORT_COLUMNS, FEATURE_NAMES
from calculator.predict import to_frame
from training.checks import CheckReport, run_checks
from training.problems import MAX_ERRORS, CohortError  # noqa: F401  (re-exported: callers import it here)
from training.registry import kps_band, load_registry
from training.tables import ReadOptions

# The draw of ECOG rows' KPS gets its own stream of the command's seed: a spawn key no other
# draw uses (SeedSequence(seed).spawn(n) children have keys (0,) .. (n-1,)).
ECOG_STREAM = 0xEC06


@dataclass
class CohortReport:
    n_rows: int = 0
    n_used: int = 0
    excluded_missing: dict[str, int] = field(default_factory=dict)  # column -> rows missing it
    ignored_columns: list[str] = field(default_factory=list)
    kps_from_ecog: int = 0  # rows used whose KPS was drawn from their ECOG band
    source: dict = field(default_factory=dict)  # how the file was read (format, delimiter, codes)
    accepted: list[str] = field(default_factory=list)  # flagged checks the user accepted
    checks: CheckReport | None = None


def ecog_rng(seed: int) -> np.random.Generator:
    """The generator that draws ECOG rows' KPS for a command run with `seed`."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(ECOG_STREAM,)))


def draw_kps_from_ecog(cohort: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """A copy with each `kps_from_ecog` row's KPS drawn from its ECOG band, 1/2 each value.

    One draw is one completed data set: a pooled fit (many draws) calls this once per draw, so
    the uncertainty of where in the band the patient lies reaches the intervals.
    """
    out = cohort.copy()
    rows = out.index[out["kps_from_ecog"].astype(bool)]
    out.loc[rows, "kps"] = [int(rng.choice(kps_band(e))) for e in out.loc[rows, "ecog"]]
    return out


def read_cohort(
    path: Path,
    options: ReadOptions | None = None,
    *,
    rng: np.random.Generator | None = None,
    keep_missing_predictors: bool = False,
) -> tuple[pd.DataFrame, CohortReport]:
    """The complete-case frame (COHORT_COLUMNS) of a file that passes every check, and a report.

    `keep_missing_predictors` (multiple imputation, training/imputation.py): also keep rows whose
    outcome is complete but a predictor is missing, the predictor as NaN (float columns), and
    the `ecog` and `kps_from_ecog` columns, so that each imputation redraws the ECOG rows' KPS.

    Raises CohortError for an unreadable file or header, and for any REFUSE finding or NEEDS_FLAG
    finding not in `options.accept` (the message names the flag). `rng` draws the KPS of rows that
    have only ECOG (a file with such rows and no rng is a programming error: ValueError).
    """
    options = options or ReadOptions()
    reg = load_registry(path, options)
    checks = run_checks(reg)
    # With imputation, missingness related to the outcome is what the imputation model (which holds
    # the outcome) addresses: that check no longer needs its flag.
    handled = frozenset({"missingness-outcome"}) if keep_missing_predictors else frozenset()
    blocking = checks.blocking(options.accept | handled)
    if blocking:
        raise CohortError(path, [f.problem() for f in blocking])
    if keep_missing_predictors:
        return _with_missing(reg, checks, options)
    kept = reg.rows.loc[reg.complete.to_numpy(dtype=bool)].reset_index(drop=True)
    if kept["kps_from_ecog"].astype(bool).any():
        if rng is None:
            raise ValueError("read_cohort: rows take KPS from ECOG; pass rng=ecog_rng(seed)")
        kept = draw_kps_from_ecog(kept, rng)
    records = [
        {c: r[c] for c in COHORT_COLUMNS} | {"kps": int(r["kps"]), "survival_days": float(r["survival_days"])}
        for r in kept.to_dict("records")
    ]
    report = CohortReport(
        n_rows=checks.n_rows,
        n_used=len(records),
        excluded_missing=dict(reg.missing),
        ignored_columns=reg.ignored_columns,
        kps_from_ecog=checks.kps_from_ecog,
        source=reg.source,
        accepted=sorted(options.accept),
        checks=checks,
    )
    return pd.DataFrame.from_records(records, columns=list(COHORT_COLUMNS)), report


def _with_missing(reg, checks: CheckReport, options: ReadOptions) -> tuple[pd.DataFrame, CohortReport]:
    """Rows with a complete outcome, missing predictors as NaN (see read_cohort)."""
    outcome = reg.rows["survival_days"].notna() & reg.rows["died"].notna()
    kept = reg.rows.loc[outcome.to_numpy(dtype=bool)].reset_index(drop=True)
    frame = pd.DataFrame({"study_id": kept["study_id"]})
    for name in FEATURE_NAMES:
        frame[name] = kept[name]
    frame["kps"] = pd.to_numeric(kept["kps"], errors="coerce")
    frame["mccormick_grade"] = pd.to_numeric(kept["mccormick_grade"], errors="coerce")
    frame["other_metastases"] = kept["other_metastases"].map({True: 1.0, False: 0.0}).astype(float)
    frame["survival_days"] = kept["survival_days"].astype(float)
    frame["died"] = kept["died"].astype(int)
    frame["ecog"] = pd.to_numeric(kept["ecog"], errors="coerce") if "ecog" in kept else np.nan
    frame["kps_from_ecog"] = kept["kps_from_ecog"].astype(bool)
    report = CohortReport(
        n_rows=checks.n_rows,
        n_used=len(frame),
        excluded_missing={c: n for c, n in reg.missing.items() if c in ("survival_days", "died")},
        ignored_columns=reg.ignored_columns,
        kps_from_ecog=checks.kps_from_ecog,
        source=reg.source,
        accepted=sorted(options.accept),
        checks=checks,
    )
    return frame, report


def write_cohort(frame: pd.DataFrame, path: Path) -> None:
    """Write a cohort in the schema (other_metastases as yes/no)."""
    out = frame.loc[:, list(COHORT_COLUMNS)].copy()
    out["other_metastases"] = out["other_metastases"].map({True: "yes", False: "no"})
    out.to_csv(path, index=False, lineterminator="\n")


def model_frame(cohort: pd.DataFrame) -> pd.DataFrame:
    """The five predictors of a validated cohort, as `calculator.predict.to_frame` builds them."""
    return to_frame(cohort.loc[:, list(FEATURE_NAMES)].to_dict("records"))
