"""The default model: the fitting procedure pooled over many reconstructions of the evidence.

Each draw takes every assumption from its distribution (training.uncertainty) and a fresh random
stream, reconstructs the SYNTHETIC cohort (training.reconstruct) and fits it twice at the shared
penalty C: once as it is (the draw's point fit) and once on a bootstrap resample (the draw's
sampling error). training.pooling pools them. So the model is a property of the evidence and of
its stated uncertainty, not of one random reconstruction.

Streams: one master seed -> SeedSequence(seed).spawn(2) -> two independent master streams, A
(shipped) and B (the stability check), each spawned into one child per draw. Comparing A with
A + B measures what doubling the draws changes; comparing A with B measures what another master
seed changes. Results do not depend on the number of parallel jobs.

C is chosen once, by the weighted log-loss of repeated stratified CV averaged over the first
C_SEARCH_DRAWS draws of A (training.fit.cross_validated_log_loss), and used in every draw.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from joblib import Parallel, delayed
from sklearn.model_selection import RepeatedStratifiedKFold

from calculator.features import FEATURE_NAMES
from calculator.grid import GRID_INDEX
from calculator.predict import design_columns
from training.evidence import load_assumptions, resolve_parameters
from training.fit import (  # noqa: F401 (bootstrap_rows re-exported)
    C_GRID,
    CV_REPEATS,
    CV_SPLITS,
    best_C,
    bootstrap_rows,
    classifier,
    ipcw,
    weighted_log_loss,
)
from training.pooling import Pooled, pool
from training.reconstruct import Reconstruction, reconstruct
from training.stability import grid_difference, resection_order, target_agreement
from training.uncertainty import distributions, draw_parameters

DRAWS = 2000  # per master stream; chosen by the doubling measurement (docs/manifest.md)
C_SEARCH_DRAWS = 20
N_JOBS = 2


@dataclass(frozen=True)
class DrawFit:
    point: np.ndarray  # design coefficients fitted on the draw's cohort
    sampled: np.ndarray  # ... on a bootstrap resample of it
    counts: np.ndarray  # (600,) patients per input combination
    targets: list[tuple]  # (published, reconstructed, met) per targets-table row, in table order
    events_90d: int
    study_events: np.ndarray  # deaths by day 90 per series, in assumptions order


@cache
def _evidence():
    """The assumptions, their central values and distributions: read once per process."""
    assumptions = load_assumptions()
    params = resolve_parameters(assumptions)
    return assumptions, params, distributions(params, assumptions)


def draw_cohort(seed: np.random.SeedSequence) -> tuple[Reconstruction, np.random.Generator]:
    """One draw: parameters from their distributions, then the reconstruction, from one stream."""
    assumptions, params, dists = _evidence()
    rng = np.random.default_rng(seed)
    drawn = draw_parameters(params, dists, rng)
    return reconstruct(rng, drawn, assumptions), rng


def cell_counts(cohort) -> np.ndarray:
    keys = zip(*(cohort[name].tolist() for name in FEATURE_NAMES))
    return np.bincount([GRID_INDEX[k] for k in keys], minlength=len(GRID_INDEX))


def _standardiser(D: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(mean, scale) of the KPS and grade columns, as training.fit's StandardScaler learns them."""
    mean, scale = D[:, :2].mean(axis=0), D[:, :2].std(axis=0)
    scale[scale == 0] = 1.0
    return mean, scale


def _standardise(D: np.ndarray, mean: np.ndarray, scale: np.ndarray) -> np.ndarray:
    Z = D.copy()
    Z[:, :2] = (D[:, :2] - mean) / scale
    return Z


def fit_design(D: np.ndarray, y, w, C: float) -> np.ndarray:
    """training.fit's pipeline at penalty C, on rows of the fixed design, returned as design
    coefficients: the same standardised columns reach the same LogisticRegression (equal to
    design_coefficients(build_pipeline(C).fit(...)) to rounding; tests/test_pooled.py), without
    pandas and the ColumnTransformer, which cost three times the fit itself: the default fit
    makes two fits per draw. Rows of weight 0 (status unknown) are left out, as fit_procedure does."""
    keep = np.asarray(w) > 0
    D, y, w = D[keep], np.asarray(y)[keep], np.asarray(w)[keep]
    mean, scale = _standardiser(D)
    clf = classifier(C).fit(_standardise(D, mean, scale), y, sample_weight=w)
    beta = clf.coef_[0].copy()
    beta[:2] /= scale
    return np.concatenate([[clf.intercept_[0] - beta[:2] @ mean], beta])


def design_cv_log_loss(D: np.ndarray, y, w, seed: int) -> dict[float, float]:
    """training.fit.cross_validated_log_loss on the fixed design: the same folds, the same
    standardisation per fold, the same classifier, so the same losses."""
    keep = np.asarray(w) > 0
    D, y, w = D[keep], np.asarray(y)[keep], np.asarray(w)[keep]
    folds = RepeatedStratifiedKFold(n_splits=CV_SPLITS, n_repeats=CV_REPEATS, random_state=seed)
    losses = {c: [] for c in C_GRID}
    for train, test in folds.split(D, y):
        mean, scale = _standardiser(D[train])
        Z_train, Z_test = _standardise(D[train], mean, scale), _standardise(D[test], mean, scale)
        for c in C_GRID:
            p = classifier(c).fit(Z_train, y[train], sample_weight=w[train]).predict_proba(Z_test)[:, 1]
            losses[c].append(weighted_log_loss(y[test], p, w[test]))
    return {c: float(np.mean(v)) for c, v in losses.items()}


def choose_C_on(D, y, w, seed: int) -> float:
    """The C with the lowest CV log-loss on one cohort (ties to the larger C)."""
    losses = design_cv_log_loss(D, y, w, seed)
    return best_C(losses)


def fit_draw(seed: np.random.SeedSequence, C: float) -> DrawFit:
    rec, rng = draw_cohort(seed)
    cohort = rec.cohort
    D = design_columns(cohort)
    y, w = ipcw(cohort["survival_days"], cohort["died"])
    idx = bootstrap_rows(y, w, rng)
    return DrawFit(
        point=fit_design(D, y, w, C),
        sampled=fit_design(D[idx], y[idx], w[idx], C),
        counts=cell_counts(cohort),
        targets=[(t["published"], t["reconstructed"], t["met"]) for t in rec.targets],
        events_90d=int(y.sum()),
        study_events=np.array(
            [y[(cohort["study_id"] == s).to_numpy()].sum() for s in dict.fromkeys(cohort["study_id"])]
        ),
    )


def _cv_losses(seed: np.random.SeedSequence) -> dict[float, float]:
    rec, rng = draw_cohort(seed)
    y, w = ipcw(rec.cohort["survival_days"], rec.cohort["died"])
    return design_cv_log_loss(design_columns(rec.cohort), y, w, int(rng.integers(0, 2**31 - 1)))


def choose_C(seeds, n_jobs: int = N_JOBS) -> tuple[float, dict[float, float]]:
    """The C with the lowest CV log-loss averaged over the draws (ties to the larger C)."""
    runs = Parallel(n_jobs=n_jobs)(delayed(_cv_losses)(s) for s in seeds)
    mean = {c: float(np.mean([r[c] for r in runs])) for c in C_GRID}
    return best_C(mean), mean


def master_streams(seed: int, draws: int) -> tuple[list, list]:
    a, b = np.random.SeedSequence(seed).spawn(2)
    return a.spawn(draws), b.spawn(draws)


def fit_draws(seeds, C: float, n_jobs: int = N_JOBS) -> list[DrawFit]:
    return Parallel(n_jobs=n_jobs, batch_size=8)(delayed(fit_draw)(s, C) for s in seeds)


def pooled_of(fits: list[DrawFit]) -> Pooled:
    return pool([f.point for f in fits], [f.sampled for f in fits])


@dataclass(frozen=True)
class PooledFit:
    pooled: Pooled  # stream A: the shipped model
    C: float
    cv_log_loss: dict[float, float]
    stability: dict
    support: np.ndarray  # (600,) mean patients per input combination over the draws of A
    targets: list[dict]  # each targets-table row with its agreement over the draws of A
    events_90d: dict  # mean, min, max over the draws of A
    study_events: np.ndarray  # mean deaths by day 90 per series over the draws of A
    seeds: list  # A's draw streams, for validation
    example: Reconstruction  # the first draw of A, shipped as an illustration


def fit_pooled(seed: int, draws: int = DRAWS, n_jobs: int = N_JOBS, log=print) -> PooledFit:
    """The whole default procedure (see the module docstring)."""
    a, b = master_streams(seed, draws)
    C, losses = choose_C(a[: min(C_SEARCH_DRAWS, draws)], n_jobs)
    log(f"C = {C:g}, by cross-validation averaged over {min(C_SEARCH_DRAWS, draws)} reconstructions")
    fits_a = fit_draws(a, C, n_jobs)
    fits_b = fit_draws(b, C, n_jobs)
    log(f"fitted {2 * draws} reconstructions ({draws} shipped, {draws} more to measure stability)")
    pooled_a, pooled_b, pooled_ab = pooled_of(fits_a), pooled_of(fits_b), pooled_of(fits_a + fits_b)
    order_a, order_b = resection_order(pooled_a), resection_order(pooled_b)
    stability = {
        "draws": draws,
        "doubling": {"compared": f"{draws} vs {2 * draws} draws"} | grid_difference(pooled_a, pooled_ab),
        "master_seed": {"compared": f"two independent master streams of {draws} draws each"}
        | grid_difference(pooled_a, pooled_b),
        "resection_order_agrees": sum(x == y for x, y in zip(order_a, order_b)),
        "resection_order_patients": len(order_a),
        "tolerance": {"doubling": 0.005, "master_seed": 0.015},
    }
    events = np.array([f.events_90d for f in fits_a])
    example, _ = draw_cohort(a[0])  # the first draw, again: shipped as an illustration
    return PooledFit(
        pooled=pooled_a,
        C=C,
        cv_log_loss=losses,
        stability=stability,
        support=np.mean([f.counts for f in fits_a], axis=0),
        targets=target_agreement(fits_a, example.targets),
        events_90d={"mean": float(events.mean()), "min": int(events.min()), "max": int(events.max())},
        study_events=np.mean([f.study_events for f in fits_a], axis=0),
        seeds=a,
        example=example,
    )
