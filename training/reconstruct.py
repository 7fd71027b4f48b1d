"""Reconstruct the default cohort: synthetic patients whose figures reproduce the published ones.

One synthetic patient per published patient, series by series (`assumptions.json`, `series`).
Per series: compartments and resection split as published; McCormick grades from a one-parameter
family fixed by the series' neurological figure; KPS from the grade plus noise; other metastases
at the published fraction. Each patient's relative hazard comes from the borrowed effect sizes;
resection is then given to the fittest patients (confounding by indication, no causal effect);
exponential survival times are scaled so that the series' survival figure is met exactly.

The parameters come in already resolved (central values) or drawn from their uncertainty
(training.uncertainty), and every random choice is made from the caller's Generator: the default
fit reconstructs the cohort many times, once per draw, and pools the models (training.pooled).

SYNTHETIC DATA: nothing here is a real patient. Deterministic for given parameters and stream.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from calculator.features import COHORT_COLUMNS, HORIZON_DAYS, RESECTION
from training.evidence import (
    Parameter,
    find_row,
    inverse_variance_pool,
    load_assumptions,
    log_se_from_ci,
    resolve_parameters,
    series_info,
    series_value,
    survival_target_days,
)
from training.targets import targets_table

IM, IESM = "intramedullary", "intradural_extramedullary"


@dataclass(frozen=True)
class Effects:
    """Log hazard ratios of the data-generating model (per unit stated)."""

    kps_per_10: float
    other_metastases: float
    per_mccormick_grade: float
    intradural_extramedullary: float = 0.0  # vs intramedullary
    gross_total_vs_biopsy: float = 0.0  # causal; subtotal is half-way on the log scale

    def linear_predictor(self, kps, other_metastases, grade, compartment, kps_centre: float) -> np.ndarray:
        """Prognosis before surgery: what the surgeons select on."""
        return (
            self.kps_per_10 * (np.asarray(kps) - kps_centre) / 10
            + self.other_metastases * np.asarray(other_metastases, dtype=float)
            + self.per_mccormick_grade * (np.asarray(grade) - 1)
            + self.intradural_extramedullary * (np.asarray(compartment) == IESM)
        )

    def resection_effect(self, resection) -> np.ndarray:
        steps = {"biopsy": 0.0, "subtotal": 0.5, "gross_total": 1.0}
        return self.gross_total_vs_biopsy * np.array([steps[r] for r in resection])


@dataclass(frozen=True)
class Reconstruction:
    cohort: pd.DataFrame  # COHORT_COLUMNS; other_metastases as bool
    targets: list[dict]  # published vs reconstructed, one row per figure
    parameters: dict[str, Parameter]
    effects: Effects


NEURO_ROWS = {
    "hr_non_ambulatory_general": "non-ambulatory vs ambulatory (pooled)",
    "hr_neuro_deficit_intradural": "pre-existing neurological deficit",
}


def effects_from(params: dict[str, Parameter]) -> Effects:
    """The data-generating log hazard ratios. The two neurological HRs (as resolved or drawn) are
    pooled by inverse variance of their published CIs."""
    rows = [find_row("effects.csv", predictor="neuro_status", contrast=c) for c in NEURO_ROWS.values()]
    neuro = inverse_variance_pool(
        [math.log(params[name].value) for name in NEURO_ROWS], [log_se_from_ci(row) for row in rows]
    )
    return Effects(
        kps_per_10=math.log(params["hr_kps_per_10_points"].value),
        other_metastases=math.log(params["hr_other_metastases"].value),
        per_mccormick_grade=neuro / params["grades_between_ambulatory_groups"].value,
        intradural_extramedullary=math.log(params["hr_intradural_extramedullary_vs_intramedullary"].value),
        gross_total_vs_biopsy=math.log(params["hr_resection_adjusted"].value),
    )


def largest_remainder(fractions: dict[str, float], n: int) -> dict[str, int]:
    """Whole counts summing to n, as close as possible to fractions * n."""
    raw = {k: v * n for k, v in fractions.items()}
    counts = {k: math.floor(v) for k, v in raw.items()}
    for k in sorted(raw, key=lambda k: raw[k] - counts[k], reverse=True)[: n - sum(counts.values())]:
        counts[k] += 1
    return counts


def resection_counts(study: dict, n: int, pooled: dict[str, dict[str, float]], compartment: str):
    """{option: count} and the published figures they reproduce."""
    spec = study["resection"]
    if spec is None:
        return largest_remainder(pooled[compartment], n), []
    counts, figures = {}, []
    for option, how in spec.items():
        if "count" in how:
            counts[option] = int(series_value(study["study_id"], how["count"]))
            figures.append((how["count"], counts[option], option, "count"))
        elif "fraction" in how:
            counts[option] = round(series_value(study["study_id"], how["fraction"]) * n)
            figures.append(
                (how["fraction"], series_value(study["study_id"], how["fraction"]), option, "fraction")
            )
        elif "value" in how:
            counts[option] = int(how["value"])
    rest = [o for o, how in spec.items() if how.get("rest")]
    for option in rest:
        counts[option] = n - sum(counts.values())
    return {o: counts.get(o, 0) for o in RESECTION.values}, figures


def pooled_splits(assumptions: dict) -> dict[str, dict[str, float]]:
    """Pooled resection fractions per compartment, over single-compartment series that report one."""
    totals: dict[str, dict[str, int]] = {}
    for study in assumptions["series"]:
        info = series_info(study["study_id"])
        if study["resection"] is None or info.compartment not in (IM, IESM):
            continue
        counts, _ = resection_counts(study, info.n, {}, info.compartment)
        for option, c in counts.items():
            totals.setdefault(info.compartment, dict.fromkeys(RESECTION.values, 0))[option] += c
    return {comp: {o: c / sum(t.values()) for o, c in t.items()} for comp, t in totals.items()}


def binom4_cdf(k: int, q: float) -> float:
    return sum(math.comb(4, j) * q**j * (1 - q) ** (4 - j) for j in range(k + 1))


def mccormick_q(neuro: dict | None, study_id: str, n: int, params) -> float:
    """q of grade = 1 + Binomial(4, q), fixed by the series' one neurological figure."""
    if neuro is None:
        return (params["mccormick_default_mean"].value - 1) / 4
    value = series_value(study_id, neuro["figure"])
    if neuro["kind"] == "mean":
        return (value - 1) / 4
    fraction = value / n if neuro.get("is_count") else value
    if neuro["kind"] == "fraction_grade_ii_or_worse":
        return 1 - (1 - fraction) ** 0.25
    low, high = 0.0, 1.0  # fraction_grade_iii_or_better: P(grade <= 3) = fraction, by bisection
    for _ in range(60):
        mid = (low + high) / 2
        low, high = (mid, high) if binom4_cdf(2, mid) > fraction else (low, mid)
    return (low + high) / 2


def stratified_grades(n: int, q: float) -> np.ndarray:
    """Grades at the n mid-quantiles of 1 + Binomial(4, q): the published fraction, not a draw."""
    cdf = [binom4_cdf(k, q) for k in range(5)]
    return np.array([1 + next(k for k in range(5) if cdf[k] >= (i + 0.5) / n) for i in range(n)])


def match_mean(grades: np.ndarray, mean: float) -> np.ndarray:
    """Shift single patients by one grade at the edges until the sum is the published mean's."""
    grades, target = np.sort(grades), round(mean * len(grades))
    while grades.sum() != target:
        step = 1 if grades.sum() < target else -1
        movable = np.flatnonzero(grades < 5) if step > 0 else np.flatnonzero(grades > 1)
        i = movable[-1] if step > 0 else movable[0]  # the patient nearest the next grade up/down
        i = np.flatnonzero(grades == grades[i])[0 if step > 0 else -1]
        grades[i] += step
    return grades


def survival_times(study, eta, resection, rng, params) -> tuple[np.ndarray, np.ndarray]:
    """(survival_days, died) reproducing the series' survival figure; exponential within series."""
    spec, sid = study["survival"], study["study_id"]
    shape = params["survival_shape"].value
    relative = np.exp(eta)
    u = rng.uniform(size=len(eta))
    if spec["kind"] == "deaths_90d_by_resection":
        died_by_90 = np.zeros(len(eta), dtype=bool)
        deaths = {o: round(series_value(sid, f) * np.sum(resection == o)) for o, f in spec["figures"].items()}
        rate = _rate_for_deaths(relative, sum(deaths.values()), shape)
        risk = 1 - np.exp(-rate * relative * HORIZON_DAYS**shape)
        for option, k in deaths.items():
            idx = np.flatnonzero(resection == option)
            chosen = rng.choice(idx, size=k, replace=False, p=risk[idx] / risk[idx].sum())
            died_by_90[chosen] = True
        hazard = rate * relative
        # died by 90: inverse CDF of the time truncated to [0, 90); else 90 + memoryless remainder
        early = (-np.log(1 - u * (1 - np.exp(-hazard * HORIZON_DAYS**shape))) / hazard) ** (1 / shape)
        late = (HORIZON_DAYS**shape - np.log(u) / hazard) ** (1 / shape)
        days = np.where(died_by_90, early, late)
        return np.ceil(days).astype(int), np.ones(len(eta), dtype=int)
    target = survival_target_days(study, params)
    statistic = np.median if spec["kind"] == "median" else np.mean
    # Stated minimum death counts (Hoover: >= 3 deaths within 60 days) are conditioned on by
    # redrawing from the same seeded generator until they hold.
    minimums = [(c["days"], series_value(sid, c["figure"])) for c in study.get("checks", [])]
    for _ in range(1000):
        raw = (-np.log(u) / relative) ** (1 / shape)  # unit baseline rate; scaled below
        days = np.ceil(raw * target / statistic(raw)).astype(int)
        if all(np.sum(days <= d) >= k for d, k in minimums):
            break
        u = rng.uniform(size=len(eta))
    else:
        raise RuntimeError(f"{sid}: no draw meets the stated death counts {minimums}")
    died = np.ones(len(eta), dtype=int)
    for _ in range(spec.get("alive_at_last_follow_up", 0)):
        died[np.argmax(np.where(died == 1, days, -1))] = 0  # the longest survivor is alive
    return days, died


def _rate_for_deaths(relative: np.ndarray, deaths: int, shape: float) -> float:
    """Baseline rate at which the expected number of deaths by 90 days equals `deaths`."""
    low, high = -20.0, 5.0
    for _ in range(100):
        mid = (low + high) / 2
        expected = np.sum(1 - np.exp(-math.exp(mid) * relative * HORIZON_DAYS**shape))
        low, high = (mid, high) if expected < deaths else (low, mid)
    return math.exp((low + high) / 2)


def reconstruct_series(study, rng, params, effects, pooled) -> tuple[dict[str, np.ndarray], list[dict]]:
    """One series' synthetic patients, and the published figures they were built to reproduce."""
    sid = study["study_id"]
    info = series_info(sid)
    n = info.n
    if "compartment" in study:
        n_im = int(series_value(sid, study["compartment"]["intramedullary"]))
        compartment = np.array([IM] * n_im + [IESM] * (n - n_im))
        figures = [(study["compartment"]["intramedullary"], n_im, None, "count")]
    else:
        compartment, figures = np.array([info.compartment] * n), []
    compartment = rng.permutation(compartment)

    q = mccormick_q(study["neuro"], sid, n, params)
    grade = stratified_grades(n, q)
    if study["neuro"] and study["neuro"]["kind"] == "mean":
        grade = match_mean(grade, series_value(sid, study["neuro"]["figure"]))
    grade = rng.permutation(grade)
    kps_centre = params["kps_mean"].value
    default_grade = params["mccormick_default_mean"].value
    kps = kps_centre + params["kps_points_per_mccormick_grade"].value * (grade - default_grade)
    kps = kps + params["kps_sd_within_grade"].value * rng.standard_normal(n)
    kps = np.clip(np.round(kps, -1), params["kps_min"].value, params["kps_max"].value).astype(int)
    n_other = round(params["other_metastases_fraction"].value * n)
    other = rng.permutation(np.arange(n) < n_other)

    eta = effects.linear_predictor(kps, other, grade, compartment, kps_centre)
    counts, resection_figures = resection_counts(study, n, pooled, info.compartment)
    fitness = -eta + params["selection_noise"].value * np.std(eta) * rng.standard_normal(n)
    order = np.argsort(-fitness, kind="stable")  # fittest first: gross total, subtotal, biopsy
    resection = np.empty(n, dtype=object)
    resection[order] = np.repeat(
        ["gross_total", "subtotal", "biopsy"], [counts["gross_total"], counts["subtotal"], counts["biopsy"]]
    )
    eta = eta + effects.resection_effect(resection)
    days, died = survival_times(study, eta, resection, rng, params)
    columns = {
        "study_id": np.full(n, sid, dtype=object),
        "kps": kps,
        "other_metastases": other,
        "mccormick_grade": grade,
        "resection": resection.astype(str),
        "compartment": compartment,
        "survival_days": days,
        "died": died,
    }
    return columns, figures + resection_figures


def reconstruct(
    rng: np.random.Generator, params: dict[str, Parameter] | None = None, assumptions: dict | None = None
) -> Reconstruction:
    """One SYNTHETIC cohort and its published-vs-reconstructed table, from `params` (default: the
    central values) and the caller's random stream."""
    assumptions = assumptions or load_assumptions()
    params = params or resolve_parameters(assumptions)
    effects = effects_from(params)
    pooled = pooled_splits(assumptions)
    frames, figures = [], {}
    for study in assumptions["series"]:
        frame, figs = reconstruct_series(study, rng, params, effects, pooled)
        frames.append(frame)
        figures[study["study_id"]] = figs
    cohort = pd.DataFrame(
        {c: np.concatenate([f[c] for f in frames]) for c in COHORT_COLUMNS}, columns=list(COHORT_COLUMNS)
    )
    targets = targets_table(cohort, assumptions, params, figures)
    return Reconstruction(cohort, targets, params, effects)
