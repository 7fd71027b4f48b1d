"""Checks on the outcome and on missing data: survival in the wrong unit, an inverted `died`,
missingness that depends on the outcome, and how much complete-case analysis loses.

Figures the thresholds rest on (training/evidence/base_rates.csv, series.csv): 90-day mortality
after surgery for spinal metastases 18-28% (Karhade et al., Neurosurgery 2019;85:E671, n = 732:
25.1%; Santipas et al., Asian Spine J 2024: 18%); median overall survival after surgery for
intramedullary metastases 9.9 months, about 300 days (Gazzeri et al., Neurosurg Rev 2021).
Reasons for each threshold: docs/cohort-schema.md ("Data-quality checks").
"""

from __future__ import annotations

import numpy as np
from scipy.stats import fisher_exact

from calculator.features import FEATURE_NAMES, HORIZON_DAYS
from training.findings import NEEDS_FLAG, NOTE, Finding, pct
from training.registry import Registry

MIN_ROWS = 10  # fewer rows with an outcome: too few to judge units or coding
MEDIAN_DAYS_BELOW = 60  # median survival_days under 2 months: weeks or months, not days
DEATH_90D_ABOVE = 0.6  # twice the highest published 90-day mortality (28%) and more
MISSING_P_BELOW, MISSING_DIFFERENCE = 0.05, 0.05  # Fisher's exact test and 5 percentage points
CASE_LOSS_ABOVE = 0.05  # complete-case analysis dropping more than 5% of rows


def status_90d(reg: Registry) -> np.ndarray:
    """Per row: 1 died by day 90, 0 alive at day 90, nan unknown (censored before, or no outcome)."""
    out = np.full(len(reg.rows), np.nan)
    for i, (t, d) in enumerate(zip(reg.rows["survival_days"], reg.rows["died"])):
        if t is not None and d is not None:
            out[i] = 1 if d == 1 and t <= HORIZON_DAYS else (0 if t >= HORIZON_DAYS else np.nan)
    return out


def _outcomes(reg: Registry):
    both = reg.rows["survival_days"].notna() & reg.rows["died"].notna()
    return reg.rows.loc[both, "survival_days"].astype(float), reg.rows.loc[both, "died"].astype(int)


def survival_units(reg: Registry) -> list[Finding]:
    days, _ = _outcomes(reg)
    if len(days) < MIN_ROWS:
        return []
    status = status_90d(reg)
    known = status[~np.isnan(status)]
    median, deaths = float(np.median(days)), int(known.sum())
    share = deaths / len(known) if len(known) else 0.0
    if median >= MEDIAN_DAYS_BELOW and share <= DEATH_90D_ABOVE:
        return []
    message = (
        f"survival_days looks like weeks or months, not days: median {median:g}, maximum {days.max():g}, "
        f"death by day {HORIZON_DAYS} in {pct(deaths, len(known))} of rows of known status (published: "
        "18-28%, median survival about 300 days); convert to days (weeks x 7, months x 30.44), or if "
        "these are days add --accept survival-units"
    )
    return [Finding("survival-units", NEEDS_FLAG, message, (), ("survival_days",))]


def outcome_coding(reg: Registry) -> list[Finding]:
    """More rows leave follow-up alive before day 90 than die before it: how an inverted `died`
    looks, since in a series followed from surgery early loss to follow-up is rare."""
    days, died = _outcomes(reg)
    if len(days) < MIN_ROWS:
        return []
    early = days < HORIZON_DAYS
    alive, dead = int((early & (died == 0)).sum()), int((early & (died == 1)).sum())
    if alive < 5 or alive <= dead:
        return []
    lines = tuple(reg.rows.loc[days.index[early & (died == 0)], "line"])
    message = (
        f"{alive} rows are alive at last contact before day {HORIZON_DAYS} but only {dead} died before it: "
        "that is what `died` coded the wrong way round looks like (1 must mean died); if follow-up "
        "really ends early for these patients, add --accept outcome-coding"
    )
    return [Finding("outcome-coding", NEEDS_FLAG, message, lines, ("died",))]


def outcome_by_inclusion(reg: Registry) -> dict:
    """Death by day 90 among analysed (complete) and excluded rows whose 90-day status is known."""
    status, complete = status_90d(reg), reg.complete.to_numpy(dtype=bool)
    out = {}
    for name, rows in (("analysed", complete), ("excluded", ~complete)):
        s = status[rows]
        known = s[~np.isnan(s)]
        out[name] = {"n": int(rows.sum()), "known_90d": len(known), "deaths_90d": int(known.sum())}
    return out


def missingness_outcome(reg: Registry) -> list[Finding]:
    """Per predictor: 90-day death among rows missing it vs rows with it (Fisher's exact test)."""
    status, found = status_90d(reg), []
    known = ~np.isnan(status)
    for column in FEATURE_NAMES:
        missing = reg.rows["missing"].map(lambda m, c=column: c in m).to_numpy(dtype=bool)
        a, b = missing & known, ~missing & known
        if not a.any() or not b.any():
            continue
        da, db = int(status[a].sum()), int(status[b].sum())
        _, p = fisher_exact([[da, a.sum() - da], [db, b.sum() - db]])
        if p < MISSING_P_BELOW and abs(da / a.sum() - db / b.sum()) >= MISSING_DIFFERENCE:
            message = (
                f"death by day {HORIZON_DAYS}: {pct(da, int(a.sum()))} of rows missing {column} vs "
                f"{pct(db, int(b.sum()))} of rows with it (Fisher's exact p = {p:.2g}): not missing at "
                "random, so complete-case analysis is biased; multiple imputation with the outcome in the "
                "imputation model is recommended (--impute); to use complete cases anyway, add "
                "--accept missingness-outcome"
            )
            lines = tuple(reg.rows.loc[missing, "line"])
            found.append(Finding("missingness-outcome", NEEDS_FLAG, message, lines, (column,)))
    return found


def complete_case_loss(reg: Registry) -> list[Finding]:
    """Rows left out for missing values (not for unreadable ones, which are refused anyway)."""
    n, dropped = len(reg.rows), int((reg.rows["missing"].map(len) > 0).sum())
    if not n or dropped / n <= CASE_LOSS_ABOVE:
        return []
    message = (
        f"complete-case analysis leaves out {pct(dropped, n)} rows for missing values (more than "
        f"{CASE_LOSS_ABOVE:.0%}): multiple imputation is recommended over complete cases (--impute)"
    )
    return [Finding("complete-case-loss", NOTE, message, (), tuple(reg.missing))]
