"""Rubin's rules for measures computed on each of m imputed data sets (model fits are pooled by
training.pooling.pool; this module pools scalar measures and test statistics).

- `rubin`: estimate = mean over imputations; total variance T = W + (1 + 1/m) B, W the mean
  within-imputation variance, B the between-imputation variance; 95% CI with Rubin's
  large-sample degrees of freedom nu = (m - 1) (1 + W / ((1 + 1/m) B))^2 (Rubin, Multiple
  Imputation for Nonresponse in Surveys, 1987).
- `d2`: a chi-square statistic (df k) computed in each imputation combined by the D2 rule of Li,
  Meng, Raghunathan & Rubin (Statistica Sinica 1991;1:65-92), referred to F(k, nu).
"""

from __future__ import annotations

import numpy as np
from scipy.stats import f as f_dist
from scipy.stats import t as t_dist


def rubin(estimates, standard_errors) -> dict:
    """Pooled estimate, its SE and 95% CI; None-tolerant (imputations without an estimate are left out)."""
    pairs = [(q, s) for q, s in zip(estimates, standard_errors) if q is not None and s is not None]
    if len(pairs) < 2:
        return {
            "estimate": pairs[0][0] if pairs else None,
            "se": None,
            "ci_95": None,
            "imputations": len(pairs),
        }
    q, s = np.array(pairs, dtype=float).T
    m = len(q)
    within, between = float(np.mean(s**2)), float(np.var(q, ddof=1))
    total = within + (1 + 1 / m) * between
    nu = (m - 1) * (1 + within / ((1 + 1 / m) * between)) ** 2 if between > 0 else np.inf
    half = float(t_dist.ppf(0.975, nu)) * np.sqrt(total)
    estimate = float(q.mean())
    return {
        "estimate": estimate,
        "se": float(np.sqrt(total)),
        "ci_95": [estimate - half, estimate + half],
        "imputations": m,
    }


def d2(statistics, df: int) -> dict:
    """The D2 pooled test of chi-square statistics with `df` degrees of freedom: (statistic, p)."""
    d = np.maximum(np.asarray(statistics, dtype=float), 0.0)
    m = len(d)
    r = (1 + 1 / m) * float(np.var(np.sqrt(d), ddof=1))
    statistic = (d.mean() / df - (m + 1) / (m - 1) * r) / (1 + r)
    statistic = max(float(statistic), 0.0)
    nu = df ** (-3 / m) * (m - 1) * (1 + 1 / r) ** 2 if r > 0 else np.inf
    return {"statistic": statistic, "df": df, "p_value": float(f_dist.sf(statistic, df, nu))}
