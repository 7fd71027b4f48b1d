"""The statistician's part of a local validation (issue 11, item 6): O/E overall and within
subgroups, the smoothed calibration curve with its band and the ICI, the histogram of predicted
risks, the decision curve, the case mix against the development cohort, the precision of the
validation (Riley et al. 2021), a verdict against stated tolerances and the update the closed
test recommends. Pure: model, cohort, predictions in; a plain dict out.
"""

from __future__ import annotations

import numpy as np

from calculator.features import BY_NAME, COMPARTMENT, FEATURE_NAMES, RESECTION
from calculator.predict import design_columns, input_grid
from training.recalibrate import LABELS, closed_test
from training.validation_measures import (
    calibration_band,
    events_for_precise_oe,
    net_benefit,
    observed_expected,
    subgroup_oe,
)

# Stated tolerances for the verdict, the project's own choice (no published threshold is adopted):
# a calibration slope within 0.8-1.2 and O/E within 0.8-1.25 (symmetric on the log scale:
# 1/0.8 = 1.25) are taken as acceptable for decision support here; the report names them.
SLOPE_TOLERANCE = (0.8, 1.2)
OE_TOLERANCE = (0.8, 1.25)
KPS_BANDS = {"KPS 10-40": (10, 40), "KPS 50-70": (50, 70), "KPS 80-100": (80, 100)}
BAND_RESAMPLES = 200


def subgroups(cohort) -> dict[str, dict[str, np.ndarray]]:
    """Boolean masks by compartment, KPS band, McCormick grade, other metastases, resection."""
    kps = cohort["kps"].to_numpy(dtype=float)
    grade = cohort["mccormick_grade"].to_numpy(dtype=float)
    other = cohort["other_metastases"].to_numpy(dtype=bool)
    return {
        "Compartment": {c.label: (cohort["compartment"] == c.value).to_numpy() for c in COMPARTMENT.choices},
        "KPS band": {name: (kps >= lo) & (kps <= hi) for name, (lo, hi) in KPS_BANDS.items()},
        "McCormick grade": {f"Grade {g}": grade == g for g in range(1, 6)},
        "Other metastases": {"Yes": other, "No": ~other},
        "Resection performed": {
            c.label: (cohort["resection"] == c.value).to_numpy() for c in RESECTION.choices
        },
    }


def _distribution(values: np.ndarray, weights: np.ndarray, levels) -> list[float]:
    total = weights.sum()
    return [float(weights[values == v].sum() / total) if total else 0.0 for v in levels]


def _correlation(kps, grade, weights) -> float | None:
    """Weighted Pearson correlation of KPS and McCormick grade."""
    if weights.sum() <= 0:
        return None
    mk, mg = np.average(kps, weights=weights), np.average(grade, weights=weights)
    cov = np.average((kps - mk) * (grade - mg), weights=weights)
    sd = np.sqrt(
        np.average((kps - mk) ** 2, weights=weights) * np.average((grade - mg) ** 2, weights=weights)
    )
    return float(cov / sd) if sd > 0 else None


def case_mix(model, cohort) -> dict:
    """Each input's distribution here and in the development cohort (from the model's support
    table: patients per input combination), and the KPS-McCormick correlation in each."""
    grid = input_grid()
    support = np.asarray(model.support, dtype=float)
    ones = np.ones(len(cohort))
    rows = []
    for name in FEATURE_NAMES:
        levels = list(BY_NAME[name].values)
        dev_values = np.array([g[name] for g in grid], dtype=object)
        here = _distribution(cohort[name].to_numpy(dtype=object), ones, levels)
        dev = _distribution(dev_values, support, levels)
        rows += [
            {"input": name, "value": str(v), "here": h, "development": d}
            for v, h, d in zip(levels, here, dev)
        ]
    dev_kps = np.array([g["kps"] for g in grid], float)
    dev_grade = np.array([g["mccormick_grade"] for g in grid], float)
    return {
        "rows": rows,
        "kps_mccormick_correlation": {
            "here": _correlation(
                cohort["kps"].to_numpy(float), cohort["mccormick_grade"].to_numpy(float), ones
            ),
            "development": _correlation(dev_kps, dev_grade, support),
        },
    }


def within(ci, tolerance) -> str:
    """'within' when the whole 95% interval lies inside the tolerance, 'outside' when it lies
    wholly outside it, 'undetermined' when it straddles a limit (the data cannot tell)."""
    if ci is None:
        return "undetermined"
    lo, hi = tolerance
    if lo <= ci[0] and ci[1] <= hi:
        return "within"
    if ci[1] < lo or ci[0] > hi:
        return "outside"
    return "undetermined"


def statistician_measures(
    model, cohort, known, y, p, w, slope: dict, seed: int, band_resamples: int = BAND_RESAMPLES
) -> dict:
    """Everything of the module docstring. `known`: rows of known 90-day status; y, p, w on them;
    `slope`: the calibration slope entry of the local validation (estimate and ci_95)."""
    rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(2)[1])
    oe = observed_expected(y, p, w)
    sub = {
        k: subgroup_oe({n: m[known] for n, m in masks.items()}, y, p, w)
        for k, masks in subgroups(cohort).items()
    }
    band = calibration_band(y, p, w, rng, band_resamples)
    o = float(np.sum(w * y) / w.sum())
    needed = events_for_precise_oe(o)
    test = (
        closed_test(design_columns(cohort)[known], y, w, model.coefficients) if 0 < y.sum() < len(y) else None
    )
    verdict = {
        "oe": within(oe["ci_95"], OE_TOLERANCE),
        "slope": within(slope["ci_95"], SLOPE_TOLERANCE),
        "tolerances": {"oe": OE_TOLERANCE, "slope": SLOPE_TOLERANCE},
        "se_ln_oe": oe.get("se_ln"),
        "events": int(y.sum()),
        "events_needed": needed,
    }
    return {
        "oe": oe,
        "subgroups": sub,
        "smoothed": {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in band.items()},
        "histogram": np.histogram(p, bins=20, range=(0, 1))[0].tolist(),
        "net_benefit": net_benefit(y, p, w),
        "case_mix": case_mix(model, cohort),
        "verdict": verdict,
        "update": None if test is None else test | {"label": LABELS[test["chosen"]]},
    }


def _subgroups_off(stats: dict) -> list[str]:
    """Subgroups whose O/E 95% CI excludes 1, with their O/E."""
    out = []
    for kind, groups in stats["subgroups"].items():
        for g in groups:
            if g["ci_95"] and (g["ci_95"][1] < 1 or g["ci_95"][0] > 1):
                out.append(
                    f"{kind} {g['group']} (O/E {g['oe']:.2f}, {g['ci_95'][0]:.2f} to {g['ci_95'][1]:.2f})"
                )
    return out


def verdict_sentences(stats: dict, slope: dict) -> list[str]:
    """The verdict against the stated tolerances, the precision, and the recommended update."""
    from training.report_sections import precision_text

    v, oe = stats["verdict"], stats["oe"]
    lo, hi = OE_TOLERANCE
    slo, shi = SLOPE_TOLERANCE
    ci = "" if not oe["ci_95"] else f" (95% CI {oe['ci_95'][0]:.2f} to {oe['ci_95'][1]:.2f})"
    oe_text = "not estimable" if oe["oe"] is None else f"{oe['oe']:.2f}{ci}"
    words = {
        "within": "is within the tolerance",
        "outside": "is outside the tolerance",
        "undetermined": "cannot be placed against the tolerance: its interval crosses a limit",
    }
    b, b_ci = slope["estimate"], slope["ci_95"]
    slope_text = "not estimable" if b is None else f"{b:.2f}"
    if b is not None and b_ci:
        slope_text += f" (95% CI {b_ci[0]:.2f} to {b_ci[1]:.2f})"
    out = [
        f"Observed/expected deaths {oe_text} {words[v['oe']]} of {lo}-{hi} stated for this report.",
        f"Calibration slope {slope_text} {words[v['slope']]} of {slo}-{shi}."
        if b is not None
        else "The calibration slope cannot be estimated: the predictions of those who died and those "
        "who survived do not overlap (a perfect or a constant predictor in this cohort).",
        precision_text(stats),
    ]
    off = _subgroups_off(stats)
    if off:
        out.append("Miscalibrated within subgroups (O/E 95% CI excludes 1): " + "; ".join(off) + ".")
    verdicts = {v["oe"], v["slope"]}
    if "outside" in verdicts:
        out.append("The model is miscalibrated for your patients beyond the stated tolerance: update it.")
    elif "undetermined" in verdicts:
        out.append(
            "This cohort cannot tell: it has shown the model neither calibrated within the tolerances "
            "for your patients nor miscalibrated beyond them. More patients would narrow the intervals."
        )
    else:
        out.append("Both measures lie within the stated tolerances, with the precision stated above.")
    if stats.get("update"):
        out.append(
            f"The closed test recommends: {stats['update']['label']} (see the last section for the command)."
        )
    return out
