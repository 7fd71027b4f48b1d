"""How much can this cohort support? Global shrinkage and Riley's minimum sample size.

Pure functions, no I/O. The anticipated Cox-Snell R2 that Riley's criteria need is taken from the
cohort itself: the apparent R2 of the unpenalised maximum-likelihood fit of the model's columns.
That R2 is optimistic, and a smaller R2 demands a larger n under criteria (i) and (ii), so the
required sample sizes reported here are, if anything, too small.

Weights: the likelihood is the IPCW-weighted one and n is the sum of the weights (the number of
patients the weighted sample stands for). With nobody censored before day 90, as in the default
cohort, every weight is 1 and these are the ordinary likelihood and n.
"""

from __future__ import annotations

import math

import numpy as np

from training.metrics import logistic_mle

# Riley et al., Stat Med 2019;38:1276-1296 (binary outcomes): the targets of the three criteria.
TARGET_SHRINKAGE = 0.9  # criterion (i): expected uniform shrinkage factor >= 0.9
NAGELKERKE_OPTIMISM = 0.05  # criterion (ii): apparent - adjusted Nagelkerke R2 <= 0.05
RISK_MARGIN = 0.05  # criterion (iii): overall risk within +/- 0.05 (95% confidence)
RISK_Z = 1.96  # criterion (iii) as published uses 1.96


def log_likelihood(y, p, w) -> float:
    y, p, w = (np.asarray(a, dtype=float) for a in (y, p, w))
    p = np.clip(p, 1e-15, 1 - 1e-15)
    return float(np.sum(w * (y * np.log(p) + (1 - y) * np.log(1 - p))))


def likelihood_ratio(design, y, w) -> dict[str, float]:
    """LR chi-square of the unpenalised logistic fit of y on `design` (the model's transformed
    columns) against the intercept-only model, with its df, n (sum of weights) and prevalence.

    Inflated or infinite when the columns separate deaths from survivors (no finite MLE).
    """
    y, w = np.asarray(y, dtype=float), np.asarray(w, dtype=float)
    design = np.asarray(design, dtype=float)
    beta = logistic_mle(design, y, w)
    p_full = 1 / (1 + np.exp(-(beta[0] + design @ beta[1:])))
    prevalence = float(np.average(y, weights=w))
    chi_square = 2 * (log_likelihood(y, p_full, w) - log_likelihood(y, np.full(len(y), prevalence), w))
    return {"lr_chi_square": chi_square, "df": design.shape[1], "n": float(w.sum()), "prevalence": prevalence}


def van_houwelingen_shrinkage(lr_chi_square: float, df: int) -> float:
    """Heuristic global shrinkage factor S = (LR chi-square - df) / LR chi-square
    (van Houwelingen & le Cessie, Stat Med 1990;9:1303-1325): the slope by which an unpenalised
    model's linear predictor is expected to be shrunk in new patients. Below 0 when the model
    explains less than its df; 1 means no overfitting expected."""
    return (lr_chi_square - df) / lr_chi_square


def cox_snell_r2(lr_chi_square: float, n: float) -> float:
    """R2_CS = 1 - exp(-LR / n) (Cox & Snell 1989; Riley et al. 2019)."""
    return 1 - math.exp(-lr_chi_square / n)


def max_cox_snell_r2(prevalence: float) -> float:
    """Largest attainable R2_CS for an outcome of this prevalence: 1 - exp(2 lnL_null / n), with
    lnL_null / n = phi ln phi + (1 - phi) ln(1 - phi) (Riley et al., Stat Med 2019, eq. 23)."""
    phi = prevalence
    return 1 - math.exp(2 * (phi * math.log(phi) + (1 - phi) * math.log(1 - phi)))


def _n_for_shrinkage(parameters: int, r2_cs: float, shrinkage: float) -> int:
    # n = p / ((S - 1) ln(1 - R2_CS / S)) (Riley et al., Stat Med 2019, criterion (i))
    if r2_cs >= shrinkage:
        raise ValueError(f"R2_CS {r2_cs:.3f} is not below the shrinkage target {shrinkage}")
    return math.ceil(parameters / ((shrinkage - 1) * math.log(1 - r2_cs / shrinkage)))


def riley_binary(parameters: int, r2_cs: float, prevalence: float) -> dict:
    """Minimum n for developing a binary-outcome model (Riley et al., Stat Med 2019;38:1276-1296).

    (i) expected shrinkage >= 0.9: n = p / ((S - 1) ln(1 - R2_CS / S)), S = 0.9.
    (ii) apparent - adjusted Nagelkerke R2 <= 0.05: the same formula with
         S = R2_CS / (R2_CS + 0.05 max(R2_CS)).
    (iii) overall risk within +/- 0.05: n = (1.96 / 0.05)^2 phi (1 - phi).
    Required n is the largest of the three; required events = n phi. pmsampsize (the authors'
    software) rounds max(R2_CS) and S before use; these are unrounded, so criterion (ii) can differ
    from its output by a few patients. Raises ValueError when R2_CS is not below the shrinkage.
    """
    r2_max = max_cox_snell_r2(prevalence)
    shrinkage_ii = r2_cs / (r2_cs + NAGELKERKE_OPTIMISM * r2_max)
    required = {
        "shrinkage_at_least_0.9": _n_for_shrinkage(parameters, r2_cs, TARGET_SHRINKAGE),
        "nagelkerke_optimism_at_most_0.05": _n_for_shrinkage(parameters, r2_cs, shrinkage_ii),
        "overall_risk_within_0.05": math.ceil((RISK_Z / RISK_MARGIN) ** 2 * prevalence * (1 - prevalence)),
    }
    n = max(required.values())
    return {
        "required_n": required,
        "criterion_ii_shrinkage": shrinkage_ii,
        "max_cox_snell_r2": r2_max,
        "required_n_final": n,
        "required_events": n * prevalence,
    }


def sample_size_report(design, y, w, events: int) -> tuple[dict, dict]:
    """(shrinkage, sample_size) manifest blocks for a cohort and its model's transformed columns.

    `events` is the count of deaths by day 90 (unweighted), reported beside n.
    """
    lr = likelihood_ratio(design, y, w)
    parameters, n = lr["df"], lr["n"]
    r2 = cox_snell_r2(lr["lr_chi_square"], n)
    riley = riley_binary(parameters, r2, lr["prevalence"])
    shrinkage = {
        "van_houwelingen_le_cessie": van_houwelingen_shrinkage(lr["lr_chi_square"], parameters),
        "lr_chi_square": lr["lr_chi_square"],
        "df": parameters,
        "method": "(LR chi-square - df) / LR chi-square of the unpenalised maximum-likelihood fit "
        "of the same columns (van Houwelingen & le Cessie, Stat Med 1990;9:1303-1325); the shipped "
        "model is ridge-penalised, so its own overfitting is better judged by the optimism-corrected "
        "calibration slope",
    }
    meets = n >= riley["required_n_final"]
    sample_size = {
        "reference": "Riley et al., Stat Med 2019;38:1276-1296 (binary outcome)",
        "parameters": parameters,
        "anticipated_cox_snell_r2": r2,
        "anticipated_r2_source": "apparent Cox-Snell R2 of the unpenalised maximum-likelihood fit on "
        "this cohort (optimistic, so the required n below is if anything too small)",
        "nagelkerke_r2": r2 / riley["max_cox_snell_r2"],
        "prevalence": lr["prevalence"],
        **riley,
        "n": n,
        "events": events,
        "events_per_parameter": events / parameters,
        "meets_criteria": meets,
        "statement": (
            f"The cohort (n = {n:g}, {events} deaths by day 90, {events / parameters:.1f} per "
            f"parameter) {'meets' if meets else 'does NOT meet'} the minimum sample size of Riley "
            f"et al. (2019) for {parameters} parameters: n >= {riley['required_n_final']} "
            f"(about {math.ceil(riley['required_events'])} deaths) is needed."
        ),
    }
    return shrinkage, sample_size
