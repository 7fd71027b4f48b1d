"""Measures a statistician reads in an external validation, beyond c, intercept and slope.

All take y (death by day 90, 0/1), p (predicted P(death)) and IPCW weights w of the rows whose
status is known, so censoring is handled as in training. Pure numpy; no I/O.

- observed/expected (O/E) with a 95% CI on the log scale, SE(ln O/E) = sqrt((1 - o) / (n o)),
  o the observed proportion, n the (Kish effective) number of patients (Debray et al., BMJ
  2017;356:i6460, eq. for the O/E ratio; the same approximation Riley et al. 2021 use);
- the smoothed calibration curve: a weighted logistic regression of y on a restricted cubic spline
  of logit(p) with 3 knots at the 10th, 50th and 90th percentiles (Harrell, Regression Modeling
  Strategies, 2015, sec. 2.4.5), and the integrated calibration index, the weighted mean absolute
  difference between the curve and p (Austin & Steyerberg, Stat Med 2019;38:4051-4065);
- decision-curve net benefit, TP/n - FP/n x t/(1 - t), against treat-all and treat-none
  (Vickers & Elkin, Med Decis Making 2006;26:565-574);
- the events a precise O/E needs (Riley et al., Stat Med 2021;40:4230-4251, criterion 1):
  SE(ln O/E) <= 0.1 needs n = (1 - o) / (o x 0.1^2) patients, i.e. (1 - o) / 0.01 events.
"""

from __future__ import annotations

import numpy as np

from training.metrics import EPS, Z_95, effective_n, logistic_mle, logit

TARGET_SE_LN_OE = 0.1  # Riley et al. 2021: a 95% CI for O/E of about 0.82 to 1.22
THRESHOLDS = tuple(round(t, 2) for t in np.arange(0.05, 0.501, 0.05))  # issue 11: 0.05 to 0.5


def observed_expected(y, p, w) -> dict:
    """O/E of deaths by day 90 with its 95% CI (log-normal approximation, see the module).
    O and E are weighted sums; None where there is no death or no patient."""
    y, p, w = (np.asarray(a, dtype=float) for a in (y, p, w))
    if w.sum() <= 0:
        return {"n": 0, "observed": None, "expected": None, "oe": None, "ci_95": None}
    observed, expected = float(np.sum(w * y)), float(np.sum(w * p))
    n = effective_n(w)
    o = observed / float(w.sum())
    out = {"n": int(len(y)), "observed": observed, "expected": expected, "oe": None, "ci_95": None}
    if observed <= 0 or expected <= 0:
        return out
    oe = observed / expected
    se = float(np.sqrt((1 - o) / (n * o))) if o < 1 else 0.0
    return out | {"oe": oe, "ci_95": [oe * np.exp(-Z_95 * se), oe * np.exp(Z_95 * se)], "se_ln": se}


def subgroup_oe(groups: dict[str, np.ndarray], y, p, w) -> list[dict]:
    """observed_expected within each named subgroup (a boolean mask over the rows)."""
    return [{"group": name} | observed_expected(y[m], p[m], w[m]) for name, m in groups.items() if m.any()]


def _spline_basis(x: np.ndarray, knots: np.ndarray) -> np.ndarray:
    """Restricted cubic spline with 3 knots: x and one non-linear term (Harrell's form, scaled by
    the squared knot range)."""
    k1, k2, k3 = knots
    scale = (k3 - k1) ** 2

    def pos3(v):
        return np.maximum(v, 0.0) ** 3

    nonlinear = (
        pos3(x - k1) - pos3(x - k2) * (k3 - k1) / (k3 - k2) + pos3(x - k3) * (k2 - k1) / (k3 - k2)
    ) / scale
    return np.column_stack([x, nonlinear])


def smoothed_calibration(y, p, w, grid: np.ndarray | None = None) -> dict:
    """The smoothed calibration curve at `grid` (predicted P(death)) and at each row, and the ICI.
    Falls back to a linear logistic calibration (knots coincide) when p takes too few values."""
    y, p, w = (np.asarray(a, dtype=float) for a in (y, p, w))
    x = logit(p)
    knots = np.percentile(x, [10, 50, 90])
    linear = len(np.unique(np.round(knots, 9))) < 3
    basis = (lambda v: v[:, None]) if linear else (lambda v: _spline_basis(v, knots))
    with np.errstate(all="ignore"):
        beta = logistic_mle(basis(x), y, w)

    def curve(v):
        return 1 / (1 + np.exp(-(beta[0] + basis(v) @ beta[1:])))

    grid = np.linspace(np.clip(p.min(), EPS, 1), np.clip(p.max(), 0, 1 - EPS), 50) if grid is None else grid
    at_rows = curve(x)
    return {
        "grid": grid,
        "curve": curve(logit(grid)),
        "ici": float(np.average(np.abs(at_rows - p), weights=w)),
        "smoother": "linear" if linear else "restricted cubic spline, 3 knots",
    }


def calibration_band(y, p, w, rng: np.random.Generator, resamples: int = 200) -> dict:
    """smoothed_calibration with a percentile-bootstrap 95% band (rows resampled) and the ICI's
    95% interval. Resamples whose fit fails to converge to finite values are left out."""
    point = smoothed_calibration(y, p, w)
    curves, icis = [], []
    for _ in range(resamples):
        idx = rng.integers(0, len(y), len(y))
        if len(np.unique(y[idx])) < 2:
            continue
        s = smoothed_calibration(y[idx], p[idx], w[idx], grid=point["grid"])
        if np.all(np.isfinite(s["curve"])):
            curves.append(s["curve"])
            icis.append(s["ici"])
    if len(curves) >= 2:
        low, high = np.percentile(curves, [2.5, 97.5], axis=0)
        ici_ci = [float(v) for v in np.percentile(icis, [2.5, 97.5])]
    else:
        low = high = ici_ci = None
    return point | {"low": low, "high": high, "ici_ci_95": ici_ci, "resamples_used": len(curves)}


def net_benefit(y, p, w, thresholds=THRESHOLDS) -> list[dict]:
    """Net benefit of acting on predicted P(death by day 90) >= t, of acting on everyone, and of
    acting on no one (0), at each threshold t (weighted: IPCW)."""
    y, p, w = (np.asarray(a, dtype=float) for a in (y, p, w))
    total = w.sum()
    prevalence = float(np.sum(w * y) / total)
    out = []
    for t in thresholds:
        act = p >= t
        tp, fp = np.sum(w * act * y) / total, np.sum(w * act * (1 - y)) / total
        odds = t / (1 - t)
        out.append(
            {
                "threshold": float(t),
                "model": float(tp - fp * odds),
                "treat_all": float(prevalence - (1 - prevalence) * odds),
                "treat_none": 0.0,
            }
        )
    return out


def events_for_precise_oe(observed_proportion: float, target_se: float = TARGET_SE_LN_OE) -> dict:
    """Riley et al. 2021 criterion 1: patients and events for SE(ln O/E) <= target_se."""
    o = observed_proportion
    if not 0 < o < 1:
        return {"patients": None, "events": None, "target_se_ln_oe": target_se}
    n = (1 - o) / (o * target_se**2)
    return {"patients": int(np.ceil(n)), "events": int(np.ceil(n * o)), "target_se_ln_oe": target_se}


def weighted_auc(y, p, w) -> float:
    """sklearn.metrics.roc_auc_score(y, p, sample_weight=w) for 0/1 y, by ranks in O(n log n):
    the weighted share of (death, survivor) pairs ranked right, ties counting one half. Its input
    validation cost more than the bootstrap it sits in (20 imputations x resamples)."""
    y, p, w = np.asarray(y, dtype=float), np.asarray(p, dtype=float), np.asarray(w, dtype=float)
    values, inverse = np.unique(p, return_inverse=True)
    pos = np.bincount(inverse, weights=w * y, minlength=len(values))
    neg = np.bincount(inverse, weights=w * (1 - y), minlength=len(values))
    below = np.cumsum(neg) - neg  # survivors' weight with a strictly lower prediction
    return float(np.sum(pos * (below + neg / 2)) / (pos.sum() * neg.sum()))
