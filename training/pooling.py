"""Pool models fitted over draws: one function for every feature that draws.

A *draw* is one plausible version of the data: a reconstruction of the published series under
assumptions drawn from their uncertainty (the default model), a bootstrap resample (a registry
fit), or an imputed data set (multiple imputation). Each draw gives two coefficient vectors on the
calculator's fixed design (calculator.predict.DESIGN):

- a *point* fit on the draw as it is;
- a *sampled* fit on a bootstrap resample of the draw, which adds the draw's own sampling error.

The pooled model's coefficients are the mean of the point fits (Rubin's rule for the estimate);
its uncertainty is the spread of the sampled fits, so a prediction's 95% interval is the 2.5th to
97.5th percentile over draws of the prediction each sampled fit makes: between-draw (structural)
and within-draw (sampling) uncertainty together. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from calculator.grid import input_grid
from calculator.predict import (
    DESIGN,
    GRADE_CENTRE,
    KPS_CENTRE,
    KPS_UNIT,
    design_matrix,
    percentile_interval,
    survival_from,
)


@dataclass(frozen=True)
class Pooled:
    coefficients: np.ndarray  # (1 + len(DESIGN),): intercept, then DESIGN order
    draws: np.ndarray  # (D, 1 + len(DESIGN)): one sampled coefficient vector per draw

    def coefficient_table(self) -> dict[str, dict]:
        """Each coefficient with its 95% interval over the draws (log odds of death by day 90)."""
        low, high = percentile_interval(self.draws)
        names = ("intercept", *DESIGN)
        return {
            n: {"estimate": float(c), "interval_95": [float(lo), float(hi)]}
            for n, c, lo, hi in zip(names, self.coefficients, low, high)
        }


def pool(point_fits, sampled_fits) -> Pooled:
    """Pool per-draw fits: mean of the point fits; the sampled fits kept as the draws."""
    point_fits, sampled_fits = np.asarray(point_fits, float), np.asarray(sampled_fits, float)
    if point_fits.ndim != 2 or sampled_fits.ndim != 2 or len(sampled_fits) < 2:
        raise ValueError("pool needs (draws, coefficients) arrays and at least two sampled fits")
    return Pooled(point_fits.mean(axis=0), sampled_fits)


def design_coefficients(pipeline, transformed: np.ndarray | None = None) -> np.ndarray:
    """A fitted training.fit pipeline (standardised KPS and grade, one-hot categories) re-expressed
    exactly on the fixed design, so that fits of different draws can be averaged. `transformed`:
    another (intercept, coefficients) vector on the same pipeline's transformed features (e.g. a
    bootstrap refit on its preprocessing) instead of the pipeline's own classifier."""
    names = list(pipeline[:-1].get_feature_names_out())
    clf = pipeline[-1]
    if transformed is None:
        transformed = np.concatenate([clf.intercept_, clf.coef_[0]])
    coef = dict(zip(names, transformed[1:]))
    scaler = pipeline.named_steps["preprocess"].named_transformers_["scaled"]
    mean = dict(zip(scaler.feature_names_in_, scaler.mean_))
    scale = dict(zip(scaler.feature_names_in_, scaler.scale_))
    # design value = (raw - centre) / unit, so raw = unit * design + centre
    units = {
        "kps": ("kps_per_10", KPS_UNIT, KPS_CENTRE),
        "mccormick_grade": ("mccormick_grade", 1, GRADE_CENTRE),
    }
    out = dict.fromkeys(DESIGN, 0.0)
    intercept = float(transformed[0])
    for name, value in coef.items():
        if name in units:
            column, unit, centre = units[name]
            out[column] = value * unit / scale[name]
            intercept += value * (centre - mean[name]) / scale[name]
        else:
            out[name] = value
    return np.array([intercept, *(out[c] for c in DESIGN)])


def grid_survival(pooled: Pooled) -> tuple[np.ndarray, np.ndarray]:
    """(point survival, (D, 600) survival per draw) over every input combination."""
    X = design_matrix(input_grid())
    return survival_from(pooled.coefficients, X), survival_from(pooled.draws, X)
