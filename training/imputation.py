"""Multiple imputation by chained equations for the five predictors (issue 11, item 4).

scikit-learn's IterativeImputer with `sample_posterior=True` (each missing value drawn from its
predictive distribution, not set to its mean, so that between-imputation variation is real),
m >= 20 imputations (default DEFAULT_IMPUTATIONS), each with its own random stream from
numpy.random.SeedSequence(seed).spawn(m). Only predictors are imputed, never the outcome; the
outcome (death by day 90 and the death indicator) is a predictor in the imputation model, as it
must be (Moons et al., J Clin Epidemiol 2006;59:1092-1101), or the imputed values would dilute
the predictors' association with it. Imputed values are put back on their scales: KPS rounded to
the 10-point scale within 10-100, McCormick grade to 1-5, other metastases and compartment to
0/1, extent of resection (biopsy < subtotal < gross total, coded 0-2) to the nearest level. A row
whose KPS comes from ECOG gets it drawn from its band in every imputation
(training.cohort.draw_kps_from_ecog), not imputed.

Each completed data set is then fitted or validated as a complete one and the results pooled:
fits with training.pooling.pool (the same function as the default model), measures by Rubin's
rules where a variance exists (training.validation_measures.rubin).
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
from sklearn.experimental import enable_iterative_imputer  # noqa: F401  (registers the class)
from sklearn.impute import IterativeImputer

from calculator.features import COMPARTMENT, RESECTION
from training.fit import ipcw
from training.registry import kps_band

DEFAULT_IMPUTATIONS = 20  # m >= 20 (White, Royston & Wood, Stat Med 2011;30:377-399)
MAX_ITER = 10
COLUMNS = ("kps", "other_metastases", "mccormick_grade", "resection", "compartment")
RESECTION_CODE = {v: float(i) for i, v in enumerate(RESECTION.values)}
COMPARTMENT_CODE = {v: float(i) for i, v in enumerate(COMPARTMENT.values)}


def missing_share(frame: pd.DataFrame) -> float:
    """Share of rows missing at least one predictor (ECOG rows are not missing KPS)."""
    kps_missing = frame["kps"].isna() & ~frame["kps_from_ecog"]
    others = (
        frame.loc[:, ["other_metastases", "mccormick_grade", "resection", "compartment"]].isna().any(axis=1)
    )
    return float((kps_missing | others).mean()) if len(frame) else 0.0


def _numeric(frame: pd.DataFrame) -> np.ndarray:
    y, _ = ipcw(frame["survival_days"], frame["died"])
    return np.column_stack(
        [
            frame["kps"].to_numpy(float),
            frame["other_metastases"].to_numpy(float),
            frame["mccormick_grade"].to_numpy(float),
            frame["resection"].map(RESECTION_CODE).to_numpy(float),
            frame["compartment"].map(COMPARTMENT_CODE).to_numpy(float),
            y.astype(float),  # the outcome: a predictor of the missing values, never imputed
            frame["died"].to_numpy(float),
        ]
    )


def _completed(frame: pd.DataFrame, values: np.ndarray) -> pd.DataFrame:
    out = frame.loc[:, ["study_id", "survival_days", "died"]].copy()
    out["kps"] = (np.clip(np.round(values[:, 0] / 10), 1, 10) * 10).astype(int)
    out["other_metastases"] = np.clip(np.round(values[:, 1]), 0, 1).astype(bool)
    out["mccormick_grade"] = np.clip(np.round(values[:, 2]), 1, 5).astype(int)
    out["resection"] = np.array(RESECTION.values, dtype=object)[
        np.clip(np.round(values[:, 3]), 0, 2).astype(int)
    ]
    out["compartment"] = np.array(COMPARTMENT.values, dtype=object)[
        np.clip(np.round(values[:, 4]), 0, 1).astype(int)
    ]
    return out


def impute_once(frame: pd.DataFrame, seed: np.random.SeedSequence) -> pd.DataFrame:
    """One completed data set in the cohort's columns (read_cohort's frame order)."""
    rng = np.random.default_rng(seed)
    values = _numeric(frame)
    ecog = frame["kps_from_ecog"].to_numpy(bool)
    values[ecog, 0] = [rng.choice(kps_band(int(e))) for e in frame.loc[ecog, "ecog"]]
    if np.isnan(values).any():
        imputer = IterativeImputer(
            sample_posterior=True, max_iter=MAX_ITER, random_state=int(rng.integers(0, 2**31 - 1))
        )
        values = imputer.fit_transform(values)
    completed = _completed(frame, values)
    return completed.loc[:, ["study_id", *COLUMNS, "survival_days", "died"]]


def imputations(frame: pd.DataFrame, m: int, seed: int, progress: bool = True) -> list[pd.DataFrame]:
    """m completed data sets, one SeedSequence child each. With `progress`, one line per
    imputation on stderr (a 10,000-row registry takes a while)."""
    out = []
    for i, child in enumerate(np.random.SeedSequence(seed).spawn(m), start=1):
        out.append(impute_once(frame, child))
        if progress:
            print(f"  imputation {i}/{m} done", file=sys.stderr, flush=True)
    return out
