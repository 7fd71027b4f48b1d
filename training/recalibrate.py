"""Update a model on a registry: keep it, shift its intercept, recalibrate it, or refit it.

Pure (arrays in, plain results out). The four candidates, on the parent's linear predictor
lp = intercept + DESIGN values @ coefficients (log odds of death by day 90):

- original: lp as it is (nothing estimated);
- intercept: logit P = a + lp (recalibration in the large, 1 parameter);
- logistic: logit P = a + b lp (logistic recalibration, 2 parameters);
- refit: every coefficient re-estimated on the registry (model revision, 1 + len(DESIGN)).

Choice: the closed testing procedure of Vergouwe et al. (Stat Med 2017;36:4529-4539), which keeps
the overall type I error near alpha: likelihood-ratio tests, each of the revised (unpenalised
maximum-likelihood refit) model against a simpler one, in this order:
  1. refit vs original (df 7): not significant -> original;
  2. refit vs intercept (df 6): not significant -> intercept;
  3. refit vs logistic (df 5): not significant -> logistic; significant -> refit.
Beside it, each candidate's cross-validated log-loss (repeated stratified 5-fold: the update is
estimated on four fifths and scored on the rest; the refit at the C chosen once on the whole
registry, so its loss is slightly optimistic) is reported, not used to choose.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import chi2
from sklearn.model_selection import RepeatedStratifiedKFold

from calculator.predict import DESIGN
from training.fit import CV_REPEATS, CV_SPLITS, weighted_log_loss
from training.metrics import calibration_intercept, logistic_mle

ALPHA = 0.05  # Vergouwe et al. 2017
METHODS = ("original", "intercept", "logistic", "refit")
PARAMETERS = {"original": 0, "intercept": 1, "logistic": 2, "refit": 1 + len(DESIGN)}
LABELS = {
    "original": "original model, unchanged",
    "intercept": "intercept update (recalibration in the large)",
    "logistic": "logistic recalibration (intercept and slope)",
    "refit": "refit (every coefficient re-estimated)",
}


def linear_predictor(coefficients: np.ndarray, D: np.ndarray) -> np.ndarray:
    """Log odds of death: for one coefficient vector (rows,), or for several (vectors, rows)."""
    c = np.asarray(coefficients, dtype=float)
    return c[..., :1] + c[..., 1:] @ D.T


def log_likelihood(y, lp, w) -> float:
    lp = np.asarray(lp, dtype=float)
    return float(np.sum(w * (y * lp - np.logaddexp(0.0, lp))))


@dataclass(frozen=True)
class Update:
    """One candidate's estimate on a registry: its parameters and log-likelihood there."""

    method: str
    a: float = 0.0  # intercept shift
    b: float = 1.0  # slope on lp
    refit: np.ndarray | None = None  # unpenalised refit coefficients (method "refit")

    def apply(self, coefficients: np.ndarray) -> np.ndarray:
        """The parent's coefficient vector(s) updated: b x coefficients, plus a on the intercept.
        For "refit" the update does not act on the parent (see recalibrated_pool)."""
        c = np.array(coefficients, dtype=float) * self.b
        c[..., 0] += self.a
        return c


def estimate(method: str, D, y, w, parent: np.ndarray) -> Update:
    """Maximum-likelihood estimate of one candidate on rows of known status."""
    lp = linear_predictor(parent, D)
    if method == "original":
        return Update(method)
    if method == "intercept":
        return Update(method, a=calibration_intercept(y, 1 / (1 + np.exp(-lp)), w))
    if method == "logistic":
        a, b = logistic_mle(lp[:, None], y, w)
        return Update(method, a=float(a), b=float(b))
    with np.errstate(all="ignore"):
        return Update(method, refit=logistic_mle(D, y, w))


def fitted_lp(update: Update, D, parent) -> np.ndarray:
    if update.method == "refit":
        return linear_predictor(update.refit, D)
    return linear_predictor(update.apply(parent), D)


PROCEDURE = (
    "Vergouwe et al., Stat Med 2017;36:4529-4539: likelihood-ratio tests of the unpenalised refit "
    "against the original (df 7), then against the intercept update (df 6), then against logistic "
    "recalibration (df 5); the first test not significant at alpha chooses the simpler model; all "
    "significant chooses the refit"
)
SIMPLER = ("original", "intercept", "logistic")


def lr_statistics(D, y, w, parent: np.ndarray) -> tuple[dict, dict]:
    """({simpler: LR statistic of the refit against it}, {method: Update}). IPCW weights enter
    the likelihood as case weights."""
    fits = {m: estimate(m, D, y, w, parent) for m in METHODS}
    ll = {m: log_likelihood(y, fitted_lp(f, D, parent), w) for m, f in fits.items()}
    return {s: max(0.0, 2 * (ll["refit"] - ll[s])) for s in SIMPLER}, fits


def decide(p_values: dict, statistics: dict, alpha: float) -> tuple[str, list[dict]]:
    """The closed test's choice from each step's p-value, and the steps taken."""
    steps = []
    for simpler in SIMPLER:
        df = PARAMETERS["refit"] - PARAMETERS[simpler]
        steps.append(
            {
                "test": f"refit vs {simpler}",
                "lr_statistic": statistics[simpler],
                "df": df,
                "p_value": p_values[simpler],
            }
        )
        if p_values[simpler] >= alpha:
            return simpler, steps
    return "refit", steps


def closed_test(D, y, w, parent: np.ndarray, alpha: float = ALPHA) -> dict:
    """The closed testing procedure (module docstring): each step's LR statistic, df and p, and
    the method chosen."""
    statistics, fits = lr_statistics(D, y, w, parent)
    p_values = {s: float(chi2.sf(v, PARAMETERS["refit"] - PARAMETERS[s])) for s, v in statistics.items()}
    chosen, steps = decide(p_values, statistics, alpha)
    return {
        "chosen": chosen,
        "alpha": alpha,
        "steps": steps,
        "estimates": {
            "intercept": {"a": fits["intercept"].a},
            "logistic": {"a": fits["logistic"].a, "b": fits["logistic"].b},
        },
        "procedure": PROCEDURE,
    }


def closed_test_imputed(arrays, parent: np.ndarray, alpha: float = ALPHA) -> dict:
    """The same over m imputed data sets ((D, y, w) each, rows of known status): each step's LR
    statistics combined by the D2 rule (training.mi_pooling.d2); a and b are the means."""
    from training.mi_pooling import d2

    runs = [lr_statistics(D, y, w, parent) for D, y, w in arrays]
    pooled = {s: d2([r[0][s] for r in runs], PARAMETERS["refit"] - PARAMETERS[s]) for s in SIMPLER}
    chosen, steps = decide(
        {s: v["p_value"] for s, v in pooled.items()}, {s: v["statistic"] for s, v in pooled.items()}, alpha
    )
    return {
        "chosen": chosen,
        "alpha": alpha,
        "steps": steps,
        "estimates": {
            "intercept": {"a": float(np.mean([r[1]["intercept"].a for r in runs]))},
            "logistic": {
                "a": float(np.mean([r[1]["logistic"].a for r in runs])),
                "b": float(np.mean([r[1]["logistic"].b for r in runs])),
            },
        },
        "procedure": PROCEDURE + f"; over {len(arrays)} imputations, each step's statistic pooled by "
        "the D2 rule (Li et al., Statistica Sinica 1991), its statistic on the F scale",
    }


def cv_log_loss(D, y, w, parent: np.ndarray, C: float, seed: int, fit_design) -> dict[str, float]:
    """Each candidate's weighted log-loss on held-out folds (module docstring). `fit_design` is
    training.pooled.fit_design (passed in to keep this module free of the fitting code)."""
    folds = RepeatedStratifiedKFold(n_splits=CV_SPLITS, n_repeats=CV_REPEATS, random_state=seed)
    losses = {m: [] for m in METHODS}
    for train, test in folds.split(D, y):
        for m in METHODS:
            if m == "refit":
                coefficients = fit_design(D[train], y[train], w[train], C)
            else:
                coefficients = estimate(m, D[train], y[train], w[train], parent).apply(parent)
            p = 1 / (1 + np.exp(-linear_predictor(coefficients, D[test])))
            losses[m].append(weighted_log_loss(y[test], p, w[test]))
    return {m: float(np.mean(v)) for m, v in losses.items()}


def recalibrated_draws(method: str, D, y, w, parent, parent_draws, rows, C: float, fit_design):
    """(point fits, sampled fits) for training.pooling.pool, one pair per bootstrap resample in
    `rows` (row indices). original: the parent as it is. intercept/logistic: the point is the
    parent updated by the update estimated on the whole registry; the sampled fit is one parent
    draw (cycled) updated by the update estimated on one resample, so the interval carries the
    parent's uncertainty and that of a, b. refit: the penalised fit at C on the registry and on
    each resample, as a registry fit is."""
    if method == "original":
        return [parent], np.asarray(parent_draws)
    if method == "refit":
        point = fit_design(D, y, w, C)
        return [point], [fit_design(D[i], y[i], w[i], C) for i in rows]
    whole = estimate(method, D, y, w, parent).apply(parent)
    sampled = [
        estimate(method, D[i], y[i], w[i], parent).apply(parent_draws[k % len(parent_draws)])
        for k, i in enumerate(rows)
    ]
    return [whole], sampled
